/**
 * A TCG IF-M segmentation contract (TCG Attribute Segmentation; strongSwan libimcv/seg): the limits agreed with one peer
 * for one PA message type, splitting oversize attributes into Attribute Segment Envelopes and reassembling received ones.
 *
 * Segment sizes follow strongSwan (pre-2022) so both sides interoperate: the first envelope carries the base attribute's
 * 12-byte header (Length = the full attribute) plus the first `maxSegmentSize − 12` value bytes; each Next Segment
 * Request is answered with up to `maxSegmentSize` further value bytes; flags START|MORE, MORE, then none.
 */
import { concatBytes, getLogger, Reader, readVendorTlv, type Logger } from '@tncjs/common';
import type { PaTncAttribute } from '../attribute.js';
import { ATTRIBUTE_HEADER_SIZE } from '../attribute.js';
import { PaTncDecodeError, PaTncErrorCode } from '../errors.js';
import type { AttributeRegistry } from '../registry.js';
import { AttributeSegmentEnvelope, NextSegmentRequest, SEG_NO_LIMIT, MaxAttributeSizeResponse, SEGMENT_ENVELOPE_HEADER_SIZE } from './segmentation.js';
import { encodeVendorTlv } from '@tncjs/common';

/** Bytes a responder keeps free for headers: PA-TNC header, attribute header, envelope header, attribute header, sizes. */
export const IMC_SEGMENT_OVERHEAD = 8 + 12 + 4 + 12 + 8;
/** strongSwan's IMV responder keeps less room (PA-TNC header, attribute header, envelope header). */
export const IMV_SEGMENT_OVERHEAD = 8 + 12 + 4;

/** How the seed's IMC answers a contract request: log lines and possibly lowered segment size. */
export function answerContractRequest(
  request: { maxAttributeSize: number; maxSegmentSize: number },
  me: { role: 'IMC' | 'IMV'; id: number; peerId: number; maxMessageSize: number; paType: string },
  log: Logger = getLogger(),
): { maxAttributeSize: number; maxSegmentSize: number } {
  const from = me.peerId === 0xffff ? '' : `from ${me.role === 'IMC' ? 'IMV' : 'IMC'} ${me.peerId} `;
  log.log(me.role, 2, `${me.role} ${me.id} received a segmentation contract request ${from}for PA message type ${me.paType}`);
  log.log(me.role, 2, `  ${describeLimits(request)}`);
  let maxSegmentSize = request.maxSegmentSize;
  const mine = me.maxMessageSize - (me.role === 'IMC' ? IMC_SEGMENT_OVERHEAD : IMV_SEGMENT_OVERHEAD);
  if (maxSegmentSize !== SEG_NO_LIMIT && maxSegmentSize > mine) {
    maxSegmentSize = mine;
    log.log(me.role, 2, `  lowered maximum segment size to ${maxSegmentSize} bytes`);
  }
  return { maxAttributeSize: request.maxAttributeSize, maxSegmentSize };
}

/** `maximum attribute size of 100000000 bytes with maximum segment size of 65446 bytes` */
export function describeLimits(l: { maxAttributeSize: number; maxSegmentSize: number }): string {
  const attr = l.maxAttributeSize === SEG_NO_LIMIT ? 'no attribute size limit' : `maximum attribute size of ${l.maxAttributeSize} bytes`;
  const seg = l.maxSegmentSize === SEG_NO_LIMIT ? 'no segmentation' : `maximum segment size of ${l.maxSegmentSize} bytes`;
  return `${attr} with ${seg}`;
}

/** The response attribute for `answerContractRequest`'s result. */
export function contractResponse(l: { maxAttributeSize: number; maxSegmentSize: number }) {
  return MaxAttributeSizeResponse.create(l);
}

interface Outgoing {
  data: Uint8Array;
  sent: number;
}

interface Incoming {
  header: { noskip: boolean; vendorId: number; typeId: number; length: number };
  chunks: Uint8Array[];
  received: number;
}

export class SegmentationContract {
  private nextBaseId = 0;
  private readonly outgoing = new Map<number, Outgoing>();
  private readonly incoming = new Map<number, Incoming>();
  private readonly log: Logger;

  constructor(
    public maxAttributeSize: number,
    public maxSegmentSize: number,
    private readonly registry: AttributeRegistry,
    logger?: Logger,
  ) {
    this.log = logger ?? getLogger();
  }

  /** A contract that never segments (both limits 0xffffffff). */
  get isNull(): boolean {
    return this.maxAttributeSize === SEG_NO_LIMIT && this.maxSegmentSize === SEG_NO_LIMIT;
  }

  /** Lower the segment size after the peer's response (never raise it). */
  lowerTo(maxSegmentSize: number): void {
    if (maxSegmentSize < this.maxSegmentSize) this.maxSegmentSize = maxSegmentSize;
  }

  /** Does this encoded attribute have to be sent in segments? */
  needsSegmentation(encodedLength: number): boolean {
    return !this.isNull && this.maxSegmentSize !== SEG_NO_LIMIT && this.maxSegmentSize >= ATTRIBUTE_HEADER_SIZE && encodedLength > this.maxSegmentSize;
  }

  /** Start sending `attr` in segments: returns the first Attribute Segment Envelope. */
  firstSegment(attr: PaTncAttribute<unknown> | Uint8Array): PaTncAttribute<unknown> {
    const data = attr instanceof Uint8Array ? attr : encodeVendorTlv(attr);
    const id = (this.nextBaseId = (this.nextBaseId + 1) & 0xffffff);
    const n = Math.min(this.maxSegmentSize, data.byteLength);
    this.outgoing.set(id, { data, sent: n });
    this.log.log('TNC', 2, `creating first segment for base attribute ID ${id} (${n} bytes)`);
    return AttributeSegmentEnvelope.create({ flags: { more: n < data.byteLength, start: true }, baseAttributeId: id, segment: data.subarray(0, n) });
  }

  /** Answer a Next Segment Request; undefined when the ID is unknown or complete. */
  nextSegment(baseAttributeId: number): PaTncAttribute<unknown> | undefined {
    const o = this.outgoing.get(baseAttributeId);
    if (!o) {
      this.log.log('TNC', 1, `no more segments found for base attribute ID ${baseAttributeId}`);
      return undefined;
    }
    const n = Math.min(this.maxSegmentSize, o.data.byteLength - o.sent);
    const segment = o.data.subarray(o.sent, o.sent + n);
    o.sent += n;
    const more = o.sent < o.data.byteLength;
    if (!more) this.outgoing.delete(baseAttributeId);
    this.log.log('TNC', 2, `creating ${more ? 'next' : 'last'} segment for base attribute ID ${baseAttributeId} (${n} bytes)`);
    return AttributeSegmentEnvelope.create({ flags: { more, start: false }, baseAttributeId, segment });
  }

  /** The peer cancelled the exchange (Next Segment Request with cancel flag, or Cancel Segment Exchange). */
  cancel(baseAttributeId: number): void {
    this.outgoing.delete(baseAttributeId);
    this.incoming.delete(baseAttributeId);
  }

  /**
   * Take a received envelope. Returns the reassembled attribute when complete, and the Next Segment Request to send
   * when more is to come. Envelopes for unknown IDs are ignored (logged), as strongSwan does.
   * @throws PaTncDecodeError (Invalid Parameter) for a malformed or oversize segmented attribute
   */
  receive(env: { flags: { more: boolean; start: boolean }; baseAttributeId: number; segment: Uint8Array }): {
    attribute?: PaTncAttribute<unknown>;
    request?: PaTncAttribute<unknown>;
  } {
    const id = env.baseAttributeId;
    const synthetic = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]);
    const invalid = (msg: string, offset: number) => new PaTncDecodeError(msg, offset, PaTncErrorCode.INVALID_PARAMETER, synthetic);
    let state = this.incoming.get(id);
    if (env.flags.start) {
      if (state) {
        this.log.log('TNC', 1, `base attribute ID ${id} is already in use`);
        return {};
      }
      this.log.log('TNC', 2, `received first segment for base attribute ID ${id} (${env.segment.byteLength} bytes)`);
      if (env.segment.byteLength < ATTRIBUTE_HEADER_SIZE) throw invalid('insufficient bytes for PA-TNC attribute header', 0);
      const r = new Reader(env.segment);
      const flags = r.u8();
      const vendorId = r.u24();
      const typeId = r.u32();
      const length = r.u32();
      if (length < ATTRIBUTE_HEADER_SIZE) throw invalid(`${length} bytes too small for PA-TNC attribute length`, 8);
      if (this.maxAttributeSize !== SEG_NO_LIMIT && length > this.maxAttributeSize) throw invalid(`segmented attribute of ${length} bytes exceeds maximum attribute size`, 8);
      state = { header: { noskip: (flags & 0x80) !== 0, vendorId, typeId, length }, chunks: [env.segment.slice()], received: env.segment.byteLength };
      this.incoming.set(id, state);
    } else {
      if (!state) {
        this.log.log('TNC', 1, `base attribute ID ${id} not found`);
        return {};
      }
      this.log.log('TNC', 2, `received ${env.flags.more ? 'next' : 'last'} segment for base attribute ID ${id} (${env.segment.byteLength} bytes)`);
      state.chunks.push(env.segment.slice());
      state.received += env.segment.byteLength;
    }
    if (state.received > state.header.length) {
      this.incoming.delete(id);
      throw invalid('segments exceed the announced attribute length', 8);
    }
    if (env.flags.more) return { request: NextSegmentRequest.create({ flags: { cancel: false }, baseAttributeId: id }) };
    this.incoming.delete(id);
    if (state.received !== state.header.length) throw invalid('insufficient bytes for PA-TNC attribute value', 8);
    const attribute = readVendorTlv(new Reader(concatBytes(state.chunks)), this.registry, {
      invalid: (m, offset) => invalid(m, offset),
      unsupported: (m, offset, info) => new PaTncDecodeError(m, offset, PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED, synthetic, { attribute: info }),
    }) as PaTncAttribute<unknown>;
    return { attribute };
  }
}

export { SEGMENT_ENVELOPE_HEADER_SIZE };
