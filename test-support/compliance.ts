/**
 * The shared compliance suite every (vendor, type) element runs, PA-TNC attributes (RFC 5792 §4.1) and PB-TNC
 * messages (RFC 5793 §4.2) alike (STYLE habit 7):
 *   (a) round trip: decode(encode(x)) = x and encode(decode(encode(x))) = encode(x), alone and inside a container;
 *   (b) truncated input: every proper prefix fails with the layer's typed error, never anything else;
 *   (c) oversize length field (> remaining, < 12, 0xffffffff): typed error pointing at the length field;
 *   (d) unknown type: kept raw and re-encoded identically without NOSKIP, refused with NOSKIP.
 */
import { expect, describe, test } from '@jest/globals';
import fc from 'fast-check';
import {
  decodeWith,
  encodeWith,
  encodeVendorTlv,
  equalBytes,
  toHex,
  VENDOR_TLV_HEADER_SIZE,
  NOSKIP,
  type DecodeError,
  type TypedDef,
  type VendorTlv,
  type VendorTypeRegistry,
} from '@tncjs/common';
import { arbitraryForType, passesValidate } from './arbitraries.js';

/** A registered type as both layers define it. */
export type ElementDef = TypedDef<any> & { create(value: any, options?: { noskip?: boolean }): VendorTlv<any, any> };

export type Element = VendorTlv<unknown, any>;

export type TypedDecodeError = DecodeError & { errorCode: number };

/** What the suite needs to know about one layer (PA-TNC or PB-TNC). */
export interface VendorTlvLayer<D extends ElementDef> {
  /** 'PA-TNC attribute', 'PB-TNC message'. */
  element: string;
  /** Name of the typed error class, for failure messages. */
  errorName: string;
  /** True for the layer's typed decode error (`instanceof` its class). */
  isTypedError(e: unknown): e is TypedDecodeError;
  /** Its stable `code` string. */
  errorCodeString: string;
  /** Protocol error codes: Invalid Parameter, and the one for an unknown type with NOSKIP. */
  invalidParameter: number;
  unsupported: number;
  /** Bytes of container header before the first element (PA-TNC message header, PB-TNC batch header). */
  headerSize: number;
  /** Does the container carry its own length (so that every proper prefix of it is invalid)? */
  containerHasLength: boolean;
  /** A fresh registry with every type; the suite may unregister types from it. */
  registry(): VendorTypeRegistry<D>;
  /** NOSKIP values a receiver accepts for this type. */
  noskipAccepted(def: D): boolean[];
  /** A container with these elements, as the layer would send one carrying `def` (any container length fixed up). */
  encode(def: D, elements: ReadonlyArray<Element | Uint8Array>): Uint8Array;
  /** The elements of a container. */
  decode(bytes: Uint8Array, registry: VendorTypeRegistry<D>, options?: { keepUnknownNoskip?: boolean }): Element[];
  /** Layer-specific checks of the error refusing an unknown type with NOSKIP. */
  checkUnsupported?(e: TypedDecodeError, info: { vendorId: number; typeId: number; noskip: boolean }): void;
  /** Valid values of a type (default `arbitraryForType`). */
  arbitrary?(def: D): fc.Arbitrary<unknown>;
}

export interface ComplianceOptions {
  /** Runs per property (default 100; properties that loop over every prefix use a quarter). */
  numRuns?: number;
}

/**
 * Run `fn`, which must throw the layer's typed error; check its code, protocol error code and offset.
 * Any other outcome (success, a TypeError, a RangeError, a plain DecodeError) fails with a message saying so.
 */
export function expectTypedError<D extends ElementDef>(
  layer: VendorTlvLayer<D>,
  fn: () => unknown,
  want: { errorCode?: number; offset?: number; within?: readonly [number, number] } = {},
): TypedDecodeError {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    // plain checks rather than `expect` in here: the truncation properties call this thousands of times
    if (!layer.isTypedError(e)) throw new Error(`expected ${layer.errorName}, got ${(e as Error)?.name}: ${(e as Error)?.message ?? String(e)}`);
    const fail = (what: string) => new Error(`${layer.errorName} ${what}: ${e.message}`);
    if (e.code !== layer.errorCodeString) throw fail(`has code ${e.code}, expected ${layer.errorCodeString}`);
    if (want.errorCode !== undefined && e.errorCode !== want.errorCode) throw fail(`has error code ${e.errorCode}, expected ${want.errorCode}`);
    if (want.offset !== undefined && e.offset !== want.offset) throw fail(`has offset ${e.offset}, expected ${want.offset}`);
    if (want.within && !(e.offset >= want.within[0] && e.offset <= want.within[1])) throw fail(`has offset ${e.offset}, expected within [${want.within}]`);
    return e;
  }
  throw new Error(`expected ${layer.errorName}, but decoding succeeded: ${fc.stringify(result)}`);
}

/** Make counterexamples print an element as its name, NOSKIP flag and value rather than the whole type definition. */
export function printable<E extends Element>(e: E): E {
  Object.defineProperty(e, fc.toStringMethod, {
    enumerable: false,
    value: () => `${e.type?.name ?? `${e.vendorId}/${e.typeId}`}${e.noskip ? ' (NOSKIP)' : ''} ${fc.stringify(e.value)}`,
  });
  return e;
}

const u32be = (b: Uint8Array, at: number, v: number): Uint8Array => {
  const out = b.slice();
  new DataView(out.buffer).setUint32(at, v >>> 0);
  return out;
};

/** The shared suite, one `describe` per type named as strongSwan names it. */
export function runVendorTlvCompliance<D extends ElementDef>(label: string, defs: readonly D[], layer: VendorTlvLayer<D>, opts: ComplianceOptions = {}): void {
  const numRuns = opts.numRuns ?? 100;
  const slowRuns = Math.max(10, Math.floor(numRuns / 4));
  const H = layer.headerSize;

  describe(label, () => {
    test('covers at least one type, each with a unique (vendor, type)', () => {
      expect(defs.length).toBeGreaterThan(0);
      const keys = new Set(defs.map((d) => `${d.vendorId}/${d.type}`));
      expect(keys.size).toBe(defs.length);
    });

    describe.each(defs.map((d) => [d.name, d] as const))('%s', (_name, def) => {
      const values = (layer.arbitrary?.(def) ?? arbitraryForType(def)) as fc.Arbitrary<unknown>;
      const noskips = layer.noskipAccepted(def);
      const element = fc.tuple(values, fc.constantFrom(...noskips)).map(([value, noskip]) => printable(def.create(value, { noskip }) as Element));
      const registry = layer.registry();
      const encodeOne = (e: Element) => encodeVendorTlv(e);

      test('the arbitrary is not vacuous: varied values that pass the type\'s checks', () => {
        const sample = fc.sample(values, 50);
        for (const v of sample) expect(passesValidate(def, v)).toBe(true);
        const distinct = new Set(sample.map((v) => toHex(encodeWith(def.body, v)))).size;
        // a struct of reserved fields only (e.g. Get TPM Version Information) has exactly one value
        const empty = def.body.kind.t === 'struct' && def.body.kind.fields.every(([, c]) => c.kind.t === 'reserved');
        expect(distinct).toBeGreaterThanOrEqual(empty ? 1 : 2);
      });

      test('round trip alone: decode(encode(x)) = x, encode(decode(b)) = b, header fields', () => {
        fc.assert(
          fc.property(element, (e) => {
            const body = encodeWith(def.body, e.value);
            const back = decodeWith(def.body, body);
            expect(back).toStrictEqual(e.value);
            expect(equalBytes(encodeWith(def.body, back), body)).toBe(true);
            def.validate?.(back, 0);
            const tlv = encodeOne(e);
            expect(tlv.byteLength).toBe(VENDOR_TLV_HEADER_SIZE + body.byteLength);
            const view = new DataView(tlv.buffer);
            expect(view.getUint8(0)).toBe(e.noskip ? NOSKIP : 0);
            expect(view.getUint32(0) & 0xffffff).toBe(def.vendorId);
            expect(view.getUint32(4)).toBe(def.type);
            expect(view.getUint32(8)).toBe(tlv.byteLength);
            expect(equalBytes(tlv.subarray(VENDOR_TLV_HEADER_SIZE), body)).toBe(true);
          }),
          { numRuns },
        );
      });

      test(`round trip inside a container with other ${layer.element}s`, () => {
        const raw = fc.record({ typeId: fc.integer({ min: 0xf0000000, max: 0xfffffffe }), value: fc.uint8Array({ maxLength: 16 }) }, { noNullPrototype: true });
        fc.assert(
          fc.property(fc.array(element, { minLength: 1, maxLength: 4 }), fc.option(raw), fc.nat(4), (elements, r, at) => {
            const all: Element[] = [...elements];
            // an element of an unknown type (same vendor, no NOSKIP) kept raw between the others
            if (r) all.splice(at % (all.length + 1), 0, { vendorId: def.vendorId, typeId: r.typeId, noskip: false, value: r.value });
            const bytes = layer.encode(def, all);
            const decoded = layer.decode(bytes, registry);
            expect(decoded).toStrictEqual(all);
            expect(equalBytes(layer.encode(def, decoded), bytes)).toBe(true);
          }),
          { numRuns },
        );
      });

      test('JSON view: fromJSON(JSON(toJSON(x))) = x', () => {
        fc.assert(
          fc.property(values, (v) => {
            const json = JSON.parse(JSON.stringify(def.body.toJSON(v)));
            expect(def.body.fromJSON(json, 'value')).toStrictEqual(v);
          }),
          { numRuns },
        );
      });

      test(`truncated ${layer.element}: every proper prefix fails with the typed error at the header or length field`, () => {
        fc.assert(
          fc.property(element, (e) => {
            const tlv = encodeOne(e);
            for (let k = 1; k < tlv.byteLength; k++) {
              const bytes = layer.encode(def, [tlv.subarray(0, k)]);
              // fewer than 12 bytes: no header; otherwise the length field claims more than there is
              const offset = k < VENDOR_TLV_HEADER_SIZE ? H : H + 8;
              expectTypedError(layer, () => layer.decode(bytes, registry), { errorCode: layer.invalidParameter, offset });
            }
          }),
          { numRuns: slowRuns },
        );
      });

      test('truncated container: every proper prefix fails with the typed error', () => {
        fc.assert(
          fc.property(element, (e) => {
            const bytes = layer.encode(def, [e]);
            for (let k = 0; k < bytes.byteLength; k++) {
              if (!layer.containerHasLength && k === H) {
                expect(layer.decode(bytes.subarray(0, k), registry)).toEqual([]);
                continue;
              }
              expectTypedError(layer, () => layer.decode(bytes.subarray(0, k), registry), { within: [0, k] });
            }
          }),
          { numRuns: slowRuns },
        );
      });

      test('truncated value with a consistent length field: the typed error inside the element, or a value that re-encodes identically', () => {
        fc.assert(
          fc.property(element, (e) => {
            const tlv = encodeOne(e);
            for (let k = VENDOR_TLV_HEADER_SIZE; k < tlv.byteLength; k++) {
              const cut = u32be(tlv.subarray(0, k), 8, k);
              const bytes = layer.encode(def, [cut]);
              let decoded: Element[];
              try {
                decoded = layer.decode(bytes, registry);
              } catch (err) {
                expectTypedError(
                  layer,
                  () => {
                    throw err;
                  },
                  { errorCode: layer.invalidParameter, within: [H, H + k] },
                );
                continue;
              }
              expect(decoded).toHaveLength(1);
              expect(equalBytes(layer.encode(def, decoded), bytes)).toBe(true);
            }
          }),
          { numRuns: slowRuns },
        );
      });

      test('oversize length field (> remaining, < 12, 0xffffffff): typed error at the length field', () => {
        fc.assert(
          fc.property(fc.array(element, { minLength: 1, maxLength: 3 }), fc.nat(), fc.nat(), (elements, pick, extra) => {
            const tlvs = elements.map(encodeOne);
            const i = pick % tlvs.length;
            const at = H + tlvs.slice(0, i).reduce((n, t) => n + t.byteLength, 0);
            const remaining = tlvs.slice(i).reduce((n, t) => n + t.byteLength, 0);
            const bad = [remaining + 1 + (extra % 0x10000), 0xffffffff, 0x80000000, remaining + 1, ...Array.from({ length: VENDOR_TLV_HEADER_SIZE }, (_, n) => n)];
            for (const length of bad) {
              const corrupted = tlvs.map((t, j) => (j === i ? u32be(t, 8, length) : t));
              const bytes = layer.encode(def, corrupted);
              expectTypedError(layer, () => layer.decode(bytes, registry), { errorCode: layer.invalidParameter, offset: at + 8 });
            }
          }),
          { numRuns: slowRuns },
        );
      });

      test('unknown type without NOSKIP: kept raw, re-encodes identically', () => {
        const without = layer.registry();
        without.unregister(def.vendorId, def.type);
        fc.assert(
          fc.property(values, (v) => {
            const e = def.create(v, { noskip: false }) as Element;
            const tlv = encodeOne(e);
            const bytes = layer.encode(def, [tlv]);
            const decoded = layer.decode(bytes, without);
            expect(decoded).toStrictEqual([{ vendorId: def.vendorId, typeId: def.type, noskip: false, value: tlv.slice(VENDOR_TLV_HEADER_SIZE) }]);
            expect(decoded[0].type).toBeUndefined();
            const again = layer.encode(def, decoded);
            expect(equalBytes(again, bytes)).toBe(true);
          }),
          { numRuns },
        );
      });

      test('unknown type with NOSKIP: refused with the typed error at the element (kept raw only on request)', () => {
        const without = layer.registry();
        without.unregister(def.vendorId, def.type);
        fc.assert(
          fc.property(values, fc.array(element, { maxLength: 2 }), (v, before) => {
            const e = def.create(v, { noskip: true }) as Element;
            const bytes = layer.encode(def, [...before, e]);
            // the preceding elements are of the same (now unknown) type: keep them without NOSKIP
            const plain = before.map((b) => ({ ...b, noskip: false }));
            const bytes2 = layer.encode(def, [...plain, e]);
            const at = H + plain.reduce((n, b) => n + encodeOne(b).byteLength, 0);
            const err = expectTypedError(layer, () => layer.decode(bytes2, without), { errorCode: layer.unsupported, offset: at });
            layer.checkUnsupported?.(err, { vendorId: def.vendorId, typeId: def.type, noskip: true });
            const kept = layer.decode(bytes2, without, { keepUnknownNoskip: true });
            expect(kept.at(-1)).toStrictEqual({ vendorId: def.vendorId, typeId: def.type, noskip: true, value: encodeOne(e).slice(VENDOR_TLV_HEADER_SIZE) });
            expect(equalBytes(layer.encode(def, kept), bytes2)).toBe(true);
            // with the type registered, the same bytes decode to typed values again
            if (noskips.includes(true)) expect(layer.decode(bytes, registry)).toStrictEqual([...before, e]);
          }),
          { numRuns: slowRuns },
        );
      });
    });
  });
}
