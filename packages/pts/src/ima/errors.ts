/**
 * Typed errors of the IMA measurement-list parser.
 */
import { DecodeError } from '@tncjs/common';
import type { MeasurementLogErrorCode } from '../eventlog/errors.js';

/**
 * Malformed IMA measurement list. `offset` is the byte offset in the list of the offending field, `entry` the index of
 * the measurement it belongs to (0 = boot_aggregate).
 */
export class ImaLogError extends DecodeError {
  constructor(
    message: string,
    offset: number,
    readonly entry: number,
    code: MeasurementLogErrorCode = 'ERR_FIELD',
    options?: { cause?: unknown },
  ) {
    super(`IMA entry ${entry}: ${message}`, offset, { code, cause: options?.cause });
  }
}
