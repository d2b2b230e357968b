/**
 * EK certificates in NV (TCG EK Credential Profile §2.2.1.4): TPM2_NV_ReadPublic and TPM2_NV_Read of 0x01c00002
 * (RSA 2048, written by swtpm_setup --create-ek-cert, as a manufacturer would) and of 0x01c0000a (ECC P-256, written
 * here with TPM2_NV_DefineSpace/TPM2_NV_Write under the platform hierarchy). The certificate's public key is the EK
 * our CreatePrimary recreates from the default template.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { toHex } from '@tncjs/common';
import {
  TPM_ALG,
  TPM_RH,
  TPMA_NV,
  TCG_HANDLES,
  HR,
  createEk,
  readEkCertificate,
  publicKeyToSpki,
  derLength,
  nvName,
  type Tpm,
} from '../src/index.js';
import { startSwtpm, type SwtpmInstance } from '../../../test-support/swtpm.js';
import { certificate } from './helpers/der.js';
import { jest } from '@jest/globals';

// real TPM work: RSA key generation in swtpm can take seconds on a loaded CI machine
jest.setTimeout(30_000);

let swtpm: SwtpmInstance;
let tpm: Tpm;

beforeAll(async () => {
  swtpm = await startSwtpm({ provisioned: true });
  tpm = await swtpm.open();
}, 60_000);

afterAll(async () => {
  await tpm?.close();
  await swtpm?.stop();
});

test('0x01c00002: NV_ReadPublic, NV_Read in chunks, an X.509 certificate for the RSA EK we recreate', async () => {
  expect(await tpm.getHandles(HR.NV_INDEX)).toContain(TCG_HANDLES.EK_CERT_RSA2048);
  const { public: pub, name } = await tpm.nvReadPublic(TCG_HANDLES.EK_CERT_RSA2048);
  expect(toHex(name)).toBe(toHex(nvName(pub)));
  expect(pub.attributes & TPMA_NV.PLATFORMCREATE).toBeTruthy();
  expect(pub.dataSize).toBeGreaterThan(512);
  const der = await readEkCertificate(tpm, 'rsa');
  const cert = new X509Certificate(Buffer.from(der));
  expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
  const ek = await createEk(tpm, 'rsa');
  await tpm.flushContext(ek.handle);
  expect(toHex(new Uint8Array(cert.publicKey.export({ type: 'spki', format: 'der' })))).toBe(toHex(publicKeyToSpki(ek.public)));
  // small chunks give the same bytes
  expect(toHex(await tpm.nvRead(TCG_HANDLES.EK_CERT_RSA2048, { chunkSize: 100, size: der.length }))).toBe(toHex(der));
  // and the owner may read it too (OWNERREAD)
  expect(toHex(await tpm.nvRead(TCG_HANDLES.EK_CERT_RSA2048, { authHandle: TPM_RH.OWNER, size: 64 }))).toBe(toHex(der.subarray(0, 64)));
});

test('0x01c0000a: provision an ECC P-256 EK certificate (platform hierarchy) and read it back', async () => {
  const ek = await createEk(tpm, 'ecc');
  await tpm.flushContext(ek.handle);
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = certificate(publicKeyToSpki(ek.public), ca.privateKey);
  const padded = new Uint8Array(der.length + 7); // some manufacturers pad the index
  padded.set(der);
  const attributes = TPMA_NV.PPWRITE | TPMA_NV.PPREAD | TPMA_NV.OWNERREAD | TPMA_NV.AUTHREAD | TPMA_NV.NO_DA | TPMA_NV.PLATFORMCREATE;
  await tpm.nvDefineSpace({ nvIndex: TCG_HANDLES.EK_CERT_ECC_P256, nameAlg: TPM_ALG.SHA256, attributes, authPolicy: new Uint8Array(0), dataSize: padded.length }, { authHandle: TPM_RH.PLATFORM });
  await tpm.nvWrite(TCG_HANDLES.EK_CERT_ECC_P256, padded, { authHandle: TPM_RH.PLATFORM });
  const got = await readEkCertificate(tpm, 'ecc');
  expect(derLength(padded)).toBe(der.length);
  expect(toHex(got)).toBe(toHex(der));
  const cert = new X509Certificate(Buffer.from(got));
  expect(cert.verify(ca.publicKey)).toBe(true);
  expect(toHex(new Uint8Array(cert.publicKey.export({ type: 'spki', format: 'der' })))).toBe(toHex(publicKeyToSpki(ek.public)));
  // an HMAC session works for NV reads too (the index Name goes into cpHash)
  const s = await tpm.startAuthSession();
  expect(toHex(await tpm.nvRead(TCG_HANDLES.EK_CERT_ECC_P256, { auth: { session: s }, size: 16 }))).toBe(toHex(der.subarray(0, 16)));
  await tpm.flushContext(s.handle);
  await tpm.nvUndefineSpace(TCG_HANDLES.EK_CERT_ECC_P256, { authHandle: TPM_RH.PLATFORM });
  await expect(tpm.nvReadPublic(TCG_HANDLES.EK_CERT_ECC_P256)).rejects.toMatchObject({ rcName: 'TPM_RC_HANDLE', decoded: { handle: 1 } });
});
