/** Authentication payload (RFC 7296 §3.8). */
import { Reader, Writer } from '@tncjs/common';

export interface AuthenticationPayload {
  type: 39;
  critical?: boolean;
  method: number;
  data: Uint8Array;
}

export function encodeAuthentication(w: Writer, p: AuthenticationPayload): void {
  w.u8(p.method).zeros(3).bytes(p.data);
}

export function decodeAuthentication(r: Reader): AuthenticationPayload {
  const method = r.u8('auth method');
  r.skip(3, 'AUTH reserved');
  return { type: 39, method, data: r.rest() };
}
