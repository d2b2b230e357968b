/**
 * TCG_PCR_EVENT (PFP §10.2.1; TPM 1.2 "SHA-1 format"): pcrIndex u32 LE, eventType u32 LE, digest[20] (SHA-1),
 * eventSize u32 LE, event[eventSize]. Every event of a SHA-1-format log, and the Spec ID event that starts a
 * crypto-agile log, has this layout.
 */
import { algorithmName, TpmAlg } from './algorithms.js';
import { EventLogError } from './errors.js';
import { u32le } from './le-reader.js';

/** One digest of an event: the bank's algorithm and the value extended into it. */
export interface TcgDigest {
  /** TPM_ALG_ID. */
  algorithmId: number;
  /** Bank name: `sha1`, `sha256`, `sm3_256`, … */
  algorithm: string;
  /** The digest (a view into the log bytes). */
  digest: Uint8Array;
}

/** One event of a TCG event log, in either structure. Byte fields are views into the log (zero-copy). */
export interface TcgEvent {
  /** Position in the log, 0-based (the Spec ID event of a crypto-agile log is event 0). */
  index: number;
  /** Byte offset of the event in the log. */
  offset: number;
  /** Total size of the event structure in bytes. */
  size: number;
  /** `TCG_PCR_EVENT` (SHA-1 format) or `TCG_PCR_EVENT2` (crypto-agile). */
  structure: 'TCG_PCR_EVENT' | 'TCG_PCR_EVENT2';
  /** PCR index; 0xFFFFFFFF for Windows' non-extended (SIPA) events. */
  pcrIndex: number;
  /** Event type (see `EventType`). */
  eventType: number;
  digests: TcgDigest[];
  /** The event data (a view into the log bytes). */
  data: Uint8Array;
}

/** Fixed part of TCG_PCR_EVENT: pcrIndex, eventType, digest[20], eventSize. */
export const TCG_PCR_EVENT_HEADER_SIZE = 32;

/** PCR index of events that are logged but never extended (Windows' SIPA "Windows AIK" events). */
export const PCR_INDEX_NOT_EXTENDED = 0xffffffff;

/** Highest PCR index accepted (TPM 2.0 platforms implement 24; the TSS caps at 32). */
export const MAX_PCR_INDEX = 31;

/** Limits applied while framing events. */
export interface FramingLimits {
  /** Largest eventSize accepted; larger ones fail at once, before anything is buffered or allocated. */
  maxEventSize: number;
}

/** Check a PCR index read at `at`. */
export function checkPcrIndex(pcr: number, at: number, index: number): void {
  if (pcr > MAX_PCR_INDEX && pcr !== PCR_INDEX_NOT_EXTENDED) {
    throw new EventLogError(`invalid PCR index ${pcr} (0x${pcr.toString(16)})`, at, index, 'ERR_FIELD');
  }
}

/** Check an eventSize read at `at` against the limit. */
export function checkEventSize(size: number, at: number, index: number, limits: FramingLimits): void {
  if (size > limits.maxEventSize) {
    throw new EventLogError(`eventSize ${size} exceeds the limit of ${limits.maxEventSize} bytes`, at, index, 'ERR_LENGTH');
  }
}

/**
 * Size of the TCG_PCR_EVENT at `at` in `b`, or -1 when `b` ends before the size can be known or before the event ends.
 * `base` is the log offset of `b[0]` (for error offsets).
 * @throws EventLogError for an invalid PCR index or an eventSize above the limit (checked as soon as read)
 */
export function measurePcrEvent(b: Uint8Array, at: number, base: number, index: number, limits: FramingLimits): number {
  if (b.length - at < TCG_PCR_EVENT_HEADER_SIZE) {
    if (b.length - at >= 4) checkPcrIndex(u32le(b, at), base + at, index);
    return -1;
  }
  checkPcrIndex(u32le(b, at), base + at, index);
  const eventSize = u32le(b, at + 28);
  checkEventSize(eventSize, base + at + 28, index, limits);
  const total = TCG_PCR_EVENT_HEADER_SIZE + eventSize;
  return b.length - at < total ? -1 : total;
}

/** Decode the TCG_PCR_EVENT of `size` bytes (from `measurePcrEvent`) at `at`; `offset` is its offset in the log. */
export function decodePcrEvent(b: Uint8Array, at: number, size: number, index: number, offset: number): TcgEvent {
  return {
    index,
    offset,
    size,
    structure: 'TCG_PCR_EVENT',
    pcrIndex: u32le(b, at),
    eventType: u32le(b, at + 4),
    digests: [{ algorithmId: TpmAlg.SHA1, algorithm: algorithmName(TpmAlg.SHA1), digest: b.subarray(at + 8, at + 28) }],
    data: b.subarray(at + TCG_PCR_EVENT_HEADER_SIZE, at + size),
  };
}
