/**
 * TCG firmware event log (`/sys/kernel/security/tpm0/binary_bios_measurements`): format detection, incremental
 * framing and iteration.
 *
 * The first event is always a TCG_PCR_EVENT. When it is an EV_NO_ACTION event on PCR 0 whose data starts with
 * `Spec ID Event03\0`, the log is crypto-agile and every further event is a TCG_PCR_EVENT2 with the digest sizes that
 * Spec ID event declares; otherwise the whole log is in SHA-1 format (TPM 1.2 firmware, and some TPM 2.0 firmware such
 * as older GCE vTPMs). An EV_NO_ACTION event too short to hold the signature (a lone StartupLocality event) is an
 * ordinary SHA-1-format event.
 *
 * Events are views into the input (zero-copy): iterating a log never holds it twice. The push parser holds at most one
 * incomplete event (bounded by `maxEventSize`), so a log of any size can be streamed from a file.
 */
import { getLogger, Logger } from '@tncjs/common';
import { EventLogError, wrapDecodeError, type LogWarning } from './errors.js';
import { EventType } from './event-types.js';
import { decodeSpecIdEvent, isLegacySpecIdEvent, isSpecIdEvent03, specIdEventStructLength, type SpecIdEvent } from './spec-id-event.js';
import { decodePcrEvent, measurePcrEvent, TCG_PCR_EVENT_HEADER_SIZE, type FramingLimits, type TcgEvent } from './tcg-pcr-event.js';
import { decodePcrEvent2, measurePcrEvent2 } from './tcg-pcr-event2.js';
import { EventLogReplayer, type PcrBanks, type ReplayOptions } from './replay.js';

/** `sha1`: every event is a TCG_PCR_EVENT; `crypto-agile`: a Spec ID event, then TCG_PCR_EVENT2 events. */
export type EventLogFormat = 'sha1' | 'crypto-agile';

/** Default limit for one event's data (1 MiB: far above any firmware event; db/dbx and SIPA events stay under 64 KiB). */
export const DEFAULT_MAX_EVENT_SIZE = 1024 * 1024;

export interface EventLogOptions {
  /**
   * Treat a log that ends in the middle of an event as an error (`ERR_TRUNCATED`) instead of a warning. Zero padding
   * after the last event is always only a warning. Default false.
   */
  strict?: boolean;
  /** Largest event data accepted (default `DEFAULT_MAX_EVENT_SIZE`); larger sizes fail fast with `ERR_LENGTH`. */
  maxEventSize?: number;
  /** Where warnings are logged (subsystem PTS, level 1); default: the process-wide logger. */
  logger?: Logger;
  /** Called with each warning as it is found (they are also collected in `warnings`). */
  onWarning?: (w: LogWarning) => void;
}

const SPEC_ID_DATA_OFFSET = TCG_PCR_EVENT_HEADER_SIZE;

function allBytes(b: Uint8Array, v: number): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== v) return false;
  return true;
}

/**
 * Push parser for a TCG event log: feed chunks with `push`, then call `end`. Both return the events completed so far.
 * @example
 * const p = new EventLogParser();
 * for await (const chunk of createReadStream(path)) for (const ev of p.push(chunk)) handle(ev);
 * for (const ev of p.end()) handle(ev);
 */
export class EventLogParser {
  /** Detected once the first event is complete. */
  format: EventLogFormat | undefined;
  /** The Spec ID event (crypto-agile logs; legacy `Spec ID Event00/02` in SHA-1 logs that have one). */
  specId: SpecIdEvent | undefined;
  /** Everything skipped or tolerated so far. */
  readonly warnings: LogWarning[] = [];

  private readonly limits: FramingLimits;
  private readonly strict: boolean;
  private readonly logger: Logger;
  private readonly onWarning?: (w: LogWarning) => void;
  private sizes = new Map<number, number>();
  private index = 0;
  /** Log offset of `pending[0]` (= of the next event). */
  private offset = 0;
  private pending: Uint8Array = new Uint8Array(0);
  /** All-zero events held back: zero padding if nothing else follows (count, first index and offset, size each). */
  private zeroRun: { count: number; index: number; offset: number; size: number } | undefined;
  private ended = false;

  constructor(options: EventLogOptions = {}) {
    const max = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`maxEventSize must be a non-negative integer: ${max}`);
    this.limits = { maxEventSize: max };
    this.strict = options.strict ?? false;
    this.logger = options.logger ?? getLogger();
    this.onWarning = options.onWarning;
  }

  /** Digest sizes by TPM_ALG_ID from the Spec ID event (empty for SHA-1-format logs). */
  get digestSizes(): ReadonlyMap<number, number> {
    return this.sizes;
  }

  /** Bytes consumed into complete events so far. */
  get consumed(): number {
    return this.offset;
  }

  /**
   * Add the next chunk of the log.
   * @returns the events completed by this chunk (views into `chunk` or into a copy of a held-back partial event)
   * @throws EventLogError on malformed input
   */
  push(chunk: Uint8Array): TcgEvent[] {
    return Array.from(this.feed(chunk));
  }

  /**
   * Like `push`, but yields the events one at a time as they are framed (nothing is collected). The generator must
   * be run to completion before the next `feed`/`push`/`end`.
   */
  *feed(chunk: Uint8Array): Generator<TcgEvent, void, undefined> {
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
        const ev = this.next(buf, at, base);
        if (!ev) break;
        at += ev.size;
        this.offset = base + at;
        if (ev.index > 0 && ev.pcrIndex === 0 && ev.eventType === EventType.EV_PREBOOT_CERT && allBytes(buf.subarray(at - ev.size, at), 0)) {
          if (this.zeroRun) this.zeroRun.count++;
          else this.zeroRun = { count: 1, index: ev.index, offset: ev.offset, size: ev.size };
          continue;
        }
        if (this.zeroRun) yield* this.flushZeroRun();
        yield ev;
      }
    } finally {
      // Keep only the incomplete tail, as a copy (the chunk stays alive only through the events' views).
      this.pending = at === buf.byteLength ? new Uint8Array(0) : buf.slice(at);
    }
  }

  /**
   * End of input. A partial event left over is a warning (or `ERR_TRUNCATED` in strict mode); trailing all-zero
   * events and bytes are dropped as padding with a warning.
   * @throws EventLogError for an empty log or one without a single complete event
   */
  end(): TcgEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const out: TcgEvent[] = [];
    const rest = this.pending;
    if (this.format === undefined) {
      if (rest.byteLength === 0) throw new EventLogError('empty event log', 0, 0, 'ERR_EMPTY');
      throw new EventLogError(`log ends inside its first event (${rest.byteLength} bytes)`, rest.byteLength, 0, 'ERR_TRUNCATED');
    }
    if (this.zeroRun) {
      const z = this.zeroRun;
      this.zeroRun = undefined;
      this.warn(z.offset, z.index, `${z.count * z.size + rest.byteLength} bytes of zero padding after the last event ignored`);
      if (rest.byteLength && !allBytes(rest, 0)) this.tail(rest, this.offset, this.index);
      return out;
    }
    if (rest.byteLength) this.tail(rest, this.offset, this.index);
    return out;
  }

  private tail(rest: Uint8Array, offset: number, index: number): void {
    if (allBytes(rest, 0) || allBytes(rest, 0xff)) {
      this.warn(offset, index, `${rest.byteLength} bytes of padding after the last event ignored`);
      return;
    }
    if (this.strict) {
      throw new EventLogError(`log ends inside the event (${rest.byteLength} bytes left)`, offset, index, 'ERR_TRUNCATED');
    }
    this.warn(offset, index, `event ${index} is cut off: ${rest.byteLength} trailing bytes ignored`);
  }

  private warn(offset: number, entry: number, message: string): void {
    const w = { offset, entry, message };
    this.warnings.push(w);
    this.logger.log('PTS', 1, `event log: ${message} at offset ${offset}`);
    this.onWarning?.(w);
  }

  private *flushZeroRun(): Generator<TcgEvent, void, undefined> {
    const z = this.zeroRun;
    if (!z) return;
    this.zeroRun = undefined;
    const zeros = new Uint8Array(z.size);
    for (let i = 0; i < z.count; i++) {
      const index = z.index + i;
      const offset = z.offset + i * z.size;
      yield this.format === 'crypto-agile' ? decodePcrEvent2(zeros, 0, z.size, index, offset, this.sizes) : decodePcrEvent(zeros, 0, z.size, index, offset);
    }
  }

  /** The event at `b[at]` (`base` = log offset of `b[0]`), or undefined when more bytes are needed. */
  private next(b: Uint8Array, at: number, base: number): TcgEvent | undefined {
    const index = this.index;
    if (this.format === undefined) {
      let size = measurePcrEvent(b, at, base, index, this.limits);
      if (size < 0) return undefined;
      let ev = decodePcrEvent(b, at, size, index, base + at);
      const dataAt = base + at + SPEC_ID_DATA_OFFSET;
      if (ev.eventType === EventType.EV_NO_ACTION && ev.pcrIndex === 0 && isSpecIdEvent03(ev.data)) {
        const structLen = specIdEventStructLength(b.subarray(at + SPEC_ID_DATA_OFFSET), ev.data.length);
        if (structLen > ev.data.length) {
          // vendorInfo runs past eventSize: take the structure's own length, as tpm2-tools does, if the bytes are there.
          if (b.length - at < SPEC_ID_DATA_OFFSET + structLen) return undefined;
          this.warn(dataAt, 0, `Spec ID event's vendorInfo runs ${structLen - ev.data.length} bytes past its eventSize ${ev.data.length}: the structure's length is used`);
          size = SPEC_ID_DATA_OFFSET + structLen;
          ev = { ...ev, size, data: b.subarray(at + SPEC_ID_DATA_OFFSET, at + size) };
        }
        this.specId = this.decodeSpecId(ev.data, dataAt);
        this.format = 'crypto-agile';
        for (const a of this.specId.algorithms) this.sizes.set(a.algorithmId, a.digestSize);
      } else {
        this.format = 'sha1';
        if (ev.eventType === EventType.EV_NO_ACTION && isLegacySpecIdEvent(ev.data)) this.specId = this.decodeSpecId(ev.data, dataAt);
      }
      this.index++;
      return ev;
    }
    if (this.format === 'sha1') {
      const size = measurePcrEvent(b, at, base, index, this.limits);
      if (size < 0) return undefined;
      this.index++;
      return decodePcrEvent(b, at, size, index, base + at);
    }
    const size = measurePcrEvent2(b, at, base, index, this.sizes, this.limits);
    if (size < 0) return undefined;
    this.index++;
    return decodePcrEvent2(b, at, size, index, base + at, this.sizes);
  }

  private decodeSpecId(data: Uint8Array, at: number): SpecIdEvent {
    try {
      return decodeSpecIdEvent(data, at);
    } catch (e) {
      throw wrapDecodeError(e, (reason, offset) => new EventLogError(`malformed Spec ID event: ${reason}`, offset, 0, 'ERR_SPEC_ID', { cause: e }));
    }
  }
}

/**
 * Iterate the events of a whole log held in memory (zero-copy; the log is not copied). Warnings go to
 * `options.onWarning` / the logger.
 * @throws EventLogError on malformed input (while iterating)
 */
export function* iterateEventLog(bytes: Uint8Array, options: EventLogOptions = {}): Generator<TcgEvent, EventLogParser, undefined> {
  const p = new EventLogParser(options);
  yield* p.feed(bytes);
  yield* p.end();
  return p;
}

/**
 * Stream the events of a log from chunks (a `fs.createReadStream`, a socket): memory stays bounded by one event.
 * @example for await (const ev of streamEventLog(createReadStream('/sys/kernel/security/tpm0/binary_bios_measurements'))) …
 * @throws EventLogError on malformed input
 */
export async function* streamEventLog(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: EventLogOptions = {},
): AsyncGenerator<TcgEvent, EventLogParser, undefined> {
  const p = new EventLogParser(options);
  for await (const chunk of source) yield* p.feed(chunk);
  yield* p.end();
  return p;
}

/**
 * A TCG event log in memory. Iterating it parses lazily (each iteration parses again; nothing is cached but the
 * header), so a large log is never held twice.
 * @example
 * const log = new TcgEventLog(bytes);
 * for (const ev of log) console.log(ev.pcrIndex, eventTypeName(ev.eventType));
 * const pcrs = log.replay(); // { sha1: { 0: '…' }, sha256: { … } }
 */
export class TcgEventLog implements Iterable<TcgEvent> {
  readonly format: EventLogFormat;
  readonly specId: SpecIdEvent | undefined;
  private lastWarnings: LogWarning[] = [];

  /** @throws EventLogError when the first event (and with it the format) cannot be decoded */
  constructor(
    readonly bytes: Uint8Array,
    private readonly options: EventLogOptions = {},
  ) {
    const p = new EventLogParser({ ...options, logger: Logger.silent, onWarning: undefined });
    // Only the first event is needed for the header: the lazy feed stops after it.
    const it = p.feed(bytes);
    it.next();
    it.return();
    if (p.format === undefined) p.end();
    this.format = p.format!;
    this.specId = p.specId;
  }

  /** Warnings of the last complete iteration. */
  get warnings(): readonly LogWarning[] {
    return this.lastWarnings;
  }

  *[Symbol.iterator](): Iterator<TcgEvent> {
    const p = yield* iterateEventLog(this.bytes, this.options);
    this.lastWarnings = p.warnings.slice();
  }

  /** All events in an array (holds only views into `bytes`). */
  events(): TcgEvent[] {
    return Array.from(this);
  }

  /**
   * Replay the log to PCR values per bank: `{ sha1: { 0: '…', … }, sha256: { … } }` (see `EventLogReplayer`).
   * @throws EventLogError when an event past the first does not parse
   */
  replay(options: ReplayOptions = {}): PcrBanks {
    const r = new EventLogReplayer({ logger: options.logger ?? this.options.logger });
    for (const ev of this) r.add(ev);
    return r.values();
  }
}
