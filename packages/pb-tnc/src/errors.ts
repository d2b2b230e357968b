/** Typed PB-TNC decode errors carrying what RFC 5793 §4.9 needs to answer them with a PB-Error message. */
import { DecodeError } from '@tncjs/common';

/** IETF PB-Error codes (RFC 5793 §4.9). */
export const PbErrorCode = {
  UNEXPECTED_BATCH_TYPE: 0,
  INVALID_PARAMETER: 1,
  LOCAL_ERROR: 2,
  UNSUPPORTED_MANDATORY_MSG: 3,
  VERSION_NOT_SUPPORTED: 4,
} as const;

export const PB_ERROR_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Unexpected Batch Type',
  1: 'Invalid Parameter',
  2: 'Local Error',
  3: 'Unsupported Mandatory Message',
  4: 'Version Not Supported',
};

/** A batch that must be answered with a PB-Error (and, when `fatal`, a CLOSE batch). */
export class PbTncDecodeError extends DecodeError {
  constructor(
    message: string,
    offset: number,
    readonly errorCode: number,
    readonly fatal: boolean,
    readonly details: { badVersion?: number; cause?: unknown } = {},
  ) {
    super(message, offset, { code: 'ERR_PB_TNC', cause: details.cause });
  }
}
