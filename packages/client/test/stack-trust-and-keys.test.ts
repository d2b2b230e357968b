/**
 * The stack's input readers: trust anchors from every form the CLI and programs have them (directory, PEM file, DER
 * file, PEM text, DER bytes, mixed lists), and the AIK key file (TPM2B_PUBLIC + TPM2B_PRIVATE) framing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki } from '../../eap-ttls/test/support/pki.js';
import { readPemOrDer } from '@tncjs/eap-ttls';
import { Writer } from '@tncjs/common';
import { aikTemplate, writePublic2b, writeTpm2b } from '@tncjs/tss';
import { TncConnectError, loadTrust, parseAikKeyFile } from '../src/index.js';

let tmp: string;
let X509CA: string;
let PEM_FILE: string;
let pem: string;
let der: Uint8Array;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tnc-trust-'));
  const pki = await makePki();
  pem = pki.ca.pem;
  der = readPemOrDer(pem)[0];
  X509CA = mkdtempSync(join(tmp, 'x509ca-'));
  PEM_FILE = join(X509CA, 'strongswanCert.pem');
  writeFileSync(PEM_FILE, pem);
  writeFileSync(join(X509CA, 'README'), 'a stray file, skipped as strongSwan skips it');
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function connectError(f: () => unknown): TncConnectError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TncConnectError);
    return e as TncConnectError;
  }
  throw new Error('expected a TncConnectError');
}

describe('loadTrust', () => {
  test('a directory, a PEM file, a DER file, PEM text and DER bytes all give the same anchor', () => {
    const derFile = join(tmp, 'ca.der');
    writeFileSync(derFile, der);
    for (const source of [X509CA, PEM_FILE, derFile, pem, der]) {
      const s = loadTrust(source);
      expect(s.size).toBe(1);
      expect(Buffer.from(s.der[0]).equals(Buffer.from(der))).toBe(true);
    }
    expect(loadTrust([PEM_FILE, X509CA, der]).size).toBe(3);
  });

  test('a missing path, a file without a certificate, and an empty directory are ERR_TNC_CONFIG naming the path', () => {
    expect(connectError(() => loadTrust([join(tmp, 'nope.pem')]))).toMatchObject({ code: 'ERR_TNC_CONFIG', message: expect.stringMatching(/nope\.pem.*ENOENT/) });
    const junk = join(tmp, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    expect(connectError(() => loadTrust(junk)).message).toMatch(/junk\.pem/);
    const empty = mkdtempSync(join(tmp, 'empty-'));
    expect(connectError(() => loadTrust(empty)).message).toMatch(/no CA certificate found/);
    expect(connectError(() => loadTrust('-----BEGIN NOTHING-----')).message).toMatch(/no PEM certificate/);
  });
});

describe('AIK key file framing', () => {
  const pub = aikTemplate('rsa');
  const priv = Uint8Array.from({ length: 150 }, (_, i) => i);
  const blob = (extra: number[] = []) => {
    const w = new Writer(1024);
    writePublic2b(w, pub);
    writeTpm2b(w, priv);
    return Uint8Array.from([...w.finish(), ...extra]);
  };

  test('TPM2B_PUBLIC then TPM2B_PRIVATE', () => {
    const k = parseAikKeyFile(blob());
    expect(k.public.type).toBe(pub.type);
    expect([...k.private]).toEqual([...priv]);
  });

  test('truncated or trailing bytes: ERR_TNC_CONFIG with the expected layout', () => {
    const b = blob();
    expect(connectError(() => parseAikKeyFile(b.subarray(0, b.length - 1), 'aik.blob')).message).toMatch(/^aik\.blob: not a TPM2B_PUBLIC followed by a TPM2B_PRIVATE/);
    expect(connectError(() => parseAikKeyFile(blob([0]))).message).toMatch(/1 bytes after the TPM2B_PRIVATE/);
  });
});
