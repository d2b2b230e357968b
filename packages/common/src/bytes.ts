/**
 * The one byte idiom of tncjs: a bounds-checked big-endian `Reader` and a growable `Writer` over `Uint8Array`.
 * Every codec in every package uses these two classes and nothing else for wire bytes.
 */
import { DecodeError } from './errors.js';

/**
 * Sequential reader, big-endian unless `littleEndian` (TCG event logs, IMA lists). Every read is bounds-checked and
 * throws `DecodeError` with the absolute offset.
 */
export class Reader {
  private readonly view: DataView;
  private readonly len: number;
  private pos = 0;

  /**
   * @param bytes the bytes to read (not copied; `bytes()` copies what it returns)
   * @param base absolute offset of `bytes[0]` in the outermost structure, for error offsets
   * @param littleEndian byte order of multi-byte integers (default big-endian, network order)
   */
  constructor(
    private readonly buf: Uint8Array,
    readonly base = 0,
    readonly littleEndian = false,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.len = buf.byteLength;
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Offset relative to the start of this reader. */
  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.len - this.pos;
  }

  get length(): number {
    return this.len;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what = 'field'): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalid byte count ${n} for ${what}`);
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

  u24(what?: string): number {
    this.need(3, what);
    const v = this.littleEndian
      ? this.view.getUint16(this.pos, true) | (this.view.getUint8(this.pos + 2) << 16)
      : (this.view.getUint8(this.pos) << 16) | this.view.getUint16(this.pos + 1);
    this.pos += 3;
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

  /** The last byte of the input without moving (undefined when empty). */
  peekLast(): number | undefined {
    return this.len > 0 ? this.buf[this.len - 1] : undefined;
  }

  /** `n` bytes as a copy (safe to retain). */
  bytes(n: number, what?: string): Uint8Array {
    return this.borrow(n, what).slice();
  }

  /** `n` bytes as a view into the input (zero-copy; do not retain beyond the input's lifetime). */
  borrow(n: number, what?: string): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** All remaining bytes, copied. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  skip(n: number, what?: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A reader over the next `n` bytes that reports absolute offsets; this reader moves past them. */
  sub(n: number, what?: string): Reader {
    const base = this.offset;
    return new Reader(this.borrow(n, what), base, this.littleEndian);
  }

  /** Throws unless every byte has been consumed. */
  end(what = 'structure'): void {
    if (this.remaining !== 0) {
      throw new DecodeError(`${this.remaining} unexpected trailing bytes in ${what}`, this.offset, { code: 'ERR_TRAILING' });
    }
  }
}

/** Growable big-endian writer. Values are range-checked: a caller passing an out-of-range number gets a `RangeError`. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private cap: number;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
    this.cap = this.buf.byteLength;
  }

  get length(): number {
    return this.pos;
  }

  private grow(n: number): void {
    if (this.pos + n <= this.cap) return;
    let size = this.cap * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.cap = size;
  }

  /** Write `s` as UTF-8 (byte count from `utf8ByteLength`); returns the number of bytes written. */
  utf8(s: string, byteLength = utf8ByteLength(s)): number {
    this.grow(byteLength);
    if (byteLength === s.length) {
      const buf = this.buf;
      const at = this.pos;
      for (let i = 0; i < byteLength; i++) buf[at + i] = s.charCodeAt(i);
    } else {
      utf8Encoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + byteLength));
    }
    this.pos += byteLength;
    return byteLength;
  }

  u8(v: number): this {
    checkUint(v, 0xff, 'u8');
    this.grow(1);
    this.view.setUint8(this.pos++, v);
    return this;
  }

  u16(v: number): this {
    checkUint(v, 0xffff, 'u16');
    this.grow(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    checkUint(v, 0xffffff, 'u24');
    this.grow(3);
    this.view.setUint8(this.pos, v >>> 16);
    this.view.setUint16(this.pos + 1, v & 0xffff);
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    checkUint(v, 0xffffffff, 'u32');
    this.grow(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }

  u64(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64 out of range: ${String(v)}`);
    this.grow(8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.grow(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
    return this;
  }

  zeros(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalid byte count ${n}`);
    this.grow(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Reserve a big-endian u32 at the current position and return a function that fills it in later. */
  placeholderU32(): (v: number) => void {
    const at = this.pos;
    this.zeros(4);
    return (v: number) => {
      checkUint(v, 0xffffffff, 'u32');
      this.view.setUint32(at, v);
    };
  }

  /** The bytes written so far (a copy trimmed to length). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `b`. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

/** True when `s` is hex that `fromHex` accepts. */
export function isHex(s: string): boolean {
  const clean = s.replace(/[\s:]/g, '');
  return clean.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(clean);
}

/** Strict hex decoding (whitespace and `:` separators allowed); throws `TypeError` on anything else. */
export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new TypeError('invalid hex string');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenate a chunk list once (the reassembly idiom: collect chunks, join at the end). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Bytes `s` takes in UTF-8 (lone surrogates count as the 3-byte replacement character, as TextEncoder writes them). */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** UTF-8 decode; invalid sequences throw `DecodeError` at `offset`. */
export function decodeUtf8(b: Uint8Array, offset = 0): string {
  if (b.length <= 128) {
    // short ASCII strings (the common case in TNC attributes) without the TextDecoder round trip
    let ascii = true;
    for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  try {
    return utf8Decoder.decode(b);
  } catch (e) {
    throw new DecodeError('invalid UTF-8 string', offset, { code: 'ERR_UTF8', cause: e });
  }
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}
