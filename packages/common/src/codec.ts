/**
 * Declarative codecs for wire structures: one description gives the encoder, the decoder, a JSON view (for the CLI
 * and vectors) and, in tests, a fast-check arbitrary. Every codec reads and writes through `Reader`/`Writer`.
 *
 * Conventions: integers are big-endian; reserved fields encode as zeros and are ignored on receipt (RFC 5792/5793:
 * "MUST be set to 0 on transmission and ignored on reception"); strings are UTF-8; JSON shows bytes as lower-case hex.
 */
import { Reader, Writer, toHex, fromHex, decodeUtf8, utf8ByteLength } from './bytes.js';
import { DecodeError } from './errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Where a length comes from: a fixed count, a big-endian length prefix of N bits, or the rest of the enclosing structure. */
export type LengthSpec = number | { prefix: 8 | 16 | 24 | 32 } | 'rest';

/** Machine-readable description of a codec, used by tests to generate values and by docs. */
export type CodecKind =
  | { t: 'uint'; bits: 8 | 16 | 24 | 32 }
  | { t: 'u64' }
  | { t: 'enum'; bits: 8 | 16 | 24 | 32; names: Readonly<Record<number, string>> }
  | { t: 'flags'; bits: 8 | 16 | 32; flags: Readonly<Record<string, number>> }
  | { t: 'bytes'; len: LengthSpec; max?: number }
  | { t: 'string'; len: LengthSpec; max?: number }
  | { t: 'struct'; fields: ReadonlyArray<readonly [string, Codec<unknown>]> }
  | { t: 'list'; item: Codec<unknown>; count: LengthSpec; max?: number }
  | { t: 'reserved'; n: number }
  | { t: 'custom'; name: string };

export interface Codec<T> {
  readonly kind: CodecKind;
  encode(w: Writer, v: T): void;
  decode(r: Reader): T;
  toJSON(v: T): Json;
  /** @throws TypeError naming `path` when `j` does not fit */
  fromJSON(j: unknown, path: string): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

const RESERVED = Symbol('reserved');
type ReservedCodec = Codec<undefined> & { [RESERVED]: true };

function jsonError(path: string, want: string, got: unknown): TypeError {
  return new TypeError(`${path}: expected ${want}, got ${JSON.stringify(got)}`);
}

function uintCodec(bits: 8 | 16 | 24 | 32): Codec<number> {
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  return {
    kind: { t: 'uint', bits },
    encode: (w, v) => void writeUint(w, bits, v),
    decode: (r) => readUint(r, bits),
    toJSON: (v) => v,
    fromJSON: (j, path) => {
      if (typeof j !== 'number' || !Number.isInteger(j) || j < 0 || j > max) throw jsonError(path, `integer 0..${max}`, j);
      return j;
    },
  };
}

function writeUint(w: Writer, bits: 8 | 16 | 24 | 32, v: number): void {
  if (bits === 8) w.u8(v);
  else if (bits === 16) w.u16(v);
  else if (bits === 24) w.u24(v);
  else w.u32(v);
}

function readUint(r: Reader, bits: 8 | 16 | 24 | 32): number {
  return bits === 8 ? r.u8() : bits === 16 ? r.u16() : bits === 24 ? r.u24() : r.u32();
}

export const u8 = uintCodec(8);
export const u16 = uintCodec(16);
export const u24 = uintCodec(24);
export const u32 = uintCodec(32);

export const u64: Codec<bigint> = {
  kind: { t: 'u64' },
  encode: (w, v) => void w.u64(v),
  decode: (r) => r.u64(),
  toJSON: (v) => v.toString(),
  fromJSON: (j, path) => {
    if ((typeof j !== 'string' && typeof j !== 'number') || !/^\d+$/.test(String(j))) throw jsonError(path, 'decimal u64', j);
    const v = BigInt(j);
    if (v > 0xffffffffffffffffn) throw jsonError(path, 'decimal u64', j);
    return v;
  },
};

/**
 * An integer with named values. JSON shows the name when there is one (else the number); both are accepted back.
 * Unknown values decode fine (receivers must not choke on values from newer specs).
 */
export function enumOf(bits: 8 | 16 | 24 | 32, names: Readonly<Record<number, string>>): Codec<number> {
  const base = uintCodec(bits);
  const byName = new Map(Object.entries(names).map(([k, v]) => [v, Number(k)]));
  return {
    ...base,
    kind: { t: 'enum', bits, names },
    toJSON: (v) => names[v] ?? v,
    fromJSON: (j, path) => {
      if (typeof j === 'string') {
        const v = byName.get(j);
        if (v === undefined) throw jsonError(path, `one of ${[...byName.keys()].join(', ')}`, j);
        return v;
      }
      return base.fromJSON(j, path);
    },
  };
}

/** Named bits in an integer. Bits without a name are kept in `other` (so input round-trips byte-exact). */
export function flagsOf<F extends string>(bits: 8 | 16 | 32, flags: Readonly<Record<F, number>>): Codec<Record<F, boolean> & { other?: number }> {
  const entries = Object.entries(flags) as [F, number][];
  const known = entries.reduce((m, [, b]) => m | b, 0);
  const base = uintCodec(bits);
  type V = Record<F, boolean> & { other?: number };
  const fromInt = (n: number): V => {
    const v = {} as Record<string, boolean>;
    for (let i = 0; i < entries.length; i++) v[entries[i][0]] = (n & entries[i][1]) !== 0;
    const other = (n & ~known) >>> 0;
    if (other) (v as V).other = other;
    return v as V;
  };
  const toInt = (v: V): number => entries.reduce((m, [k, b]) => (v[k] ? m | b : m), (v.other ?? 0) & ~known) >>> 0;
  return {
    kind: { t: 'flags', bits, flags },
    encode: (w, v) => base.encode(w, toInt(v)),
    decode: (r) => fromInt(base.decode(r)),
    toJSON: (v) => {
      const o: Record<string, Json> = {};
      for (const [k] of entries) o[k] = v[k];
      if (v.other) o.other = v.other;
      return o;
    },
    fromJSON: (j, path) => {
      if (typeof j !== 'object' || j === null || Array.isArray(j)) throw jsonError(path, 'object of booleans', j);
      const o = j as Record<string, unknown>;
      const v = {} as V;
      for (const [k] of entries) (v as Record<string, boolean>)[k] = (o[k] ?? false) === true;
      if (o.other !== undefined) v.other = base.fromJSON(o.other, `${path}.other`);
      return v;
    },
  };
}

function readLength(r: Reader, len: LengthSpec, what: string): number {
  if (typeof len === 'number') return len;
  if (len === 'rest') return r.remaining;
  return readUint(r, len.prefix);
}

function writeLength(w: Writer, len: LengthSpec, n: number, what: string): void {
  if (typeof len === 'number') {
    if (n !== len) throw new RangeError(`${what} must be ${len} long, is ${n}`);
    return;
  }
  if (len === 'rest') return;
  writeUint(w, len.prefix, n);
}

/** Bytes: fixed size, length-prefixed, or the rest of the enclosing structure. JSON: hex. */
export function bytes(len: LengthSpec, max?: number): Codec<Uint8Array> {
  return {
    kind: { t: 'bytes', len, max },
    encode: (w, v) => {
      writeLength(w, len, v.byteLength, 'byte field');
      w.bytes(v);
    },
    decode: (r) => r.bytes(readLength(r, len, 'bytes'), 'byte field'),
    toJSON: (v) => toHex(v),
    fromJSON: (j, path) => {
      if (typeof j !== 'string') throw jsonError(path, 'hex string', j);
      try {
        return fromHex(j);
      } catch {
        throw jsonError(path, 'hex string', j);
      }
    },
  };
}

/** A UTF-8 string: fixed size, length-prefixed (length in bytes), or the rest of the enclosing structure. */
export function utf8(len: LengthSpec, max?: number): Codec<string> {
  return {
    kind: { t: 'string', len, max },
    encode: (w, v) => {
      const n = utf8ByteLength(v);
      writeLength(w, len, n, 'string');
      w.utf8(v, n);
    },
    decode: (r) => {
      const n = readLength(r, len, 'string');
      const at = r.offset;
      return decodeUtf8(r.borrow(n, 'string'), at);
    },
    toJSON: (v) => v,
    fromJSON: (j, path) => {
      if (typeof j !== 'string') throw jsonError(path, 'string', j);
      return j;
    },
  };
}

/** `n` reserved bytes: zeros on the wire, ignored on receipt, absent from the value. */
export function reserved(n: number): ReservedCodec {
  return {
    [RESERVED]: true,
    kind: { t: 'reserved', n },
    encode: (w) => void w.zeros(n),
    decode: (r) => {
      r.skip(n, 'reserved field');
      return undefined;
    },
    toJSON: () => null,
    fromJSON: () => undefined,
  };
}

type StructValue<F extends Record<string, Codec<any>>> = {
  [K in keyof F as F[K] extends ReservedCodec ? never : K]: Infer<F[K]>;
};

/** Fields in order. Reserved fields are written as zeros and do not appear in the value. */
export function struct<F extends Record<string, Codec<any>>>(fields: F): Codec<StructValue<F>> {
  const list = Object.entries(fields) as [string, Codec<unknown>][];
  const isReserved = list.map(([, c]) => RESERVED in c);
  return {
    kind: { t: 'struct', fields: list },
    encode: (w, v) => {
      const o = v as Record<string, unknown>;
      for (const [k, c] of list) c.encode(w, o[k]);
    },
    decode: (r) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < list.length; i++) {
        const x = list[i][1].decode(r);
        if (!isReserved[i]) o[list[i][0]] = x;
      }
      return o as StructValue<F>;
    },
    toJSON: (v) => {
      const o: Record<string, Json> = {};
      const src = v as Record<string, unknown>;
      for (const [k, c] of list) if (!(RESERVED in c)) o[k] = c.toJSON(src[k]);
      return o;
    },
    fromJSON: (j, path) => {
      if (typeof j !== 'object' || j === null || Array.isArray(j)) throw jsonError(path, 'object', j);
      const src = j as Record<string, unknown>;
      const o: Record<string, unknown> = {};
      for (const [k, c] of list) if (!(RESERVED in c)) o[k] = c.fromJSON(src[k], `${path}.${k}`);
      return o as StructValue<F>;
    },
  };
}

/**
 * A list of items: a fixed count, a count prefix, or items until the enclosing structure ends.
 * `max` bounds the count a decoder accepts (an attacker-chosen count never drives an allocation on its own:
 * every item must also be present in the input).
 */
export function list<T>(item: Codec<T>, count: LengthSpec, max?: number): Codec<T[]> {
  return {
    kind: { t: 'list', item: item as Codec<unknown>, count, max },
    encode: (w, v) => {
      writeLength(w, count, v.length, 'list');
      for (const x of v) item.encode(w, x);
    },
    decode: (r) => {
      const out: T[] = [];
      const countAt = r.offset;
      const tooMany = () => new DecodeError(`list holds more than ${max} items`, countAt, { code: 'ERR_LIMIT' });
      // an item that consumes no bytes would let a count (or 'rest') drive the loop without input: refuse it
      const next = () => {
        const before = r.position;
        const x = item.decode(r);
        if (r.position === before) throw new DecodeError('list item of zero bytes', r.offset, { code: 'ERR_VALUE' });
        out.push(x);
      };
      if (count === 'rest') {
        while (r.remaining > 0) {
          if (max !== undefined && out.length >= max) throw tooMany();
          next();
        }
        return out;
      }
      const n = readLength(r, count, 'list');
      if (max !== undefined && n > max) throw tooMany();
      for (let i = 0; i < n; i++) next();
      return out;
    },
    toJSON: (v) => v.map((x) => item.toJSON(x)),
    fromJSON: (j, path) => {
      if (!Array.isArray(j)) throw jsonError(path, 'array', j);
      return j.map((x, i) => item.fromJSON(x, `${path}[${i}]`));
    },
  };
}

/** A hand-written codec that still takes part in JSON and tests (tests supply its arbitrary by `name`). */
export function custom<T>(name: string, c: Omit<Codec<T>, 'kind'>): Codec<T> {
  return { kind: { t: 'custom', name }, ...c };
}

/** Encode a value with a codec into fresh bytes. */
export function encodeWith<T>(codec: Codec<T>, v: T): Uint8Array {
  const w = new Writer();
  codec.encode(w, v);
  return w.finish();
}

/** Decode bytes that must hold exactly one value. */
export function decodeWith<T>(codec: Codec<T>, b: Uint8Array, base = 0): T {
  const r = new Reader(b, base);
  const v = codec.decode(r);
  r.end();
  return v;
}
