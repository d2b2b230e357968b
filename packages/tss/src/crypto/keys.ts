/**
 * Public keys between TPM and X.509 forms: TPMT_PUBLIC → node:crypto KeyObject → DER SubjectPublicKeyInfo / PEM,
 * and back. The SPKI is the one strongSwan builds in `tpm_tss_tss2_v2.c get_public()` (rsaEncryption with NULL
 * parameters; id-ecPublicKey with a named curve and an uncompressed point).
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import { TPM_ALG, TPM_ECC, TPM_ECC_NAMES, TPMA_OBJECT } from '../constants.js';
import { SCHEME_NULL, SYM_NULL, type Scheme } from '../structures/tpmt-scheme.js';
import type { TpmtPublic, RsaPublic, EccPublic } from '../structures/tpmt-public.js';

const CURVES: Record<number, { jwk: string; size: number; node: string }> = {
  [TPM_ECC.NIST_P256]: { jwk: 'P-256', size: 32, node: 'prime256v1' },
  [TPM_ECC.NIST_P384]: { jwk: 'P-384', size: 48, node: 'secp384r1' },
  [TPM_ECC.NIST_P521]: { jwk: 'P-521', size: 66, node: 'secp521r1' },
};

/** node:crypto / OpenSSL name and coordinate size of a TPM curve. @throws RangeError for curves node lacks */
export function curveInfo(curveId: number): { jwk: string; size: number; node: string } {
  const c = CURVES[curveId];
  if (!c) throw new RangeError(`unsupported ECC curve ${TPM_ECC_NAMES[curveId] ?? curveId}`);
  return c;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Left-pad with zeros to `n` bytes. */
export function padTo(b: Uint8Array, n: number): Uint8Array {
  if (b.length >= n) return b;
  const out = new Uint8Array(n);
  out.set(b, n - b.length);
  return out;
}

/** RSA public exponent bytes (TPM exponent 0 means 65537). */
export function rsaExponentBytes(exponent: number): Uint8Array {
  const e = exponent === 0 ? 65537 : exponent >>> 0;
  return stripZeros(new Uint8Array([(e >>> 24) & 0xff, (e >>> 16) & 0xff, (e >>> 8) & 0xff, e & 0xff]));
}

/** A node:crypto public KeyObject for an RSA or ECC public area. @throws RangeError for other types */
export function publicKeyObject(p: TpmtPublic): KeyObject {
  if (p.type === TPM_ALG.RSA) {
    return createPublicKey({ key: { kty: 'RSA', n: b64u(stripZeros(p.unique)), e: b64u(rsaExponentBytes(p.parameters.exponent)) }, format: 'jwk' });
  }
  if (p.type === TPM_ALG.ECC) {
    const c = curveInfo(p.parameters.curveId);
    return createPublicKey({ key: { kty: 'EC', crv: c.jwk, x: b64u(padTo(p.unique.x, c.size)), y: b64u(padTo(p.unique.y, c.size)) }, format: 'jwk' });
  }
  throw new RangeError(`public area of type ${p.type} is not an asymmetric key`);
}

/** DER SubjectPublicKeyInfo (strongSwan's `aikPub.der`). */
export function publicKeyToSpki(p: TpmtPublic): Uint8Array {
  return new Uint8Array(publicKeyObject(p).export({ type: 'spki', format: 'der' }));
}

/** PEM `PUBLIC KEY` (what `tpm2_checkquote -u` and OpenSSL read). */
export function publicKeyToPem(p: TpmtPublic): string {
  return publicKeyObject(p).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * A public area for a key given as KeyObject, PEM or DER SPKI (for verifying with keys that came from files). The
 * scheme is `scheme` (default NULL) and the attributes those of a signing key; the Name is therefore not the TPM's.
 */
export function publicAreaFromKey(key: KeyObject | string | Uint8Array, scheme: Scheme = SCHEME_NULL): TpmtPublic {
  const k = key instanceof KeyObject ? key : createPublicKey(typeof key === 'string' ? key : { key: Buffer.from(key), format: 'der', type: 'spki' });
  const jwk = k.export({ format: 'jwk' });
  const attrs = TPMA_OBJECT.sign | TPMA_OBJECT.userWithAuth;
  if (jwk.kty === 'RSA') {
    const n = Buffer.from(jwk.n!, 'base64url');
    const e = Buffer.from(jwk.e!, 'base64url');
    let exp = 0;
    for (const b of e) exp = exp * 256 + b;
    const out: RsaPublic = {
      type: TPM_ALG.RSA,
      nameAlg: TPM_ALG.SHA256,
      objectAttributes: attrs,
      authPolicy: new Uint8Array(0),
      parameters: { symmetric: SYM_NULL, scheme, keyBits: n.length * 8, exponent: exp === 65537 ? 0 : exp },
      unique: new Uint8Array(n),
    };
    return out;
  }
  if (jwk.kty === 'EC') {
    const curveId = Number(Object.entries(CURVES).find(([, c]) => c.jwk === jwk.crv)?.[0] ?? NaN);
    if (!Number.isFinite(curveId)) throw new RangeError(`unsupported curve ${jwk.crv}`);
    const out: EccPublic = {
      type: TPM_ALG.ECC,
      nameAlg: TPM_ALG.SHA256,
      objectAttributes: attrs,
      authPolicy: new Uint8Array(0),
      parameters: { symmetric: SYM_NULL, scheme, curveId, kdf: SCHEME_NULL },
      unique: { x: new Uint8Array(Buffer.from(jwk.x!, 'base64url')), y: new Uint8Array(Buffer.from(jwk.y!, 'base64url')) },
    };
    return out;
  }
  throw new RangeError(`unsupported key type ${jwk.kty}`);
}
