/**
 * The Attestation IMV's store: @tncjs/pts's {@link ReferenceStore} (BIOS evidence per device, IMA measurements per
 * file name) plus what strongSwan's attest database keeps beside it — registered devices and their AIKs, reference
 * file hashes per algorithm, and a session/result history. {@link SqliteAttestationStore} implements it; a server
 * database can implement the same interface. A plain ReferenceStore (memory, JSON file) still works with the IMV: the
 * extra features are used only when {@link isAttestationStore} is true.
 */
import type { ReferenceStore } from '@tncjs/pts';

/** A registered device (strongSwan `devices`): its ID is the lower-case hex SHA-1 of the AIK SubjectPublicKeyInfo. */
export interface DeviceRecord {
  deviceId: string;
  description?: string;
  product?: string;
  /** DER SubjectPublicKeyInfo of the AIK, when one is registered. */
  aik?: Uint8Array;
  /** The AIK is trusted (set by an operator; AIKs registered on first contact are not). */
  trusted: boolean;
  /** Seconds since the epoch. */
  created: number;
}

export interface RegisterAikOptions {
  trusted?: boolean;
  description?: string;
  product?: string;
}

/** A reference file hash (strongSwan `file_hashes`). `algorithm` as IMA names it: `sha1`, `sha256`, `sha384`, `sha512`. */
export interface FileHash {
  path: string;
  algorithm: string;
  digest: Uint8Array;
}

export interface SessionStart {
  connectionId: number;
  identity?: string;
  deviceId?: string;
}

export interface SessionEnd {
  /** IF-IMV action recommendation (TNC_IMV_ACTION_RECOMMENDATION_*). */
  recommendation: number;
  /** IF-IMV evaluation result (TNC_IMV_EVALUATION_RESULT_*). */
  evaluation: number;
  /** Reason strings / findings (strongSwan `results`). */
  results?: string[];
}

export interface SessionRecord {
  id: number;
  connectionId: number;
  identity?: string;
  deviceId?: string;
  /** Seconds since the epoch. */
  started: number;
  ended?: number;
  recommendation?: number;
  evaluation?: number;
  results: string[];
}

export interface AttestationStore extends ReferenceStore {
  /**
   * Register (or update) a device's AIK. The device ID is derived from the key, so a key can never be registered
   * under another device's ID.
   * @throws AttestationStoreError
   */
  registerAik(spki: Uint8Array, options?: RegisterAikOptions): DeviceRecord;
  /** The device with this ID (hex SHA-1 of the AIK SPKI), or undefined. */
  device(deviceId: string): DeviceRecord | undefined;
  /** All registered devices. */
  devices(): DeviceRecord[];
  /** Mark a registered device's AIK trusted or not. @returns false when no AIK is registered under `deviceId` */
  setAikTrusted(deviceId: string, trusted: boolean): boolean;
  /** Add reference file hashes in one transaction. @returns how many were new */
  addFileHashes(hashes: Iterable<FileHash>, options?: { product?: string }): number;
  /** Reference file hashes of a path. */
  fileHashes(path: string): FileHash[];
  /** Start a session (strongSwan `sessions`). @returns its id */
  startSession(s: SessionStart): number;
  /** Attach the attested device to a session once its AIK is known. */
  setSessionDevice(sessionId: number, deviceId: string): void;
  /** Record a session's outcome. */
  endSession(sessionId: number, end: SessionEnd): void;
  /** The most recent sessions, newest first. */
  sessions(limit?: number): SessionRecord[];
  /** Release the database. Further calls throw ERR_STORE_CLOSED. */
  close(): void;
}

/** True when a store offers the {@link AttestationStore} features (devices, AIKs, file hashes, sessions). */
export function isAttestationStore(s: ReferenceStore | undefined): s is AttestationStore {
  const a = s as Partial<AttestationStore> | undefined;
  return !!a && typeof a.registerAik === 'function' && typeof a.device === 'function' && typeof a.startSession === 'function' && typeof a.endSession === 'function';
}
