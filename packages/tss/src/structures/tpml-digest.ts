/**
 * TPML_DIGEST (Part 2 §10.9.3), TPMT_HA (§10.3.2) and TPML_DIGEST_VALUES (§10.9.4): PCR values read, and digests
 * to extend a PCR with.
 */
import type { Reader, Writer } from '@tncjs/common';
import { digestSize, algName } from '../constants.js';
import { readTpm2b, writeTpm2b, decodeFail } from './tpm2b.js';

/** TPML_DIGEST holds at most 8 digests (Part 2 §10.9.3). */
export const MAX_DIGESTS = 8;

export function readDigestList(r: Reader): Uint8Array[] {
  const n = r.u32('TPML_DIGEST.count');
  if (n > MAX_DIGESTS) decodeFail(r, `TPML_DIGEST count ${n} exceeds ${MAX_DIGESTS}`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(readTpm2b(r, 'TPML_DIGEST.digests', 64));
  return out;
}

export function writeDigestList(w: Writer, list: readonly Uint8Array[]): void {
  w.u32(list.length);
  for (const d of list) writeTpm2b(w, d);
}

/** TPMT_HA: a hash algorithm and a digest of exactly its size. */
export interface TaggedHash {
  hashAlg: number;
  digest: Uint8Array;
}

export function writeTaggedHash(w: Writer, h: TaggedHash): void {
  const n = digestSize(h.hashAlg);
  if (n === 0) throw new RangeError(`unknown hash algorithm ${algName(h.hashAlg)}`);
  if (h.digest.byteLength !== n) throw new RangeError(`${algName(h.hashAlg)} digest must be ${n} bytes, is ${h.digest.byteLength}`);
  w.u16(h.hashAlg).bytes(h.digest);
}

export function readTaggedHash(r: Reader): TaggedHash {
  const hashAlg = r.u16('TPMT_HA.hashAlg');
  const n = digestSize(hashAlg);
  if (n === 0) decodeFail(r, `TPMT_HA with unknown hash ${algName(hashAlg)}`);
  return { hashAlg, digest: r.bytes(n, 'TPMT_HA.digest') };
}

export function writeDigestValues(w: Writer, list: readonly TaggedHash[]): void {
  w.u32(list.length);
  for (const h of list) writeTaggedHash(w, h);
}

export function readDigestValues(r: Reader): TaggedHash[] {
  const n = r.u32('TPML_DIGEST_VALUES.count');
  if (n > 16) decodeFail(r, `TPML_DIGEST_VALUES count ${n} exceeds 16`);
  const out: TaggedHash[] = [];
  for (let i = 0; i < n; i++) out.push(readTaggedHash(r));
  return out;
}
