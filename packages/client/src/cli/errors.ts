/**
 * Errors of the `tncjs` command and how any failure becomes its exit code and its one line on standard error.
 *
 * Exit codes: 0 success, 1 internal error (a bug in tncjs), 2 bad input or bad usage. A failure always prints exactly
 * one `tncjs: <reason>` line (usage errors add a `usage:` line); never a stack trace.
 */
import { TncjsError, isTncjsError } from '@tncjs/common';

export const ExitCode = {
  OK: 0,
  /** Something tncjs did not expect (a bug): report it. */
  INTERNAL: 1,
  /** Malformed input, an unreadable file, or a command line tncjs does not understand. */
  INPUT: 2,
} as const;

/** A failure of the command itself: `ERR_USAGE` (command line) or `ERR_INPUT` (input that cannot be read or parsed). */
export class CliError extends TncjsError {
  constructor(code: 'ERR_USAGE' | 'ERR_INPUT', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export function usageError(message: string): CliError {
  return new CliError('ERR_USAGE', message);
}

export function inputError(message: string, cause?: unknown): CliError {
  return new CliError('ERR_INPUT', message, { cause });
}

/** Longest reason printed; longer ones (e.g. a JSON value echoed by a codec) are cut. */
const MAX_REASON = 300;

/** One printable line: control characters and line breaks become spaces, long text is cut. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON - 1)}…` : flat;
}

/** What the command was doing when it failed, for the reason text: `PB-TNC batch`, `PA-TNC message JSON`, … */
export interface FailureContext {
  /** Decoding bytes (`decode`) or building bytes from JSON (`encode`). */
  stage: 'decode' | 'encode';
  /** `PB-TNC batch` or `PA-TNC message`. */
  what: string;
}

/**
 * Map any thrown value to an exit code and a reason (without the `tncjs: ` prefix).
 * Decode errors carry their byte offset in the message already (`… at offset 12`).
 */
export function describeFailure(e: unknown, ctx: FailureContext): { exitCode: number; reason: string; usage: boolean } {
  if (e instanceof CliError) return { exitCode: ExitCode.INPUT, reason: oneLine(e.message), usage: e.code === 'ERR_USAGE' };
  if (isTncjsError(e)) {
    // DecodeError, PbTncDecodeError, PaTncDecodeError (also from another copy of @tncjs/common).
    return { exitCode: ExitCode.INPUT, reason: oneLine(`invalid ${ctx.what}: ${e.message}`), usage: false };
  }
  if (ctx.stage === 'encode' && (e instanceof TypeError || e instanceof RangeError || isNamed(e, 'TypeError', 'RangeError'))) {
    // fromJSON names the JSON path of the field that does not fit; the writer rejects out-of-range numbers.
    return { exitCode: ExitCode.INPUT, reason: oneLine(`invalid ${ctx.what} JSON: ${e.message}`), usage: false };
  }
  const message = isNamed(e) ? `${e.name}: ${e.message}` : String(e);
  return { exitCode: ExitCode.INTERNAL, reason: oneLine(`internal error (please report): ${message}`), usage: false };
}

/** An error-like object (also from another realm, where `instanceof` fails), optionally with one of `names`. */
function isNamed(e: unknown, ...names: string[]): e is { name: string; message: string } {
  if (typeof e !== 'object' || e === null) return false;
  const { name, message } = e as { name?: unknown; message?: unknown };
  return typeof name === 'string' && typeof message === 'string' && (names.length === 0 || names.includes(name));
}
