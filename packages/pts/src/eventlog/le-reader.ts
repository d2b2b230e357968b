/**
 * The common `Reader` in little-endian mode, with the few extras UEFI structures need.
 *
 * TCG event logs (TCG_PCR_EVENT, TCG_PCR_EVENT2, UEFI structures) are little-endian, and the IMA binary
 * measurement list is in the kernel's native byte order (little-endian on x86/arm64, or with `ima_canonical_fmt`).
 * Every read is bounds-checked against a `DataView` that respects `byteOffset` and throws `DecodeError` with the
 * absolute offset, exactly like the common `Reader`.
 */
import { DecodeError, Reader } from '@tncjs/common';

/** The common `Reader`, little-endian by default (`littleEndian = false` for big-endian IMA lists). */
export class LeReader extends Reader {
  constructor(buf: Uint8Array, base = 0, littleEndian = true) {
    super(buf, base, littleEndian);
  }

  /**
   * A u64 length or count that must fit in the remaining bytes when multiplied by `unit` (UEFI structures carry
   * UINT64 lengths; anything larger than the input is malformed, and is rejected before any allocation).
   */
  u64Length(unit: number, what = 'length'): number {
    const at = this.offset;
    const v = this.u64(what);
    if (v > BigInt(this.remaining) / BigInt(Math.max(1, unit))) {
      throw new DecodeError(`${what} ${v} exceeds the ${this.remaining} remaining bytes`, at, { code: 'ERR_LENGTH' });
    }
    return Number(v);
  }

  /** All remaining bytes as a view (the common Reader copies). */
  override rest(): Uint8Array {
    return this.borrow(this.remaining);
  }

  /** A reader over the next `n` bytes reporting absolute offsets; this reader moves past them. */
  override sub(n: number, what?: string): LeReader {
    const base = this.offset;
    return new LeReader(this.borrow(n, what), base, this.littleEndian);
  }
}

/** Read a little-endian u32 at `at` without bounds-checking beyond the typed array's own (caller checks). */
export function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Read a big-endian u32 at `at`. */
export function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Read a little-endian u16 at `at`. */
export function u16le(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
