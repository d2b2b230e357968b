/**
 * RFC 7171 §4.1 PT-EAP message (EAP Type 54):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     Code      |  Identifier   |            Length             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     Type      |  Flags  | Ver |  Data (one PB-TNC batch) ...
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flags (5 bits): S (Start, the most significant bit, 0x80) and four reserved bits (zero when sent, ignored on
 * receipt). Ver (3 bits): PT-EAP version, 1. There is no length field and no fragmentation: PT-EAP relies on the
 * EAP tunnel method (EAP-TTLS) to carry large messages, so one PB-TNC batch always fits one PT-EAP message.
 */
import { Reader, Writer } from '@tncjs/common';
import { PtEapDecodeError } from './errors.js';

export const PT_EAP_START = 0x80;
export const PT_EAP_RESERVED_MASK = 0x78;
export const PT_EAP_VERSION_MASK = 0x07;
/** The only PT-EAP version (RFC 7171 §4.1). */
export const PT_EAP_VERSION = 1;
/** EAP header (4) + Type (1) + Flags/Ver (1). */
export const PT_EAP_HEADER_SIZE = 6;
/** The largest PB-TNC batch a PT-EAP message can hold (EAP Length is 16 bits). */
export const PT_EAP_MAX_BATCH_SIZE = 0xffff - PT_EAP_HEADER_SIZE;

export interface PtEapData {
  start: boolean;
  version: number;
  /** Reserved flag bits as received. */
  reserved?: number;
  /** A PB-TNC batch, or empty. */
  data: Uint8Array;
}

/** Encode the Type-Data. @throws RangeError for a version outside 0..7 or a batch too large for one EAP packet */
export function encodePtEapData(d: PtEapData): Uint8Array {
  if (!Number.isInteger(d.version) || d.version < 0 || d.version > 7) throw new RangeError(`PT-EAP version ${d.version} out of range 0..7`);
  if (d.data.byteLength > PT_EAP_MAX_BATCH_SIZE) throw new RangeError(`PB-TNC batch of ${d.data.byteLength} bytes exceeds the PT-EAP maximum of ${PT_EAP_MAX_BATCH_SIZE}`);
  return new Writer(1 + d.data.byteLength)
    .u8((d.start ? PT_EAP_START : 0) | ((d.reserved ?? 0) & PT_EAP_RESERVED_MASK) | d.version)
    .bytes(d.data)
    .finish();
}

/** Decode the Type-Data (offsets count from the start of the EAP packet). @throws PtEapDecodeError when empty */
export function decodePtEapData(typeData: Uint8Array): PtEapData {
  const r = new Reader(typeData, 5);
  if (r.remaining < 1) throw new PtEapDecodeError('PT-EAP message without Flags/Version byte', 5);
  const f = r.u8();
  const d: PtEapData = { start: (f & PT_EAP_START) !== 0, version: f & PT_EAP_VERSION_MASK, data: r.rest() };
  if (f & PT_EAP_RESERVED_MASK) d.reserved = f & PT_EAP_RESERVED_MASK;
  return d;
}
