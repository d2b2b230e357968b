/**
 * The attestation database in an embedded SQLite file (better-sqlite3): the Attestation IMV's default store.
 *
 * Synchronous like the {@link ReferenceStore} interface the evidence verifier calls. A file database runs in WAL mode
 * with a busy timeout, so several IMV processes (or a CLI importing references) can share it; every multi-row write is
 * one transaction. Engine failures surface as {@link AttestationStoreError} with a stable code.
 */
import Database from 'better-sqlite3';
import { toHex, fromHex } from '@tncjs/common';
import { LINUX_IMA_BIOS, MEAS_ALGO_NODE, imaNgTemplateHash, imaTemplateHash, type BiosReference } from '@tncjs/pts';
import { deviceId as aikDeviceId, keyIdPubkeyInfoSha1 } from '@tncjs/tss';
import { AttestationStoreError, storeError } from './errors.js';
import { MIGRATIONS, REQUIRED_TABLES, SCHEMA_VERSION } from './schema.js';
import { parseDatabaseUri, splitFilePath } from './database-uri.js';
import type { AttestationStore, DeviceRecord, FileHash, RegisterAikOptions, SessionEnd, SessionRecord, SessionStart } from './attestation-store.js';

export interface SqliteAttestationStoreOptions {
  /** Open an existing database only (no create, no migration). Default false. */
  readonly?: boolean;
  /** Milliseconds to wait for another writer (default 5,000). */
  busyTimeout?: number;
  /** Clock in seconds since the epoch (tests). */
  now?: () => number;
}

type Db = Database.Database;
type Stmt = Database.Statement;

const FILE_HASH_ALGOS = new Set(['sha1', 'sha256', 'sha384', 'sha512', 'md5', 'sm3', 'sha224']);

/**
 * @example
 * const store = new SqliteAttestationStore('/var/lib/tncjs/pts.db'); // or 'sqlite:///var/lib/tncjs/pts.db', ':memory:'
 * store.registerAik(aik.spki, { trusted: true, description: 'carol' });
 * new AttestationImv({ store });
 */
export class SqliteAttestationStore implements AttestationStore {
  /** File path or `:memory:`. */
  readonly path: string;
  private db: Db | undefined;
  private readonly now: () => number;
  private readonly s: Record<string, Stmt> = {};
  private biosComponent = 0;

  /**
   * Open (create and migrate) the database.
   * @param location a path, `sqlite:///path` or `:memory:` (default)
   * @throws AttestationStoreError ERR_STORE_CORRUPT (not a database), ERR_STORE_SCHEMA (newer or foreign schema),
   *   ERR_STORE_IO (cannot open), ERR_STORE_UNAVAILABLE (better-sqlite3 not built)
   */
  constructor(location = ':memory:', private readonly options: SqliteAttestationStoreOptions = {}) {
    this.path = parseDatabaseUri(location).path;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    let db: Db;
    try {
      db = new Database(this.path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (e) {
      if (/bindings|better_sqlite3\.node|NODE_MODULE_VERSION/i.test((e as Error)?.message ?? '')) {
        throw new AttestationStoreError('ERR_STORE_UNAVAILABLE', `attestation database: the better-sqlite3 native module is not usable: ${(e as Error).message.split('\n')[0]}`, { cause: e });
      }
      if (/directory does not exist/i.test((e as Error)?.message ?? '')) {
        throw new AttestationStoreError('ERR_STORE_IO', `attestation database: opening '${this.path}': ${(e as Error).message}`, { cause: e });
      }
      throw storeError(e, `opening '${this.path}'`);
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeout ?? 5000))}`);
      // the first read of the header: a file that is not a database fails here (SQLITE_NOTADB)
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new AttestationStoreError('ERR_STORE_SCHEMA', `attestation database '${this.path}' has schema version ${version}, newer than ${SCHEMA_VERSION}: upgrade tncjs`);
      }
      if (!options.readonly) {
        if (this.path !== ':memory:') db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
        if (version === 0 && this.hasForeignTables(db)) {
          throw new AttestationStoreError('ERR_STORE_SCHEMA', `'${this.path}' is an SQLite database but not an attestation database (user_version 0 with tables)`);
        }
        this.migrate(db, version);
      } else if (version < SCHEMA_VERSION) {
        throw new AttestationStoreError('ERR_STORE_SCHEMA', `attestation database '${this.path}' has schema version ${version}, open it writable once to migrate to ${SCHEMA_VERSION}`);
      }
      const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
      const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
      if (missing.length) throw new AttestationStoreError('ERR_STORE_SCHEMA', `attestation database '${this.path}' lacks table(s) ${missing.join(', ')}`);
      this.db = db;
      this.prepare(db);
      this.biosComponent = this.componentId(LINUX_IMA_BIOS.vendorId, LINUX_IMA_BIOS.name, LINUX_IMA_BIOS.qualifier);
    } catch (e) {
      this.db = undefined;
      try {
        db.close();
      } catch {
        /* already failing */
      }
      throw storeError(e, `opening '${this.path}'`);
    }
  }

  /** The schema version of the open database (= {@link SCHEMA_VERSION} after opening). */
  get schemaVersion(): number {
    return this.run('reading the schema version', () => this.conn.pragma('user_version', { simple: true }) as number);
  }

  private hasForeignTables(db: Db): boolean {
    const n = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() as { n: number };
    return n.n > 0;
  }

  private migrate(db: Db, from: number): void {
    for (let v = from; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]);
        db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  private prepare(db: Db): void {
    const q = (k: string, sql: string) => (this.s[k] = db.prepare(sql));
    q('dirId', 'SELECT id FROM directories WHERE path = ?');
    q('dirIns', 'INSERT INTO directories (path) VALUES (?) ON CONFLICT (path) DO UPDATE SET path = excluded.path RETURNING id');
    q('fileId', 'SELECT f.id FROM files f JOIN directories d ON f.dir = d.id WHERE d.path = ? AND f.name = ?');
    q('fileIns', 'INSERT INTO files (dir, name) VALUES (?, ?) ON CONFLICT (dir, name) DO UPDATE SET name = excluded.name RETURNING id');
    q('productIns', 'INSERT INTO products (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id');
    q('componentSel', 'SELECT id FROM components WHERE vendor_id = ? AND name = ? AND qualifier = ?');
    q('componentIns', 'INSERT INTO components (vendor_id, name, qualifier) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET name = excluded.name RETURNING id');
    q('deviceByValue', 'SELECT d.id, d.value, d.description, p.name AS product, d.created, k.public_key, k.trusted FROM devices d LEFT JOIN products p ON d.product = p.id LEFT JOIN aik_keys k ON k.device = d.id WHERE d.value = ?');
    q('devicesAll', 'SELECT d.id, d.value, d.description, p.name AS product, d.created, k.public_key, k.trusted FROM devices d LEFT JOIN products p ON d.product = p.id LEFT JOIN aik_keys k ON k.device = d.id ORDER BY d.id');
    q('deviceIns', 'INSERT INTO devices (value, created) VALUES (?, ?) ON CONFLICT (value) DO UPDATE SET value = excluded.value RETURNING id');
    q('deviceUpd', 'UPDATE devices SET description = coalesce(?, description), product = coalesce(?, product) WHERE id = ?');
    q('aikUpsert', 'INSERT INTO aik_keys (device, keyid, public_key, trusted, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET public_key = excluded.public_key, trusted = coalesce(?, trusted)');
    q('aikTrust', 'UPDATE aik_keys SET trusted = ? WHERE device = (SELECT id FROM devices WHERE value = ?)');
    q('biosSel', 'SELECT h.pcr, h.hash FROM component_hashes h JOIN devices d ON h.device = d.id WHERE d.value = ? AND h.component = ? AND h.algo = ? ORDER BY h.seq_no');
    q('biosDel', 'DELETE FROM component_hashes WHERE device = ? AND component = ? AND algo = ?');
    q('biosIns', 'INSERT INTO component_hashes (component, device, seq_no, pcr, algo, hash) VALUES (?, ?, ?, ?, ?, ?)');
    // learned template hashes (algo NULL) first, then reference file hashes
    q(
      'refSel',
      'SELECT algo, hash FROM (SELECT 0 AS k, id, NULL AS algo, hash FROM ima_measurements WHERE file = @file AND algo = @algo UNION ALL SELECT 1, id, algo, hash FROM file_hashes WHERE file = @file) ORDER BY k, id',
    );
    q('imaIns', 'INSERT INTO ima_measurements (file, algo, hash, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    q('fhSel', 'SELECT algo, hash FROM file_hashes WHERE file = ? ORDER BY id');
    q('fhIns', 'INSERT INTO file_hashes (file, product, algo, hash, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    q('sessIns', 'INSERT INTO sessions (time, connection, identity, device) VALUES (?, ?, ?, (SELECT id FROM devices WHERE value = ?))');
    q('sessDev', 'UPDATE sessions SET device = (SELECT id FROM devices WHERE value = ?) WHERE id = ?');
    q('sessEnd', 'UPDATE sessions SET rec = ?, evaluation = ?, ended = ? WHERE id = ?');
    q('resIns', 'INSERT INTO results (session, result) VALUES (?, ?)');
    q('sessList', 'SELECT s.id, s.time, s.connection, s.identity, d.value AS device, s.rec, s.evaluation, s.ended FROM sessions s LEFT JOIN devices d ON s.device = d.id ORDER BY s.id DESC LIMIT ?');
    q('resList', 'SELECT result FROM results WHERE session = ? ORDER BY id');
  }

  private get conn(): Db {
    if (!this.db) throw new AttestationStoreError('ERR_STORE_CLOSED', `attestation database '${this.path}' is closed`);
    return this.db;
  }

  /** Run `fn`, mapping engine errors to AttestationStoreError. */
  private run<T>(what: string, fn: () => T): T {
    void this.conn;
    try {
      return fn();
    } catch (e) {
      throw storeError(e, what);
    }
  }

  private componentId(vendorId: number, name: number, qualifier: number): number {
    const row = (this.s.componentSel.get(vendorId, name, qualifier) ?? (this.options.readonly ? undefined : this.s.componentIns.get(vendorId, name, qualifier))) as { id: number } | undefined;
    return row?.id ?? 0; // 0: no such component in a read-only database (nothing refers to it)
  }

  private fileId(path: string, create: boolean): number | undefined {
    const [dir, name] = splitFilePath(path);
    if (!create) return (this.s.fileId.get(dir, name) as { id: number } | undefined)?.id;
    const d = (this.s.dirIns.get(dir) as { id: number }).id;
    return (this.s.fileIns.get(d, name) as { id: number }).id;
  }

  private productId(name: string | undefined): number | null {
    return name === undefined ? null : (this.s.productIns.get(name) as { id: number }).id;
  }

  // ---- ReferenceStore ----

  biosEvidence(deviceId: string, algorithm: number): BiosReference[] | undefined {
    return this.run('reading BIOS evidence', () => {
      const rows = this.s.biosSel.all(deviceId, this.biosComponent, algorithm) as { pcr: number; hash: Buffer }[];
      return rows.length ? rows.map((r) => ({ pcr: r.pcr, measurement: toHex(r.hash) })) : undefined;
    });
  }

  registerBiosEvidence(deviceId: string, algorithm: number, entries: BiosReference[]): void {
    this.run('registering BIOS evidence', () =>
      this.conn.transaction(() => {
        const device = (this.s.deviceIns.get(deviceId, this.now()) as { id: number }).id;
        this.s.biosDel.run(device, this.biosComponent, algorithm);
        entries.forEach((e, i) => this.s.biosIns.run(this.biosComponent, device, i + 1, e.pcr, algorithm, fromHex(e.measurement)));
      }).immediate(),
    );
  }

  /**
   * Known IMA template hashes (hex) of `name` in PCR bank `algorithm`: those learned on first contact, and those
   * derived from the reference file hashes as the kernel would log the file (ima-ng `<algo>:` digest + name; for a
   * SHA-1 file hash also the legacy `ima` template). Undefined when the name is unknown.
   */
  imaMeasurements(name: string, algorithm: number): string[] | undefined {
    return this.run('reading IMA measurements', () => {
      const file = this.fileId(name, false);
      if (file === undefined) return undefined;
      const bank = MEAS_ALGO_NODE[algorithm]?.hash;
      const out: string[] = [];
      for (const r of this.s.refSel.all({ file, algo: algorithm }) as { algo: string | null; hash: Buffer }[]) {
        if (r.algo === null) out.push(toHex(r.hash));
        else if (bank) {
          const digest = new Uint8Array(r.hash.buffer, r.hash.byteOffset, r.hash.byteLength);
          out.push(toHex(imaNgTemplateHash(bank, `${r.algo}:`, digest, name)));
          if (r.algo === 'sha1') out.push(toHex(imaTemplateHash(bank, digest, name)));
        }
      }
      return out.length ? out : undefined;
    });
  }

  registerImaMeasurement(name: string, algorithm: number, measurement: Uint8Array): void {
    this.run('registering an IMA measurement', () =>
      this.conn.transaction(() => {
        const file = this.fileId(name, true)!;
        this.s.imaIns.run(file, algorithm, measurement, this.now());
      }).immediate(),
    );
  }

  // ---- devices and AIKs ----

  registerAik(spki: Uint8Array, options: RegisterAikOptions = {}): DeviceRecord {
    if (!(spki instanceof Uint8Array) || spki.byteLength === 0) throw new TypeError('registerAik: spki must be a non-empty Uint8Array (DER SubjectPublicKeyInfo)');
    const id = aikDeviceId(spki);
    return this.run('registering an AIK', () => {
      this.conn.transaction(() => {
        const device = (this.s.deviceIns.get(id, this.now()) as { id: number }).id;
        this.s.deviceUpd.run(options.description ?? null, this.productId(options.product), device);
        const trusted = options.trusted === undefined ? null : options.trusted ? 1 : 0;
        this.s.aikUpsert.run(device, keyIdPubkeyInfoSha1(spki), spki, trusted ?? 0, this.now(), trusted);
      }).immediate();
      return this.device(id)!;
    });
  }

  device(deviceId: string): DeviceRecord | undefined {
    return this.run('reading a device', () => {
      const r = this.s.deviceByValue.get(deviceId) as DeviceRow | undefined;
      return r && deviceRecord(r);
    });
  }

  devices(): DeviceRecord[] {
    return this.run('listing devices', () => (this.s.devicesAll.all() as DeviceRow[]).map(deviceRecord));
  }

  setAikTrusted(deviceId: string, trusted: boolean): boolean {
    return this.run('changing AIK trust', () => this.s.aikTrust.run(trusted ? 1 : 0, deviceId).changes > 0);
  }

  // ---- reference file hashes ----

  addFileHashes(hashes: Iterable<FileHash>, options: { product?: string } = {}): number {
    return this.run('adding file hashes', () =>
      this.conn.transaction(() => {
        const product = this.productId(options.product);
        let added = 0;
        for (const h of hashes) {
          if (!FILE_HASH_ALGOS.has(h.algorithm)) throw new TypeError(`addFileHashes: unknown hash algorithm '${h.algorithm}'`);
          const file = this.fileId(h.path, true)!;
          added += this.s.fhIns.run(file, product, h.algorithm, h.digest, this.now()).changes;
        }
        return added;
      }).immediate(),
    );
  }

  fileHashes(path: string): FileHash[] {
    return this.run('reading file hashes', () => {
      const file = this.fileId(path, false);
      if (file === undefined) return [];
      return (this.s.fhSel.all(file) as { algo: string; hash: Buffer }[]).map((r) => ({ path, algorithm: r.algo, digest: new Uint8Array(r.hash) }));
    });
  }

  // ---- sessions ----

  startSession(s: SessionStart): number {
    return this.run('starting a session', () => Number(this.s.sessIns.run(this.now(), s.connectionId, s.identity ?? null, s.deviceId ?? null).lastInsertRowid));
  }

  setSessionDevice(sessionId: number, deviceId: string): void {
    this.run('updating a session', () =>
      this.conn.transaction(() => {
        this.s.deviceIns.get(deviceId, this.now());
        this.s.sessDev.run(deviceId, sessionId);
      }).immediate(),
    );
  }

  endSession(sessionId: number, end: SessionEnd): void {
    this.run('ending a session', () =>
      this.conn.transaction(() => {
        this.s.sessEnd.run(end.recommendation, end.evaluation, this.now(), sessionId);
        for (const r of end.results ?? []) this.s.resIns.run(sessionId, r);
      }).immediate(),
    );
  }

  sessions(limit = 100): SessionRecord[] {
    return this.run('listing sessions', () =>
      (this.s.sessList.all(limit) as SessionRow[]).map((r) => ({
        id: r.id,
        connectionId: r.connection,
        identity: r.identity ?? undefined,
        deviceId: r.device ?? undefined,
        started: r.time,
        ended: r.ended ?? undefined,
        recommendation: r.rec ?? undefined,
        evaluation: r.evaluation ?? undefined,
        results: (this.s.resList.all(r.id) as { result: string }[]).map((x) => x.result),
      })),
    );
  }

  /** Nothing to do: every write is committed at once (kept for the IMV, which flushes file stores). */
  flush(): void {}

  /** Run PRAGMA integrity_check. @returns 'ok' or the first problems SQLite reports */
  integrityCheck(): string {
    return this.run('checking integrity', () => (this.conn.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; '));
  }

  close(): void {
    const db = this.db;
    this.db = undefined;
    db?.close();
  }
}

interface DeviceRow {
  id: number;
  value: string;
  description: string | null;
  product: string | null;
  created: number;
  public_key: Buffer | null;
  trusted: number | null;
}

interface SessionRow {
  id: number;
  time: number;
  connection: number;
  identity: string | null;
  device: string | null;
  rec: number | null;
  evaluation: number | null;
  ended: number | null;
}

function deviceRecord(r: DeviceRow): DeviceRecord {
  return {
    deviceId: r.value,
    description: r.description ?? undefined,
    product: r.product ?? undefined,
    aik: r.public_key ? new Uint8Array(r.public_key) : undefined,
    trusted: r.trusted === 1,
    created: r.created,
  };
}
