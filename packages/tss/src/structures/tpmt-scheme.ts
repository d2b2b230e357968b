/**
 * The scheme unions (Part 2 §11.1.x, §11.2.x): TPMT_SYM_DEF(_OBJECT) (§11.1.6, §11.1.7), TPMT_SIG_SCHEME (§11.2.1.5),
 * TPMT_RSA_SCHEME (§11.2.4.2), TPMT_ECC_SCHEME (§11.2.5.6), TPMT_KEYEDHASH_SCHEME (§11.1.23) and TPMT_KDF_SCHEME
 * (§11.2.3.3). All share one encoding: the selector, then its details (a hash algorithm for most members, hash +
 * count for ECDAA, hash + KDF for XOR, nothing for NULL and RSAES).
 */
import type { Reader, Writer } from '@tncjs/common';
import { TPM_ALG } from '../constants.js';

/** A symmetric definition: `{ algorithm: AES, keyBits: 128, mode: CFB }` or `{ algorithm: NULL }`. */
export interface SymDef {
  algorithm: number;
  /** Key size in bits (for XOR: the hash algorithm). */
  keyBits?: number;
  /** Block cipher mode (absent for XOR and NULL). */
  mode?: number;
}

export const SYM_NULL: SymDef = Object.freeze({ algorithm: TPM_ALG.NULL });
export const SYM_AES128_CFB: SymDef = Object.freeze({ algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB });

export function writeSymDef(w: Writer, s: SymDef): void {
  w.u16(s.algorithm);
  if (s.algorithm === TPM_ALG.NULL) return;
  w.u16(s.keyBits ?? 0);
  if (s.algorithm !== TPM_ALG.XOR) w.u16(s.mode ?? TPM_ALG.NULL);
}

export function readSymDef(r: Reader): SymDef {
  const algorithm = r.u16('TPMT_SYM_DEF.algorithm');
  if (algorithm === TPM_ALG.NULL) return { algorithm };
  const keyBits = r.u16('TPMT_SYM_DEF.keyBits');
  if (algorithm === TPM_ALG.XOR) return { algorithm, keyBits };
  return { algorithm, keyBits, mode: r.u16('TPMT_SYM_DEF.mode') };
}

/** Any of the scheme unions: `{ scheme: RSASSA, hashAlg: SHA256 }`, `{ scheme: NULL }`. */
export interface Scheme {
  scheme: number;
  hashAlg?: number;
  /** ECDAA commit counter. */
  count?: number;
  /** XOR key derivation function. */
  kdf?: number;
}

export const SCHEME_NULL: Scheme = Object.freeze({ scheme: TPM_ALG.NULL });

/** Scheme selectors whose details are TPMS_SCHEME_HASH (one hash algorithm). */
const HASH_ONLY = new Set<number>([
  TPM_ALG.RSASSA,
  TPM_ALG.RSAPSS,
  TPM_ALG.OAEP,
  TPM_ALG.ECDSA,
  TPM_ALG.ECDH,
  TPM_ALG.SM2,
  TPM_ALG.ECSCHNORR,
  TPM_ALG.ECMQV,
  TPM_ALG.HMAC,
  TPM_ALG.MGF1,
  TPM_ALG.KDF1_SP800_56A,
  TPM_ALG.KDF2,
  TPM_ALG.KDF1_SP800_108,
]);

export function writeScheme(w: Writer, s: Scheme): void {
  w.u16(s.scheme);
  if (HASH_ONLY.has(s.scheme)) w.u16(s.hashAlg ?? TPM_ALG.NULL);
  else if (s.scheme === TPM_ALG.ECDAA) w.u16(s.hashAlg ?? TPM_ALG.NULL).u16(s.count ?? 0);
  else if (s.scheme === TPM_ALG.XOR) w.u16(s.hashAlg ?? TPM_ALG.NULL).u16(s.kdf ?? TPM_ALG.NULL);
}

export function readScheme(r: Reader): Scheme {
  const scheme = r.u16('scheme');
  if (HASH_ONLY.has(scheme)) return { scheme, hashAlg: r.u16('scheme.hashAlg') };
  if (scheme === TPM_ALG.ECDAA) return { scheme, hashAlg: r.u16('scheme.hashAlg'), count: r.u16('scheme.count') };
  if (scheme === TPM_ALG.XOR) return { scheme, hashAlg: r.u16('scheme.hashAlg'), kdf: r.u16('scheme.kdf') };
  return { scheme };
}
