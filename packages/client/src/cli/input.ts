/**
 * Input of the `tncjs` command: a file, standard input (`-`) or, for `encode`, JSON given on the command line; read
 * under a size cap, then taken as hex or raw bytes (`decode`) or as JSON (`encode`).
 */
import { createReadStream } from 'node:fs';
import { concatBytes, decodeUtf8, encodeUtf8, fromHex } from '@tncjs/common';
import { CliError, inputError } from './errors.js';

/** Inputs larger than this (16 MiB) are refused: far above any PB-TNC batch (strongSwan caps them at 64 KiB). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Where standard input comes from: a byte stream (`process.stdin`) or a function returning all of it (tests). */
export type StdinSource = AsyncIterable<Uint8Array | string> | (() => Promise<Uint8Array>);

const tooLarge = (max: number) => inputError(`input is larger than ${formatSize(max)} (the limit)`);

function formatSize(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

/** Collect a stream's chunks, stopping (and releasing the stream) as soon as more than `max` bytes arrived. */
async function readCapped(source: AsyncIterable<Uint8Array | string>, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    const b = typeof chunk === 'string' ? encodeUtf8(chunk) : chunk;
    total += b.byteLength;
    if (total > max) throw tooLarge(max);
    chunks.push(b);
  }
  // concatBytes always copies into a plain Uint8Array (no Buffer escapes).
  return concatBytes(chunks);
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EPERM: 'operation not permitted',
};

/** Read the file `path`, or standard input for `-`, refusing more than `max` bytes. */
export async function readInputBytes(path: string, stdin: StdinSource, max = MAX_INPUT_BYTES): Promise<Uint8Array> {
  if (path === '-') {
    if (typeof stdin === 'function') {
      const b = await stdin();
      if (b.byteLength > max) throw tooLarge(max);
      return b;
    }
    return readCapped(stdin, max);
  }
  try {
    return await readCapped(createReadStream(path), max);
  } catch (e) {
    if (e instanceof CliError) throw e;
    // Duck-typed: errors from node:fs may come from another realm (e.g. under a test runner's VM context).
    const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown };
    const reason = (typeof err.code === 'string' && FS_REASONS[err.code]) || (typeof err.message === 'string' ? err.message : String(e));
    throw inputError(`cannot read '${path}': ${reason}`, e);
  }
}

const isHexText = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === 0x3a || isSpace(c);
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
const isPrintable = (c: number) => (c >= 0x20 && c < 0x7f) || isSpace(c);

/**
 * Wire bytes from `decode` input: hex when the input is text (hex digits, white space and `:` separators), else the
 * raw bytes. A binary PB-TNC batch (first byte 0x02) or PA-TNC message (0x01) is never printable text, so text that is
 * not valid hex is an error rather than being taken as binary.
 * @throws CliError `ERR_INPUT` for empty input, text that is not hex, or an odd number of hex digits
 */
export function wireBytesFromInput(input: Uint8Array): Uint8Array {
  if (input.byteLength === 0) throw inputError('empty input');
  if (!input.every(isPrintable)) return input;
  const bad = input.findIndex((c) => !isHexText(c));
  if (bad >= 0) {
    throw inputError(`invalid hex input: unexpected character '${String.fromCharCode(input[bad])}' at position ${bad}`);
  }
  const digits = input.reduce((n, c) => (c === 0x3a || isSpace(c) ? n : n + 1), 0);
  if (digits === 0) throw inputError('empty input (no hex digits)');
  if (digits % 2 !== 0) throw inputError(`invalid hex input: odd number of hex digits (${digits})`);
  return fromHex(decodeLatin1(input));
}

function decodeLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/**
 * Parse `encode` input as JSON (UTF-8, a leading BOM is ignored).
 * @throws CliError `ERR_INPUT` for empty input, invalid UTF-8 or invalid JSON
 */
export function jsonFromInput(input: Uint8Array): unknown {
  let text: string;
  try {
    text = decodeUtf8(input);
  } catch {
    throw inputError('input is not UTF-8 text');
  }
  if (text.trim() === '') throw inputError('empty input');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw inputError(`invalid JSON: ${(e as { message?: string }).message ?? String(e)}`);
  }
}

/** `encode` takes JSON inline when the argument starts with `{`; otherwise it names a file, or `-`. */
export function isInlineJson(arg: string): boolean {
  return arg.trimStart().startsWith('{');
}

/** Bytes of JSON given on the command line, under the same cap as files. */
export function inlineInputBytes(arg: string, max = MAX_INPUT_BYTES): Uint8Array {
  const b = encodeUtf8(arg);
  if (b.byteLength > max) throw tooLarge(max);
  return b;
}
