/** IKEv2 message fragmentation (RFC 7383): splitting a sealed message into SKF fragments and reassembling them. */
import { concatBytes } from '@tncjs/common';
import { IKE_HEADER_SIZE } from './constants.js';
import { IkeDecodeError } from './errors.js';
import type { IkeMessage } from './message.js';
import type { EncryptedFragmentPayload } from './payloads/index.js';
import { openMessage, sealMessage, type SkContext } from './crypto/encrypted-payload.js';

/** Most fragments we reassemble for one message. */
export const MAX_FRAGMENTS = 128;
/** strongSwan's default fragment size for IPv4 (whole IP datagram). */
export const DEFAULT_FRAGMENT_SIZE = 1280;

/**
 * Seal `inner` as one SK message, or as SKF fragments when the IP datagram would exceed `limit` bytes
 * (20 IP + 8 UDP + 4 non-ESP marker on port 4500 counted).
 */
export function sealMaybeFragmented(
  header: Omit<IkeMessage, 'payloads'>, inner: Uint8Array, innerType: number, ctx: SkContext,
  options: { fragment: boolean; limit: number; natt: boolean },
): Uint8Array[] {
  const whole = sealMessage(header, inner, innerType, ctx);
  const overhead = 20 + 8 + (options.natt ? 4 : 0);
  if (!options.fragment || whole.byteLength + overhead <= options.limit) return [whole];
  const icv = ctx.encr.aead ? ctx.encr.icvSize : ctx.integ!.icvSize;
  const room = options.limit - overhead - IKE_HEADER_SIZE - 8 - ctx.encr.ivSize - icv;
  const chunk = Math.floor(room / ctx.encr.blockSize) * ctx.encr.blockSize - 1;
  if (chunk < 16) throw new RangeError(`fragment size ${options.limit} too small`);
  const total = Math.ceil(inner.byteLength / chunk);
  const out: Uint8Array[] = [];
  for (let n = 0; n < total; n++) {
    out.push(sealMessage(header, inner.subarray(n * chunk, (n + 1) * chunk), n === 0 ? innerType : 0, ctx, { number: n + 1, total }));
  }
  return out;
}

/** Collects verified fragments per message ID; returns the inner payload chain once complete. */
export class FragmentReassembler {
  private readonly pending = new Map<number, { total: number; parts: Map<number, Uint8Array>; firstType: number }>();

  /**
   * Verify and store one fragment (whole datagram `raw`, decoded SKF `f`).
   * @returns the reassembled inner bytes and first payload type, or undefined while fragments are missing
   * @throws IkeError (integrity) / IkeDecodeError (inconsistent fragment counts)
   */
  add(messageId: number, raw: Uint8Array, f: EncryptedFragmentPayload, ctx: SkContext): { inner: Uint8Array; firstType: number } | undefined {
    if (f.totalFragments > MAX_FRAGMENTS) throw new IkeDecodeError(`too many fragments (${f.totalFragments})`, IKE_HEADER_SIZE + 6, { code: 'ERR_LIMIT' });
    const plain = openMessage(raw, f.data, true, ctx);
    let entry = this.pending.get(messageId);
    if (!entry) {
      entry = { total: f.totalFragments, parts: new Map(), firstType: 0 };
      this.pending.set(messageId, entry);
    }
    if (entry.total !== f.totalFragments) throw new IkeDecodeError('fragment count changed', IKE_HEADER_SIZE + 6);
    if (!entry.parts.has(f.fragmentNumber)) entry.parts.set(f.fragmentNumber, plain.slice());
    if (f.fragmentNumber === 1) entry.firstType = f.innerType;
    if (entry.parts.size < entry.total) return undefined;
    this.pending.delete(messageId);
    const ordered = Array.from({ length: entry.total }, (_, i) => entry!.parts.get(i + 1)!);
    return { inner: concatBytes(ordered), firstType: entry.firstType };
  }

  /** Forget fragments of older messages. */
  clearBelow(messageId: number): void {
    for (const id of this.pending.keys()) if (id < messageId) this.pending.delete(id);
  }
}
