/**
 * Typed errors and warnings of the measurement-log parsers (TCG firmware event log and IMA runtime log).
 */
import { DecodeError } from '@tncjs/common';

/** What a measurement-log error is about; the `code` of the error. */
export type MeasurementLogErrorCode =
  /** The input ends in the middle of an entry (strict mode only; lenient parsing reports a warning instead). */
  | 'ERR_TRUNCATED'
  /** A length field larger than the configured limit or the input: rejected before any allocation. */
  | 'ERR_LENGTH'
  /** A field value the format does not allow (PCR index, digest count, unknown algorithm, …). */
  | 'ERR_FIELD'
  /** A malformed Spec ID event. */
  | 'ERR_SPEC_ID'
  /** An empty input where the format requires at least one entry. */
  | 'ERR_EMPTY'
  /** Event data that does not match the structure the spec defines for its event type. */
  | 'ERR_EVENT_DATA';

/**
 * Malformed TCG event log. `offset` is the byte offset in the log of the offending field, `entry` the index of the
 * event it belongs to (0 = the first event of the log, the Spec ID event in a crypto-agile log).
 */
export class EventLogError extends DecodeError {
  constructor(
    message: string,
    offset: number,
    readonly entry: number,
    code: MeasurementLogErrorCode = 'ERR_FIELD',
    options?: { cause?: unknown },
  ) {
    super(`event ${entry}: ${message}`, offset, { code, cause: options?.cause });
  }
}

/** Something the parser skipped or tolerated (trailing bytes, a cut-off last entry, zero padding). */
export interface LogWarning {
  /** Byte offset in the log where the problem starts. */
  offset: number;
  /** Index of the entry concerned (the next entry's index for trailing bytes). */
  entry: number;
  message: string;
}

/** Re-raise a `DecodeError` from a nested structure as the log's own error type, keeping the absolute offset. */
export function wrapDecodeError<E extends DecodeError>(
  e: unknown,
  make: (reason: string, offset: number, code: MeasurementLogErrorCode) => E,
): unknown {
  if (e instanceof DecodeError && !('entry' in e)) {
    const code = (['ERR_TRUNCATED', 'ERR_LENGTH'] as string[]).includes(e.code) ? (e.code as MeasurementLogErrorCode) : 'ERR_FIELD';
    const wrapped = make(e.reason, e.offset, code);
    return wrapped;
  }
  return e;
}
