/** Vendor ID payload (RFC 7296 §3.12). */
import { Reader, Writer } from '@tncjs/common';

export interface VendorIdPayload {
  type: 43;
  critical?: boolean;
  data: Uint8Array;
}

export function encodeVendorId(w: Writer, p: VendorIdPayload): void {
  w.bytes(p.data);
}

export function decodeVendorId(r: Reader): VendorIdPayload {
  return { type: 43, data: r.rest() };
}
