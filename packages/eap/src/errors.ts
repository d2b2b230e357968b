/**
 * Errors of the EAP layer. Decoding errors are `DecodeError`s (offset into the EAP packet); protocol outcomes
 * (authentication failed, method not acceptable) are `EapError`s with a stable `code`.
 */
import { DecodeError, TncjsError } from '@tncjs/common';

/** A malformed EAP packet (RFC 3748 §4): code `ERR_EAP_DECODE`, with the offset of the offending field. */
export class EapDecodeError extends DecodeError {
  constructor(message: string, offset: number, options?: { cause?: unknown }) {
    super(message, offset, { code: 'ERR_EAP_DECODE', cause: options?.cause });
  }
}

/** Stable codes of `EapError`. */
export const EapErrorCode = {
  /** The authenticator sent EAP-Failure, or a method decided failure. */
  FAILURE: 'ERR_EAP_FAILURE',
  /** A peer message broke the protocol (wrong code, unexpected type, bad method data). */
  PROTOCOL: 'ERR_EAP_PROTOCOL',
  /** The peer refused every method we offered (Nak). */
  NO_METHOD: 'ERR_EAP_NO_METHOD',
  /** MD5 response did not match the expected value. */
  AUTH: 'ERR_EAP_AUTH',
  /** No secret found for an identity. */
  NO_SECRET: 'ERR_EAP_NO_SECRET',
} as const;
export type EapErrorCode = (typeof EapErrorCode)[keyof typeof EapErrorCode];

/** An EAP exchange ended without success; `code` says why. */
export class EapError extends TncjsError {
  constructor(code: EapErrorCode | string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
