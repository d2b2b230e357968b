/**
 * Typed PA-TNC decode errors that carry what RFC 5792 §4.2.8 needs to answer them with a PA-TNC Error attribute.
 */
import { DecodeError } from '@tncjs/common';

/** IETF PA-TNC error codes (RFC 5792 §4.2.8). */
export const PaTncErrorCode = {
  RESERVED: 0,
  INVALID_PARAMETER: 1,
  VERSION_NOT_SUPPORTED: 2,
  ATTR_TYPE_NOT_SUPPORTED: 3,
} as const;

export interface UnsupportedAttributeInfo {
  noskip: boolean;
  vendorId: number;
  typeId: number;
}

/**
 * A PA-TNC message that must be answered with a PA-TNC Error attribute instead of being processed.
 * `errorVendorId`/`errorCode` are the error's code; `header` is the 8-byte header of the offending message (copied
 * into the error attribute as RFC 5792 requires).
 */
export class PaTncDecodeError extends DecodeError {
  constructor(
    message: string,
    offset: number,
    readonly errorCode: number,
    readonly header: Uint8Array,
    readonly details: { attribute?: UnsupportedAttributeInfo; cause?: unknown } = {},
    readonly errorVendorId = 0,
  ) {
    super(message, offset, { code: 'ERR_PA_TNC', cause: details.cause });
  }
}
