/**
 * PTS Measurement Algorithm Request (0x06000000) / PTS Measurement Algorithm (0x07000000): reserved u16, hash
 * algorithm set u16 (SHA1 0x8000, SHA256 0x4000, SHA384 0x2000, SHA512 0x1000).
 */
import { PEN, struct, reserved, flagsOf } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { TcgPtsAttr } from './names.js';

export const MeasAlgo = { SHA1: 0x8000, SHA256: 0x4000, SHA384: 0x2000, SHA512: 0x1000 } as const;
export type MeasAlgoBit = (typeof MeasAlgo)[keyof typeof MeasAlgo];

/** strongSwan's hash names (`selected PTS measurement algorithm is HASH_SHA1`). */
export const MEAS_ALGO_HASH_NAMES: Readonly<Record<number, string>> = {
  0x8000: 'HASH_SHA1',
  0x4000: 'HASH_SHA2_256',
  0x2000: 'HASH_SHA2_384',
  0x1000: 'HASH_SHA2_512',
};
/** node:crypto names and digest sizes. */
export const MEAS_ALGO_NODE: Readonly<Record<number, { hash: string; size: number }>> = {
  0x8000: { hash: 'sha1', size: 20 },
  0x4000: { hash: 'sha256', size: 32 },
  0x2000: { hash: 'sha384', size: 48 },
  0x1000: { hash: 'sha512', size: 64 },
};

export const hashAlgorithmSet = flagsOf(16, { sha1: 0x8000, sha256: 0x4000, sha384: 0x2000, sha512: 0x1000 });
export type HashAlgorithmSet = ReturnType<typeof hashAlgorithmSet.decode>;

export function algorithmSetFromBits(bits: number): HashAlgorithmSet {
  return { sha1: (bits & 0x8000) !== 0, sha256: (bits & 0x4000) !== 0, sha384: (bits & 0x2000) !== 0, sha512: (bits & 0x1000) !== 0 };
}

export function algorithmSetToBits(s: HashAlgorithmSet): number {
  return (s.sha1 ? 0x8000 : 0) | (s.sha256 ? 0x4000 : 0) | (s.sha384 ? 0x2000 : 0) | (s.sha512 ? 0x1000 : 0) | (s.other ?? 0);
}

/** The strongest algorithm in a bit set (SHA512 > SHA384 > SHA256 > SHA1), or 0 when none. */
export function strongestAlgorithm(bits: number): number {
  for (const b of [0x1000, 0x2000, 0x4000, 0x8000]) if (bits & b) return b;
  return 0;
}

export const PtsMeasurementAlgorithmRequest = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.MEAS_ALGO_REQ,
  name: 'TCG/PTS Measurement Algorithm Request',
  body: struct({ _r: reserved(2), algorithms: hashAlgorithmSet }),
});

export const PtsMeasurementAlgorithm = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.MEAS_ALGO,
  name: 'TCG/PTS Measurement Algorithm',
  body: struct({ _r: reserved(2), algorithms: hashAlgorithmSet }),
});
