/** Certificate payload (RFC 7296 §3.6). */
import { Reader, Writer } from '@tncjs/common';

export interface CertificatePayload {
  type: 37;
  critical?: boolean;
  encoding: number;
  data: Uint8Array;
}

export function encodeCertificate(w: Writer, p: CertificatePayload): void {
  w.u8(p.encoding).bytes(p.data);
}

export function decodeCertificate(r: Reader): CertificatePayload {
  return { type: 37, encoding: r.u8('cert encoding'), data: r.rest() };
}
