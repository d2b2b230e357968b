/** Key Exchange payload (RFC 7296 §3.4). */
import { Reader, Writer } from '@tncjs/common';

export interface KeyExchangePayload {
  type: 34;
  critical?: boolean;
  group: number;
  data: Uint8Array;
}

export function encodeKeyExchange(w: Writer, p: KeyExchangePayload): void {
  w.u16(p.group).u16(0).bytes(p.data);
}

export function decodeKeyExchange(r: Reader): KeyExchangePayload {
  const group = r.u16('DH group');
  r.skip(2, 'KE reserved');
  return { type: 34, group, data: r.rest() };
}
