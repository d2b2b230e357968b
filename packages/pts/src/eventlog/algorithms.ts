/**
 * TPM 2.0 hash algorithms (TPM_ALG_ID, TCG Algorithm Registry) as they appear in event logs and PCR banks, with the
 * hashing and PCR-extend primitives (node:crypto) used by the replays.
 */
import * as crypto from 'node:crypto';

/** A PCR bank / digest algorithm known to tncjs. */
export interface HashAlgorithm {
  /** TPM_ALG_ID. */
  readonly id: number;
  /** Bank name as tpm2-tools prints it: `sha1`, `sha256`, `sm3_256`, … */
  readonly name: string;
  /** Digest size in bytes. */
  readonly size: number;
  /** node:crypto algorithm name. */
  readonly nodeName: string;
}

/** TPM_ALG_ID values of the hash algorithms that appear in PCR banks. */
export const TpmAlg = {
  SHA1: 0x0004,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  SM3_256: 0x0012,
  SHA3_256: 0x0027,
  SHA3_384: 0x0028,
  SHA3_512: 0x0029,
} as const;

const ALGORITHMS: readonly HashAlgorithm[] = [
  { id: TpmAlg.SHA1, name: 'sha1', size: 20, nodeName: 'sha1' },
  { id: TpmAlg.SHA256, name: 'sha256', size: 32, nodeName: 'sha256' },
  { id: TpmAlg.SHA384, name: 'sha384', size: 48, nodeName: 'sha384' },
  { id: TpmAlg.SHA512, name: 'sha512', size: 64, nodeName: 'sha512' },
  { id: TpmAlg.SM3_256, name: 'sm3_256', size: 32, nodeName: 'sm3' },
  { id: TpmAlg.SHA3_256, name: 'sha3_256', size: 32, nodeName: 'sha3-256' },
  { id: TpmAlg.SHA3_384, name: 'sha3_384', size: 48, nodeName: 'sha3-384' },
  { id: TpmAlg.SHA3_512, name: 'sha3_512', size: 64, nodeName: 'sha3-512' },
];

const BY_ID = new Map(ALGORITHMS.map((a) => [a.id, a]));
const BY_NAME = new Map<string, HashAlgorithm>();
for (const a of ALGORITHMS) {
  BY_NAME.set(a.name, a);
  BY_NAME.set(a.nodeName, a);
}
// Aliases operators type (`--bank sm3`, `sha3-256`) and the Linux kernel's hash_algo_name spellings (`sm3`,
// `sha3-256`, `streebog` is not a TPM bank).
BY_NAME.set('sm3', BY_NAME.get('sm3_256')!);
BY_NAME.set('sm3-256', BY_NAME.get('sm3_256')!);

/** The algorithm with TPM_ALG_ID `id`, if tncjs knows it. */
export function hashAlgorithmById(id: number): HashAlgorithm | undefined {
  return BY_ID.get(id);
}

/** The algorithm named `name` (`sha256`, `sm3_256`, `sm3`, `sha3-256`, case-insensitive), if known. */
export function hashAlgorithmByName(name: string): HashAlgorithm | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every algorithm tncjs knows, in TPM_ALG_ID order. */
export function hashAlgorithms(): readonly HashAlgorithm[] {
  return ALGORITHMS;
}

/** Bank name of TPM_ALG_ID `id`: the known name, or `alg_0x00ff` for an algorithm tncjs does not know. */
export function algorithmName(id: number): string {
  return BY_ID.get(id)?.name ?? `alg_0x${id.toString(16).padStart(4, '0')}`;
}

const nodeHash = (crypto as unknown as { hash?: (alg: string, data: Uint8Array, enc: 'latin1') => string }).hash;

/**
 * crypto.hash() with a `latin1` string result, turned into bytes: on Node 20 this is about three times faster for small
 * inputs than asking it for a Buffer (and five times faster than a createHash() object), which is what PCR replay of a
 * long IMA list spends its time on.
 */
function quickHash(name: string, data: Uint8Array): Uint8Array {
  const s = nodeHash!(name, data, 'latin1');
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
const supported = new Set(crypto.getHashes());

/** True when node:crypto can compute `alg` (SM3 needs an OpenSSL build with it, as Node 20's bundled one has). */
export function canHash(alg: HashAlgorithm): boolean {
  return supported.has(alg.nodeName);
}

function asPlain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Digest of `data` (one buffer): `crypto.hash` where available (fastest for small inputs), else `createHash`. */
export function digest(alg: HashAlgorithm, data: Uint8Array): Uint8Array {
  if (nodeHash) return quickHash(alg.nodeName, data);
  return asPlain(crypto.createHash(alg.nodeName).update(data).digest());
}

/** Digest of the concatenation of `parts`, without concatenating them. */
export function digestParts(alg: HashAlgorithm, parts: readonly Uint8Array[]): Uint8Array {
  const h = crypto.createHash(alg.nodeName);
  for (const p of parts) h.update(p);
  return asPlain(h.digest());
}

/**
 * TPM2_PCR_Extend: `pcr := H(pcr || value)`. `value` must be exactly the bank's size (callers that replay logs with
 * other sizes pad or truncate first: see `fitDigest`).
 */
export function extend(alg: HashAlgorithm, pcr: Uint8Array, value: Uint8Array): Uint8Array {
  if (!nodeHash) return digestParts(alg, [pcr, value]);
  // One small buffer and crypto.hash: several times faster than a createHash() object per extend.
  const buf = new Uint8Array(pcr.byteLength + value.byteLength);
  buf.set(pcr);
  buf.set(value, pcr.byteLength);
  return quickHash(alg.nodeName, buf);
}

/** A PCR bank's value sized to `alg`: zero-filled, with the last byte set to `last` (the startup locality). */
export function initialPcr(alg: HashAlgorithm, last = 0): Uint8Array {
  const v = new Uint8Array(alg.size);
  v[alg.size - 1] = last;
  return v;
}

/** `value` zero-padded or truncated to `size` bytes (how pre-5.8 kernels extended SHA-1 digests into other banks). */
export function fitDigest(value: Uint8Array, size: number): Uint8Array {
  if (value.byteLength === size) return value;
  const out = new Uint8Array(size);
  out.set(value.subarray(0, Math.min(size, value.byteLength)));
  return out;
}
