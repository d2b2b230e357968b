/** Certificate Request payload (RFC 7296 §3.7): encoding plus concatenated SHA-1 hashes of CA public keys. */
import { Reader, Writer } from '@tncjs/common';

export interface CertificateRequestPayload {
  type: 38;
  critical?: boolean;
  encoding: number;
  data: Uint8Array;
}

export function encodeCertificateRequest(w: Writer, p: CertificateRequestPayload): void {
  w.u8(p.encoding).bytes(p.data);
}

export function decodeCertificateRequest(r: Reader): CertificateRequestPayload {
  return { type: 38, encoding: r.u8('certreq encoding'), data: r.rest() };
}
