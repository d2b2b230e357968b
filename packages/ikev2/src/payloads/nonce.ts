/** Nonce payloads Ni / Nr (RFC 7296 §3.9): 16 to 256 bytes. */
import { Reader, Writer } from '@tncjs/common';
import { IkeDecodeError } from '../errors.js';

export interface NoncePayload {
  type: 40;
  critical?: boolean;
  data: Uint8Array;
}

export const MIN_NONCE_SIZE = 16;
export const MAX_NONCE_SIZE = 256;

export function encodeNonce(w: Writer, p: NoncePayload): void {
  w.bytes(p.data);
}

export function decodeNonce(r: Reader): NoncePayload {
  const at = r.offset;
  const data = r.rest();
  if (data.byteLength < MIN_NONCE_SIZE || data.byteLength > MAX_NONCE_SIZE) {
    throw new IkeDecodeError(`nonce of ${data.byteLength} bytes outside ${MIN_NONCE_SIZE}..${MAX_NONCE_SIZE}`, at);
  }
  return { type: 40, data };
}
