/**
 * A shadow PCR set (strongSwan pts_pcr.c): 24 registers of the measurement algorithm's size, zero except the last byte
 * of PCR 0 = the TPM 2.0 startup locality; `extend` as a TPM does; the selection is every PCR touched.
 */
import { createHash } from 'node:crypto';
import { TncjsError, concatBytes } from '@tncjs/common';
import { MEAS_ALGO_NODE } from '../attributes/meas-algo.js';

export const PCR_COUNT = 24;

export class PcrError extends TncjsError {
  constructor(message: string) {
    super('ERR_PTS_PCR', message);
  }
}

export class ShadowPcrs {
  readonly hash: string;
  readonly size: number;
  private readonly regs: Uint8Array[];
  private readonly touched = new Set<number>();

  /** @param algorithm PTS measurement algorithm bit (0x8000 SHA-1 …) */
  constructor(
    readonly algorithm: number,
    locality = 0,
  ) {
    const h = MEAS_ALGO_NODE[algorithm];
    if (!h) throw new PcrError(`unsupported PCR bank algorithm 0x${algorithm.toString(16)}`);
    this.hash = h.hash;
    this.size = h.size;
    this.regs = Array.from({ length: PCR_COUNT }, () => new Uint8Array(h.size));
    this.regs[0][h.size - 1] = locality;
  }

  get(pcr: number): Uint8Array {
    this.check(pcr);
    return this.regs[pcr];
  }

  /** PCR[pcr] = H(PCR[pcr] ‖ measurement). */
  extend(pcr: number, measurement: Uint8Array): Uint8Array {
    this.check(pcr);
    if (measurement.byteLength !== this.size) throw new PcrError(`PCR ${String(pcr).padStart(2)}: measurement does not fit`);
    this.regs[pcr] = new Uint8Array(createHash(this.hash).update(this.regs[pcr]).update(measurement).digest());
    this.touched.add(pcr);
    return this.regs[pcr];
  }

  set(pcr: number, value: Uint8Array): void {
    this.check(pcr);
    if (value.byteLength !== this.size) throw new PcrError(`PCR ${pcr}: value does not fit`);
    this.regs[pcr] = new Uint8Array(value);
    this.touched.add(pcr);
  }

  /** PCR indices touched, ascending. */
  selection(): number[] {
    return [...this.touched].sort((a, b) => a - b);
  }

  /** Concatenation of the selected PCR values in ascending order (the TPM 2.0 composite). */
  composite(selection = this.selection()): Uint8Array {
    return concatBytes(selection.map((i) => this.get(i)));
  }

  /** The 3-byte PCR select bitmap of a selection. */
  static bitmap(selection: number[]): Uint8Array {
    const b = new Uint8Array(3);
    for (const i of selection) b[i >> 3] |= 1 << (i & 7);
    return b;
  }

  private check(pcr: number): void {
    if (!Number.isInteger(pcr) || pcr < 0 || pcr >= PCR_COUNT) throw new PcrError(`PCR index ${pcr} out of range`);
  }
}
