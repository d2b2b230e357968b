/**
 * Encrypted and Authenticated payload SK (RFC 7296 §3.14). The codec keeps the protected bytes (IV ‖ ciphertext ‖
 * ICV) opaque; `crypto/encrypted-payload.ts` opens and seals them.
 */
import { Reader, Writer } from '@tncjs/common';

export interface EncryptedPayload {
  type: 46;
  critical?: boolean;
  /** Type of the first payload inside (the SK payload's Next Payload field). */
  innerType: number;
  /** IV ‖ encrypted payloads ‖ padding ‖ pad length ‖ ICV. */
  data: Uint8Array;
}

export function encodeEncrypted(w: Writer, p: EncryptedPayload): void {
  w.bytes(p.data);
}

export function decodeEncrypted(r: Reader): EncryptedPayload {
  return { type: 46, innerType: 0, data: r.rest() };
}
