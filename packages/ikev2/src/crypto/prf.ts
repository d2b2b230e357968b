/** PRFs and prf+ (RFC 7296 §2.13). */
import { createHmac } from 'node:crypto';
import { concatBytes } from '@tncjs/common';
import type { PrfAlg } from './algorithms.js';

/** prf(K, S) = HMAC-hash(K, S). */
export function prf(alg: PrfAlg, key: Uint8Array, data: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const h = createHmac(alg.hash, key);
  if (data instanceof Uint8Array) h.update(data);
  else for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
}

/** prf+(K, S) = T1 | T2 | …, Tn = prf(K, Tn-1 | S | n), truncated to `length` (at most 255 blocks). */
export function prfPlus(alg: PrfAlg, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * alg.size) throw new RangeError(`prf+ length ${length} out of range`);
  const blocks: Uint8Array[] = [];
  let t: Uint8Array = new Uint8Array(0);
  let have = 0;
  for (let n = 1; have < length; n++) {
    t = prf(alg, key, [t, seed, Uint8Array.of(n)]);
    blocks.push(t);
    have += t.byteLength;
  }
  return concatBytes(blocks).slice(0, length);
}
