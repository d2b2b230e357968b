/**
 * Typed errors of the attestation database. Every failure of the underlying engine (SQLite) is mapped to one stable
 * `code`, so the Attestation IMV can turn it into a non-compliant verdict with a reason instead of an exception, and a
 * CLI into one line and an exit code.
 */
import { TncjsError } from '@tncjs/common';

export type AttestationStoreErrorCode =
  /** The file is not a database, or its pages are damaged (SQLITE_NOTADB, SQLITE_CORRUPT). */
  | 'ERR_STORE_CORRUPT'
  /** The schema is newer than this code knows, or an existing database is not an attestation database. */
  | 'ERR_STORE_SCHEMA'
  /** Another writer holds the database longer than the busy timeout (SQLITE_BUSY, SQLITE_LOCKED). */
  | 'ERR_STORE_BUSY'
  /** Cannot open, read or write the file (SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_READONLY, SQLITE_FULL, SQLITE_PERM). */
  | 'ERR_STORE_IO'
  /** The native SQLite binding (better-sqlite3) is not installed or not built for this Node.js. */
  | 'ERR_STORE_UNAVAILABLE'
  /** The store was closed. */
  | 'ERR_STORE_CLOSED'
  /** Any other engine error. */
  | 'ERR_STORE';

/** An attestation database failure; `sqliteCode` keeps the engine's own code (e.g. `SQLITE_NOTADB`) when there is one. */
export class AttestationStoreError extends TncjsError {
  declare readonly code: AttestationStoreErrorCode;
  readonly sqliteCode: string | undefined;

  constructor(code: AttestationStoreErrorCode, message: string, options?: { cause?: unknown; sqliteCode?: string }) {
    super(code, message, options);
    this.sqliteCode = options?.sqliteCode;
  }
}

const BY_SQLITE: Record<string, AttestationStoreErrorCode> = {
  SQLITE_NOTADB: 'ERR_STORE_CORRUPT',
  SQLITE_CORRUPT: 'ERR_STORE_CORRUPT',
  SQLITE_BUSY: 'ERR_STORE_BUSY',
  SQLITE_LOCKED: 'ERR_STORE_BUSY',
  SQLITE_CANTOPEN: 'ERR_STORE_IO',
  SQLITE_IOERR: 'ERR_STORE_IO',
  SQLITE_READONLY: 'ERR_STORE_IO',
  SQLITE_FULL: 'ERR_STORE_IO',
  SQLITE_PERM: 'ERR_STORE_IO',
};

/**
 * Map an engine error to an {@link AttestationStoreError} (returned as is when it already is one).
 * @param where what was being done, for the message (e.g. `opening '/var/lib/tncjs/pts.db'`)
 */
export function storeError(e: unknown, where: string): AttestationStoreError {
  if (e instanceof AttestationStoreError) return e;
  const sqliteCode = typeof (e as { code?: unknown })?.code === 'string' ? ((e as { code: string }).code) : undefined;
  const code = mapCode(sqliteCode);
  // not `instanceof Error`: the native module's errors may come from another realm (jest, vm)
  const message = (e as { message?: unknown })?.message;
  const detail = typeof message === 'string' ? message : String(e);
  return new AttestationStoreError(code, `attestation database: ${where}: ${detail}`, { cause: e, sqliteCode });
}

function mapCode(c: string | undefined): AttestationStoreErrorCode {
  if (!c) return 'ERR_STORE';
  // extended result codes (SQLITE_IOERR_READ, SQLITE_BUSY_SNAPSHOT, …) map as their primary code
  const primary = /^SQLITE_[A-Z]+/.exec(c)?.[0];
  return BY_SQLITE[c] ?? (primary ? BY_SQLITE[primary] : undefined) ?? 'ERR_STORE';
}
