/** TPMS_NV_PUBLIC / TPM2B_NV_PUBLIC (Part 2 §13.5, §13.6) and the Name of an NV index: nameAlg ‖ H(TPMS_NV_PUBLIC). */
import { createHash } from 'node:crypto';
import { Reader, Writer } from '@tncjs/common';
import { nodeHashName } from '../constants.js';
import { readTpm2b, writeTpm2b } from './tpm2b.js';

export interface NvPublic {
  nvIndex: number;
  nameAlg: number;
  /** TPMA_NV bits; bits 4..7 are the index type (TPM_NT). */
  attributes: number;
  authPolicy: Uint8Array;
  dataSize: number;
}

export function writeNvPublic(w: Writer, p: NvPublic): void {
  w.u32(p.nvIndex >>> 0).u16(p.nameAlg).u32(p.attributes >>> 0);
  writeTpm2b(w, p.authPolicy);
  w.u16(p.dataSize);
}

export function readNvPublic(r: Reader): NvPublic {
  return {
    nvIndex: r.u32('TPMS_NV_PUBLIC.nvIndex'),
    nameAlg: r.u16('TPMS_NV_PUBLIC.nameAlg'),
    attributes: r.u32('TPMS_NV_PUBLIC.attributes'),
    authPolicy: readTpm2b(r, 'TPMS_NV_PUBLIC.authPolicy', 64),
    dataSize: r.u16('TPMS_NV_PUBLIC.dataSize'),
  };
}

export function encodeNvPublic(p: NvPublic): Uint8Array {
  const w = new Writer(64);
  writeNvPublic(w, p);
  return w.finish();
}

export function writeNvPublic2b(w: Writer, p: NvPublic): void {
  writeTpm2b(w, encodeNvPublic(p));
}

export function readNvPublic2b(r: Reader): NvPublic {
  const at = r.offset;
  const b = readTpm2b(r, 'TPM2B_NV_PUBLIC', 256);
  const inner = new Reader(b, at + 2);
  const p = readNvPublic(inner);
  inner.end('TPM2B_NV_PUBLIC');
  return p;
}

/** Name of an NV index. */
export function nvName(p: NvPublic): Uint8Array {
  const d = createHash(nodeHashName(p.nameAlg)).update(encodeNvPublic(p)).digest();
  const out = new Uint8Array(2 + d.length);
  out[0] = p.nameAlg >> 8;
  out[1] = p.nameAlg & 0xff;
  out.set(d, 2);
  return out;
}

/** TPM_NT index type from the attributes (0 ordinary, 1 counter, 2 bits, 4 extend, 8 PIN fail, 9 PIN pass). */
export function nvIndexType(attributes: number): number {
  return (attributes >>> 4) & 0xf;
}
