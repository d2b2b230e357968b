/**
 * Typed errors of the TPM stack. Every one is a `TncjsError` with a stable `code`:
 *
 * - `TpmError` (`ERR_TPM_RC`): the TPM answered with a response code other than TPM_RC_SUCCESS.
 * - `TpmDecodeError` (`ERR_TPM_DECODE`): the response bytes do not parse (truncated, garbled, wrong sizes).
 * - `TpmTransportError` (`ERR_TPM_UNREACHABLE`, `ERR_TPM_TIMEOUT`, `ERR_TPM_CLOSED`, `ERR_TPM_TRANSPORT`): the TPM
 *   could not be reached or stopped answering; the message names the transport.
 * - `TpmResponseAuthError` (`ERR_TPM_RESPONSE_HMAC`): a response HMAC did not verify (tampered or out of sync).
 * - `QuoteVerificationError` (`ERR_TPM_QUOTE`): a quote did not verify; `reason` says which check failed.
 */
import { DecodeError, TncjsError } from '@tncjs/common';
import { decodeResponseCode, explainResponseCode, type DecodedResponseCode } from './response-codes.js';
import { commandName } from './constants.js';

/** The TPM refused a command. `rc` is the raw code; `decoded` has its name, explanation and the argument at fault. */
export class TpmError extends TncjsError {
  readonly rc: number;
  readonly decoded: DecodedResponseCode;
  /** Command code of the failed command. */
  readonly commandCode: number;

  constructor(rc: number, commandCode: number, options?: { cause?: unknown }) {
    super('ERR_TPM_RC', `${commandName(commandCode)} failed: ${explainResponseCode(rc)}`, options);
    this.rc = rc >>> 0;
    this.decoded = decodeResponseCode(rc);
    this.commandCode = commandCode;
  }

  /** `TPM_RC_AUTH_FAIL`. */
  get rcName(): string {
    return this.decoded.name;
  }
}

/** A TPM response that does not parse. `offset` is counted from the start of the response. */
export class TpmDecodeError extends DecodeError {
  constructor(message: string, offset: number, options?: { cause?: unknown }) {
    super(message, offset, { code: 'ERR_TPM_DECODE', cause: options?.cause });
  }
}

export type TpmTransportErrorCode = 'ERR_TPM_UNREACHABLE' | 'ERR_TPM_TIMEOUT' | 'ERR_TPM_CLOSED' | 'ERR_TPM_TRANSPORT';

/** The transport failed: not reachable, timed out, connection closed mid-response. `transport` names it. */
export class TpmTransportError extends TncjsError {
  constructor(
    code: TpmTransportErrorCode,
    readonly transport: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${transport}: ${message}`, options);
  }
}

/** A response HMAC failed to verify. */
export class TpmResponseAuthError extends TncjsError {
  constructor(message: string) {
    super('ERR_TPM_RESPONSE_HMAC', message);
  }
}

export type QuoteFailure = 'magic' | 'type' | 'nonce' | 'pcr-select' | 'pcr-digest' | 'signature' | 'scheme' | 'key' | 'decode';

/** A quote failed verification; `reason` names the check. */
export class QuoteVerificationError extends TncjsError {
  constructor(
    readonly reason: QuoteFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('ERR_TPM_QUOTE', message, options);
  }
}

/** Wrap a `DecodeError` thrown by a `Reader` while parsing a TPM response into a `TpmDecodeError`. */
export function asTpmDecodeError(e: unknown, what: string): unknown {
  if (e instanceof TpmDecodeError) return e;
  if (e instanceof DecodeError) return new TpmDecodeError(`${what}: ${e.reason}`, e.offset, { cause: e });
  return e;
}
