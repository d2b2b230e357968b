/** EAP payload (RFC 7296 §3.16): one EAP packet (RFC 3748), handed to @tncjs/eap. */
import { Reader, Writer } from '@tncjs/common';
import { EAP_CODE_SHORT_NAMES, eapTypeShortName } from '@tncjs/eap';
import { IkeDecodeError } from '../errors.js';

export interface EapPayload {
  type: 48;
  critical?: boolean;
  data: Uint8Array;
}

export function encodeEap(w: Writer, p: EapPayload): void {
  w.bytes(p.data);
}

export function decodeEap(r: Reader): EapPayload {
  const at = r.offset;
  const data = r.rest();
  if (data.byteLength < 4) throw new IkeDecodeError(`EAP packet of ${data.byteLength} bytes`, at);
  const len = (data[2] << 8) | data[3];
  if (len !== data.byteLength) throw new IkeDecodeError(`EAP length ${len} does not match payload (${data.byteLength})`, at + 2);
  return { type: 48, data };
}

/** `EAP/REQ/TTLS`, `EAP/RES/ID`, `EAP/SUCC`, `EAP/FAIL` as strongSwan prints them. */
export function describeEap(p: EapPayload): string {
  const code = p.data[0];
  const name = (EAP_CODE_SHORT_NAMES as Record<number, string>)[code] ?? String(code);
  if ((code === 1 || code === 2) && p.data.byteLength > 4) return `EAP/${name}/${eapTypeShortName(p.data[4])}`;
  return `EAP/${name}`;
}
