/** IKE message: header (RFC 7296 §3.1) plus payload chain; strongSwan's one-line summaries. */
import { Reader, Writer, toHex } from '@tncjs/common';
import { asIkeDecodeError, IkeDecodeError } from './errors.js';
import { EXCHANGE_NAMES, HeaderFlag, IKE_HEADER_SIZE, IKE_VERSION, NotifyType } from './constants.js';
import { decodePayloads, describePayload, encodePayloads, firstPayloadType, type AnyPayload } from './payloads/index.js';

export interface IkeMessage {
  spiI: Uint8Array;
  spiR: Uint8Array;
  exchange: number;
  /** Sent by the original initiator of the IKE SA (I flag). */
  initiator: boolean;
  response: boolean;
  messageId: number;
  /** Plaintext payloads; an encrypted message has exactly one SK (or SKF) payload, last. */
  payloads: AnyPayload[];
}

/** Largest IKE message we accept or build (strongSwan's default `max_packet` is 10000). */
export const MAX_MESSAGE_SIZE = 65535;

/** Write the 28-byte header for a message of `length` bytes whose first payload is `next`. */
export function encodeHeader(w: Writer, m: Omit<IkeMessage, 'payloads'>, next: number, length: number): void {
  if (m.spiI.byteLength !== 8 || m.spiR.byteLength !== 8) throw new RangeError('IKE SPIs are 8 bytes');
  w.bytes(m.spiI).bytes(m.spiR).u8(next).u8(IKE_VERSION).u8(m.exchange);
  w.u8((m.initiator ? HeaderFlag.INITIATOR : 0) | (m.response ? HeaderFlag.RESPONSE : 0));
  w.u32(m.messageId).u32(length);
}

/** Encode a whole message (the SK payload, if any, must already hold its protected bytes). */
export function encodeMessage(m: IkeMessage): Uint8Array {
  const pw = new Writer();
  encodePayloads(pw, m.payloads);
  const body = pw.finish();
  const w = new Writer(IKE_HEADER_SIZE + body.byteLength);
  encodeHeader(w, m, firstPayloadType(m.payloads), IKE_HEADER_SIZE + body.byteLength);
  w.bytes(body);
  return w.finish();
}

export interface DecodedHeader extends Omit<IkeMessage, 'payloads'> {
  nextPayload: number;
  length: number;
}

/**
 * Decode the header only.
 * @throws IkeDecodeError (INVALID_MAJOR_VERSION for a major version other than 2)
 */
export function decodeHeader(b: Uint8Array): DecodedHeader {
  try {
    const r = new Reader(b);
    const spiI = r.bytes(8, 'initiator SPI');
    const spiR = r.bytes(8, 'responder SPI');
    const nextPayload = r.u8('next payload');
    const version = r.u8('version');
    if (version >> 4 !== 2) throw new IkeDecodeError(`unsupported IKE version ${version >> 4}.${version & 15}`, 17, { notify: NotifyType.INVALID_MAJOR_VERSION });
    const exchange = r.u8('exchange type');
    const flags = r.u8('flags');
    const messageId = r.u32('message ID');
    const length = r.u32('length');
    if (length !== b.byteLength) throw new IkeDecodeError(`IKE length ${length} does not match datagram (${b.byteLength})`, 24);
    return {
      spiI, spiR, nextPayload, exchange, messageId, length,
      initiator: (flags & HeaderFlag.INITIATOR) !== 0,
      response: (flags & HeaderFlag.RESPONSE) !== 0,
    };
  } catch (e) {
    throw asIkeDecodeError(e);
  }
}

/**
 * Decode a message (header and plaintext payload chain; an SK payload stays sealed).
 * @throws IkeDecodeError on malformed input, never another error
 */
export function decodeMessage(b: Uint8Array): IkeMessage {
  const h = decodeHeader(b);
  const payloads = decodePayloads(new Reader(b.subarray(IKE_HEADER_SIZE), IKE_HEADER_SIZE), h.nextPayload);
  const { nextPayload: _n, length: _l, ...rest } = h;
  return { ...rest, payloads };
}

/**
 * strongSwan's one-line summary: `IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr SA TSi TSr ]`. For an encrypted
 * message pass the decrypted inner payloads as `inner`.
 */
export function describeMessage(m: Pick<IkeMessage, 'exchange' | 'response' | 'messageId' | 'payloads'>, inner?: readonly AnyPayload[]): string {
  const shown = inner ?? m.payloads;
  const ex = EXCHANGE_NAMES[m.exchange] ?? `EXCHANGE_${m.exchange}`;
  return `${ex} ${m.response ? 'response' : 'request'} ${m.messageId} [${shown.map((p) => ` ${describePayload(p)}`).join('')} ]`;
}

/** `spiI_i spiR_r` in strongSwan's hex form for logs. */
export const describeSpis = (m: Pick<IkeMessage, 'spiI' | 'spiR'>): string => `${toHex(m.spiI)}_i ${toHex(m.spiR)}_r`;
