/**
 * TPM2B_* sized buffers (Part 2 §10.4): a 16-bit big-endian size followed by that many bytes. Used for digests,
 * nonces, auth values, data, names, public and private areas.
 */
import type { Reader, Writer } from '@tncjs/common';
import { TpmDecodeError } from '../errors.js';

/** Largest TPM2B any TPM produces (TPM2B_MAX_BUFFER / context blobs stay well below 64 KiB). */
export const TPM2B_MAX = 0xffff;

/** Read a TPM2B and return its contents (a copy). @throws DecodeError when truncated or larger than `max` */
export function readTpm2b(r: Reader, what: string, max = TPM2B_MAX): Uint8Array {
  const at = r.offset;
  const n = r.u16(`${what} size`);
  if (n > max) throw new TpmDecodeError(`${what} size ${n} exceeds ${max}`, at);
  return r.bytes(n, what);
}

/** Write a TPM2B. @throws RangeError when `b` is longer than 65535 bytes */
export function writeTpm2b(w: Writer, b: Uint8Array): void {
  if (b.byteLength > TPM2B_MAX) throw new RangeError(`TPM2B too large: ${b.byteLength} bytes`);
  w.u16(b.byteLength).bytes(b);
}

/** Raise a TpmDecodeError at the reader's position. */
export function decodeFail(r: Reader, message: string): never {
  throw new TpmDecodeError(message, r.offset);
}
