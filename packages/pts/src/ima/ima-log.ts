/**
 * IMA binary measurement list: layout detection, incremental framing and iteration.
 *
 * The template-digest length is the list's bank: 20 bytes in `binary_runtime_measurements` (SHA-1), or 20/32/48/64 in
 * the per-bank lists of kernel 6.10+ (`binary_runtime_measurements_sha256`, …). It is detected from the first entry
 * (the only length at which the template name that follows is plausible) unless the caller names the algorithm. The
 * byte order is detected from the first PCR index (little-endian unless that reads as a PCR only big-endian).
 *
 * Entries are views into the input. The push parser holds at most one incomplete entry (bounded by
 * `maxTemplateDataSize`), so a list of any length streams in bounded memory.
 */
import { getLogger, Logger } from '@tncjs/common';
import { hashAlgorithmByName, type HashAlgorithm } from '../eventlog/algorithms.js';
import type { LogWarning } from '../eventlog/errors.js';
import { ImaLogError } from './errors.js';
import type { PcrBanks } from '../eventlog/replay.js';
import { ImaReplayer, type ImaReplayOptions } from './replay.js';
import { decodeImaEntry, MAX_IMA_PCR, MAX_TEMPLATE_NAME_LENGTH, measureImaEntry, type ImaEntry, type ImaFramingLimits } from './ima-entry.js';

/** Default limit for one entry's template data (1 MiB: ima-buf entries carry keys and policy hashes, far smaller). */
export const DEFAULT_MAX_TEMPLATE_DATA_SIZE = 1024 * 1024;

export interface ImaLogOptions {
  /**
   * Algorithm of the template digests (`sha1`, `sha256`, `sm3_256`, …). Default: detected from the digest length
   * (20 → sha1, 32 → sha256, 48 → sha384, 64 → sha512). Name it for a 32-byte SM3 or SHA3 list.
   */
  templateHashAlgorithm?: string;
  /** Byte order of the list (default `auto`: from the first PCR index). */
  byteOrder?: 'auto' | 'le' | 'be';
  /** A list cut off inside an entry is an error (`ERR_TRUNCATED`) instead of a warning (default false). */
  strict?: boolean;
  /** Largest template data accepted (default 1 MiB); larger lengths fail at once with `ERR_LENGTH`. */
  maxTemplateDataSize?: number;
  /** Where warnings are logged (subsystem PTS, level 1); default: the process-wide logger. */
  logger?: Logger;
  onWarning?: (w: LogWarning) => void;
}

const BY_SIZE: Record<number, string> = { 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };
const CANDIDATE_SIZES = [20, 32, 48, 64];

function u32(b: Uint8Array, at: number, be: boolean): number {
  return be
    ? ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0
    : (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function printable(b: Uint8Array, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[at + i] <= 0x20 || b[at + i] >= 0x7f) return false;
  return true;
}

/**
 * Push parser for an IMA binary measurement list: `push`/`feed` chunks, then `end`.
 * @example
 * const p = new ImaLogParser();
 * for await (const chunk of createReadStream(path)) for (const e of p.feed(chunk)) handle(e);
 * p.end();
 */
export class ImaLogParser {
  /** Template-digest algorithm (known once the first entry is framed, or from the options). */
  algorithm: HashAlgorithm | undefined;
  /** True for a big-endian list. */
  bigEndian: boolean | undefined;
  readonly warnings: LogWarning[] = [];

  private readonly limits: ImaFramingLimits;
  private readonly strict: boolean;
  private readonly logger: Logger;
  private readonly onWarning?: (w: LogWarning) => void;
  private readonly byteOrder: 'auto' | 'le' | 'be';
  private index = 0;
  private offset = 0;
  private pending: Uint8Array = new Uint8Array(0);
  private ended = false;

  /** @throws RangeError / TypeError for an unknown algorithm or an invalid limit */
  constructor(options: ImaLogOptions = {}) {
    const max = options.maxTemplateDataSize ?? DEFAULT_MAX_TEMPLATE_DATA_SIZE;
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`maxTemplateDataSize must be a non-negative integer: ${max}`);
    this.limits = { maxTemplateDataSize: max };
    this.strict = options.strict ?? false;
    this.logger = options.logger ?? getLogger();
    this.onWarning = options.onWarning;
    this.byteOrder = options.byteOrder ?? 'auto';
    if (this.byteOrder !== 'auto') this.bigEndian = this.byteOrder === 'be';
    if (options.templateHashAlgorithm !== undefined) {
      const alg = hashAlgorithmByName(options.templateHashAlgorithm);
      if (!alg) throw new TypeError(`unknown template hash algorithm '${options.templateHashAlgorithm}'`);
      this.algorithm = alg;
    }
  }

  /** Number of entries framed so far. */
  get count(): number {
    return this.index;
  }

  /** Bytes consumed into complete entries so far. */
  get consumed(): number {
    return this.offset;
  }

  push(chunk: Uint8Array): ImaEntry[] {
    return Array.from(this.feed(chunk));
  }

  /** Yield the entries completed by `chunk`, one at a time (run the generator to completion before the next call). */
  *feed(chunk: Uint8Array): Generator<ImaEntry, void, undefined> {
    if (this.ended) throw new RangeError('feed() after end()');
    if (chunk.byteLength === 0) return;
    let buf: Uint8Array;
    if (this.pending.byteLength === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.pending.byteLength + chunk.byteLength);
      buf.set(this.pending);
      buf.set(chunk, this.pending.byteLength);
    }
    this.pending = new Uint8Array(0);
    const base = this.offset;
    let at = 0;
    try {
      for (;;) {
        if (!this.detect(buf, at, base, false)) break;
        const size = measureImaEntry(buf, at, base, this.index, this.algorithm!.size, this.bigEndian!, this.limits);
        if (size < 0) break;
        const e = decodeImaEntry(buf, at, size, this.index, base + at, this.algorithm!.size, this.bigEndian!);
        this.index++;
        at += size;
        this.offset = base + at;
        yield e;
      }
    } finally {
      this.pending = at === buf.byteLength ? new Uint8Array(0) : buf.slice(at);
    }
  }

  /**
   * End of input: a partial entry left over is a warning (`ERR_TRUNCATED` in strict mode); zero bytes after the last
   * entry are padding (a warning).
   * @throws ImaLogError in strict mode, and when a non-empty list has not one complete entry
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const rest = this.pending;
    if (rest.byteLength === 0) return;
    let zero = true;
    for (let i = 0; i < rest.length; i++) if (rest[i] !== 0) zero = false;
    if (this.index === 0 && !zero) {
      this.detect(rest, 0, this.offset, true);
      throw new ImaLogError(`list ends inside its first entry (${rest.byteLength} bytes)`, this.offset, 0, 'ERR_TRUNCATED');
    }
    if (this.strict && !zero) {
      throw new ImaLogError(`list ends inside the entry (${rest.byteLength} bytes left)`, this.offset, this.index, 'ERR_TRUNCATED');
    }
    const message = zero
      ? `${rest.byteLength} bytes of zero padding after the last entry ignored`
      : `entry ${this.index} is cut off: ${rest.byteLength} trailing bytes ignored`;
    const w = { offset: this.offset, entry: this.index, message };
    this.warnings.push(w);
    this.logger.log('PTS', 1, `IMA measurement list: ${message} at offset ${this.offset}`);
    this.onWarning?.(w);
  }

  /**
   * Settle byte order and digest size from the first entry. Returns false when more bytes are needed (`final`: there
   * are none, which is an error).
   */
  private detect(b: Uint8Array, at: number, base: number, final: boolean): boolean {
    if (this.algorithm && this.bigEndian !== undefined) return true;
    const avail = b.length - at;
    if (this.bigEndian === undefined) {
      if (avail < 4) return this.needMore(final, base + at);
      const le = u32(b, at, false);
      const be = u32(b, at, true);
      if (le <= MAX_IMA_PCR) this.bigEndian = false;
      else if (be <= MAX_IMA_PCR) this.bigEndian = true;
      else throw new ImaLogError(`invalid PCR index ${le}`, base + at, this.index, 'ERR_FIELD');
    }
    if (this.algorithm) return true;
    for (const n of CANDIDATE_SIZES) {
      if (avail < 4 + n + 4) return this.needMore(final, base + at);
      const nameLen = u32(b, at + 4 + n, this.bigEndian);
      if (nameLen === 0 || nameLen > MAX_TEMPLATE_NAME_LENGTH) continue;
      if (avail < 8 + n + nameLen) return this.needMore(final, base + at);
      if (!printable(b, at + 8 + n, nameLen)) continue;
      this.algorithm = hashAlgorithmByName(BY_SIZE[n])!;
      return true;
    }
    throw new ImaLogError('cannot determine the template digest size (no plausible template name after 20, 32, 48 or 64 bytes)', base + at + 4, this.index, 'ERR_FIELD');
  }

  private needMore(final: boolean, offset: number): boolean {
    if (final) throw new ImaLogError('list ends inside its first entry', offset, 0, 'ERR_TRUNCATED');
    return false;
  }
}

/**
 * Iterate the entries of a whole list in memory (zero-copy).
 * @throws ImaLogError on malformed input (while iterating)
 */
export function* iterateImaLog(bytes: Uint8Array, options: ImaLogOptions = {}): Generator<ImaEntry, ImaLogParser, undefined> {
  const p = new ImaLogParser(options);
  yield* p.feed(bytes);
  p.end();
  return p;
}

/**
 * Stream the entries of a list from chunks (e.g. `fs.createReadStream`): memory stays bounded by one entry.
 * @throws ImaLogError on malformed input
 */
export async function* streamImaLog(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ImaLogOptions = {},
): AsyncGenerator<ImaEntry, ImaLogParser, undefined> {
  const p = new ImaLogParser(options);
  for await (const chunk of source) yield* p.feed(chunk);
  p.end();
  return p;
}

/**
 * An IMA binary measurement list in memory; iterating parses lazily, so a large list is never held twice.
 * @example
 * const list = new ImaLog(bytes);
 * for (const e of list) console.log(e.pcrIndex, e.templateName);
 * list.replay({ banks: ['sha256'] }); // { sha256: { 10: '…' } }
 */
export class ImaLog implements Iterable<ImaEntry> {
  /** Template-digest algorithm of the list (undefined for an empty list). */
  readonly algorithm: HashAlgorithm | undefined;
  readonly bigEndian: boolean;
  private lastWarnings: LogWarning[] = [];
  private readonly options: ImaLogOptions;

  /** @throws ImaLogError when the first entry (and with it the layout) cannot be decoded */
  constructor(
    readonly bytes: Uint8Array,
    options: ImaLogOptions = {},
  ) {
    const p = new ImaLogParser({ ...options, logger: Logger.silent, onWarning: undefined });
    const it = p.feed(bytes);
    const first = it.next();
    it.return();
    if (first.done && bytes.length) p.end();
    this.algorithm = p.algorithm;
    this.bigEndian = p.bigEndian ?? false;
    // Later iterations reuse what was detected (a named algorithm is kept as given).
    this.options = { ...options, templateHashAlgorithm: options.templateHashAlgorithm ?? p.algorithm?.name, byteOrder: this.bigEndian ? 'be' : 'le' };
  }

  get warnings(): readonly LogWarning[] {
    return this.lastWarnings;
  }

  *[Symbol.iterator](): Iterator<ImaEntry> {
    const p = yield* iterateImaLog(this.bytes, this.options);
    this.lastWarnings = p.warnings.slice();
  }

  entries(): ImaEntry[] {
    return Array.from(this);
  }

  /**
   * Replay the PCRs the list extends (normally 10) in `banks` (default: the list's own bank).
   * @example list.replay({ banks: ['sha1', 'sha256'] }) // { sha1: { 10: '…' }, sha256: { 10: '…' } }
   */
  replay(options: ImaReplayOptions = {}): PcrBanks {
    if (!this.algorithm) return Object.fromEntries((options.banks ?? []).map((b) => [b, {}]));
    const r = new ImaReplayer(this.algorithm, options);
    for (const e of this) r.add(e);
    return r.values();
  }
}
