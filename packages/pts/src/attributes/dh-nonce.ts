/**
 * The DH nonce exchange attributes.
 * - DH Nonce Parameters Request (0x03000000): reserved u8, minimum nonce length u8, D-H group set u16.
 * - DH Nonce Parameters Response (0x04000000): reserved u24, nonce length u8, selected group u16, hash algorithm set
 *   u16, responder nonce, responder public value (nonce BEFORE the public value).
 * - DH Nonce Finish (0x05000000): reserved u8, nonce length u8, selected hash algorithm u16, initiator public value,
 *   initiator nonce (public value BEFORE the nonce: the last `nonce length` bytes are the nonce).
 */
import { PEN, struct, reserved, u8, custom, toHex, fromHex, isHex, DecodeError, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { hashAlgorithmSet, algorithmSetFromBits, algorithmSetToBits, type HashAlgorithmSet } from './meas-algo.js';
import { dhGroupSet } from '../dh/groups.js';
import { TcgPtsAttr } from './names.js';

export const DhNonceParametersRequest = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.DH_NONCE_PARAMS_REQ,
  name: 'TCG/DH Nonce Parameters Request',
  body: struct({ _r: reserved(1), minNonceLength: u8, groups: dhGroupSet }),
});

export interface DhNonceParametersResponseValue {
  /** One D-H group bit (0x1000 = ECP_256 …). */
  group: number;
  hashAlgorithms: HashAlgorithmSet;
  nonce: Uint8Array;
  publicValue: Uint8Array;
}

function hexField(o: Record<string, unknown>, k: string, path: string): Uint8Array {
  const x = o[k];
  if (typeof x !== 'string' || !isHex(x)) throw new TypeError(`${path}.${k}: expected hex string`);
  return fromHex(x);
}

function intField(o: Record<string, unknown>, k: string, path: string, max: number): number {
  const x = o[k];
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > max) throw new TypeError(`${path}.${k}: expected integer 0..${max}`);
  return x;
}

const responseCodec = custom<DhNonceParametersResponseValue>('DhNonceParametersResponse', {
  encode(w: Writer, v) {
    w.zeros(3).u8(v.nonce.byteLength).u16(v.group).u16(algorithmSetToBits(v.hashAlgorithms)).bytes(v.nonce).bytes(v.publicValue);
  },
  decode(r: Reader) {
    r.skip(3, 'reserved');
    const n = r.u8('nonce length');
    const group = r.u16('selected D-H group');
    const hashAlgorithms = algorithmSetFromBits(r.u16('hash algorithm set'));
    const nonce = r.bytes(n, 'responder nonce');
    return { group, hashAlgorithms, nonce, publicValue: r.rest() };
  },
  toJSON: (v): Json => ({ group: v.group, hashAlgorithms: hashAlgorithmSet.toJSON(v.hashAlgorithms), nonce: toHex(v.nonce), publicValue: toHex(v.publicValue) }),
  fromJSON(j, path) {
    if (typeof j !== 'object' || j === null) throw new TypeError(`${path}: expected object`);
    const o = j as Record<string, unknown>;
    return {
      group: intField(o, 'group', path, 0xffff),
      hashAlgorithms: hashAlgorithmSet.fromJSON(o.hashAlgorithms, `${path}.hashAlgorithms`),
      nonce: hexField(o, 'nonce', path),
      publicValue: hexField(o, 'publicValue', path),
    };
  },
});

export const DhNonceParametersResponse = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.DH_NONCE_PARAMS_RESP,
  name: 'TCG/DH Nonce Parameters Response',
  body: responseCodec,
  validate: (v, at) => {
    if (v.nonce.byteLength + v.publicValue.byteLength + 8 < 16) throw new DecodeError('insufficient data for PTS DH Nonce Parameters Response', at, { code: 'ERR_VALUE' });
  },
});

export interface DhNonceFinishValue {
  /** One hash algorithm bit. */
  hashAlgorithm: number;
  publicValue: Uint8Array;
  nonce: Uint8Array;
}

const finishCodec = custom<DhNonceFinishValue>('DhNonceFinish', {
  encode(w: Writer, v) {
    w.u8(0).u8(v.nonce.byteLength).u16(v.hashAlgorithm).bytes(v.publicValue).bytes(v.nonce);
  },
  decode(r: Reader) {
    r.skip(1, 'reserved');
    const n = r.u8('nonce length');
    const hashAlgorithm = r.u16('selected hash algorithm');
    if (r.remaining < n) r.need(n, 'initiator nonce');
    const publicValue = r.bytes(r.remaining - n, 'initiator public value');
    return { hashAlgorithm, publicValue, nonce: r.bytes(n, 'initiator nonce') };
  },
  toJSON: (v): Json => ({ hashAlgorithm: v.hashAlgorithm, publicValue: toHex(v.publicValue), nonce: toHex(v.nonce) }),
  fromJSON(j, path) {
    if (typeof j !== 'object' || j === null) throw new TypeError(`${path}: expected object`);
    const o = j as Record<string, unknown>;
    return { hashAlgorithm: intField(o, 'hashAlgorithm', path, 0xffff), publicValue: hexField(o, 'publicValue', path), nonce: hexField(o, 'nonce', path) };
  },
});

export const DhNonceFinish = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.DH_NONCE_FINISH,
  name: 'TCG/DH Nonce Finish',
  body: finishCodec,
});
