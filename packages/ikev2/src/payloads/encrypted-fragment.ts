/**
 * Encrypted Fragment payload SKF (RFC 7383 §2.5): fragment number, total fragments, then protected bytes as in SK.
 */
import { Reader, Writer } from '@tncjs/common';
import { IkeDecodeError } from '../errors.js';

export interface EncryptedFragmentPayload {
  type: 53;
  critical?: boolean;
  /** First inner payload type in fragment 1, else 0. */
  innerType: number;
  fragmentNumber: number;
  totalFragments: number;
  data: Uint8Array;
}

export function encodeEncryptedFragment(w: Writer, p: EncryptedFragmentPayload): void {
  w.u16(p.fragmentNumber).u16(p.totalFragments).bytes(p.data);
}

export function decodeEncryptedFragment(r: Reader): EncryptedFragmentPayload {
  const at = r.offset;
  const fragmentNumber = r.u16('fragment number');
  const totalFragments = r.u16('total fragments');
  if (fragmentNumber === 0 || totalFragments === 0 || fragmentNumber > totalFragments) {
    throw new IkeDecodeError(`invalid fragment ${fragmentNumber}/${totalFragments}`, at);
  }
  return { type: 53, innerType: 0, fragmentNumber, totalFragments, data: r.rest() };
}
