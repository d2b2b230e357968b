/**
 * Simple Component Evidence (0x00300000), one per measurement:
 *
 *   flags u8 (0x80 PCR info present; 0x60 validation: 00 none, 20 unable to verify, 40 failed, 60 passed)
 *   sub-component depth u24, functional component name (8 bytes)
 *   measurement type u8 (0x80), extended into PCR u24, hash algorithm u16, PCR transform u8, reserved u8
 *   measurement time: 20 ASCII characters `YYYY-MM-DDTHH:MM:SSZ`
 *   [validation failed/passed: u16-length verification policy URI]
 *   [PCR info: u16 PCR length P, PCR before (P), PCR after (P)]
 *   component measurement (the rest)
 */
import { PEN, custom, toHex, decodeUtf8, utf8ByteLength, DecodeError, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { functionalName, type FunctionalName } from '../components/functional-name.js';
import { obj, int, hex, optHex, str } from './json-fields.js';
import { TcgPtsAttr } from './names.js';

export const Validation = { NONE: 0x00, UNABLE: 0x20, FAILED: 0x40, PASSED: 0x60 } as const;
export const Transform = { NO: 0, MATCH: 1, SHORT: 2, LONG: 3 } as const;
export const MEASUREMENT_TYPE_HASH = 0x80;

export interface SimpleComponentEvidenceValue {
  /** 0x00, 0x20, 0x40 or 0x60 (`Validation`). */
  validation: number;
  depth: number;
  component: FunctionalName;
  measurementType: number;
  extendedPcr: number;
  /** PTS measurement algorithm bit of the measurement (= the PCR bank). */
  hashAlgorithm: number;
  transform: number;
  /** `2014-12-15T11:45:10Z`, or `0000-00-00T00:00:00Z` for unknown. */
  measurementTime: string;
  /** Present when validation is failed or passed, e.g. `sha1:/usr/bin/less`. */
  policyUri?: string;
  pcrBefore?: Uint8Array;
  pcrAfter?: Uint8Array;
  measurement: Uint8Array;
  /** Flag bits outside PCR info and validation (kept for byte-exact round trips). */
  otherFlags?: number;
}

const hasUri = (validation: number) => validation === Validation.FAILED || validation === Validation.PASSED;

function encode(w: Writer, v: SimpleComponentEvidenceValue): void {
  const pcrInfo = v.pcrBefore !== undefined || v.pcrAfter !== undefined;
  w.u8((pcrInfo ? 0x80 : 0) | (v.validation & 0x60) | (v.otherFlags ?? 0)).u24(v.depth);
  functionalName.encode(w, v.component);
  w.u8(v.measurementType).u24(v.extendedPcr).u16(v.hashAlgorithm).u8(v.transform).u8(0);
  if (utf8ByteLength(v.measurementTime) !== 20) throw new RangeError('measurement time must be 20 characters');
  w.utf8(v.measurementTime);
  if (hasUri(v.validation)) {
    const uri = v.policyUri ?? '';
    w.u16(utf8ByteLength(uri)).utf8(uri);
  }
  if (pcrInfo) {
    const before = v.pcrBefore ?? new Uint8Array(0);
    const after = v.pcrAfter ?? new Uint8Array(0);
    if (before.byteLength !== after.byteLength) throw new RangeError('PCR before and after values must have the same length');
    w.u16(before.byteLength).bytes(before).bytes(after);
  }
  w.bytes(v.measurement);
}

function decode(r: Reader): SimpleComponentEvidenceValue {
  const flags = r.u8('flags');
  const depth = r.u24('sub-component depth');
  const component = functionalName.decode(r);
  const typeAt = r.offset;
  const measurementType = r.u8('measurement type');
  if (measurementType !== MEASUREMENT_TYPE_HASH) throw new DecodeError('unsupported Measurement Type in Simple Component Evidence', typeAt, { code: 'ERR_VALUE' });
  const extendedPcr = r.u24('extended PCR');
  const hashAlgorithm = r.u16('hash algorithm');
  const transform = r.u8('PCR transform');
  r.skip(1, 'reserved');
  const timeAt = r.offset;
  const measurementTime = decodeUtf8(r.borrow(20, 'measurement time'), timeAt);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(measurementTime)) {
    throw new DecodeError('invalid Measurement Time field in Simple Component Evidence', timeAt, { code: 'ERR_VALUE' });
  }
  const v: SimpleComponentEvidenceValue = { validation: flags & 0x60, depth, component, measurementType, extendedPcr, hashAlgorithm, transform, measurementTime, measurement: new Uint8Array(0) };
  if (flags & 0x1f) v.otherFlags = flags & 0x1f;
  if (hasUri(v.validation)) {
    const n = r.u16('verification policy URI length');
    const at = r.offset;
    v.policyUri = decodeUtf8(r.borrow(n, 'verification policy URI'), at);
  }
  if (flags & 0x80) {
    const n = r.u16('PCR value length');
    v.pcrBefore = r.bytes(n, 'PCR before value');
    v.pcrAfter = r.bytes(n, 'PCR after value');
  }
  v.measurement = r.rest();
  return v;
}

function toJSON(v: SimpleComponentEvidenceValue): Json {
  const o: Record<string, Json> = {
    validation: v.validation,
    depth: v.depth,
    component: functionalName.toJSON(v.component),
    measurementType: v.measurementType,
    extendedPcr: v.extendedPcr,
    hashAlgorithm: v.hashAlgorithm,
    transform: v.transform,
    measurementTime: v.measurementTime,
  };
  if (v.policyUri !== undefined) o.policyUri = v.policyUri;
  if (v.pcrBefore) o.pcrBefore = toHex(v.pcrBefore);
  if (v.pcrAfter) o.pcrAfter = toHex(v.pcrAfter);
  o.measurement = toHex(v.measurement);
  if (v.otherFlags) o.otherFlags = v.otherFlags;
  return o;
}

function fromJSON(j: unknown, path: string): SimpleComponentEvidenceValue {
  const o = obj(j, path);
  const v: SimpleComponentEvidenceValue = {
    validation: int(o, 'validation', path, 0x60),
    depth: int(o, 'depth', path, 0xffffff),
    component: functionalName.fromJSON(o.component, `${path}.component`),
    measurementType: int(o, 'measurementType', path, 0xff),
    extendedPcr: int(o, 'extendedPcr', path, 0xffffff),
    hashAlgorithm: int(o, 'hashAlgorithm', path, 0xffff),
    transform: int(o, 'transform', path, 0xff),
    measurementTime: str(o, 'measurementTime', path),
    measurement: hex(o, 'measurement', path),
  };
  if (o.policyUri !== undefined) v.policyUri = str(o, 'policyUri', path);
  v.pcrBefore = optHex(o, 'pcrBefore', path);
  v.pcrAfter = optHex(o, 'pcrAfter', path);
  if (!v.pcrBefore) delete v.pcrBefore;
  if (!v.pcrAfter) delete v.pcrAfter;
  if (o.otherFlags !== undefined) v.otherFlags = int(o, 'otherFlags', path, 0x1f);
  return v;
}

export const SimpleComponentEvidence = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.SIMPLE_COMP_EVID,
  name: 'TCG/Simple Component Evidence',
  body: custom<SimpleComponentEvidenceValue>('SimpleComponentEvidence', { encode, decode, toJSON, fromJSON }),
});

/** Measurement time on the wire: UTC, seconds; 0 → `0000-00-00T00:00:00Z`. */
export function measurementTimeString(unixSeconds: number): string {
  if (unixSeconds === 0) return '0000-00-00T00:00:00Z';
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
