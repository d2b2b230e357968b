/**
 * IMA template hashes as the kernel computes them, for the verifier's boot_aggregate and reference checks:
 * ima-ng: H(u32le(len(algo ":" NUL) + len(digest)) ‖ algo ":" NUL ‖ digest ‖ u32le(len(name) + 1) ‖ name NUL);
 * ima (legacy): H(digest ‖ name NUL-padded to 256 bytes).
 */
import { createHash } from 'node:crypto';

const enc = new TextEncoder();

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** `algoPrefix` is the digest's algorithm with its colon, e.g. `sha1:` (empty for a legacy digest). */
export function imaNgTemplateHash(hash: string, algoPrefix: string, digest: Uint8Array, name: string): Uint8Array {
  const algo = enc.encode(`${algoPrefix}\0`);
  const n = enc.encode(`${name}\0`);
  return new Uint8Array(
    createHash(hash).update(u32le(algo.byteLength + digest.byteLength)).update(algo).update(digest).update(u32le(n.byteLength)).update(n).digest(),
  );
}

export function imaTemplateHash(hash: string, digest: Uint8Array, name: string): Uint8Array {
  const padded = new Uint8Array(256);
  padded.set(enc.encode(name).subarray(0, 255));
  return new Uint8Array(createHash(hash).update(digest).update(padded).digest());
}

/** Split a policy URI as strongSwan's IMC writes it: `sha256:/usr/bin/ls` → { algoPrefix: 'sha256:', name }. */
export function splitPolicyUri(uri: string): { algoPrefix: string; name: string } {
  const i = uri.indexOf(':');
  if (i < 0 || uri.startsWith('/')) return { algoPrefix: '', name: uri };
  return { algoPrefix: uri.slice(0, i + 1), name: uri.slice(i + 1) };
}
