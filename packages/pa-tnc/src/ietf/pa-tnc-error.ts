/**
 * RFC 5792 §4.2.8 PA-TNC Error.
 *
 *   |   Reserved    |            Error Code Vendor ID               |
 *   |                          Error Code                           |
 *   |                Error Information (Variable Length)            |
 *
 * For IETF error codes the information starts with a copy of the erroneous message's 8-byte header, followed by
 * Invalid Parameter: offset (u32); Version Not Supported: max version, min version (u8 each), reserved (u16);
 * Attribute Type Not Supported: flags (u8), vendor (u24) and type (u32) of the offending attribute.
 * Other vendors' error information (e.g. TCG PTS errors) is opaque here and kept as `info`.
 */
import { PEN, toHex, fromHex, isHex, custom, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { PaTncErrorCode } from '../errors.js';
import { IetfAttr } from './names.js';

/** Error code names strongSwan prints, per error code vendor. */
export const PA_TNC_ERROR_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [PEN.IETF]: {
    0: 'Reserved',
    1: 'Invalid Parameter',
    2: 'Version Not Supported',
    3: 'Attribute Type Not Supported',
    4: 'SW Error',
    5: 'SW Subscription Denied',
    6: 'SW Response Too Large',
    7: 'SW Subscription Fulfillment Error',
    8: 'SW Subscription ID Reuse',
  },
  [PEN.TCG]: {
    0: 'Reserved Error',
    1: 'Hash Algorithm Not Supported',
    2: 'Invalid Path',
    3: 'File Not Found',
    4: 'Registry Not Supported',
    5: 'Registry Key Not Found',
    6: 'D-H Group Not Supported',
    7: 'DH-PN Nonce Not Acceptable',
    8: 'Invalid Functional Name Family',
    9: 'TPM Version Information Unavailable',
    10: 'Invalid File Pathname Delimiter',
    11: 'PTS Operation Not Supported',
    12: 'Unable To Update Reference Manifest',
    13: 'Unable To Perform Local Validation',
    14: 'Unable To Collect Current Evidence',
    15: 'Unable To Determine Transitive Trust Chain',
    16: 'Unable To Determine PCR',
  },
};

export function paTncErrorName(vendorId: number, code: number): string {
  return PA_TNC_ERROR_NAMES[vendorId]?.[code] ?? `(${code})`;
}

export interface PaTncErrorValue {
  errorVendorId: number;
  errorCode: number;
  /** IETF codes: the first 8 bytes of the erroneous PA-TNC message. */
  messageHeader?: Uint8Array;
  /** IETF Invalid Parameter: offset of the offending field in the erroneous message. */
  offset?: number;
  /** IETF Version Not Supported. */
  maxVersion?: number;
  minVersion?: number;
  /** IETF Attribute Type Not Supported: the offending attribute's flags, vendor and type. */
  attribute?: { flags: number; vendorId: number; typeId: number };
  /** Any further error information (the whole information for non-IETF codes). */
  info?: Uint8Array;
}

function encode(w: Writer, v: PaTncErrorValue): void {
  w.u8(0).u24(v.errorVendorId).u32(v.errorCode);
  if (v.errorVendorId === PEN.IETF) {
    const h = v.messageHeader ?? new Uint8Array(8);
    if (h.byteLength !== 8) throw new RangeError('PA-TNC Error messageHeader must be 8 bytes');
    w.bytes(h);
    if (v.errorCode === PaTncErrorCode.INVALID_PARAMETER) w.u32(v.offset ?? 0);
    else if (v.errorCode === PaTncErrorCode.VERSION_NOT_SUPPORTED) w.u8(v.maxVersion ?? 1).u8(v.minVersion ?? 1).u16(0);
    else if (v.errorCode === PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED) {
      const a = v.attribute ?? { flags: 0, vendorId: 0, typeId: 0 };
      w.u8(a.flags).u24(a.vendorId).u32(a.typeId);
    }
  }
  if (v.info) w.bytes(v.info);
}

function decode(r: Reader): PaTncErrorValue {
  r.skip(1, 'reserved');
  const v: PaTncErrorValue = { errorVendorId: r.u24('error code vendor'), errorCode: r.u32('error code') };
  if (v.errorVendorId === PEN.IETF) {
    v.messageHeader = r.bytes(8, 'copy of message header');
    if (v.errorCode === PaTncErrorCode.INVALID_PARAMETER) v.offset = r.u32('offset');
    else if (v.errorCode === PaTncErrorCode.VERSION_NOT_SUPPORTED) {
      v.maxVersion = r.u8('max version');
      v.minVersion = r.u8('min version');
      r.skip(2, 'reserved');
    } else if (v.errorCode === PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED) {
      v.attribute = { flags: r.u8('attribute flags'), vendorId: r.u24('attribute vendor'), typeId: r.u32('attribute type') };
    }
  }
  if (r.remaining > 0) v.info = r.rest();
  return v;
}

function toJSON(v: PaTncErrorValue): Json {
  const o: Record<string, Json> = {
    errorVendorId: v.errorVendorId,
    errorCode: v.errorCode,
    errorName: paTncErrorName(v.errorVendorId, v.errorCode),
  };
  if (v.messageHeader) o.messageHeader = toHex(v.messageHeader);
  if (v.offset !== undefined) o.offset = v.offset;
  if (v.maxVersion !== undefined) o.maxVersion = v.maxVersion;
  if (v.minVersion !== undefined) o.minVersion = v.minVersion;
  if (v.attribute) o.attribute = { ...v.attribute };
  if (v.info) o.info = toHex(v.info);
  return o;
}

function fromJSON(j: unknown, path: string): PaTncErrorValue {
  if (typeof j !== 'object' || j === null) throw new TypeError(`${path}: expected object`);
  const o = j as Record<string, unknown>;
  const num = (k: string, max: number) => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > max) throw new TypeError(`${path}.${k}: expected integer 0..${max}`);
    return x;
  };
  const hex = (k: string) => {
    const x = o[k];
    if (typeof x !== 'string' || !isHex(x)) throw new TypeError(`${path}.${k}: expected hex string`);
    return fromHex(x);
  };
  const v: PaTncErrorValue = { errorVendorId: num('errorVendorId', 0xffffff), errorCode: num('errorCode', 0xffffffff) };
  if (o.messageHeader !== undefined) v.messageHeader = hex('messageHeader');
  if (o.offset !== undefined) v.offset = num('offset', 0xffffffff);
  if (o.maxVersion !== undefined) v.maxVersion = num('maxVersion', 0xff);
  if (o.minVersion !== undefined) v.minVersion = num('minVersion', 0xff);
  if (o.attribute !== undefined) {
    if (typeof o.attribute !== 'object' || o.attribute === null) throw new TypeError(`${path}.attribute: expected object`);
    const a = o.attribute as Record<string, unknown>;
    const field = (k: string, max: number, dflt?: number) => {
      const x = a[k] ?? dflt;
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > max) throw new TypeError(`${path}.attribute.${k}: expected integer 0..${max}`);
      return x;
    };
    v.attribute = { flags: field('flags', 0xff, 0), vendorId: field('vendorId', 0xffffff), typeId: field('typeId', 0xffffffff) };
  }
  if (o.info !== undefined) v.info = hex('info');
  return v;
}

export const PaTncError = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.PA_TNC_ERROR,
  name: 'IETF/PA-TNC Error',
  body: custom<PaTncErrorValue>('PaTncError', { encode, decode, toJSON, fromJSON }),
});

/** Build the PA-TNC Error attribute that answers a `PaTncDecodeError`. */
export function paTncErrorFor(e: { errorCode: number; errorVendorId: number; header: Uint8Array; offset: number; details: { attribute?: { noskip: boolean; vendorId: number; typeId: number } } }) {
  const v: PaTncErrorValue = { errorVendorId: e.errorVendorId, errorCode: e.errorCode, messageHeader: padHeader(e.header) };
  if (e.errorCode === PaTncErrorCode.INVALID_PARAMETER) v.offset = e.offset;
  if (e.errorCode === PaTncErrorCode.VERSION_NOT_SUPPORTED) {
    v.maxVersion = 1;
    v.minVersion = 1;
  }
  if (e.errorCode === PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED && e.details.attribute) {
    const a = e.details.attribute;
    v.attribute = { flags: a.noskip ? 0x80 : 0, vendorId: a.vendorId, typeId: a.typeId };
  }
  return PaTncError.create(v);
}

function padHeader(h: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  out.set(h.subarray(0, 8));
  return out;
}
