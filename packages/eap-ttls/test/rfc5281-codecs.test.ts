/**
 * RFC 5281 §9 EAP-TTLS packet data, §9.2.2 fragmentation/reassembly and §10.1 Diameter AVPs: vectors, round-trip
 * properties, random re-chunking, time-boxed fuzzing (random and mutated bytes → typed errors only) and the size
 * limits (DoS).
 */
import fc from 'fast-check';
import { concatBytes, fromHex, isTncjsError, toHex } from '@tncjs/common';
import {
  AvpStream,
  DEFAULT_MAX_TLS_MESSAGE_SIZE,
  TtlsDecodeError,
  TtlsError,
  TtlsReassembler,
  decodeAvps,
  decodeTtlsData,
  eapMessageAvp,
  encodeAvps,
  encodeTtlsData,
  fragmentTlsMessage,
  type Avp,
} from '../src/index.js';

const timeBoxed = <T extends [unknown, ...unknown[]]>(p: fc.IProperty<T>, ms = 1200) => {
  const r = fc.check(p, { numRuns: 1_000_000, interruptAfterTimeLimit: ms });
  if (r.failed) throw new Error(fc.defaultReportMessage(r) ?? 'fuzz failed');
  expect(r.numRuns).toBeGreaterThan(500);
};

describe('EAP-TTLS packet data (RFC 5281 §9.1)', () => {
  test('vectors: start, ack, L flag with length, fragments', () => {
    expect(toHex(encodeTtlsData({ start: true, length: false, more: false, version: 0, data: new Uint8Array(0) }))).toBe('20');
    expect(toHex(encodeTtlsData({ start: false, length: false, more: false, version: 0, data: new Uint8Array(0) }))).toBe('00');
    expect(toHex(encodeTtlsData({ start: false, length: true, more: true, version: 0, tlsMessageLength: 3000, data: Uint8Array.of(0x16) }))).toBe('c000000bb816');
    expect(decodeTtlsData(fromHex('c000000bb816'))).toEqual({ start: false, length: true, more: true, version: 0, tlsMessageLength: 3000, data: Uint8Array.of(0x16) });
    expect(decodeTtlsData(fromHex('21'))).toMatchObject({ start: true, version: 1 });
  });

  test('typed errors: missing flags, truncated length, length smaller than the data', () => {
    for (const [hex, off] of [['', 5], ['80', 6], ['800000', 6], ['80000000011616', 6]] as const) {
      try {
        decodeTtlsData(fromHex(hex));
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(TtlsDecodeError);
        expect((e as TtlsDecodeError).offset).toBe(off);
      }
    }
  });

  test('property: decode(encode(d)) = d', () => {
    fc.assert(
      fc.property(fc.record({ start: fc.boolean(), length: fc.boolean(), more: fc.boolean(), version: fc.nat(7), data: fc.uint8Array({ maxLength: 64 }), extra: fc.nat(1000) }), (x) => {
        const d = { start: x.start, length: x.length, more: x.more, version: x.version, data: x.data, ...(x.length ? { tlsMessageLength: x.data.length + x.extra } : {}) };
        expect(decodeTtlsData(encodeTtlsData(d))).toEqual(d);
      }),
    );
  });
});

describe('fragmentation and reassembly (RFC 5281 §9.2.2)', () => {
  test('strongSwan-style 1024-byte packets: first has L+M, middle M, last none; L also on unfragmented packets', () => {
    const msg = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    const f = fragmentTlsMessage(msg, { fragmentSize: 1024, includeLength: true, version: 0 });
    expect(f.map((d) => [d.length, d.more, d.data.length])).toEqual([
      [true, true, 1014],
      [false, true, 1018],
      [false, false, 968],
    ]);
    expect(f.every((d) => 6 + (d.length ? 4 : 0) + d.data.length <= 1024)).toBe(true);
    const single = fragmentTlsMessage(msg.subarray(0, 100), { fragmentSize: 1024, includeLength: true, version: 0 });
    expect(single).toEqual([{ length: true, more: false, start: false, version: 0, tlsMessageLength: 100, data: msg.subarray(0, 100) }]);
    expect(fragmentTlsMessage(msg.subarray(0, 100), { fragmentSize: 1024, includeLength: false, version: 0 })[0].length).toBe(false);
    expect(() => fragmentTlsMessage(msg, { fragmentSize: 10, includeLength: true, version: 0 })).toThrow(RangeError);
  });

  test('property: reassemble(fragment(m, size)) = m for any size and message, through encode/decode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20000 }), fc.integer({ min: 64, max: 9000 }), fc.boolean(), (m, size, inc) => {
        const r = new TtlsReassembler();
        let out: Uint8Array | undefined;
        for (const d of fragmentTlsMessage(m, { fragmentSize: size, includeLength: inc, version: 0 })) {
          expect(out).toBeUndefined();
          out = r.add(decodeTtlsData(encodeTtlsData(d)));
        }
        expect(out).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });

  test('DoS: announced or accumulated size above the maximum, length changes, too many bytes → ERR_TTLS_FRAGMENT', () => {
    const r = new TtlsReassembler(1000);
    expect(() => r.add({ start: false, length: true, more: true, version: 0, tlsMessageLength: 1001, data: new Uint8Array(10) })).toThrow(TtlsError);
    const r2 = new TtlsReassembler(1000);
    r2.add({ start: false, length: false, more: true, version: 0, data: new Uint8Array(600) });
    expect(() => r2.add({ start: false, length: false, more: true, version: 0, data: new Uint8Array(600) })).toThrow(/exceeds maximum/);
    expect(r2.pending).toBe(false);
    const r3 = new TtlsReassembler();
    r3.add({ start: false, length: true, more: true, version: 0, tlsMessageLength: 100, data: new Uint8Array(60) });
    expect(() => r3.add({ start: false, length: false, more: false, version: 0, data: new Uint8Array(60) })).toThrow(/more than the announced/);
    const r4 = new TtlsReassembler();
    r4.add({ start: false, length: true, more: true, version: 0, tlsMessageLength: 100, data: new Uint8Array(60) });
    expect(() => r4.add({ start: false, length: false, more: false, version: 0, data: new Uint8Array(30) })).toThrow(/announced 100/);
    expect(new TtlsReassembler().maxMessageSize).toBe(73728);
    expect(DEFAULT_MAX_TLS_MESSAGE_SIZE).toBe(4 * (16384 + 2048));
    // a 1-byte-fragment flood stays bounded by the maximum message size
    const r5 = new TtlsReassembler(5000);
    let threw = false;
    for (let i = 0; i < 6000 && !threw; i++) {
      try {
        r5.add({ start: false, length: false, more: true, version: 0, data: Uint8Array.of(1) });
      } catch (e) {
        threw = e instanceof TtlsError && e.code === 'ERR_TTLS_FRAGMENT';
      }
    }
    expect(threw).toBe(true);
  });

  test('fuzz: random fragment sequences only produce messages or ERR_TTLS_* errors, never more than the maximum', () => {
    timeBoxed(
      fc.property(
        fc.array(fc.record({ start: fc.boolean(), length: fc.boolean(), more: fc.boolean(), version: fc.nat(7), tlsMessageLength: fc.oneof(fc.nat(3000), fc.constant(0xffffffff)), data: fc.uint8Array({ maxLength: 700 }) }), { maxLength: 12 }),
        (frags) => {
          const r = new TtlsReassembler(2000);
          for (const f of frags) {
            try {
              const m = r.add(f);
              if (m) expect(m.byteLength).toBeLessThanOrEqual(2000);
            } catch (e) {
              if (!(e instanceof TtlsError)) throw e;
            }
          }
        },
      ),
    );
  });

  test('fuzz: random and mutated EAP-TTLS data bytes → TtlsDecodeError only', () => {
    const seeds = [fromHex('c000000bb816'), fromHex('20'), fromHex('00'), fromHex('8000000003161603'), fromHex('40aabbcc')];
    timeBoxed(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 24 }),
          fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(255), fc.nat(4)).map(([s, at, v, cut]) => {
            const b = s.slice(0, Math.max(0, s.length - cut));
            if (b.length) b[at % b.length] = v;
            return b;
          }),
        ),
        (b) => {
          try {
            const d = decodeTtlsData(b);
            expect(encodeTtlsData(d)).toEqual(b.length ? Uint8Array.of(b[0] & 0xe7, ...b.subarray(1)) : b);
          } catch (e) {
            if (!(e instanceof TtlsDecodeError) || !isTncjsError(e)) throw e;
          }
        },
      ),
    );
  });
});

describe('Diameter AVPs (RFC 5281 §10.1)', () => {
  test('vectors: EAP-Message AVP with M flag and padding (as strongSwan builds it), vendor AVP', () => {
    const eap = fromHex('022a000a016361726f6c');
    expect(toHex(eapMessageAvp(eap))).toBe('0000004f' + '40' + '000012' + '022a000a016361726f6c' + '0000');
    const v = encodeAvps([{ code: 1, mandatory: false, vendorId: 311, data: Uint8Array.of(1, 2, 3, 4) }]);
    expect(toHex(v)).toBe('00000001' + '80' + '000010' + '00000137' + '01020304');
    expect(decodeAvps(concatBytes([eapMessageAvp(eap), v]))).toEqual([
      { code: 79, mandatory: true, data: eap },
      { code: 1, mandatory: false, vendorId: 311, data: Uint8Array.of(1, 2, 3, 4) },
    ]);
  });

  test('typed errors: length below header, length beyond data', () => {
    expect(() => decodeAvps(fromHex('0000004f40000007'))).toThrow(TtlsDecodeError);
    expect(() => decodeAvps(fromHex('0000004f400000ff0102'))).toThrow(TtlsDecodeError);
    expect(() => decodeAvps(fromHex('0000004f80000009000000'))).toThrow(TtlsDecodeError);
  });

  const avpArb: fc.Arbitrary<Avp> = fc.record(
    { code: fc.nat(), mandatory: fc.boolean(), vendorId: fc.option(fc.nat(), { nil: undefined }), data: fc.uint8Array({ maxLength: 100 }) },
    { requiredKeys: ['code', 'mandatory', 'data'] },
  ).map((a) => (a.vendorId === undefined ? { code: a.code, mandatory: a.mandatory, data: a.data } : a));

  test('property: decode(encode(avps)) = avps; AvpStream reassembles any re-chunking of the stream', () => {
    fc.assert(
      fc.property(fc.array(avpArb, { maxLength: 6 }), fc.array(fc.nat(50), { maxLength: 20 }), (avps, cuts) => {
        const bytes = encodeAvps(avps);
        expect(decodeAvps(bytes)).toEqual(avps);
        const s = new AvpStream();
        const got: Avp[] = [];
        let at = 0;
        for (const c of cuts) {
          got.push(...s.push(bytes.subarray(at, Math.min(bytes.length, at + c))));
          at = Math.min(bytes.length, at + c);
        }
        got.push(...s.push(bytes.subarray(at)));
        expect(got).toEqual(avps);
        expect(s.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test('DoS: an AVP above the maximum is refused before buffering it', () => {
    const s = new AvpStream(1000);
    expect(() => s.push(fromHex('0000004f40ffffff'))).toThrow(/exceeds maximum/);
    const s2 = new AvpStream();
    expect(() => s2.push(fromHex('0000004f40000004'))).toThrow(TtlsDecodeError);
  });

  test('fuzz: random and mutated AVP streams, randomly re-chunked → AVPs or typed errors only', () => {
    const seed = encodeAvps([{ code: 79, mandatory: true, data: fromHex('022a000a016361726f6c') }, { code: 1, mandatory: false, vendorId: 9, data: new Uint8Array(5) }]);
    timeBoxed(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.tuple(fc.nat(), fc.nat(255), fc.nat(8)).map(([at, v, cut]) => {
            const b = seed.slice(0, seed.length - cut);
            b[at % b.length] = v;
            return b;
          }),
        ),
        fc.array(fc.nat(16), { maxLength: 8 }),
        (b, cuts) => {
          try {
            decodeAvps(b);
          } catch (e) {
            if (!(e instanceof TtlsDecodeError)) throw e;
          }
          const s = new AvpStream(4096);
          try {
            let at = 0;
            for (const c of cuts) {
              s.push(b.subarray(at, at + c));
              at += c;
            }
            s.push(b.subarray(Math.min(at, b.length)));
          } catch (e) {
            if (!isTncjsError(e) || !['ERR_TTLS_DECODE', 'ERR_TTLS_FRAGMENT'].includes((e as TtlsError).code)) throw e;
          }
        },
      ),
    );
  });
});
