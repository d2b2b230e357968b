/** A minimal DER writer for test certificates (the EK certificate a manufacturer would have written to NV). */
import { sign, type KeyObject } from 'node:crypto';
import { concatBytes } from '@tncjs/common';

function len(n: number): Uint8Array {
  if (n < 0x80) return new Uint8Array([n]);
  const b: number[] = [];
  for (let v = n; v > 0; v >>= 8) b.unshift(v & 0xff);
  return new Uint8Array([0x80 | b.length, ...b]);
}

export const tlv = (tag: number, ...content: Uint8Array[]) => {
  const c = concatBytes(content);
  return concatBytes([new Uint8Array([tag]), len(c.length), c]);
};
export const seq = (...c: Uint8Array[]) => tlv(0x30, ...c);
export const set = (...c: Uint8Array[]) => tlv(0x31, ...c);
export const int = (n: number) => tlv(0x02, new Uint8Array([n]));
export const nul = () => new Uint8Array([0x05, 0x00]);
export function oid(s: string): Uint8Array {
  const p = s.split('.').map(Number);
  const out = [40 * p[0] + p[1]];
  for (const v of p.slice(2)) {
    const b: number[] = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) b.unshift(0x80 | (x & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, new Uint8Array(out));
}
export const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
export const utc = (s: string) => tlv(0x17, new TextEncoder().encode(s));
export const bits = (b: Uint8Array) => tlv(0x03, new Uint8Array([0]), b);
const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))));

/** An X.509 v3 certificate for `spki` issued by `issuerKey` (ECDSA P-256 / SHA-256). */
export function certificate(spki: Uint8Array, issuerKey: KeyObject, subject = 'tncjs test EK', issuer = 'tncjs test CA'): Uint8Array {
  const alg = seq(oid('1.2.840.10045.4.3.2'));
  const tbs = seq(tlv(0xa0, int(2)), int(7), alg, name(issuer), seq(utc('250101000000Z'), utc('491231235959Z')), name(subject), spki);
  const sig = sign('sha256', tbs, issuerKey);
  return seq(tbs, alg, bits(new Uint8Array(sig)));
}
