/**
 * Typed errors of the IKEv2 layer. Decode errors carry the offset and the notify type the state machine answers with
 * (usually INVALID_SYNTAX, or UNSUPPORTED_CRITICAL_PAYLOAD).
 */
import { DecodeError, TncjsError } from '@tncjs/common';
import { NotifyType } from './constants.js';

/** Stable codes of `IkeError`. */
export const IkeErrorCode = {
  /** No answer after all retransmissions. */
  TIMEOUT: 'ERR_IKE_TIMEOUT',
  /** The peer answered with an error notify (NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED, …). */
  NOTIFY: 'ERR_IKE_NOTIFY',
  /** AUTH payload did not verify. */
  AUTH: 'ERR_IKE_AUTH',
  /** The EAP conversation failed. */
  EAP: 'ERR_IKE_EAP',
  /** A message violated the protocol (missing payload, unacceptable proposal). */
  PROTOCOL: 'ERR_IKE_PROTOCOL',
  /** Integrity check or decryption failed. */
  INTEGRITY: 'ERR_IKE_INTEGRITY',
  /** The operation was aborted (SA closed). */
  ABORTED: 'ERR_IKE_ABORTED',
  /** The kernel cannot do what was asked (e.g. no ESP in XFRM). */
  KERNEL: 'ERR_IKE_KERNEL',
} as const;

/** Error of the IKE layer (not a wire decode error). `notify` is set when the peer sent an error notify. */
export class IkeError extends TncjsError {
  readonly notify: number | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown; notify?: number }) {
    super(code, message, options);
    this.notify = options?.notify;
  }
}

/** Malformed IKE message. `notify` is the error notify to answer with (RFC 7296 §3.10.1). */
export class IkeDecodeError extends DecodeError {
  readonly notify: number;
  constructor(message: string, offset: number, options?: { cause?: unknown; code?: string; notify?: number }) {
    super(message, offset, { code: options?.code ?? 'ERR_IKE_DECODE', cause: options?.cause });
    this.notify = options?.notify ?? NotifyType.INVALID_SYNTAX;
  }
}

/** Wrap any decode error from the common Reader into an IkeDecodeError (keeps the offset). */
export function asIkeDecodeError(e: unknown): IkeDecodeError {
  if (e instanceof IkeDecodeError) return e;
  if (e instanceof DecodeError) return new IkeDecodeError(e.reason, e.offset, { cause: e });
  throw e;
}
