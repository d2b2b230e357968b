/**
 * Shared plumbing of the `tncjs eventlog` and `tncjs ima` operator commands: where they read and write, how a failure
 * becomes one `tncjs: …` line and an exit code, and a small YAML-like renderer for decoded structures.
 */
import { createReadStream } from 'node:fs';
import { concatBytes, isTncjsError } from '@tncjs/common';

/** Exit codes: as the rest of `tncjs` (0 success, 1 internal error, 2 bad input or usage), plus 3 for a failed check. */
export const MeasurementExitCode = {
  OK: 0,
  INTERNAL: 1,
  INPUT: 2,
  /** The log parsed, but a verification failed (template hash, boot aggregate, expected PCR value). */
  VERIFY_FAILED: 3,
} as const;

/** Where the commands read and write. */
export interface MeasurementCliIo {
  /** Receives output text (whole lines). */
  stdout: (s: string) => void;
  /** Receives whole lines, each ending in `\n`. */
  stderr: (s: string) => void;
  /**
   * Reads a whole file. When absent, files are streamed from disk with node:fs (bounded memory, read twice: once to
   * check and replay, once to print).
   */
  readFile?: (path: string) => Uint8Array | Promise<Uint8Array>;
  /** Standard input, for the file name `-`. */
  stdin?: AsyncIterable<Uint8Array | string> | (() => Promise<Uint8Array>);
}

/** Largest input read into memory (standard input, `readFile`): 256 MiB. */
export const MAX_IN_MEMORY_INPUT = 256 * 1024 * 1024;

/** A command-line or input problem: printed as one line, exit code 2. */
export class CliInputError extends Error {}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EPERM: 'operation not permitted',
};

function fsReason(e: unknown): string {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown };
  return (typeof err.code === 'string' && FS_REASONS[err.code]) || (typeof err.message === 'string' ? err.message : String(e));
}

/** A re-readable byte source: each call returns a fresh iterable of chunks. */
export type ByteSource = () => AsyncIterable<Uint8Array>;

async function* once(b: Uint8Array): AsyncIterable<Uint8Array> {
  yield b;
}

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  let stream;
  try {
    stream = createReadStream(path, { highWaterMark: 256 * 1024 });
    for await (const chunk of stream) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (e) {
    throw new CliInputError(`cannot read '${path}': ${fsReason(e)}`);
  }
}

/** Open `path` (or `-` for standard input) as a re-readable source. */
export async function openSource(path: string, io: MeasurementCliIo): Promise<ByteSource> {
  if (path === '-') {
    if (!io.stdin) throw new CliInputError('no standard input available');
    let bytes: Uint8Array;
    if (typeof io.stdin === 'function') bytes = await io.stdin();
    else {
      const chunks: Uint8Array[] = [];
      let n = 0;
      for await (const c of io.stdin) {
        const b = typeof c === 'string' ? new TextEncoder().encode(c) : c;
        n += b.byteLength;
        if (n > MAX_IN_MEMORY_INPUT) throw new CliInputError(`standard input is larger than ${MAX_IN_MEMORY_INPUT} bytes`);
        chunks.push(b);
      }
      bytes = concatBytes(chunks);
    }
    return () => once(bytes);
  }
  if (io.readFile) {
    let bytes: Uint8Array;
    try {
      bytes = await io.readFile(path);
    } catch (e) {
      throw new CliInputError(`cannot read '${path}': ${fsReason(e)}`);
    }
    return () => once(bytes);
  }
  // Fail early (and with the usual one line) on a missing file, before any output.
  for await (const _ of fileChunks(path)) break;
  return () => fileChunks(path);
}

/** Read a whole (small) source into memory, refusing more than `max` bytes. */
export async function readAll(src: ByteSource, what: string, max = 64 * 1024 * 1024): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of src()) {
    n += c.byteLength;
    if (n > max) throw new CliInputError(`${what} is larger than ${max} bytes`);
    chunks.push(c);
  }
  return concatBytes(chunks);
}

/** One printable line. */
export function oneLine(s: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Map a failure to its exit code and print the one `tncjs: …` line. */
export function reportFailure(e: unknown, io: MeasurementCliIo, what: string): number {
  if (e instanceof CliInputError) {
    io.stderr(`tncjs: ${oneLine(e.message)}\n`);
    return MeasurementExitCode.INPUT;
  }
  if (isTncjsError(e)) {
    io.stderr(`tncjs: invalid ${what}: ${oneLine(e.message)}\n`);
    return MeasurementExitCode.INPUT;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.stderr(`tncjs: internal error: ${oneLine(msg)}\n`);
  return MeasurementExitCode.INTERNAL;
}

/** Parse `argv` into positional arguments and the flags/options named in `spec` (value options take the next word). */
export function parseArgv(
  argv: readonly string[],
  spec: { flags: readonly string[]; options: readonly string[] },
): { positional: string[]; flags: Set<string>; options: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (spec.flags.includes(name)) {
        if (eq > 0) throw new CliInputError(`option ${name} takes no value`);
        flags.add(name);
      } else if (spec.options.includes(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new CliInputError(`option ${name} needs a value`);
        options.set(name, v);
      } else throw new CliInputError(`unknown option '${a}'`);
    } else positional.push(a);
  }
  return { positional, flags, options };
}

const PLAIN = /^[A-Za-z0-9_./\\:@()+,=-][A-Za-z0-9_./\\:@()+,= -]*$/;

function scalar(v: unknown): string {
  if (typeof v === 'string') return PLAIN.test(v) && !/[ ]$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

/** Render a JSON-friendly value as indented YAML-like lines (the shape tpm2_eventlog prints). */
export function renderYamlish(v: unknown, indent: string, out: string[], maxHex = 128): void {
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`${indent}[]`);
      return;
    }
    for (const item of v) {
      if (item && typeof item === 'object') {
        const sub: string[] = [];
        renderYamlish(item, indent + '  ', sub, maxHex);
        if (sub.length) sub[0] = `${indent}- ${sub[0].slice(indent.length + 2)}`;
        out.push(...sub);
      } else out.push(`${indent}- ${scalar(item)}`);
    }
    return;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x && typeof x === 'object' && (!Array.isArray(x) || x.length > 0)) {
        out.push(`${indent}${k}:`);
        renderYamlish(x, indent + '  ', out, maxHex);
      } else {
        let s = Array.isArray(x) ? '[]' : scalar(x);
        if (typeof x === 'string' && /^[0-9a-f]+$/.test(x) && x.length > maxHex * 2) s = `${x.slice(0, maxHex * 2)}… (${x.length / 2} bytes)`;
        out.push(`${indent}${k}: ${s}`);
      }
    }
    return;
  }
  out.push(`${indent}${scalar(v)}`);
}
