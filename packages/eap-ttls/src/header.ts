/**
 * RFC 5281 §9.1 EAP-TTLS packet data (after the EAP Type byte 21):
 *
 *     0 1 2 3 4 5 6 7
 *    +-+-+-+-+-+-+-+-+
 *    |L M S R R  V   |   Flags: Length included, More fragments, Start; Version (3 bits, 0 = EAP-TTLSv0)
 *    +-+-+-+-+-+-+-+-+
 *    TLS Message Length (4 bytes, only if L) ‖ Data
 *
 * The same layout serves EAP-TLS/PEAP/EAP-TNC; EAP-TTLSv0 uses version 0.
 */
import { Reader, Writer } from '@tncjs/common';
import { TtlsDecodeError } from './errors.js';

export const TtlsFlag = { LENGTH: 0x80, MORE: 0x40, START: 0x20 } as const;
export const TTLS_VERSION_MASK = 0x07;
/** Bits 3–4 are reserved: zero on transmission, ignored on receipt. */
export const TTLS_RESERVED_MASK = 0x18;
/** Offset of the flags byte in an EAP-TTLS packet (Code, Identifier, Length, Type). */
export const TTLS_DATA_OFFSET = 5;
/** EAP header + Type + Flags. */
export const TTLS_HEADER_SIZE = 6;
export const TTLS_LENGTH_FIELD_SIZE = 4;

export interface TtlsData {
  length: boolean;
  more: boolean;
  start: boolean;
  version: number;
  /** The TLS Message Length field (present iff `length`). */
  tlsMessageLength?: number;
  /** TLS record bytes (a fragment of a TLS message, or all of it). */
  data: Uint8Array;
}

/** Encode the Type-Data of an EAP-TTLS packet. @throws RangeError for a version outside 0..7 */
export function encodeTtlsData(d: TtlsData): Uint8Array {
  if (!Number.isInteger(d.version) || d.version < 0 || d.version > 7) throw new RangeError(`EAP-TTLS version ${d.version} out of range 0..7`);
  const w = new Writer(1 + (d.length ? 4 : 0) + d.data.byteLength);
  w.u8((d.length ? TtlsFlag.LENGTH : 0) | (d.more ? TtlsFlag.MORE : 0) | (d.start ? TtlsFlag.START : 0) | d.version);
  if (d.length) w.u32(d.tlsMessageLength ?? d.data.byteLength);
  w.bytes(d.data);
  return w.finish();
}

/**
 * Decode the Type-Data of an EAP-TTLS packet. Offsets in errors count from the start of the EAP packet.
 * @throws TtlsDecodeError when the flags byte or the length field is missing, or the TLS Message Length is smaller
 *   than the data this packet carries
 */
export function decodeTtlsData(typeData: Uint8Array): TtlsData {
  try {
    const r = new Reader(typeData, TTLS_DATA_OFFSET);
    const flags = r.u8('EAP-TTLS flags');
    const d: TtlsData = {
      length: (flags & TtlsFlag.LENGTH) !== 0,
      more: (flags & TtlsFlag.MORE) !== 0,
      start: (flags & TtlsFlag.START) !== 0,
      version: flags & TTLS_VERSION_MASK,
      data: new Uint8Array(0),
    };
    if (d.length) {
      const at = r.offset;
      d.tlsMessageLength = r.u32('TLS Message Length');
      if (d.tlsMessageLength < r.remaining) {
        throw new TtlsDecodeError(`TLS Message Length ${d.tlsMessageLength} smaller than the ${r.remaining} bytes of this packet`, at);
      }
    }
    d.data = r.rest();
    return d;
  } catch (e) {
    if (e instanceof TtlsDecodeError) throw e;
    const x = e as { reason?: string; offset?: number };
    throw new TtlsDecodeError(x.reason ?? String(e), x.offset ?? TTLS_DATA_OFFSET, { cause: e });
  }
}

/** True for an acknowledgement: no data, no length, no more-fragments, no start (RFC 5281 §9.2.2). */
export function isTtlsAck(d: TtlsData): boolean {
  return d.data.byteLength === 0 && !d.length && !d.more && !d.start;
}
