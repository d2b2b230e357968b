/**
 * Little-endian companion of `@tncjs/common`'s big-endian `Reader`.
 *
 * TCG event logs (TCG_PCR_EVENT, TCG_PCR_EVENT2, UEFI structures) are little-endian, and the IMA binary
 * measurement list is in the kernel's native byte order (little-endian on x86/arm64, or with `ima_canonical_fmt`).
 * Every read is bounds-checked against a `DataView` that respects `byteOffset` and throws `DecodeError` with the
 * absolute offset, exactly like the common `Reader`.
 */
import { DecodeError } from '@tncjs/common';

/** Sequential bounds-checked reader, little-endian by default (`littleEndian = false` for big-endian IMA lists). */
export class LeReader {
  private readonly view: DataView;
  private readonly len: number;
  private pos = 0;

  /**
   * @param buf the bytes to read (not copied)
   * @param base absolute offset of `buf[0]` in the outermost structure (the log), for error offsets
   * @param littleEndian byte order of multi-byte integers
   */
  constructor(
    private readonly buf: Uint8Array,
    readonly base = 0,
    readonly littleEndian = true,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.len = buf.byteLength;
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.len - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what = 'field'): void {
    if (n > this.len - this.pos) {
      throw new DecodeError(`truncated ${what}: need ${n} bytes, have ${this.remaining}`, this.offset, { code: 'ERR_TRUNCATED' });
    }
  }

  u8(what?: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  u16(what?: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, this.littleEndian);
    this.pos += 2;
    return v;
  }

  u32(what?: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }

  u64(what?: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, this.littleEndian);
    this.pos += 8;
    return v;
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

  /** `n` bytes as a view into the input (zero-copy). */
  borrow(n: number, what?: string): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `n` bytes, copied (safe to retain independently of the input). */
  bytes(n: number, what?: string): Uint8Array {
    return this.borrow(n, what).slice();
  }

  skip(n: number, what?: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** All remaining bytes as a view. */
  rest(): Uint8Array {
    return this.borrow(this.remaining);
  }

  /** A reader over the next `n` bytes reporting absolute offsets; this reader moves past them. */
  sub(n: number, what?: string): LeReader {
    const base = this.offset;
    return new LeReader(this.borrow(n, what), base, this.littleEndian);
  }

  /** Throws unless every byte has been consumed. */
  end(what = 'structure'): void {
    if (this.remaining !== 0) {
      throw new DecodeError(`${this.remaining} unexpected trailing bytes in ${what}`, this.offset, { code: 'ERR_TRAILING' });
    }
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
