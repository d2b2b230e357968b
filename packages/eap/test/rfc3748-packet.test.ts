/** RFC 3748 §4/§5 packet codec: vectors, round-trip properties, truncation/length checks, and a time-boxed fuzzer. */
import fc from 'fast-check';
import { fromHex, toHex, isTncjsError } from '@tncjs/common';
import { decodeEapPacket, encodeEapPacket, EapCode, EapDecodeError, EapType, describeEapPacket, decodeNak, encodeNak, encodeExpandedNak, type EapPacket } from '../src/index.js';

test('vectors: Request/Identity, Response/Identity, Success, Failure, expanded type', () => {
  expect(toHex(encodeEapPacket({ code: 1, identifier: 0x2a, type: 1, data: new Uint8Array(0) }))).toBe('012a000501');
  const resp = encodeEapPacket({ code: 2, identifier: 0x2a, type: 1, data: new TextEncoder().encode('carol') });
  expect(toHex(resp)).toBe('022a000a01' + '6361726f6c');
  expect(toHex(encodeEapPacket({ code: EapCode.SUCCESS, identifier: 7, data: new Uint8Array(0) }))).toBe('03070004');
  expect(toHex(encodeEapPacket({ code: EapCode.FAILURE, identifier: 7, data: new Uint8Array(0) }))).toBe('04070004');
  const exp = encodeEapPacket({ code: 1, identifier: 1, type: 254, vendorId: 0x5597, vendorType: 3, data: Uint8Array.of(9) });
  expect(toHex(exp)).toBe('0101000d' + 'fe' + '005597' + '00000003' + '09');
  expect(decodeEapPacket(exp)).toEqual({ code: 1, identifier: 1, type: 254, vendorId: 0x5597, vendorType: 3, data: Uint8Array.of(9) });
  expect(describeEapPacket(decodeEapPacket(resp))).toBe('EAP/RES/ID');
});

test('decode errors are typed, with offsets', () => {
  const cases: [string, number][] = [
    ['01', 1], // truncated identifier
    ['0101', 2], // truncated length
    ['01010003', 2], // length < header
    ['0101000601', 2], // length != size
    ['01010004', 4], // request without type
    ['07010004', 0], // invalid code
    ['0101000afe000000000000', 2],
  ];
  for (const [hex, offset] of cases) {
    let err: unknown;
    try {
      decodeEapPacket(fromHex(hex));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EapDecodeError);
    expect((err as EapDecodeError).code).toBe('ERR_EAP_DECODE');
    expect((err as EapDecodeError).offset).toBe(offset);
  }
});

test('encoder refuses caller misuse', () => {
  expect(() => encodeEapPacket({ code: 1, identifier: 1, data: new Uint8Array(0) })).toThrow(TypeError);
  expect(() => encodeEapPacket({ code: 1, identifier: 256, type: 1, data: new Uint8Array(0) })).toThrow(RangeError);
  expect(() => encodeEapPacket({ code: 1, identifier: 1, type: 4, data: new Uint8Array(65531) })).toThrow(RangeError);
  expect(encodeEapPacket({ code: 1, identifier: 1, type: 4, data: new Uint8Array(65530) }).byteLength).toBe(65535);
});

test('Nak and Expanded Nak (RFC 3748 §5.3)', () => {
  expect(toHex(encodeNak(3, [21, 4]).data)).toBe('1504');
  expect(toHex(encodeNak(3, []).data)).toBe('00');
  expect(decodeNak(encodeNak(3, [21, 4]))).toEqual([{ type: 21 }, { type: 4 }]);
  const x = encodeExpandedNak(3, [{ type: 254, vendorId: 0x5597, vendorType: 9 }, { type: 21 }]);
  expect(toHex(encodeEapPacket(x))).toBe('0203001c' + 'fe00000000000003' + 'fe00559700000009' + 'fe00000000000015');
  expect(decodeNak(decodeEapPacket(encodeEapPacket(x)))).toEqual([{ type: 254, vendorId: 0x5597, vendorType: 9 }, { type: 21 }]);
  expect(() => decodeNak({ code: 2, identifier: 1, type: 254, vendorId: 0, vendorType: 3, data: new Uint8Array(5) })).toThrow(EapDecodeError);
});

const packetArb: fc.Arbitrary<EapPacket> = fc.oneof(
  fc.record({ code: fc.constantFrom(1, 2), identifier: fc.nat(255), type: fc.integer({ min: 1, max: 253 }), data: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ code: fc.constantFrom(1, 2), identifier: fc.nat(255), type: fc.constant(254), vendorId: fc.nat(0xffffff), vendorType: fc.nat(), data: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ code: fc.constantFrom(3, 4), identifier: fc.nat(255), data: fc.constant(new Uint8Array(0)) }),
);

test('property: decode(encode(p)) = p and encode(decode(b)) = b', () => {
  fc.assert(
    fc.property(packetArb, (p) => {
      const b = encodeEapPacket(p);
      expect(decodeEapPacket(b)).toEqual(p);
      expect(encodeEapPacket(decodeEapPacket(b))).toEqual(b);
    }),
    { numRuns: 500 },
  );
});

test('fuzz: random and mutated bytes only ever throw EapDecodeError (time-boxed)', () => {
  const seeds = fc.sample(packetArb, 50).map(encodeEapPacket);
  const arb = fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.nat()).map(([s, edits, cut]) => {
      const b = s.slice(0, Math.max(0, s.length - (cut % 4)));
      for (const [at, v] of edits) if (b.length) b[at % b.length] = v;
      return b;
    }),
  );
  const r = fc.check(
    fc.property(arb, (b) => {
      try {
        const p = decodeEapPacket(b);
        expect(encodeEapPacket(p)).toEqual(b);
      } catch (e) {
        if (!(e instanceof EapDecodeError) || !isTncjsError(e)) throw e;
      }
    }),
    { numRuns: 1_000_000, interruptAfterTimeLimit: 1500 },
  );
  expect(r.failed).toBe(false);
  expect(r.numRuns).toBeGreaterThan(1000);
});
