/**
 * TCG_PCR_EVENT2 (PFP §10.2.2; crypto-agile format): pcrIndex u32 LE, eventType u32 LE, digests (TPML_DIGEST_VALUES:
 * count u32 LE, then count × (hashAlg u16 LE, digest of that algorithm's size)), eventSize u32 LE, event[eventSize].
 *
 * The digest sizes come from the Spec ID event, never from tncjs' own algorithm table: a log may carry banks tncjs
 * does not know, and their digests must still be skipped correctly.
 */
import { algorithmName } from './algorithms.js';
import { EventLogError } from './errors.js';
import { u16le, u32le } from './le-reader.js';
import { checkEventSize, checkPcrIndex, type FramingLimits, type TcgDigest, type TcgEvent } from './tcg-pcr-event.js';

/** Digest sizes by TPM_ALG_ID, from the Spec ID event. */
export type DigestSizes = ReadonlyMap<number, number>;

/**
 * Size of the TCG_PCR_EVENT2 at `at` in `b`, or -1 when `b` ends before it does. `base` is the log offset of `b[0]`.
 * @throws EventLogError for an invalid PCR index, more digests than the Spec ID event declares banks, an algorithm the
 *   Spec ID event does not declare, the same algorithm twice, or an eventSize above the limit
 */
export function measurePcrEvent2(
  b: Uint8Array,
  at: number,
  base: number,
  index: number,
  sizes: DigestSizes,
  limits: FramingLimits,
): number {
  const avail = b.length - at;
  if (avail < 4) return -1;
  checkPcrIndex(u32le(b, at), base + at, index);
  if (avail < 12) return -1;
  const count = u32le(b, at + 8);
  if (count > sizes.size) {
    throw new EventLogError(`digest count ${count} exceeds the ${sizes.size} banks of the Spec ID event`, base + at + 8, index, 'ERR_FIELD');
  }
  let pos = 12;
  const seen: number[] = [];
  for (let i = 0; i < count; i++) {
    if (avail < pos + 2) return -1;
    const alg = u16le(b, at + pos);
    const size = sizes.get(alg);
    if (size === undefined) {
      throw new EventLogError(`digest algorithm ${algorithmName(alg)} is not declared in the Spec ID event`, base + at + pos, index, 'ERR_FIELD');
    }
    if (seen.includes(alg)) {
      throw new EventLogError(`two ${algorithmName(alg)} digests in one event`, base + at + pos, index, 'ERR_FIELD');
    }
    seen.push(alg);
    pos += 2 + size;
  }
  if (avail < pos + 4) return -1;
  const eventSize = u32le(b, at + pos);
  checkEventSize(eventSize, base + at + pos, index, limits);
  const total = pos + 4 + eventSize;
  return avail < total ? -1 : total;
}

/** Decode the TCG_PCR_EVENT2 of `size` bytes (from `measurePcrEvent2`) at `at`; `offset` is its offset in the log. */
export function decodePcrEvent2(
  b: Uint8Array,
  at: number,
  size: number,
  index: number,
  offset: number,
  sizes: DigestSizes,
): TcgEvent {
  const count = u32le(b, at + 8);
  const digests: TcgDigest[] = new Array(count);
  let pos = at + 12;
  for (let i = 0; i < count; i++) {
    const algorithmId = u16le(b, pos);
    const n = sizes.get(algorithmId)!;
    digests[i] = { algorithmId, algorithm: algorithmName(algorithmId), digest: b.subarray(pos + 2, pos + 2 + n) };
    pos += 2 + n;
  }
  const eventSize = u32le(b, pos);
  return {
    index,
    offset,
    size,
    structure: 'TCG_PCR_EVENT2',
    pcrIndex: u32le(b, at),
    eventType: u32le(b, at + 4),
    digests,
    data: b.subarray(pos + 4, pos + 4 + eventSize),
  };
}
