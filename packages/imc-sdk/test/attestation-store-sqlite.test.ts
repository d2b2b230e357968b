/**
 * The SQLite attestation database (strongSwan's attest database in an embedded file): migrations from empty and on
 * re-open, AIK registration and lookup (device ID = SHA-1 of the SPKI, as strongSwan), reference file hashes matched
 * against IMA template hashes, concurrent sessions and writers, and typed errors for corrupt, foreign, newer and
 * locked databases.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { Logger, isTncjsError, toHex } from '@tncjs/common';
import { encodeImaLog, dngField, nngField, imaNgTemplateHash, iterateImaLog } from '@tncjs/pts';
import { deviceId } from '@tncjs/tss';
import {
  AttestationImv,
  AttestationStoreError,
  ConnectionState,
  ImvRecommendation,
  SCHEMA_VERSION,
  SqliteAttestationStore,
  importImaLog,
  importDirectory,
  isAttestationStore,
  type ImvConnection,
  type ImvVerdict,
} from '../src/index.js';

const enc = new TextEncoder();
const sha1 = (b: Uint8Array | string) => new Uint8Array(createHash('sha1').update(b).digest());
const sha256 = (b: Uint8Array | string) => new Uint8Array(createHash('sha256').update(b).digest());
const spki = () => new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tncjs-attest-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function storeError(fn: () => unknown): AttestationStoreError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttestationStoreError);
    expect(isTncjsError(e)).toBe(true);
    return e as AttestationStoreError;
  }
  throw new Error('expected an AttestationStoreError');
}

describe('schema and migrations (PRAGMA user_version)', () => {
  test('an empty file is migrated to the current version with every table; re-opening keeps data and version', () => {
    const path = join(dir, 'pts.db');
    const a = new SqliteAttestationStore(path);
    expect(a.schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    a.registerImaMeasurement('/usr/bin/ls', 0x8000, sha1('ls'));
    a.close();
    const raw = new Database(path, { readonly: true });
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['aik_keys', 'component_hashes', 'components', 'devices', 'directories', 'file_hashes', 'files', 'ima_measurements', 'products', 'results', 'sessions']));
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const b = new SqliteAttestationStore(`sqlite://${path}`);
    expect(b.schemaVersion).toBe(SCHEMA_VERSION);
    expect(b.imaMeasurements('/usr/bin/ls', 0x8000)).toEqual([toHex(sha1('ls'))]);
    b.close();
  });

  test('a zero-length file (as touch leaves it) is migrated like a new one', () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    const s = new SqliteAttestationStore(path);
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    s.close();
  });

  test('readonly: an unmigrated database is refused, a migrated one opens', () => {
    const path = join(dir, 'ro.db');
    new Database(path).close();
    expect(storeError(() => new SqliteAttestationStore(path, { readonly: true })).code).toBe('ERR_STORE_SCHEMA');
    new SqliteAttestationStore(path).close();
    const ro = new SqliteAttestationStore(path, { readonly: true });
    expect(ro.biosEvidence('x', 0x8000)).toBeUndefined();
    expect(storeError(() => ro.registerImaMeasurement('/a', 0x8000, sha1('a'))).code).toBe('ERR_STORE_IO');
    ro.close();
  });
});

describe('typed errors, never a crash', () => {
  test('a file that is not a database → ERR_STORE_CORRUPT (SQLITE_NOTADB), file left as it was', () => {
    const path = join(dir, 'corrupt.db');
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(path, garbage);
    const e = storeError(() => new SqliteAttestationStore(path));
    expect(e.code).toBe('ERR_STORE_CORRUPT');
    expect(e.sqliteCode).toBe('SQLITE_NOTADB');
    expect(e.message).toContain(path);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  test('a database whose pages were overwritten → ERR_STORE_CORRUPT on open or on first use', () => {
    const path = join(dir, 'damaged.db');
    const s = new SqliteAttestationStore(path);
    for (let i = 0; i < 300; i++) s.registerImaMeasurement(`/usr/lib/lib${i}.so`, 0x8000, sha1(String(i)));
    s.close();
    const b = readFileSync(path);
    b.fill(0xa5, 4096, b.length); // everything after page 1 (the schema stays readable)
    writeFileSync(path, b);
    rmSync(`${path}-wal`, { force: true });
    let code: string | undefined;
    try {
      const t = new SqliteAttestationStore(path);
      for (let i = 0; i < 300; i++) t.imaMeasurements(`/usr/lib/lib${i}.so`, 0x8000);
      code = t.integrityCheck() === 'ok' ? 'ok' : 'ERR_STORE_CORRUPT';
      t.close();
    } catch (e) {
      expect(e).toBeInstanceOf(AttestationStoreError);
      code = (e as AttestationStoreError).code;
    }
    expect(code).toBe('ERR_STORE_CORRUPT');
  });

  test('a newer schema → ERR_STORE_SCHEMA, not downgraded', () => {
    const path = join(dir, 'newer.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(storeError(() => new SqliteAttestationStore(path)).code).toBe('ERR_STORE_SCHEMA');
    const again = new Database(path);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    again.close();
  });

  test('another application’s SQLite database → ERR_STORE_SCHEMA, untouched', () => {
    const path = join(dir, 'foreign.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE files (x TEXT)');
    raw.close();
    expect(storeError(() => new SqliteAttestationStore(path)).code).toBe('ERR_STORE_SCHEMA');
  });

  test('a directory that does not exist → ERR_STORE_IO', () => {
    expect(storeError(() => new SqliteAttestationStore(join(dir, 'no', 'such', 'dir', 'pts.db'))).code).toBe('ERR_STORE_IO');
  });

  test('use after close → ERR_STORE_CLOSED', () => {
    const s = new SqliteAttestationStore();
    s.close();
    expect(storeError(() => s.device('00')).code).toBe('ERR_STORE_CLOSED');
  });

  test('a mysql:// location is caller misuse (TypeError)', () => {
    expect(() => new SqliteAttestationStore('mysql://user@host/db')).toThrow(TypeError);
  });

  test('the Attestation IMV on a corrupt default database fails at construction with the typed error', () => {
    const path = join(dir, 'corrupt.db');
    writeFileSync(path, Buffer.alloc(4096, 1));
    expect(() => new AttestationImv({ database: path })).toThrow(AttestationStoreError);
  });
});

describe('devices and AIKs', () => {
  test('register and look up: device ID is the SHA-1 of the SPKI (strongSwan), trusted flag, update keeps trust', () => {
    const s = new SqliteAttestationStore(':memory:', { now: () => 1418640310 });
    const key = spki();
    const id = toHex(sha1(key));
    expect(deviceId(key)).toBe(id);
    expect(s.device(id)).toBeUndefined();
    const d = s.registerAik(key, { trusted: true, description: 'carol', product: 'Ubuntu 14.04 x86_64' });
    expect(d).toEqual({ deviceId: id, description: 'carol', product: 'Ubuntu 14.04 x86_64', aik: key, trusted: true, created: 1418640310 });
    expect(s.registerAik(key).trusted).toBe(true); // re-registration without an opinion keeps the flag
    expect(s.setAikTrusted(id, false)).toBe(true);
    expect(s.device(id)!.trusted).toBe(false);
    expect(s.setAikTrusted('00'.repeat(20), true)).toBe(false);
    const other = spki();
    s.registerAik(other);
    expect(s.devices().map((x) => x.deviceId)).toEqual([id, deviceId(other)]);
    expect(s.device(deviceId(other))!.trusted).toBe(false);
    expect(() => s.registerAik(new Uint8Array(0))).toThrow(TypeError);
    s.close();
  });

  test('BIOS evidence per device and bank, replaced as a whole', () => {
    const s = new SqliteAttestationStore();
    const e = [{ pcr: 0, measurement: toHex(sha1('crtm')) }, { pcr: 7, measurement: toHex(sha1('sep')) }];
    s.registerBiosEvidence('aa', 0x8000, e);
    expect(s.biosEvidence('aa', 0x8000)).toEqual(e);
    expect(s.biosEvidence('aa', 0x4000)).toBeUndefined();
    expect(s.biosEvidence('bb', 0x8000)).toBeUndefined();
    s.registerBiosEvidence('aa', 0x8000, e.slice(1));
    expect(s.biosEvidence('aa', 0x8000)).toEqual(e.slice(1));
    s.close();
  });
});

describe('reference measurements: file hashes matched as IMA template hashes', () => {
  const files = ['/usr/bin/ls', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/etc/tnc_config'];
  const log = (content: (f: string) => string) =>
    encodeImaLog([
      { templateName: 'ima-ng', fields: [dngField('sha1', sha1('aggregate')), nngField('boot_aggregate')] },
      ...files.map((f) => ({ templateName: 'ima-ng', fields: [dngField('sha256', sha256(content(f))), nngField(f)] })),
    ]);

  test('match: a known-good list imported, the same entries are ok in the SHA-1 and SHA-256 banks', async () => {
    const s = new SqliteAttestationStore();
    const r = await importImaLog(s, log((f) => `good ${f}`));
    expect(r).toEqual({ entries: 4, added: 3, skipped: 1 });
    expect(s.imaMeasurements('boot_aggregate', 0x8000)).toBeUndefined();
    for (const e of [...iterateImaLog(log((f) => `good ${f}`))].slice(1)) {
      const name = files[e.index - 1];
      expect(s.imaMeasurements(name, 0x8000)).toContain(toHex(e.templateDigest)); // what the kernel logged
      expect(s.imaMeasurements(name, 0x4000)).toContain(toHex(imaNgTemplateHash('sha256', 'sha256:', sha256(`good ${name}`), name)));
    }
    expect((await importImaLog(s, log((f) => `good ${f}`))).added).toBe(0); // idempotent
    s.close();
  });

  test('mismatch: a changed file is known by name but its template hash is not among the references', async () => {
    const s = new SqliteAttestationStore();
    await importImaLog(s, log((f) => `good ${f}`));
    const bad = [...iterateImaLog(log((f) => (f === '/usr/bin/ls' ? 'trojan' : `good ${f}`)))];
    const known = s.imaMeasurements('/usr/bin/ls', 0x8000);
    expect(known).toBeDefined();
    expect(known).not.toContain(toHex(bad[1].templateDigest));
    expect(known).toContain(toHex([...iterateImaLog(log((f) => `good ${f}`))][1].templateDigest));
    expect(s.imaMeasurements('/usr/bin/unknown', 0x8000)).toBeUndefined();
    s.close();
  });

  test('a directory of files: hashed, stored under the client path, and matched', async () => {
    const root = join(dir, 'golden');
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
    writeFileSync(join(root, 'usr', 'bin', 'ls'), 'ls binary');
    writeFileSync(join(root, 'usr', 'bin', 'cat'), 'cat binary');
    symlinkSync('ls', join(root, 'usr', 'bin', 'dir'));
    const s = new SqliteAttestationStore();
    const r = await importDirectory(s, root, { algorithms: ['sha256', 'sha1'] });
    expect(r).toEqual({ files: 2, added: 4, skipped: 1 });
    expect(s.fileHashes('/usr/bin/ls').map((h) => [h.algorithm, toHex(h.digest)])).toEqual([
      ['sha1', toHex(sha1('ls binary'))],
      ['sha256', toHex(sha256('ls binary'))],
    ].sort((a, b) => (a[0] === 'sha256' ? -1 : 1) - (b[0] === 'sha256' ? -1 : 1)));
    expect(s.imaMeasurements('/usr/bin/ls', 0x8000)).toContain(toHex(imaNgTemplateHash('sha1', 'sha256:', sha256('ls binary'), '/usr/bin/ls')));
    expect(s.fileHashes('/usr/bin/dir')).toEqual([]);
    await expect(importDirectory(s, root, { maxFiles: 1 })).rejects.toThrow(RangeError);
    s.close();
  });
});

/** A fake IF-IMV connection for driving the IMV without a TNC server. */
function connection(connectionId: number): ImvConnection & { verdicts: ImvVerdict[] } {
  const verdicts: ImvVerdict[] = [];
  return {
    connectionId,
    imvId: 1,
    state: ConnectionState.CREATE,
    attributes: {} as ImvConnection['attributes'],
    data: {},
    send: () => {},
    provideRecommendation: (v) => verdicts.push(v),
    get verdict() {
      return verdicts.at(-1);
    },
    verdicts,
  };
}

describe('sessions', () => {
  test('the IMV defaults to SQLite and records interleaved sessions each under its own connection', () => {
    const imv = new AttestationImv();
    const lines: string[] = [];
    imv.initialize({ id: 1, logger: new Logger({ sink: (l) => lines.push(l) }) } as never);
    expect(isAttestationStore(imv.referenceStore)).toBe(true);
    const store = imv.referenceStore as SqliteAttestationStore;
    const c = [1, 2, 3].map(connection);
    for (const x of c) imv.notifyConnectionChange(x, ConnectionState.CREATE);
    imv.solicitRecommendation(c[1]);
    imv.solicitRecommendation(c[0]);
    for (const x of c) imv.notifyConnectionChange(x, ConnectionState.DELETE);
    const sessions = store.sessions();
    expect(sessions.map((s) => [s.connectionId, s.recommendation])).toEqual([
      [3, undefined],
      [2, ImvRecommendation.ISOLATE],
      [1, ImvRecommendation.ISOLATE],
    ]);
    expect(sessions[1].results).toEqual(['attestation did not complete']);
    imv.terminate();
    expect(() => store.sessions()).toThrow(AttestationStoreError);
  });

  test('the JSON file store and the memory store stay selectable', () => {
    const file = new AttestationImv({ storePath: join(dir, 'references.json') });
    expect(isAttestationStore(file.referenceStore)).toBe(false);
    expect(isAttestationStore(new AttestationImv({ storeKind: 'memory' }).referenceStore)).toBe(false);
    const db = new AttestationImv({ stateDir: dir });
    expect((db.referenceStore as SqliteAttestationStore).path).toBe(join(dir, 'pts.db'));
    db.terminate();
    expect(existsSync(join(dir, 'pts.db'))).toBe(true);
  });

  test('two stores on one file see each other’s writes', () => {
    const path = join(dir, 'shared.db');
    const a = new SqliteAttestationStore(path);
    const b = new SqliteAttestationStore(path);
    const ids = [a.startSession({ connectionId: 1 }), b.startSession({ connectionId: 2 }), a.startSession({ connectionId: 3 })];
    b.endSession(ids[0], { recommendation: 1, evaluation: 0 });
    a.endSession(ids[1], { recommendation: 3, evaluation: 2, results: ['Incorrect component evidence'] });
    expect(new Set(ids).size).toBe(3);
    expect(b.sessions().map((s) => [s.connectionId, s.recommendation, s.results])).toEqual([
      [3, undefined, []],
      [2, 3, ['Incorrect component evidence']],
      [1, 1, []],
    ]);
    a.close();
    b.close();
  });

  const WORKER = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.path);
    db.pragma('busy_timeout = 5000');
    const ins = db.prepare('INSERT INTO sessions (time, connection) VALUES (?, ?)');
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    parentPort.postMessage('ready');
    for (let i = 0; i < workerData.n; i++) {
      db.transaction(() => { ins.run(i, 1000 + i); sleep(workerData.holdMs); }).immediate();
    }
    db.close();
    parentPort.postMessage('done');
  `;

  async function writer(path: string, n: number, holdMs: number): Promise<Worker & { done: Promise<void> }> {
    const { createRequire } = await import('node:module');
    const module = createRequire(join(process.cwd(), 'package.json')).resolve('better-sqlite3');
    const w = new Worker(WORKER, { eval: true, workerData: { path, n, holdMs, module } }) as Worker & { done: Promise<void> };
    await new Promise((resolve) => w.once('message', resolve));
    w.done = new Promise((resolve, reject) => {
      w.on('message', (m) => m === 'done' && resolve());
      w.on('error', reject);
    });
    return w;
  }

  test('concurrent writers: another thread holding write transactions delays but does not fail the store', async () => {
    const path = join(dir, 'busy.db');
    const s = new SqliteAttestationStore(path);
    const w = await writer(path, 40, 5);
    for (let i = 0; i < 40; i++) {
      const id = s.startSession({ connectionId: i });
      s.registerImaMeasurement(`/usr/lib/lib${i}.so`, 0x8000, sha1(String(i)));
      s.endSession(id, { recommendation: 1, evaluation: 0 });
      await new Promise((r) => setImmediate(r));
    }
    await w.done;
    expect(s.sessions(1000)).toHaveLength(80);
    expect(s.integrityCheck()).toBe('ok');
    s.close();
  });

  test('a writer that holds the lock past the busy timeout → ERR_STORE_BUSY, typed', async () => {
    const path = join(dir, 'locked.db');
    new SqliteAttestationStore(path).close();
    const s = new SqliteAttestationStore(path, { busyTimeout: 0 });
    const w = await writer(path, 1, 1500);
    await new Promise((r) => setTimeout(r, 200));
    const e = storeError(() => s.startSession({ connectionId: 1 }));
    expect(e.code).toBe('ERR_STORE_BUSY');
    await w.done;
    expect(s.startSession({ connectionId: 1 })).toBeGreaterThan(0);
    s.close();
  });
});
