/** `tncjs attest` (runAttestCli, for @tncjs/client's tncjs tool): every command, and one-line failures with exit codes. */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '@tncjs/common';
import { encodeImaLog, dngField, nngField } from '@tncjs/pts';
import { runAttestCli, SqliteAttestationStore } from '../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tncjs-attest-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function attest(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runAttestCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

test('init, register-aik (PEM and DER), trust, devices, import-ima, import-dir, files, sessions', async () => {
  const db = join(dir, 'pts.db');
  expect(await attest(db, 'init')).toEqual({ code: 0, stdout: `attestation database '${db}' at schema version 1\n`, stderr: '' });
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const id = createHash('sha1').update(der).digest('hex');
  writeFileSync(join(dir, 'aik.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
  writeFileSync(join(dir, 'aik.der'), der);
  expect((await attest(db, 'register-aik', join(dir, 'aik.pem'), '--description', 'carol')).stdout).toBe(`device ID is ${id}\n`);
  expect((await attest(`sqlite://${db}`, 'register-aik', join(dir, 'aik.der'), '--trusted')).stdout).toBe(`device ID is ${id} (trusted)\n`);
  expect((await attest(db, 'devices')).stdout).toBe(`${id} trusted 'carol'\n`);
  expect((await attest(db, 'untrust', id)).code).toBe(0);
  expect((await attest(db, 'devices')).stdout).toBe(`${id} untrusted 'carol'\n`);

  const digest = createHash('sha256').update('ls').digest();
  writeFileSync(join(dir, 'ima.bin'), encodeImaLog([
    { templateName: 'ima-ng', fields: [dngField('sha1', new Uint8Array(20).fill(1)), nngField('boot_aggregate')] },
    { templateName: 'ima-ng', fields: [dngField('sha256', digest), nngField('/usr/bin/ls')] },
  ]));
  expect((await attest(db, 'import-ima', join(dir, 'ima.bin'), '--product', 'Ubuntu 14.04 x86_64')).stdout).toBe('2 IMA entries: 1 new file hashes, 1 skipped\n');
  mkdirSync(join(dir, 'golden', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'golden', 'bin', 'sh'), 'sh');
  expect((await attest(db, 'import-dir', join(dir, 'golden'), '--algorithms=sha1,sha256')).stdout).toBe('1 files: 2 new file hashes, 0 skipped\n');
  expect((await attest(db, 'files', '/usr/bin/ls')).stdout).toBe(`sha256:${toHex(digest)} /usr/bin/ls\n`);
  expect((await attest(db, 'files', '/bin/sh')).stdout.split('\n')[0]).toBe(`sha1:${createHash('sha1').update('sh').digest('hex')} /bin/sh`);

  const s = new SqliteAttestationStore(db);
  const sid = s.startSession({ connectionId: 7, deviceId: id });
  s.endSession(sid, { recommendation: 2, evaluation: 2, results: ['Incorrect component evidence'] });
  s.close();
  const out = (await attest(db, 'sessions', '--limit', '5')).stdout;
  expect(out).toMatch(new RegExp(`^1 \\d{4}-\\d\\d-\\d\\dT[^ ]+ connection 7 device ${id} recommendation 'isolate' evaluation 'non-compliant major'\\n  Incorrect component evidence\\n$`));
});

test('failures: one line and exit 2 — usage, unknown device, not a key, corrupt database, missing file', async () => {
  const db = join(dir, 'pts.db');
  let r = await attest(db);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe("tncjs attest: missing command\nusage: tncjs attest <database> {init|import-ima <log>|import-dir <dir>|register-aik <key>|trust <device-id>|untrust <device-id>|devices|sessions|files <path>} [options]\n");
  expect((await attest(db, 'frobnicate')).stderr).toMatch(/^tncjs attest: unknown command 'frobnicate'\n/);
  expect((await attest(db, 'devices', 'extra')).stderr).toMatch(/^tncjs attest: unexpected argument 'extra'\n/);
  expect((await attest(db, 'trust', 'ab'.repeat(20))).stderr).toMatch(/^tncjs attest: no AIK registered for device ID/);
  writeFileSync(join(dir, 'junk'), 'not a key');
  r = await attest(db, 'register-aik', join(dir, 'junk'));
  expect([r.code, r.stderr.split('\n').length]).toEqual([2, 2]);
  r = await attest(db, 'import-ima', join(dir, 'missing.bin'));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^tncjs attest: ENOENT/);
  writeFileSync(join(dir, 'corrupt.db'), Buffer.alloc(4096, 7));
  r = await attest(join(dir, 'corrupt.db'), 'devices');
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^tncjs attest: attestation database: opening '.+corrupt\.db': file is not a database\n$/);
  r = await attest('--help');
  expect([r.code, r.stdout.startsWith('usage: tncjs attest')]).toEqual([0, true]);
});
