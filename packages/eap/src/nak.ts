/**
 * RFC 3748 §5.3 Nak (Response only): the legacy Nak lists acceptable one-byte types (0 = none acceptable); the
 * Expanded Nak (§5.3.2) is an expanded type 254/0/3 whose data lists 8-byte expanded types.
 */
import { Reader, Writer } from '@tncjs/common';
import { EapDecodeError } from './errors.js';
import { EapCode, EapType, type EapMethodType } from './types.js';
import type { EapPacket } from './packet.js';

/** Vendor-Type of the Expanded Nak (vendor 0, IETF). */
export const EXPANDED_NAK_TYPE = 3;

/** A legacy Nak Response listing `desired` types (empty → the single 0 "no alternative"). */
export function encodeNak(identifier: number, desired: readonly number[]): EapPacket {
  const list = desired.filter((t) => t > 0 && t < EapType.EXPANDED);
  return { code: EapCode.RESPONSE, identifier, type: EapType.NAK, data: Uint8Array.from(list.length ? list : [0]) };
}

/** An Expanded Nak Response listing expanded types (RFC 3748 §5.3.2; empty → one all-zero "none" entry). */
export function encodeExpandedNak(identifier: number, desired: readonly EapMethodType[]): EapPacket {
  const w = new Writer();
  const list = desired.length ? desired : [{ type: 0, vendorId: 0, vendorType: 0 }];
  for (const d of list) {
    w.u8(d.type === EapType.EXPANDED ? EapType.EXPANDED : d.type === 0 ? 0 : EapType.EXPANDED);
    if (d.type === EapType.EXPANDED || d.type === 0) w.u24(d.vendorId ?? 0).u32(d.vendorType ?? 0);
    else w.u24(0).u32(d.type); // a legacy type as IETF expanded type
  }
  return { code: EapCode.RESPONSE, identifier, type: EapType.EXPANDED, vendorId: 0, vendorType: EXPANDED_NAK_TYPE, data: w.finish() };
}

export function isExpandedNak(p: EapPacket): boolean {
  return p.type === EapType.EXPANDED && p.vendorId === 0 && p.vendorType === EXPANDED_NAK_TYPE;
}

/**
 * The types a Nak (legacy or expanded) asks for; 0 entries ("no alternative") are dropped. IETF expanded types
 * (vendor 0) come back as plain one-byte types.
 * @throws EapDecodeError for an Expanded Nak whose length is not a multiple of 8
 */
export function decodeNak(p: EapPacket): EapMethodType[] {
  if (p.type === EapType.NAK) return Array.from(p.data).filter((t) => t !== 0).map((type) => ({ type }));
  if (!isExpandedNak(p)) return [];
  if (p.data.byteLength % 8 !== 0) throw new EapDecodeError(`Expanded Nak data of ${p.data.byteLength} bytes is not a multiple of 8`, 12);
  const r = new Reader(p.data, 12);
  const out: EapMethodType[] = [];
  while (r.remaining) {
    r.u8();
    const vendorId = r.u24();
    const vendorType = r.u32();
    if (vendorId === 0 && vendorType === 0) continue;
    out.push(vendorId === 0 && vendorType < EapType.EXPANDED ? { type: vendorType } : { type: EapType.EXPANDED, vendorId, vendorType });
  }
  return out;
}
