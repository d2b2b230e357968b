/**
 * `runTpmCli` (what `tncjs tpm …` runs) against swtpm: info, pcrread, aik create, quote, checkquote, in text and
 * JSON, with the TPM chosen by TNCJS_TPM or -T; usage errors exit 2, TPM and verification failures exit 1.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTpmCli } from '../src/index.js';
import { startSwtpm, type SwtpmInstance } from '../../../test-support/swtpm.js';
import { jest } from '@jest/globals';

// real TPM work: RSA key generation in swtpm can take seconds on a loaded CI machine
jest.setTimeout(30_000);

let swtpm: SwtpmInstance;
let dir: string;

beforeAll(async () => {
  swtpm = await startSwtpm();
  dir = mkdtempSync(join(tmpdir(), 'tncjs-tpm-cli-'));
});

afterAll(async () => {
  await swtpm?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runTpmCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: { TNCJS_TPM: swtpm.spec }, cwd: dir });
  return { code, out, err };
}

test('help and usage errors', async () => {
  expect((await cli('--help')).out).toContain('usage: tncjs tpm <command>');
  expect((await cli()).code).toBe(2);
  const bad = await cli('frobnicate');
  expect([bad.code, bad.err]).toEqual([2, "tncjs tpm: unknown command 'frobnicate'\nrun 'tncjs tpm --help' for usage\n"]);
  expect((await cli('pcrread', 'sha999:0')).code).toBe(2);
  expect((await cli('aik', 'create', '--alg', 'dsa')).code).toBe(2);
  expect((await cli('quote', '--key', 'zzz')).code).toBe(2);
  expect((await cli('checkquote', '--key', 'x')).err).toContain('checkquote needs --key, --message and --signature');
});

test('tpm info: text and JSON', async () => {
  const t = await cli('info');
  expect(t.code).toBe(0);
  expect(t.out).toContain(`TPM: ${swtpm.spec}`);
  expect(t.out).toContain('manufacturer: "IBM"');
  expect(t.out).toContain('vendor-string: "SW   TPM"');
  expect(t.out).toMatch(/pcr-banks:\n {2}sha1: 0-23\n {2}sha256: 0-23/);
  expect(t.out).toMatch(/strongswan-version-info: 02000003[0-9a-f]{16}49424d00/);
  const j = JSON.parse((await cli('info', '--json')).out);
  expect(j).toMatchObject({ family: '2.0', manufacturer: 'IBM', vendorString: 'SW   TPM', pcrCount: 24 });
  expect(j.pcrBanks.sha256).toHaveLength(24);
});

test('tpm pcrread: tpm2_pcrread layout, default all banks, -T overrides the environment', async () => {
  const t = await cli('pcrread', 'sha256:0,16+sha1:23');
  expect(t.out).toBe(`  sha256:\n    0 : 0x${'00'.repeat(32)}\n    16: 0x${'00'.repeat(32)}\n  sha1:\n    23: 0x${'00'.repeat(20)}\n`);
  const all = await cli('pcrread');
  expect(all.out.split('\n').filter((l) => l.startsWith('    ')).length).toBe(96);
  let out = '';
  const code = await runTpmCli(['pcrread', 'sha256:1', '-T', swtpm.spec, '--json'], { stdout: (s) => (out += s), stderr: () => {}, env: { TNCJS_TPM: 'swtpm:port=1' } });
  expect(code).toBe(0);
  expect(JSON.parse(out).pcrs).toEqual({ sha256: { '1': '00'.repeat(32) } });
});

test('tpm aik create, quote, checkquote (DER, PEM and TPM2B_PUBLIC keys), and failures', async () => {
  const a = await cli('aik', 'create', '--alg', 'ecc', '--der', 'aikPub.der', '--pub', 'aik.pub', '--pem', 'aik.pem');
  expect(a.code).toBe(0);
  const der = readFileSync(join(dir, 'aikPub.der'));
  const id = createHash('sha1').update(der).digest('hex');
  expect(a.out).toContain(`device-id: ${id}`);
  expect(a.out).toContain('aik_handle = 0x81010003');
  expect((await cli('aik', 'create')).code).toBe(1); // the handle is taken
  const j = JSON.parse((await cli('aik', 'create', '--replace', '--alg', 'rsa', '--der', 'aikPub.der', '--pub', 'aik.pub', '--pem', 'aik.pem', '--json')).out);
  expect(j.deviceId).toBe(createHash('sha1').update(readFileSync(join(dir, 'aikPub.der'))).digest('hex'));

  const q = await cli('quote', '--pcrs', 'sha256:0,1,16+sha1:0', '--nonce', 'c0ffee', '--message', 'q.msg', '--signature', 'q.sig', '--pcr-values', 'q.pcrs');
  expect(q.code).toBe(0);
  expect(q.out).toMatch(/^quoted: ff544347/);
  expect(q.out).toContain('nonce: c0ffee');
  for (const key of ['aikPub.der', 'aik.pem', 'aik.pub']) {
    const c = await cli('checkquote', '--key', key, '--message', 'q.msg', '--signature', 'q.sig', '--pcr-values', 'q.pcrs', '--nonce', 'c0ffee');
    expect([c.code, c.err]).toEqual([0, '']);
    expect(c.out).toContain('quote verified');
    expect(c.out).toContain('(matches the PCR values)');
    expect(c.out).toContain(`device-id: ${j.deviceId}`);
  }
  const withSel = JSON.parse((await cli('checkquote', '-u', 'aik.pub', '-m', 'q.msg', '-s', 'q.sig', '-o', 'q.pcrs', '-l', 'sha256:0,1,16+sha1:0', '--json')).out);
  expect(withSel).toMatchObject({ verified: true, pcrsVerified: true, nonceChecked: false, pcrDigestAlg: 'sha256' });

  const wrongNonce = await cli('checkquote', '--key', 'aik.pub', '--message', 'q.msg', '--signature', 'q.sig', '--nonce', 'c0ffef');
  expect(wrongNonce.code).toBe(1);
  expect(wrongNonce.err).toBe('tncjs tpm: extraData c0ffee is not the nonce c0ffef\n');
  const pcrs = readFileSync(join(dir, 'q.pcrs'));
  pcrs[0] ^= 1;
  writeFileSync(join(dir, 'bad.pcrs'), pcrs);
  const badPcrs = await cli('checkquote', '--key', 'aik.pub', '--message', 'q.msg', '--signature', 'q.sig', '--pcr-values', 'bad.pcrs');
  expect([badPcrs.code, badPcrs.err]).toEqual([1, expect.stringContaining('PCR digest mismatch')]);
  const short = await cli('checkquote', '--key', 'aik.pub', '--message', 'q.msg', '--signature', 'q.sig', '--pcr-values', 'q.pcrs', '--pcrs', 'sha256:0');
  expect(short.code).toBe(2);
  const missing = await cli('checkquote', '--key', 'nope.der', '--message', 'q.msg', '--signature', 'q.sig');
  expect([missing.code, missing.err]).toEqual([1, expect.stringContaining('ENOENT')]);
});

test('an unreachable TPM: exit 1 and the transport is named', async () => {
  let err = '';
  const code = await runTpmCli(['info'], { stdout: () => {}, stderr: (s) => (err += s), env: { TPM2TOOLS_TCTI: 'swtpm:port=9' } });
  expect(code).toBe(1);
  expect(err).toBe('tncjs tpm: swtpm:tcp://127.0.0.1:9: cannot connect to 127.0.0.1:9: ECONNREFUSED (is swtpm running?)\n');
});
