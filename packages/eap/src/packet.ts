/**
 * RFC 3748 §4 EAP packet: Code, Identifier, Length, and for Request/Response a Type (§5) or an expanded type
 * (254, 3-byte Vendor-Id, 4-byte Vendor-Type, §5.7) followed by type data.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     Code      |  Identifier   |            Length             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     Type      |  Type-Data ...
 */
import { Reader, Writer } from '@tncjs/common';
import { EapDecodeError } from './errors.js';
import { EapCode, EapType, eapCodeName, eapTypeName, EAP_CODE_SHORT_NAMES, eapTypeShortName, type EapMethodType } from './types.js';

export const EAP_HEADER_SIZE = 4;
/** The Length field is 16 bits: no EAP packet is longer. */
export const EAP_MAX_PACKET_SIZE = 0xffff;

export interface EapPacket {
  code: number;
  identifier: number;
  /** Request/Response only: the method type (254 for expanded types). */
  type?: number;
  /** Expanded type only: 24-bit Vendor-Id. */
  vendorId?: number;
  /** Expanded type only: 32-bit Vendor-Type. */
  vendorType?: number;
  /** Type-Data (Request/Response), else the (normally empty) data after the header. */
  data: Uint8Array;
}

function hasType(code: number): boolean {
  return code === EapCode.REQUEST || code === EapCode.RESPONSE;
}

/**
 * Encode an EAP packet.
 * @throws RangeError when a field is out of range or the packet would exceed 65535 bytes
 * @throws TypeError when a Request/Response lacks a type
 */
export function encodeEapPacket(p: EapPacket): Uint8Array {
  const w = new Writer(EAP_HEADER_SIZE + 8 + p.data.byteLength);
  w.u8(p.code).u8(p.identifier);
  let len = EAP_HEADER_SIZE + p.data.byteLength;
  if (hasType(p.code)) {
    if (p.type === undefined) throw new TypeError(`${eapCodeName(p.code)} needs a type`);
    len += p.type === EapType.EXPANDED ? 8 : 1;
  }
  if (len > EAP_MAX_PACKET_SIZE) throw new RangeError(`EAP packet of ${len} bytes exceeds 65535 bytes`);
  w.u16(len);
  if (hasType(p.code)) {
    w.u8(p.type!);
    if (p.type === EapType.EXPANDED) w.u24(p.vendorId ?? 0).u32(p.vendorType ?? 0);
  }
  w.bytes(p.data);
  return w.finish();
}

/**
 * Decode one EAP packet. Bytes after Length are a decode error (a lower layer that pads must strip the padding).
 * Success/Failure must carry no data (RFC 3748 §4.2) but some implementations add some: it is kept in `data`.
 * @throws EapDecodeError for a short packet, a Length that disagrees with the input, or a missing type
 */
export function decodeEapPacket(bytes: Uint8Array): EapPacket {
  try {
    const r = new Reader(bytes);
    const code = r.u8('EAP code');
    const identifier = r.u8('EAP identifier');
    const length = r.u16('EAP length');
    if (length < EAP_HEADER_SIZE) throw new EapDecodeError(`EAP length ${length} smaller than the header`, 2);
    if (length !== bytes.byteLength) throw new EapDecodeError(`EAP length ${length} does not match packet size ${bytes.byteLength}`, 2);
    if (code < EapCode.REQUEST || code > EapCode.FINISH) throw new EapDecodeError(`invalid EAP code ${code}`, 0);
    const p: EapPacket = { code, identifier, data: new Uint8Array(0) };
    if (hasType(code)) {
      p.type = r.u8('EAP type');
      if (p.type === EapType.EXPANDED) {
        p.vendorId = r.u24('EAP Vendor-Id');
        p.vendorType = r.u32('EAP Vendor-Type');
      }
    }
    p.data = r.rest();
    return p;
  } catch (e) {
    if (e instanceof EapDecodeError) throw e;
    const d = e as { reason?: string; offset?: number };
    throw new EapDecodeError(d.reason ?? String(e), d.offset ?? 0, { cause: e });
  }
}

/** The method type of a Request/Response. */
export function methodTypeOf(p: EapPacket): EapMethodType {
  return p.type === EapType.EXPANDED ? { type: EapType.EXPANDED, vendorId: p.vendorId ?? 0, vendorType: p.vendorType ?? 0 } : { type: p.type ?? 0 };
}

/** strongSwan's short form `EAP/REQ/TTLS`. */
export function describeEapPacket(p: EapPacket): string {
  const c = EAP_CODE_SHORT_NAMES[p.code] ?? String(p.code);
  return hasType(p.code) ? `EAP/${c}/${p.type === EapType.EXPANDED ? `EXP(${p.vendorId}-${p.vendorType})` : eapTypeShortName(p.type ?? 0)}` : `EAP/${c}`;
}

/** A Request (server) or Response (peer) of the given method type. */
export function methodPacket(code: 1 | 2, identifier: number, type: EapMethodType, data: Uint8Array): EapPacket {
  return type.type === EapType.EXPANDED
    ? { code, identifier, type: EapType.EXPANDED, vendorId: type.vendorId, vendorType: type.vendorType, data }
    : { code, identifier, type: type.type, data };
}

export const successPacket = (identifier: number): EapPacket => ({ code: EapCode.SUCCESS, identifier, data: new Uint8Array(0) });
export const failurePacket = (identifier: number): EapPacket => ({ code: EapCode.FAILURE, identifier, data: new Uint8Array(0) });

export { eapTypeName };
