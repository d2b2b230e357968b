/**
 * RFC 5793 §4.9 PB-Error.
 *
 *   |     Flags     |            Error Code Vendor ID               |
 *   |           Error Code          |           Reserved            |
 *   |              Error Parameters (Variable Length)               |
 *
 * Flags: 0x80 FATAL. IETF parameters: Version Not Supported → bad, max, min version (u8 each) + reserved u8;
 * every other IETF code → u32 offset. Other vendors' parameters are kept as bytes.
 */
import { PEN, custom, toHex, fromHex, isHex, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { PbErrorCode, PB_ERROR_CODE_NAMES } from '../errors.js';
import { IetfMsg } from './names.js';

export interface PbErrorValue {
  fatal: boolean;
  errorVendorId: number;
  errorCode: number;
  /** IETF codes except Version Not Supported. */
  offset?: number;
  /** IETF Version Not Supported. */
  badVersion?: number;
  maxVersion?: number;
  minVersion?: number;
  /** Parameters of other vendors, or IETF parameters that are not 4 bytes. */
  parameters?: Uint8Array;
}

function encode(w: Writer, v: PbErrorValue): void {
  w.u8(v.fatal ? 0x80 : 0).u24(v.errorVendorId).u16(v.errorCode).u16(0);
  if (v.parameters) w.bytes(v.parameters);
  else if (v.errorVendorId === PEN.IETF) {
    if (v.errorCode === PbErrorCode.VERSION_NOT_SUPPORTED) w.u8(v.badVersion ?? 0).u8(v.maxVersion ?? 2).u8(v.minVersion ?? 2).u8(0);
    else w.u32(v.offset ?? 0);
  }
}

function decode(r: Reader): PbErrorValue {
  const flags = r.u8('flags');
  const v: PbErrorValue = { fatal: (flags & 0x80) !== 0, errorVendorId: r.u24('error code vendor'), errorCode: r.u16('error code') };
  r.skip(2, 'reserved');
  // a nonzero reserved byte after the versions is kept raw, so every input re-encodes to itself
  const versionForm = r.remaining === 4 && (v.errorCode !== PbErrorCode.VERSION_NOT_SUPPORTED || r.peekLast() === 0);
  if (v.errorVendorId === PEN.IETF && versionForm) {
    if (v.errorCode === PbErrorCode.VERSION_NOT_SUPPORTED) {
      v.badVersion = r.u8();
      v.maxVersion = r.u8();
      v.minVersion = r.u8();
      r.skip(1);
    } else v.offset = r.u32();
  } else if (r.remaining > 0 || v.errorVendorId === PEN.IETF) v.parameters = r.rest();
  return v;
}

function toJSON(v: PbErrorValue): Json {
  const o: Record<string, Json> = { fatal: v.fatal, errorVendorId: v.errorVendorId, errorCode: v.errorCode };
  if (v.errorVendorId === PEN.IETF) o.errorName = PB_ERROR_CODE_NAMES[v.errorCode] ?? `(${v.errorCode})`;
  for (const k of ['offset', 'badVersion', 'maxVersion', 'minVersion'] as const) if (v[k] !== undefined) o[k] = v[k]!;
  if (v.parameters) o.parameters = toHex(v.parameters);
  return o;
}

function fromJSON(j: unknown, path: string): PbErrorValue {
  if (typeof j !== 'object' || j === null) throw new TypeError(`${path}: expected object`);
  const o = j as Record<string, unknown>;
  const int = (k: string, max: number): number => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > max) throw new TypeError(`${path}.${k}: expected integer 0..${max}`);
    return x;
  };
  const v: PbErrorValue = { fatal: o.fatal === true, errorVendorId: int('errorVendorId', 0xffffff), errorCode: int('errorCode', 0xffff) };
  if (o.offset !== undefined) v.offset = int('offset', 0xffffffff);
  for (const k of ['badVersion', 'maxVersion', 'minVersion'] as const) if (o[k] !== undefined) v[k] = int(k, 0xff);
  if (o.parameters !== undefined) {
    if (typeof o.parameters !== 'string' || !isHex(o.parameters)) throw new TypeError(`${path}.parameters: expected hex string`);
    v.parameters = fromHex(o.parameters);
  }
  return v;
}

export const PbError = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.ERROR,
  name: 'IETF/PB-Error',
  noskip: true,
  body: custom<PbErrorValue>('PbError', { encode, decode, toJSON, fromJSON }),
});
