/**
 * Error classes shared by every tncjs package.
 *
 * Every error carries a stable `code` string. The brand is a registered symbol so that `isTncjsError()` works across
 * duplicate copies of this package in one process (the way undici brands its errors).
 */

const BRAND = Symbol.for('@tncjs/error');

/** Base class of every error thrown by tncjs on purpose. */
export class TncjsError extends Error {
  /** Stable machine-readable code, e.g. `ERR_DECODE`. */
  readonly code: string;
  readonly [BRAND] = true;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True for any tncjs error, also one thrown by another copy of this package. */
export function isTncjsError(e: unknown): e is TncjsError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Malformed input on the wire. `offset` is the byte offset of the offending field, counted from the start of the
 * outermost structure being decoded (a PB-TNC batch, a PA-TNC message), so it can go straight into a PB-Error or
 * PA-TNC Error.
 */
export class DecodeError extends TncjsError {
  readonly offset: number;
  /** The message without the offset (for wrappers that add their own context). */
  readonly reason: string;

  constructor(message: string, offset: number, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'ERR_DECODE', `${message} at offset ${offset}`, options);
    this.offset = offset;
    this.reason = message;
  }
}
