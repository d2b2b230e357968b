/**
 * The Attestation IMV (strongSwan imv_attestation) driving the PTS rounds as moon does:
 *  1. segmentation contract request, Request PTS Protocol Capabilities, PTS Measurement Algorithm Request;
 *  2. Request File Metadata, DH Nonce Parameters Request;
 *  3. DH Nonce Finish, Get TPM Version Information, Get Attestation Identity Key;
 *  4. Get Symlinks, Request Functional Component Evidence for 'Linux IMA' [K.] Trusted Platform + Operating System,
 *     Generate Attestation Evidence;
 * then verifies the evidence with {@link EvidenceVerifier} and gives compliant/allow or non-compliant/isolate with the
 * findings as reason strings.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PEN, isTncjsError, type Logger } from '@tncjs/common';
import { AssessmentResult, ItaGetSymlinks, ItaSymlinks, MaxAttributeSizeRequest, MaxAttributeSizeResponse, PaTncError, type PaTncAttribute } from '@tncjs/pa-tnc';
import {
  AttestationIdentityKey,
  DhNonceFinish,
  DhNonceParametersRequest,
  DhNonceParametersResponse,
  EvidenceVerifier,
  FileReferenceStore,
  GenerateAttestationEvidence,
  GetAttestationIdentityKey,
  GetTpmVersionInformation,
  LINUX_IMA_BIOS,
  LINUX_IMA_RUNTIME,
  MemoryReferenceStore,
  PtsDh,
  PtsMeasurementAlgorithm,
  PtsMeasurementAlgorithmRequest,
  PtsProtocolCapabilities,
  RequestFileMetadata,
  RequestFunctionalComponentEvidence,
  RequestPtsProtocolCapabilities,
  SimpleComponentEvidence,
  SimpleEvidenceFinal,
  TpmVersionInformation,
  UnixStyleFileMetadata,
  algorithmSetFromBits,
  algorithmSetToBits,
  secretAssessmentValue,
  versionInfoLocality,
  type ReferenceStore,
  type SimpleEvidenceFinalValue,
} from '@tncjs/pts';
import { deviceId as aikDeviceId } from '@tncjs/tss';
import type { Imv, ImvConnection } from '../imv.js';
import { ConnectionState, ImvEvaluation, ImvRecommendation, type InitContext, type ReceivedMessage } from '../types.js';
import { processPaTncMessage } from '../pa-tnc-messages.js';
import { SqliteAttestationStore } from '../store/sqlite-attestation-store.js';
import { isAttestationStore } from '../store/attestation-store.js';

export interface AttestationImvOptions {
  /** PTS measurement algorithms offered (bits, default 0x8000 = SHA-1 as the seed's moon). */
  algorithms?: number;
  /** File whose metadata round 2 asks for (default '/etc/tnc_config', as moon). */
  metadataPath?: string;
  /** Send ITA-HSR Get Symlinks in round 4 (default true, as strongSwan 6's moon). */
  getSymlinks?: boolean;
  /**
   * Reference store. Default: the JSON file store at `storePath` when that is given (as before), else the SQLite
   * attestation database at `database`, else `<stateDir>/pts.db`, else an in-memory SQLite database.
   */
  store?: ReferenceStore;
  /** Path of the JSON reference store (@tncjs/pts FileReferenceStore). */
  storePath?: string;
  /** The SQLite attestation database: a path, `sqlite:///path` (strongSwan's libimcv.database) or `:memory:`. */
  database?: string;
  /** The IMV's state directory: the database defaults to `<stateDir>/pts.db`. */
  stateDir?: string;
  /** Force a store kind: `sqlite` (default), `file` (needs `storePath`) or `memory` (MemoryReferenceStore). */
  storeKind?: 'sqlite' | 'file' | 'memory';
  /** Only AIKs registered as trusted in the attestation database pass (default false: unknown AIKs are registered). */
  requireTrustedAik?: boolean;
  /** Register unknown measurements (first contact), default true as strongSwan. */
  register?: boolean;
  /** Reason strings at most (findings beyond are counted), default 10. */
  maxReasons?: number;
}

interface Session {
  round: number;
  dh?: PtsDh;
  initiatorNonce?: Uint8Array;
  secret?: Uint8Array;
  algorithm?: number;
  versionInfo?: Uint8Array;
  aik?: Uint8Array;
  verifier?: EvidenceVerifier;
  errors: string[];
  /** Attestation database session id. */
  sessionId?: number;
}

const TCG_PTS = { vendorId: PEN.TCG, subtype: 1 };

export class AttestationImv implements Imv {
  readonly name = 'Attestation';
  readonly messageTypes = [TCG_PTS];
  private id = 0;
  private log!: Logger;
  private readonly store: ReferenceStore;
  private readonly ownsStore: boolean;

  /** @throws AttestationStoreError when the default SQLite database cannot be opened (corrupt, newer schema, I/O) */
  constructor(private readonly o: AttestationImvOptions = {}) {
    this.ownsStore = !o.store;
    this.store = o.store ?? defaultStore(o);
  }

  /** The store in use (the SQLite attestation database unless configured otherwise). */
  get referenceStore(): ReferenceStore {
    return this.store;
  }

  /** Run a store operation; a database failure becomes a reason (non-compliant), never an exception into PB-TNC. */
  private guard<T>(s: Session | undefined, what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!isTncjsError(e) || !e.code.startsWith('ERR_STORE')) throw e;
      this.log.log('IMV', 1, `attestation database error while ${what}: ${e.code}`);
      s?.errors.push(`attestation database error (${e.code})`);
      return undefined;
    }
  }

  initialize(ctx: InitContext): void {
    this.id = ctx.id;
    this.log = ctx.logger;
    this.log.log('IMV', 1, `IMV ${this.id} "${this.name}" initialized`);
  }

  notifyConnectionChange(c: ImvConnection, state: ConnectionState): void {
    if (state === ConnectionState.CREATE) {
      const s: Session = { round: 0, errors: [] };
      const store = this.store;
      if (isAttestationStore(store)) s.sessionId = this.guard(s, 'starting a session', () => store.startSession({ connectionId: c.connectionId }));
      c.data.pts = s;
    } else if (state === ConnectionState.DELETE) {
      const s = c.data.pts as Session | undefined;
      s?.secret?.fill(0);
      delete c.data.pts;
    }
  }

  private send(c: ImvConnection, attributes: PaTncAttribute<any>[]): void {
    c.send({ type: TCG_PTS, attributes });
  }

  receiveMessage(c: ImvConnection, msg: ReceivedMessage): void {
    const s = c.data.pts as Session;
    const r = processPaTncMessage(msg, this.log);
    if (r.error) return c.send({ attributes: [r.error], destinationId: msg.sourceId });
    for (const a of r.attributes) {
      if (PaTncError.is(a)) s.errors.push(`received PA-TNC error from IMC ${msg.sourceId}`);
      else if (MaxAttributeSizeResponse.is(a)) this.log.log('IMV', 2, `IMC ${msg.sourceId} accepted maximum segment size of ${a.value.maxSegmentSize} bytes`);
      else if (PtsProtocolCapabilities.is(a)) this.log.log('PTS', 2, 'received PTS protocol capabilities');
      else if (PtsMeasurementAlgorithm.is(a)) {
        s.algorithm = algorithmSetToBits(a.value.algorithms);
      } else if (UnixStyleFileMetadata.is(a)) this.log.log('IMV', 2, 'received file metadata');
      else if (DhNonceParametersResponse.is(a)) {
        s.dh = new PtsDh(a.value.group);
        s.initiatorNonce = new Uint8Array(randomBytes(a.value.nonce.byteLength));
        const shared = s.dh.sharedSecret(a.value.publicValue);
        s.secret = secretAssessmentValue(s.algorithm ?? 0x8000, s.initiatorNonce, a.value.nonce, shared);
        shared.fill(0);
      } else if (TpmVersionInformation.is(a)) s.versionInfo = a.value.versionInfo;
      else if (AttestationIdentityKey.is(a)) {
        s.aik = a.value.aik;
        this.checkAik(s, a.value.aik);
      }
      else if (ItaSymlinks.is(a)) this.log.log('IMV', 2, `received ${a.value.symlinks.length} symbolic links`);
      else if (SimpleComponentEvidence.is(a)) this.guard(s, 'checking evidence', () => this.verifier(s).add(a.value));
      else if (SimpleEvidenceFinal.is(a)) this.finish(c, s, a.value);
    }
  }

  /** Look the AIK up in the attestation database: register it on first contact, or refuse it when not trusted. */
  private checkAik(s: Session, spki: Uint8Array): void {
    const store = this.store;
    if (!isAttestationStore(store)) {
      if (this.o.requireTrustedAik) s.errors.push('AIK trust requires an attestation database');
      return;
    }
    const id = aikDeviceId(spki);
    this.guard(s, 'looking up the AIK', () => {
      let device = store.device(id);
      if (!device?.aik && (this.o.register ?? true)) {
        device = store.registerAik(spki);
        this.log.log('IMV', 1, `registered AIK of device ${id} (not trusted)`);
      }
      if (s.sessionId !== undefined) store.setSessionDevice(s.sessionId, id);
      if (this.o.requireTrustedAik && !device?.trusted) s.errors.push(`AIK of device ${id} is not trusted`);
      else this.log.log('IMV', 2, `AIK of device ${id} is ${device?.trusted ? 'trusted' : 'not trusted'}`);
    });
  }

  private verifier(s: Session): EvidenceVerifier {
    s.verifier ??= new EvidenceVerifier({
      algorithm: s.algorithm ?? 0x8000,
      locality: s.versionInfo ? versionInfoLocality(s.versionInfo) : 0,
      deviceId: s.aik ? aikDeviceId(s.aik) : undefined,
      store: this.store,
      register: this.o.register ?? true,
      logger: this.log,
    });
    return s.verifier;
  }

  batchEnding(c: ImvConnection): void {
    const s = c.data.pts as Session;
    if (c.verdict) return;
    if (s.errors.length) return this.decide(c, false, s.errors);
    const noskip = { noskip: true };
    switch (s.round) {
      case 0:
        this.send(c, [
          MaxAttributeSizeRequest.create({ maxAttributeSize: 100000000, maxSegmentSize: 65446 }),
          RequestPtsProtocolCapabilities.create({ flags: { current: false, verification: true, dhNonce: true, trustedPlatform: true, xml: false } }, noskip),
          PtsMeasurementAlgorithmRequest.create({ algorithms: algorithmSetFromBits(this.o.algorithms ?? 0x8000) }, noskip),
        ]);
        break;
      case 1:
        if (s.algorithm === undefined) return;
        this.send(c, [
          RequestFileMetadata.create({ flags: { directory: false }, delimiter: 0x2f, pathname: this.o.metadataPath ?? '/etc/tnc_config' }, noskip),
          DhNonceParametersRequest.create({ minNonceLength: 0, groups: { ike2: true, ike5: true, ike14: true, ike19: true, ike20: false } }, noskip),
        ]);
        break;
      case 2:
        if (!s.dh || !s.initiatorNonce) return;
        this.send(c, [
          DhNonceFinish.create({ hashAlgorithm: s.algorithm ?? 0x8000, publicValue: s.dh.publicValue(), nonce: s.initiatorNonce }, noskip),
          GetTpmVersionInformation.create({}, noskip),
          GetAttestationIdentityKey.create({}, noskip),
        ]);
        break;
      case 3:
        if (!s.versionInfo || !s.aik) return;
        this.send(c, [
          ...(this.o.getSymlinks === false ? [] : [ItaGetSymlinks.create({ directories: '/' })]),
          RequestFunctionalComponentEvidence.create({
            components: [LINUX_IMA_BIOS, LINUX_IMA_RUNTIME].map((component) => ({ flags: { ttc: false, verify: false, current: false, pcr: true }, depth: 0, component })),
          }, noskip),
          GenerateAttestationEvidence.create({}, noskip),
        ]);
        break;
      default:
        return; // evidence is arriving: wait for Simple Evidence Final
    }
    s.round++;
  }

  solicitRecommendation(c: ImvConnection): void {
    const s = c.data.pts as Session;
    this.decide(c, false, [...s.errors, s.round < 4 ? 'attestation did not complete' : 'no Simple Evidence Final received']);
  }

  private finish(c: ImvConnection, s: Session, sef: SimpleEvidenceFinalValue): void {
    if (!s.secret || !s.aik) return this.decide(c, false, ['evidence before DH nonce and AIK']);
    const report = this.guard(s, 'verifying evidence', () => this.verifier(s).finish(sef, s.secret!, s.aik!, s.versionInfo));
    if (!report) return this.decide(c, false, s.errors);
    (this.store as { flush?: () => void }).flush?.();
    const max = this.o.maxReasons ?? 10;
    const findings = report.findings.slice(0, max).map((f) => f.message);
    if (report.findings.length > max) findings.push(`… and ${report.findings.length - max} more findings`);
    this.decide(c, report.compliant, [...report.reasons, ...findings]);
  }

  private decide(c: ImvConnection, compliant: boolean, reasons: string[]): void {
    const evaluation = compliant ? ImvEvaluation.COMPLIANT : ImvEvaluation.NONCOMPLIANT_MAJOR;
    c.send({ type: TCG_PTS, attributes: [AssessmentResult.create({ result: evaluation })] });
    const recommendation = compliant ? ImvRecommendation.ALLOW : ImvRecommendation.ISOLATE;
    c.provideRecommendation({ recommendation, evaluation, reasons: compliant ? [] : reasons });
    const s = c.data.pts as Session | undefined;
    const store = this.store;
    if (s?.sessionId !== undefined && isAttestationStore(store)) {
      const id = s.sessionId;
      s.sessionId = undefined;
      this.guard(undefined, 'recording the session', () => store.endSession(id, { recommendation, evaluation, results: compliant ? [] : reasons }));
    }
  }

  /** TNC_IMV_Terminate: close the database the IMV opened itself. */
  terminate(): void {
    if (this.ownsStore) (this.store as { close?: () => void }).close?.();
  }
}

function defaultStore(o: AttestationImvOptions): ReferenceStore {
  const kind = o.storeKind ?? (o.storePath && o.database === undefined ? 'file' : 'sqlite');
  if (kind === 'memory') return new MemoryReferenceStore();
  if (kind === 'file') {
    if (!o.storePath) throw new TypeError("AttestationImv: storeKind 'file' needs storePath");
    return new FileReferenceStore(o.storePath);
  }
  return new SqliteAttestationStore(o.database ?? (o.stateDir ? join(o.stateDir, 'pts.db') : ':memory:'));
}

export function createAttestationImv(options: Record<string, unknown> = {}): Imv {
  return new AttestationImv(options as AttestationImvOptions);
}
