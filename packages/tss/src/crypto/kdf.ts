/**
 * The TPM key derivation functions (Part 1 §11.4.10): KDFa (SP 800-108 counter mode with HMAC) and KDFe
 * (SP 800-56A concatenation KDF). Labels are written with their terminating NUL octet, as the TPM does.
 */
import { createHash, createHmac } from 'node:crypto';
import { nodeHashName } from '../constants.js';

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function labelBytes(label: string | Uint8Array): Uint8Array {
  const b = typeof label === 'string' ? new TextEncoder().encode(label) : label;
  if (b.length > 0 && b[b.length - 1] === 0) return b;
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function finish(chunks: Buffer[], bits: number): Uint8Array {
  const bytes = (bits + 7) >> 3;
  const out = new Uint8Array(Buffer.concat(chunks).subarray(0, bytes));
  if (bits % 8) out[0] &= (1 << bits % 8) - 1;
  return out;
}

/** KDFa(hashAlg, key, label, contextU, contextV, bits). */
export function kdfa(hashAlg: number, key: Uint8Array, label: string | Uint8Array, contextU: Uint8Array, contextV: Uint8Array, bits: number): Uint8Array {
  const h = nodeHashName(hashAlg);
  const l = labelBytes(label);
  const chunks: Buffer[] = [];
  let have = 0;
  for (let i = 1; have * 8 < bits; i++) {
    const d = createHmac(h, key).update(u32(i)).update(l).update(contextU).update(contextV).update(u32(bits)).digest();
    chunks.push(d);
    have += d.length;
  }
  return finish(chunks, bits);
}

/** KDFe(hashAlg, Z, label, partyUInfo, partyVInfo, bits). */
export function kdfe(hashAlg: number, z: Uint8Array, label: string | Uint8Array, partyU: Uint8Array, partyV: Uint8Array, bits: number): Uint8Array {
  const h = nodeHashName(hashAlg);
  const l = labelBytes(label);
  const chunks: Buffer[] = [];
  let have = 0;
  for (let i = 1; have * 8 < bits; i++) {
    const d = createHash(h).update(u32(i)).update(z).update(l).update(partyU).update(partyV).digest();
    chunks.push(d);
    have += d.length;
  }
  return finish(chunks, bits);
}
