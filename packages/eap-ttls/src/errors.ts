/** Errors of EAP-TTLS: wire decoding, fragmentation limits, TLS failures and certificate decisions, each with a stable code. */
import { DecodeError } from '@tncjs/common';
import { EapError } from '@tncjs/eap';

export const TtlsErrorCode = {
  /** A malformed EAP-TTLS packet or AVP. */
  DECODE: 'ERR_TTLS_DECODE',
  /** Version mismatch (RFC 5281 §9.1). */
  VERSION: 'ERR_TTLS_VERSION',
  /** Fragment rules broken, or a reassembled TLS message above the maximum. */
  FRAGMENT: 'ERR_TTLS_FRAGMENT',
  /** Too many EAP-TTLS packets in one exchange. */
  PACKET_COUNT: 'ERR_TTLS_PACKET_COUNT',
  /** Unexpected packet for the state (start from the client, missing start, missing acknowledgement). */
  STATE: 'ERR_TTLS_STATE',
  /** The TLS stack reported an error (alert, bad record). */
  TLS: 'ERR_TTLS_TLS',
  /** An AVP with the M flag we do not support (RFC 5281 §10.1). */
  UNSUPPORTED_AVP: 'ERR_TTLS_UNSUPPORTED_AVP',
  /** Phase 2 (tunneled EAP) failed. */
  PHASE2: 'ERR_TTLS_PHASE2',
} as const;

export const CertErrorCode = {
  /** No path from the peer certificate to a trust anchor. */
  UNKNOWN_CA: 'ERR_CERT_UNKNOWN_CA',
  /** A certificate on the path is expired or not yet valid. */
  EXPIRED: 'ERR_CERT_EXPIRED',
  /** A certificate on the path is revoked (CRL or OCSP). */
  REVOKED: 'ERR_CERT_REVOKED',
  /** The certificate does not match the expected identity. */
  IDENTITY: 'ERR_CERT_IDENTITY',
  /** Revocation status could not be determined and the policy is strict. */
  STATUS_UNKNOWN: 'ERR_CERT_STATUS_UNKNOWN',
  /** The peer sent no certificate although one is required. */
  MISSING: 'ERR_CERT_MISSING',
  /** The certificate chain is otherwise invalid (signature, CA flags, unparsable). */
  INVALID: 'ERR_CERT_INVALID',
} as const;
export type CertErrorCode = (typeof CertErrorCode)[keyof typeof CertErrorCode];

/** A protocol or TLS failure of EAP-TTLS. */
export class TtlsError extends EapError {}

/** A malformed EAP-TTLS packet or Diameter AVP (offset into the EAP packet or AVP sequence). */
export class TtlsDecodeError extends DecodeError {
  constructor(message: string, offset: number, options?: { cause?: unknown; code?: string }) {
    super(message, offset, { code: options?.code ?? TtlsErrorCode.DECODE, cause: options?.cause });
  }
}

/** The peer's certificate was not accepted; `code` says why, `subject` names the certificate. */
export class CertificateError extends EapError {
  constructor(
    code: CertErrorCode,
    message: string,
    readonly subject?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
