/**
 * Property tests of the byte idiom and the declarative codec combinators (STYLE habits 4 and 6): round trips over
 * random codec trees, Reader bounds, Writer range errors, the JSON view and the hex helpers. Oracles are Node's
 * Buffer/DataView/TextEncoder, never the code under test.
 */
import fc from 'fast-check';
import {
  Reader,
  Writer,
  DecodeError,
  isTncjsError,
  toHex,
  fromHex,
  equalBytes,
  concatBytes,
  decodeUtf8,
  encodeUtf8,
  u8,
  u16,
  u24,
  u32,
  u64,
  enumOf,
  flagsOf,
  bytes,
  utf8,
  reserved,
  struct,
  list,
  custom,
  encodeWith,
  decodeWith,
  type Codec,
  type LengthSpec,
} from '@tncjs/common';
import { arbitraryFor, minEncodedSize } from '../../../test-support/arbitraries.js';

// ---------------------------------------------------------------------------------------------------------------
// Random codec trees: a printable spec, and the codec built from it
// ---------------------------------------------------------------------------------------------------------------

type Bits = 8 | 16 | 24 | 32;
type Spec =
  | { t: 'uint'; bits: Bits }
  | { t: 'u64' }
  | { t: 'enum'; bits: Bits; names: Record<number, string> }
  | { t: 'flags'; bits: 8 | 16 | 32; flags: Record<string, number> }
  | { t: 'bytes' | 'string'; len: LengthSpec }
  | { t: 'reserved'; n: number }
  | { t: 'struct'; fields: [string, Spec][] }
  | { t: 'list'; item: Spec; count: LengthSpec };

function build(s: Spec): Codec<any> {
  switch (s.t) {
    case 'uint':
      return { 8: u8, 16: u16, 24: u24, 32: u32 }[s.bits];
    case 'u64':
      return u64;
    case 'enum':
      return enumOf(s.bits, s.names);
    case 'flags':
      return flagsOf(s.bits, s.flags);
    case 'bytes':
      return bytes(s.len);
    case 'string':
      return utf8(s.len);
    case 'reserved':
      return reserved(s.n);
    case 'struct':
      return struct(Object.fromEntries(s.fields.map(([k, f]) => [k, build(f)])));
    case 'list':
      return list(build(s.item), s.count);
  }
}

const bitsArb = fc.constantFrom<Bits>(8, 16, 24, 32);
const lenArb = (atEnd: boolean): fc.Arbitrary<LengthSpec> =>
  fc.oneof(
    fc.integer({ min: 0, max: 6 }),
    fc.constantFrom<LengthSpec>({ prefix: 8 }, { prefix: 16 }, { prefix: 24 }, { prefix: 32 }),
    ...(atEnd ? [fc.constant<LengthSpec>('rest')] : []),
  );

const leafSpec = (atEnd: boolean): fc.Arbitrary<Spec> =>
  fc.oneof(
    bitsArb.map((bits): Spec => ({ t: 'uint', bits })),
    fc.constant<Spec>({ t: 'u64' }),
    fc
      .tuple(bitsArb, fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }))
      .map(([bits, vs]): Spec => ({ t: 'enum', bits, names: Object.fromEntries(vs.map((v) => [v, `name-${v}`])) })),
    fc
      .constantFrom<8 | 16 | 32>(8, 16, 32)
      .chain((bits) => fc.uniqueArray(fc.integer({ min: 0, max: bits - 1 }), { maxLength: 4 }).map((bs): Spec => ({ t: 'flags', bits, flags: Object.fromEntries(bs.map((b) => [`bit${b}`, 2 ** b])) }))),
    fc.tuple(fc.constantFrom<'bytes' | 'string'>('bytes', 'string'), lenArb(atEnd)).map(([t, len]): Spec => ({ t, len })),
  );

function specArb(depth: number, atEnd: boolean): fc.Arbitrary<Spec> {
  if (depth === 0) return leafSpec(atEnd);
  const inner = specArb(depth - 1, false);
  const structArb = fc
    .tuple(fc.array(fc.oneof({ weight: 4, arbitrary: inner }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((n): Spec => ({ t: 'reserved', n })) }), { maxLength: 4 }), atEnd ? fc.option(specArb(depth - 1, true)) : fc.constant(null))
    .map(([fs, last]): Spec => ({ t: 'struct', fields: [...fs, ...(last ? [last] : [])].map((f, i) => [`f${i}`, f] as [string, Spec]) }));
  // list items take at least one byte: zero-width items make a list decoder spin (see the 'lists' tests below)
  const item = inner.map((s): Spec => ({ t: 'struct', fields: [['tag', { t: 'uint', bits: 8 }], ['body', s]] }));
  const listArb = fc.oneof(
    fc.tuple(item, fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom<LengthSpec>({ prefix: 8 }, { prefix: 16 }, { prefix: 32 }))).map(([it, count]): Spec => ({ t: 'list', item: it, count })),
    ...(atEnd ? [item.map((it): Spec => ({ t: 'list', item: it, count: 'rest' }))] : []),
  );
  return fc.oneof({ weight: 2, arbitrary: leafSpec(atEnd) }, { weight: 2, arbitrary: structArb }, { weight: 1, arbitrary: listArb });
}

/** A random codec with a value of it (the spec prints in counterexamples). */
const codecAndValue = specArb(3, true).chain((spec) => {
  const codec = build(spec);
  return arbitraryFor(codec).map((value) => ({ spec, codec: Object.assign(codec, { [fc.toStringMethod]: () => JSON.stringify(spec) }), value }));
});

/** The only failure a decoder may report: a DecodeError from the byte idiom. */
function decodeOrDecodeError<T>(codec: Codec<T>, b: Uint8Array): { value: T } | { error: DecodeError } {
  try {
    return { value: decodeWith(codec, b) };
  } catch (e) {
    if (!(e instanceof DecodeError) || !isTncjsError(e)) throw new Error(`expected DecodeError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(['ERR_TRUNCATED', 'ERR_TRAILING', 'ERR_UTF8']).toContain(e.code);
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(b.byteLength);
    return { error: e };
  }
}

describe('codec combinators over random codec trees', () => {
  test('decode(encode(x)) = x and encode(decode(b)) = b', () => {
    fc.assert(
      fc.property(codecAndValue, ({ codec, value }) => {
        const b = encodeWith(codec, value);
        const back = decodeWith(codec, b);
        expect(back).toStrictEqual(value);
        expect(equalBytes(encodeWith(codec, back), b)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('fromJSON(JSON(toJSON(x))) = x', () => {
    fc.assert(
      fc.property(codecAndValue, ({ codec, value }) => {
        const json = JSON.parse(JSON.stringify(codec.toJSON(value)));
        expect(codec.fromJSON(json, 'v')).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  test('every proper prefix: a DecodeError, or a value that re-encodes to exactly that prefix', () => {
    fc.assert(
      fc.property(codecAndValue, ({ codec, value }) => {
        const b = encodeWith(codec, value);
        for (let k = 0; k < b.byteLength; k++) {
          const r = decodeOrDecodeError(codec, b.subarray(0, k));
          if ('value' in r) expect(toHex(encodeWith(codec, r.value))).toBe(toHex(b.subarray(0, k)));
        }
      }),
      { numRuns: 100 },
    );
  });

  test('random bytes: a value that re-encodes to the input, or a DecodeError (nothing else)', () => {
    fc.assert(
      fc.property(codecAndValue, fc.uint8Array({ maxLength: 64 }), ({ codec }, input) => {
        const r = decodeOrDecodeError(codec, input);
        // no reserved fields in the spec → byte-exact; with them, same length and idempotent
        if ('value' in r) {
          const again = encodeWith(codec, r.value);
          expect(again.byteLength).toBe(input.byteLength);
          expect(decodeWith(codec, again)).toStrictEqual(r.value);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('trailing bytes after a whole value: DecodeError ERR_TRAILING at the first extra byte', () => {
    fc.assert(
      fc.property(codecAndValue, fc.uint8Array({ minLength: 1, maxLength: 8 }), ({ spec, codec, value }, extra) => {
        fc.pre(!JSON.stringify(spec).includes('"rest"'));
        const b = concatBytes([encodeWith(codec, value), extra]);
        expect(() => decodeWith(codec, b)).toThrow(DecodeError);
        try {
          decodeWith(codec, b);
        } catch (e) {
          expect(e).toMatchObject({ code: 'ERR_TRAILING', offset: b.byteLength - extra.byteLength });
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('integers', () => {
  const cases = [
    [8, u8, 0xff],
    [16, u16, 0xffff],
    [24, u24, 0xffffff],
    [32, u32, 0xffffffff],
  ] as const;

  test.each(cases)('u%d: big-endian, round trip', (bits, codec, max) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max }), (v) => {
        const b = encodeWith(codec, v);
        const oracle = Buffer.alloc(bits / 8);
        oracle.writeUIntBE(v, 0, bits / 8);
        expect(toHex(b)).toBe(oracle.toString('hex'));
        expect(decodeWith(codec, b)).toBe(v);
      }),
    );
  });

  test.each(cases)('u%d: out of range, negative, fractional or NaN → RangeError', (_bits, codec, max) => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -1 }), fc.double({ noInteger: true }), fc.constantFrom(NaN, Infinity, -Infinity, max + 0.5)),
        (v) => {
          expect(() => encodeWith(codec, v)).toThrow(RangeError);
        },
      ),
    );
  });

  test('u64: big-endian, round trip; out of range or not a bigint → RangeError', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const b = encodeWith(u64, v);
        const oracle = Buffer.alloc(8);
        oracle.writeBigUInt64BE(v);
        expect(toHex(b)).toBe(oracle.toString('hex'));
        expect(decodeWith(u64, b)).toBe(v);
        expect(u64.fromJSON(JSON.parse(JSON.stringify(u64.toJSON(v))), 'v')).toBe(v);
      }),
    );
    for (const bad of [-1n, 2n ** 64n, 1 as unknown as bigint]) expect(() => encodeWith(u64, bad)).toThrow(RangeError);
    expect(() => u64.fromJSON('18446744073709551616', 'v')).toThrow(TypeError);
  });

  test('enum: unknown values decode as numbers; JSON shows names and takes names or numbers back', () => {
    const e = enumOf(16, { 1: 'one', 2: 'two' });
    expect(decodeWith(e, Uint8Array.of(0x12, 0x34))).toBe(0x1234);
    expect(e.toJSON(2)).toBe('two');
    expect(e.toJSON(7)).toBe(7);
    expect(e.fromJSON('one', 'v')).toBe(1);
    expect(e.fromJSON(9, 'v')).toBe(9);
    expect(() => e.fromJSON('three', 'v.kind')).toThrow(/v\.kind/);
    expect(() => e.fromJSON(0x10000, 'v')).toThrow(TypeError);
  });

  test('flags: named bits and unnamed bits in `other` round-trip byte-exact for every integer', () => {
    const f = flagsOf(32, { top: 0x80000000, low: 0x1 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(n);
        const v = decodeWith(f, new Uint8Array(b));
        expect(v.top).toBe(n >= 0x80000000);
        expect(v.low).toBe((n & 1) === 1);
        expect(v.other ?? 0).toBe((n & 0x7ffffffe) >>> 0);
        expect(toHex(encodeWith(f, v))).toBe(b.toString('hex'));
      }),
    );
  });
});

describe('bytes, strings, reserved', () => {
  test('a fixed-size field of the wrong size → RangeError', () => {
    expect(() => encodeWith(bytes(4), new Uint8Array(3))).toThrow(RangeError);
    expect(() => encodeWith(utf8(2), 'abc')).toThrow(RangeError);
    expect(() => encodeWith(list(u8, 2), [1])).toThrow(RangeError);
  });

  test('a value too long for its length prefix → RangeError', () => {
    expect(() => encodeWith(bytes({ prefix: 8 }), new Uint8Array(256))).toThrow(RangeError);
    expect(() => encodeWith(utf8({ prefix: 8 }), 'é'.repeat(128))).toThrow(RangeError);
    expect(() => encodeWith(list(u8, { prefix: 8 }), new Array(256).fill(0))).toThrow(RangeError);
    expect(encodeWith(utf8({ prefix: 8 }), 'é'.repeat(127))).toHaveLength(255);
  });

  test('strings encode exactly as TextEncoder does (lone surrogates too), with a matching length prefix', () => {
    const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(anyUnits, fc.string({ unit: 'binary' }), fc.string()), (s) => {
        const oracle = new TextEncoder().encode(s);
        expect(toHex(encodeWith(utf8('rest'), s))).toBe(toHex(oracle));
        expect(toHex(encodeUtf8(s))).toBe(toHex(oracle));
        const prefixed = encodeWith(utf8({ prefix: 16 }), s);
        expect(new DataView(prefixed.buffer).getUint16(0)).toBe(oracle.byteLength);
        expect(toHex(prefixed.subarray(2))).toBe(toHex(oracle));
      }),
      { numRuns: 300 },
    );
  });

  test('decodeUtf8 agrees with a strict TextDecoder that keeps a BOM; invalid UTF-8 → DecodeError ERR_UTF8 at the given offset', () => {
    const oracle = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const utf8ish = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary' }).map((s) => encodeUtf8(s)), fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => x & 0x7f)));
    fc.assert(
      fc.property(utf8ish, fc.nat(1000), (b, at) => {
        let want: string | undefined;
        try {
          want = oracle.decode(b);
        } catch {
          want = undefined;
        }
        if (want === undefined) {
          expect(() => decodeUtf8(b, at)).toThrow(DecodeError);
          try {
            decodeUtf8(b, at);
          } catch (e) {
            expect(e).toMatchObject({ code: 'ERR_UTF8', offset: at });
          }
        } else expect(decodeUtf8(b, at)).toBe(want);
      }),
      { numRuns: 500 },
    );
  });

  // Regression: TextDecoder strips a leading byte order mark unless `ignoreBOM` is set, so a string field that starts
  // with U+FEFF loses 3 bytes on decode (and the element re-encodes shorter than it arrived).
  test('a string starting with U+FEFF (BOM) round-trips', () => {
    expect(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x78))).toBe('\ufeffx');
    expect(decodeWith(utf8('rest'), encodeWith(utf8('rest'), '\ufeffx'))).toBe('\ufeffx');
    const b = encodeWith(utf8({ prefix: 8 }), '\ufeff');
    expect(toHex(encodeWith(utf8({ prefix: 8 }), decodeWith(utf8({ prefix: 8 }), b)))).toBe(toHex(b));
  });

  test('reserved fields encode as zeros and are ignored on receipt', () => {
    const c = struct({ a: u8, _r: reserved(3), b: u16 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 3, maxLength: 3 }), (a, b, r) => {
        expect(toHex(encodeWith(c, { a, b } as never))).toBe(toHex(Uint8Array.of(a, 0, 0, 0, b >> 8, b & 0xff)));
        expect(decodeWith(c, Uint8Array.of(a, ...r, b >> 8, b & 0xff))).toStrictEqual({ a, b });
      }),
    );
    expect(c.toJSON({ a: 1, b: 2 } as never)).toStrictEqual({ a: 1, b: 2 });
  });

  test('JSON errors are TypeErrors naming the path', () => {
    const c = struct({ name: utf8({ prefix: 8 }), data: bytes({ prefix: 8 }), items: list(u16, { prefix: 8 }) });
    expect(() => c.fromJSON({ name: 1, data: '', items: [] }, 'msg')).toThrow(/msg\.name/);
    expect(() => c.fromJSON({ name: '', data: 'xyz', items: [] }, 'msg')).toThrow(/msg\.data/);
    expect(() => c.fromJSON({ name: '', data: '', items: [1, -1] }, 'msg')).toThrow(/msg\.items\[1\]/);
    expect(() => c.fromJSON([], 'msg')).toThrow(TypeError);
  });
});

describe('lists', () => {
  // `list()` documents: "`max` bounds the count a decoder accepts".
  test('a count above `max` is refused with a DecodeError', () => {
    expect(() => decodeWith(list(u8, { prefix: 8 }, 2), Uint8Array.of(3, 1, 2, 3))).toThrow(DecodeError);
    expect(() => decodeWith(list(u8, 'rest', 2), Uint8Array.of(1, 2, 3))).toThrow(DecodeError);
    expect(decodeWith(list(u8, { prefix: 8 }, 2), Uint8Array.of(2, 1, 2))).toEqual([1, 2]);
  });

  test('a huge count with little input fails at the first missing item (no allocation up front)', () => {
    const c = list(u16, { prefix: 32 });
    try {
      decodeWith(c, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 1, 0));
      throw new Error('decoded');
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect(e).toMatchObject({ code: 'ERR_TRUNCATED', offset: 6 });
    }
  });

  /** An item that takes no bytes, counting its decodes so that a runaway decoder stops with a recognisable error. */
  function zeroWidthItem(): Codec<Record<string, never>> {
    let calls = 0;
    const empty = struct({});
    return {
      ...empty,
      decode: (r) => {
        if (++calls > 10_000) throw new Error('runaway list decoder: item decoded 10000 times without consuming input');
        return empty.decode(r) as Record<string, never>;
      },
    };
  }

  function refusal(fn: () => unknown): unknown {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  }

  // A list running to the end of its structure whose items take 0 bytes never ends: every iteration decodes an empty
  // item without moving. The decoder must refuse (or `list()` refuse to build such a list) instead of spinning.
  test("a 'rest' list of zero-width items terminates with an error", () => {
    const err = refusal(() => decodeWith(list(zeroWidthItem(), 'rest'), Uint8Array.of(0)));
    expect(String(err)).not.toMatch(/runaway/);
    expect(err instanceof DecodeError || err instanceof RangeError).toBe(true);
  });

  // The same with a count: 4 bytes declaring 0xffffffff zero-width items make 4 billion objects, contradicting
  // "an attacker-chosen count never drives an allocation on its own: every item must also be present in the input".
  test('a counted list of zero-width items does not let a 4-byte count drive 4 billion decodes', () => {
    const err = refusal(() => decodeWith(list(zeroWidthItem(), { prefix: 32 }), Uint8Array.of(0xff, 0xff, 0xff, 0xff)));
    expect(String(err)).not.toMatch(/runaway/);
    expect(err instanceof DecodeError || err instanceof RangeError).toBe(true);
  });
});

describe('arbitraryFor', () => {
  test('custom codecs take their arbitrary by name, and a missing one is an error', () => {
    const c = custom<number>('Answer', { encode: (w, v) => void w.u8(v), decode: (r) => r.u8(), toJSON: (v) => v, fromJSON: (j) => j as number });
    expect(() => arbitraryFor(c)).toThrow(/Answer/);
    expect(fc.sample(arbitraryFor(c, { Answer: fc.constant(42) }), 3)).toEqual([42, 42, 42]);
  });

  test("a 'rest' field that is not last, or a 'rest' list of zero-width items, is refused", () => {
    expect(() => arbitraryFor(struct({ a: bytes('rest'), b: u8 }))).toThrow(/rest/);
    expect(() => arbitraryFor(list(struct({ _r: reserved(0) }), 'rest'))).toThrow(/never ends/);
    expect(minEncodedSize(struct({ a: u8, b: bytes({ prefix: 16 }), c: list(u32, 2) }).kind)).toBe(1 + 2 + 8);
  });

  test('respects length-prefix maxima and fixed sizes', () => {
    for (const v of fc.sample(arbitraryFor(struct({ s: utf8({ prefix: 8 }, 5), b: bytes(3), l: list(u8, { prefix: 8 }, 2) })), 200)) {
      expect(encodeUtf8(v.s).byteLength).toBeLessThanOrEqual(5);
      expect(v.b).toHaveLength(3);
      expect(v.l.length).toBeLessThanOrEqual(2);
    }
    for (const s of fc.sample(arbitraryFor(utf8(20)), 200)) expect(encodeUtf8(s)).toHaveLength(20);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Reader and Writer
// ---------------------------------------------------------------------------------------------------------------

type ReadOp = { op: 'u8' | 'u16' | 'u24' | 'u32' | 'u64' } | { op: 'bytes' | 'skip' | 'borrow'; n: number };
const readOp: fc.Arbitrary<ReadOp> = fc.oneof(
  fc.constantFrom<ReadOp>({ op: 'u8' }, { op: 'u16' }, { op: 'u24' }, { op: 'u32' }, { op: 'u64' }),
  fc.record({ op: fc.constantFrom<'bytes' | 'skip' | 'borrow'>('bytes', 'skip', 'borrow'), n: fc.nat(12) }, { noNullPrototype: true }),
);
const SIZE: Record<string, number> = { u8: 1, u16: 2, u24: 3, u32: 4, u64: 8 };

describe('Reader bounds', () => {
  test('reads a view inside a larger buffer (respecting byteOffset); past the end → ERR_TRUNCATED at the absolute offset, position unchanged', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(7), fc.nat(7), fc.nat(1000), fc.array(readOp, { maxLength: 20 }), (data, before, after, base, ops) => {
        const backing = new Uint8Array(before + data.length + after).fill(0xee);
        backing.set(data, before);
        const r = new Reader(backing.subarray(before, before + data.length), base);
        const oracle = Buffer.from(data);
        let pos = 0;
        for (const o of ops) {
          const n = 'n' in o ? o.n : SIZE[o.op];
          if (pos + n > data.length) {
            try {
              if ('n' in o) r[o.op](o.n);
              else r[o.op]();
              throw new Error('read past the end');
            } catch (e) {
              expect(e).toBeInstanceOf(DecodeError);
              expect(e).toMatchObject({ code: 'ERR_TRUNCATED', offset: base + pos });
            }
            expect(r.position).toBe(pos);
            continue;
          }
          switch (o.op) {
            case 'u8':
            case 'u16':
            case 'u24':
            case 'u32':
              expect(r[o.op]()).toBe(oracle.readUIntBE(pos, n));
              break;
            case 'u64':
              expect(r.u64()).toBe(oracle.readBigUInt64BE(pos));
              break;
            case 'bytes':
            case 'borrow':
              expect(toHex(r[o.op](n))).toBe(oracle.subarray(pos, pos + n).toString('hex'));
              break;
            case 'skip':
              r.skip(n);
          }
          pos += n;
          expect({ position: r.position, offset: r.offset, remaining: r.remaining }).toEqual({ position: pos, offset: base + pos, remaining: data.length - pos });
        }
      }),
      { numRuns: 300 },
    );
  });

  test('bytes() copies, borrow() does not; sub() reports absolute offsets; end() refuses trailing bytes', () => {
    const input = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const r = new Reader(input, 100);
    const copy = r.bytes(1);
    const view = r.borrow(1);
    input[0] = 9;
    input[1] = 9;
    expect(copy[0]).toBe(1);
    expect(view[0]).toBe(9);
    const sub = r.sub(3);
    expect(sub.offset).toBe(102);
    expect(r.offset).toBe(105);
    sub.skip(1);
    expect(() => sub.u32()).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED', offset: 103 }));
    expect(() => sub.end('thing')).toThrow(expect.objectContaining({ code: 'ERR_TRAILING', offset: 103 }));
    expect(() => r.sub(2)).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED', offset: 105 }));
  });

  // A negative count is caller misuse (habit 5: RangeError); today skip(-1)/bytes(-1) move the cursor backwards.
  test('negative counts are refused, never move the cursor backwards', () => {
    const r = new Reader(Uint8Array.of(1, 2, 3, 4));
    r.skip(2);
    expect(() => r.skip(-1)).toThrow();
    expect(() => r.bytes(-1)).toThrow();
    expect(r.position).toBe(2);
    const w = new Writer();
    w.u16(0xabcd);
    expect(() => w.zeros(-1)).toThrow(RangeError);
    expect(toHex(w.finish())).toBe('abcd');
  });
});

type WriteOp = { op: 'u8' | 'u16' | 'u24' | 'u32'; v: number } | { op: 'u64'; v: bigint } | { op: 'bytes'; v: Uint8Array } | { op: 'zeros'; v: number } | { op: 'placeholder'; v: number };
const writeOp: fc.Arbitrary<WriteOp> = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).map((v): WriteOp => ({ op: 'u8', v })),
  fc.integer({ min: 0, max: 0xffff }).map((v): WriteOp => ({ op: 'u16', v })),
  fc.integer({ min: 0, max: 0xffffff }).map((v): WriteOp => ({ op: 'u24', v })),
  fc.integer({ min: 0, max: 0xffffffff }).map((v): WriteOp => ({ op: 'u32', v })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v): WriteOp => ({ op: 'u64', v })),
  fc.uint8Array({ maxLength: 300 }).map((v): WriteOp => ({ op: 'bytes', v })),
  fc.nat(300).map((v): WriteOp => ({ op: 'zeros', v })),
  fc.integer({ min: 0, max: 0xffffffff }).map((v): WriteOp => ({ op: 'placeholder', v })),
);

describe('Writer', () => {
  test('any sequence of writes (growing past the initial size) equals the Buffer oracle', () => {
    fc.assert(
      fc.property(fc.nat(64), fc.array(writeOp, { maxLength: 40 }), (initial, ops) => {
        const w = new Writer(initial);
        const chunks: Buffer[] = [];
        const fills: (() => void)[] = [];
        for (const o of ops) {
          let b: Buffer;
          switch (o.op) {
            case 'u8':
            case 'u16':
            case 'u24':
            case 'u32': {
              const n = { u8: 1, u16: 2, u24: 3, u32: 4 }[o.op];
              w[o.op](o.v);
              b = Buffer.alloc(n);
              b.writeUIntBE(o.v, 0, n);
              break;
            }
            case 'u64':
              w.u64(o.v);
              b = Buffer.alloc(8);
              b.writeBigUInt64BE(o.v);
              break;
            case 'bytes':
              w.bytes(o.v);
              b = Buffer.from(o.v);
              break;
            case 'zeros':
              w.zeros(o.v);
              b = Buffer.alloc(o.v);
              break;
            case 'placeholder': {
              const set = w.placeholderU32();
              b = Buffer.alloc(4);
              const target = b;
              const v = o.v;
              fills.push(() => set(v));
              target.writeUInt32BE(v);
              break;
            }
          }
          chunks.push(b);
        }
        for (const f of fills) f();
        const want = Buffer.concat(chunks);
        expect(w.length).toBe(want.length);
        expect(toHex(w.finish())).toBe(want.toString('hex'));
      }),
      { numRuns: 200 },
    );
  });

  test('out-of-range values → RangeError, nothing written', () => {
    const w = new Writer();
    for (const [f, v] of [
      ['u8', 256],
      ['u8', -1],
      ['u16', 0x10000],
      ['u24', 0x1000000],
      ['u32', 2 ** 32],
      ['u32', 1.5],
      ['u16', NaN],
    ] as const) {
      expect(() => w[f](v)).toThrow(RangeError);
    }
    expect(() => w.u64(-1n)).toThrow(RangeError);
    expect(() => w.placeholderU32()(2 ** 32)).toThrow(RangeError);
    expect(w.length).toBe(4); // only the placeholder
  });
});

describe('hex helpers', () => {
  test('toHex is lower-case Buffer hex; fromHex inverts it and accepts upper case, whitespace and colons', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('', ' ', ':', '\n', ' : '), fc.boolean(), (b, sep, upper) => {
        const hex = toHex(b);
        expect(hex).toBe(Buffer.from(b).toString('hex'));
        expect(fromHex(hex)).toEqual(b);
        const pairs = hex.match(/../g) ?? [];
        const styled = pairs.join(sep);
        expect(fromHex(upper ? styled.toUpperCase() : styled)).toEqual(b);
      }),
    );
  });

  test('odd length or non-hex characters → TypeError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const clean = s.replace(/[\s:]/g, '');
        const valid = clean.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(clean);
        if (valid) expect(toHex(fromHex(s))).toBe(clean.toLowerCase());
        else expect(() => fromHex(s)).toThrow(TypeError);
      }),
    );
    for (const bad of ['0', 'abc', '0x00', 'zz', 'g0']) expect(() => fromHex(bad)).toThrow(TypeError);
  });

  test('equalBytes and concatBytes agree with Buffer', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 6 }), fc.uint8Array({ maxLength: 16 }), (chunks, other) => {
        const joined = concatBytes(chunks);
        expect(Buffer.from(joined).equals(Buffer.concat(chunks))).toBe(true);
        expect(equalBytes(joined, other)).toBe(Buffer.from(joined).equals(Buffer.from(other)));
        expect(equalBytes(joined, joined.slice())).toBe(true);
      }),
    );
  });
});
