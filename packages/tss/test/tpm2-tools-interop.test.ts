/**
 * Cross-checks with an independent implementation, tpm2-tools 5.x (tpm2-tss underneath), against the same swtpm:
 * tpm2_checkquote accepts our quotes; our verifier accepts tpm2_quote's; PCR values agree with tpm2_pcrread; the EK
 * and SRK we create equal tpm2_createek's and tpm2_createprimary -C o's; credentials made by tpm2_makecredential
 * activate with our ActivateCredential and ours with tpm2_activatecredential.
 * swtpm serves one connection at a time: our connection is closed before every tpm2-tools run (it reconnects).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Reader, Writer, toHex, fromHex } from '@tncjs/common';
import {
  TPM_RH,
  TCG_HANDLES,
  createEk,
  createAik,
  srkTemplate,
  verifyQuote,
  makeCredential,
  activateCredentialWithEk,
  readTpm2b,
  writeTpm2b,
  parsePcrSelection,
  TPM_ALG,
  type Aik,
  type Tpm,
  type KeyAlg,
  type PcrValue,
} from '../src/index.js';
import { startSwtpm, tpm2, requireTool, type SwtpmInstance } from '../../../test-support/swtpm.js';
import { jest } from '@jest/globals';

// real TPM work: RSA key generation in swtpm can take seconds on a loaded CI machine
jest.setTimeout(30_000);

let swtpm: SwtpmInstance;
let tpm: Tpm;
let dir: string;
const aiks: Partial<Record<KeyAlg, Aik>> = {};

beforeAll(async () => {
  for (const t of ['tpm2_quote', 'tpm2_checkquote', 'tpm2_pcrread', 'tpm2_createek', 'tpm2_createprimary']) requireTool(t);
  swtpm = await startSwtpm();
  tpm = await swtpm.open();
  dir = mkdtempSync(join(tmpdir(), 'tncjs-tpm2-tools-'));
  aiks.rsa = await createAik(tpm, { alg: 'rsa', handle: TCG_HANDLES.AIK });
  aiks.ecc = await createAik(tpm, { alg: 'ecc', handle: 0x81010004 });
});

afterAll(async () => {
  await tpm?.close();
  await swtpm?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run a tpm2-tools command with our connection released. */
async function tool(name: string, args: string[]): Promise<string> {
  await tpm.transport.close();
  return tpm2(swtpm, name, args, dir);
}

const f = (name: string) => join(dir, name);

function splitValues(buf: Uint8Array, sel: string): PcrValue[] {
  const out: PcrValue[] = [];
  let at = 0;
  for (const s of parsePcrSelection(sel)) {
    const n = s.hash === TPM_ALG.SHA1 ? 20 : 32;
    for (const pcr of s.pcrs) out.push({ hash: s.hash, pcr, value: buf.slice(at, (at += n)) });
  }
  expect(at).toBe(buf.length);
  return out;
}

test('PCR values agree with tpm2_pcrread', async () => {
  await tpm.pcrExtend(16, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(randomBytes(32)) }, { hashAlg: TPM_ALG.SHA1, digest: new Uint8Array(randomBytes(20)) }]);
  const sel = 'sha1:0,16+sha256:0,1,16,23';
  await tool('tpm2_pcrread', [sel, '-o', f('pcrs.bin')]);
  const theirs = splitValues(new Uint8Array(readFileSync(f('pcrs.bin'))), sel);
  expect((await tpm.pcrRead(sel)).values).toEqual(theirs);
});

test.each(['rsa', 'ecc'] as KeyAlg[])('%s EK: our CreatePrimary public area equals tpm2_createek\'s', async (alg) => {
  await tool('tpm2_createek', ['-G', alg, '-u', f(`ek-${alg}.pub`), '-c', f(`ek-${alg}.ctx`)]);
  await tool('tpm2_flushcontext', ['-t']);
  const ours = await createEk(tpm, alg);
  await tpm.flushContext(ours.handle);
  const w = new Writer();
  writeTpm2b(w, ours.publicBytes);
  expect(toHex(w.finish())).toBe(toHex(new Uint8Array(readFileSync(f(`ek-${alg}.pub`)))));
});

test.each(['rsa', 'ecc'] as KeyAlg[])('%s SRK: our tpm2-tools-profile template gives tpm2_createprimary -C o\'s key', async (alg) => {
  await tool('tpm2_createprimary', ['-C', 'o', '-G', alg, '-c', f(`srk-${alg}.ctx`)]);
  await tool('tpm2_readpublic', ['-c', f(`srk-${alg}.ctx`), '-o', f(`srk-${alg}.pub`)]);
  await tool('tpm2_flushcontext', ['-t']);
  const ours = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg));
  await tpm.flushContext(ours.handle);
  const theirs = readTpm2b(new Reader(new Uint8Array(readFileSync(f(`srk-${alg}.pub`)))), 'srk');
  expect(toHex(ours.publicBytes)).toBe(toHex(theirs));
});

test.each(['rsa', 'ecc'] as KeyAlg[])('%s AIK: tpm2_checkquote verifies our quote', async (alg) => {
  const aik = aiks[alg]!;
  const sel = 'sha256:0,1,2,16+sha1:16';
  const nonce = new Uint8Array(randomBytes(16));
  const q = await tpm.quote(aik.handle, nonce, sel);
  const pcrs = await tpm.pcrRead(sel);
  writeFileSync(f('aik.pem'), aik.pem);
  writeFileSync(f('quote.msg'), q.quoted);
  writeFileSync(f('quote.sig'), q.signatureBytes);
  writeFileSync(f('quote.pcrs'), Buffer.concat(pcrs.values.map((v) => v.value)));
  const out = await tool('tpm2_checkquote', ['-u', f('aik.pem'), '-m', f('quote.msg'), '-s', f('quote.sig'), '-f', f('quote.pcrs'), '-l', sel, '-g', 'sha256', '-q', toHex(nonce)]);
  expect(out).toContain('pcrs:');
  // and it rejects a wrong nonce, so the check above meant something
  await expect(tool('tpm2_checkquote', ['-u', f('aik.pem'), '-m', f('quote.msg'), '-s', f('quote.sig'), '-g', 'sha256', '-q', 'deadbeef'])).rejects.toThrow(/failed/);
});

test.each(['rsa', 'ecc'] as KeyAlg[])('%s AIK: our verifier accepts a quote made by tpm2_quote', async (alg) => {
  const aik = aiks[alg]!;
  const sel = 'sha256:0,16+sha1:0,16';
  const nonce = fromHex('0123456789abcdef');
  await tool('tpm2_quote', ['-c', `0x${aik.handle.toString(16)}`, '-l', sel, '-q', toHex(nonce), '-m', f('tq.msg'), '-s', f('tq.sig'), '-o', f('tq.pcrs'), '-F', 'values', '-g', 'sha256']);
  const pcrs = splitValues(new Uint8Array(readFileSync(f('tq.pcrs'))), sel);
  const v = verifyQuote({ quoted: new Uint8Array(readFileSync(f('tq.msg'))), signature: new Uint8Array(readFileSync(f('tq.sig'))), key: aik.public, nonce, pcrs });
  expect(v.pcrsVerified).toBe(true);
  expect(v.attest.qualifiedSigner.length).toBeGreaterThan(0);
});

/** tpm2-tools' credential file: 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET. */
function readCredFile(b: Uint8Array): { credentialBlob: Uint8Array; secret: Uint8Array } {
  const r = new Reader(b);
  expect(r.u32()).toBe(0xbadcc0de);
  expect(r.u32()).toBe(1);
  return { credentialBlob: readTpm2b(r, 'idObject'), secret: readTpm2b(r, 'encSecret') };
}

function writeCredFile(c: { credentialBlob: Uint8Array; secret: Uint8Array }): Uint8Array {
  const w = new Writer().u32(0xbadcc0de).u32(1);
  writeTpm2b(w, c.credentialBlob);
  writeTpm2b(w, c.secret);
  return w.finish();
}

test.each(['rsa', 'ecc'] as KeyAlg[])('%s EK: tpm2_makecredential → our ActivateCredential; our MakeCredential → tpm2_activatecredential', async (alg) => {
  const aik = aiks.rsa!;
  const secret = new Uint8Array(randomBytes(32));
  writeFileSync(f('secret.bin'), secret);
  await tool('tpm2_createek', ['-G', alg, '-u', f('ek.pub'), '-c', f('ek.ctx')]);
  await tool('tpm2_makecredential', ['-T', 'none', '-u', f('ek.pub'), '-s', f('secret.bin'), '-n', toHex(aik.name), '-o', f('cred.tools')]);
  await tool('tpm2_flushcontext', ['-t']);
  const ek = await createEk(tpm, alg);
  try {
    expect(toHex(await activateCredentialWithEk(tpm, { aik: aik.handle, ek: ek.handle, ...readCredFile(new Uint8Array(readFileSync(f('cred.tools')))) }))).toBe(toHex(secret));
    writeFileSync(f('cred.ours'), writeCredFile(makeCredential(ek.public, secret, aik.name)));
  } finally {
    await tpm.flushContext(ek.handle);
  }
  await tool('tpm2_createek', ['-G', alg, '-c', f('ek2.ctx')]);
  await tool('tpm2_startauthsession', ['--policy-session', '-S', f('session.ctx')]);
  await tool('tpm2_policysecret', ['-S', f('session.ctx'), '-c', 'e']);
  await tool('tpm2_activatecredential', ['-c', `0x${aik.handle.toString(16)}`, '-C', f('ek2.ctx'), '-i', f('cred.ours'), '-o', f('recovered.bin'), '-P', `session:${f('session.ctx')}`]);
  await tool('tpm2_flushcontext', [f('session.ctx')]);
  await tool('tpm2_flushcontext', ['-t']);
  expect(toHex(new Uint8Array(readFileSync(f('recovered.bin'))))).toBe(toHex(secret));
});
