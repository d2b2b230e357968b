/** SKEYSEED and the IKE SA keys (RFC 7296 §2.13–2.14), CHILD_SA KEYMAT (§2.17). */
import { concatBytes } from '@tncjs/common';
import type { EncrAlg, IntegAlg, PrfAlg } from './algorithms.js';
import { prf, prfPlus } from './prf.js';

export interface IkeKeys {
  skD: Uint8Array;
  skAi: Uint8Array;
  skAr: Uint8Array;
  skEi: Uint8Array;
  skEr: Uint8Array;
  skPi: Uint8Array;
  skPr: Uint8Array;
}

export interface IkeSuite {
  prf: PrfAlg;
  integ?: IntegAlg;
  encr: EncrAlg;
  /** Encryption key length in bits (without the GCM salt). */
  encrKeyBits: number;
}

/**
 * SKEYSEED = prf(Ni | Nr, g^ir); for AEAD/GCM… the same (RFC 7296 §2.14: "for PRFs with fixed key size the first
 * half from Ni and the second from Nr" does not apply to HMAC PRFs).
 */
export function skeyseed(alg: PrfAlg, ni: Uint8Array, nr: Uint8Array, sharedSecret: Uint8Array): Uint8Array {
  return prf(alg, concatBytes([ni, nr]), sharedSecret);
}

/** {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
export function deriveIkeKeys(s: IkeSuite, seed: Uint8Array, ni: Uint8Array, nr: Uint8Array, spiI: Uint8Array, spiR: Uint8Array): IkeKeys {
  const p = s.prf.size;
  const a = s.integ?.keySize ?? 0;
  const e = s.encrKeyBits / 8 + s.encr.saltSize;
  const km = prfPlus(s.prf, seed, concatBytes([ni, nr, spiI, spiR]), 3 * p + 2 * a + 2 * e);
  let at = 0;
  const take = (n: number) => km.slice(at, (at += n));
  const keys = { skD: take(p), skAi: take(a), skAr: take(a), skEi: take(e), skEr: take(e), skPi: take(p), skPr: take(p) };
  km.fill(0);
  return keys;
}

export interface ChildKeys {
  /** initiator → responder */
  encrI: Uint8Array;
  integI: Uint8Array;
  /** responder → initiator */
  encrR: Uint8Array;
  integR: Uint8Array;
}

/** KEYMAT = prf+(SK_d, [g^ir (CHILD_SA) |] Ni | Nr): encr i→r, integ i→r, encr r→i, integ r→i (§2.17). */
export function deriveChildKeys(alg: PrfAlg, skD: Uint8Array, ni: Uint8Array, nr: Uint8Array, encrBytes: number, integBytes: number): ChildKeys {
  const km = prfPlus(alg, skD, concatBytes([ni, nr]), 2 * (encrBytes + integBytes));
  let at = 0;
  const take = (n: number) => km.slice(at, (at += n));
  const keys = { encrI: take(encrBytes), integI: take(integBytes), encrR: take(encrBytes), integR: take(integBytes) };
  km.fill(0);
  return keys;
}
