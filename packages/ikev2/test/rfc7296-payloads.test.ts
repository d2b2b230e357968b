/** RFC 7296 §3 payload codecs and RFC 7383 SKF: property tests, strongSwan summaries, typed errors, fuzzing. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Reader, Writer, fromHex } from '@tncjs/common';
import {
  IkeDecodeError, NotifyType, decodeMessage, decodePayloads, describeMessage, encodeMessage, encodePayloads, notify,
  parseIdentity, selectorFromCidr, describeSelector, type IkeMessage, type AnyPayload,
} from '../src/index.js';
import { message, payloadChain } from './arbitraries.js';
import { fuzz, fuzzTimeout } from '../../../test-support/fuzz.js';

const spi = (n: number) => new Uint8Array(8).fill(n);

/** carol's first IKE_AUTH request as the brief and strongSwan print it (plaintext form). */
function carolAuthRequest(): IkeMessage {
  return {
    spiI: spi(1), spiR: spi(2), exchange: 35, initiator: true, response: false, messageId: 1,
    payloads: [
      { type: 35, ...parseIdentity('carol@strongswan.org') },
      notify(NotifyType.INITIAL_CONTACT),
      { type: 36, ...parseIdentity('moon.strongswan.org') },
      { type: 33, proposals: [{ num: 1, protocol: 3, spi: fromHex('c0ffee01'), transforms: [{ type: 1, id: 20, attributes: [{ type: 14, value: 128 }] }, { type: 5, id: 0, attributes: [] }] }] },
      { type: 44, selectors: [selectorFromCidr('192.168.0.254/32')] },
      { type: 45, selectors: [selectorFromCidr('10.1.0.0/28')] },
      notify(NotifyType.MOBIKE_SUPPORTED),
      notify(NotifyType.ADDITIONAL_IP4_ADDRESS, Uint8Array.of(10, 0, 0, 1)),
      notify(NotifyType.MULTIPLE_AUTH_SUPPORTED),
      notify(NotifyType.EAP_ONLY_AUTHENTICATION),
    ],
  };
}

describe('strongSwan one-line summaries', () => {
  it('IKE_AUTH request with strongSwan notify abbreviations', () => {
    expect(describeMessage(carolAuthRequest())).toBe(
      'IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr SA TSi TSr N(MOBIKE_SUP) N(ADD_4_ADDR) N(MULT_AUTH) N(EAP_ONLY) ]',
    );
  });

  it('IKE_SA_INIT, EAP, CP, fragments and unknown notifies', () => {
    const m = (payloads: AnyPayload[], response = false, exchange = 34, messageId = 0) =>
      describeMessage({ exchange, response, messageId, payloads });
    expect(m([{ type: 33, proposals: [] }, { type: 34, group: 19, data: new Uint8Array(64) }, { type: 40, data: new Uint8Array(32) }, notify(16388), notify(16389), notify(16430), notify(16431), notify(16406)])).toBe(
      'IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]',
    );
    expect(m([{ type: 36, idType: 2, data: new Uint8Array(3) }, { type: 48, data: Uint8Array.of(1, 5, 0, 6, 21, 0x20) }], true, 35, 1)).toBe('IKE_AUTH response 1 [ IDr EAP/REQ/TTLS ]');
    expect(m([{ type: 48, data: Uint8Array.of(3, 5, 0, 4) }], true, 35, 6)).toBe('IKE_AUTH response 6 [ EAP/SUCC ]');
    expect(m([{ type: 47, cfgType: 1, attributes: [{ type: 1, value: new Uint8Array(0) }, { type: 3, value: new Uint8Array(0) }] }], false, 35, 1)).toBe('IKE_AUTH request 1 [ CPRQ(ADDR DNS) ]');
    expect(m([{ type: 53, innerType: 36, fragmentNumber: 1, totalFragments: 2, data: new Uint8Array(0) }], true, 35, 1)).toBe('IKE_AUTH response 1 [ EF(1/2) ]');
    expect(m([notify(14), notify(17), notify(24), notify(40000)], true)).toBe('IKE_SA_INIT response 0 [ N(NO_PROP) N(INVAL_KE) N(AUTH_FAILED) N(UNKNOWN:40000) ]');
    expect(m([{ type: 42, protocol: 1, spiSize: 0, spis: [] }], false, 37, 8)).toBe('INFORMATIONAL request 8 [ D ]');
  });

  it('traffic selectors in strongSwan notation', () => {
    expect(describeSelector(selectorFromCidr('10.1.0.0/28'))).toBe('10.1.0.0/28');
    expect(describeSelector(selectorFromCidr('192.168.0.254'))).toBe('192.168.0.254/32');
    expect(describeSelector(selectorFromCidr('0.0.0.0/0', 17, 500, 500))).toBe('0.0.0.0/0[17/500]');
  });
});

describe('RFC 7296 message codec properties', () => {
  it('decode(encode(m)) = m', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeMessage(encodeMessage(m))).toEqual(m); // fast-check records have a null prototype
      }),
      { numRuns: 500 },
    );
  });

  it('encode(decode(b)) = b', () => {
    fc.assert(
      fc.property(message, (m) => {
        const b = encodeMessage(m);
        expect(encodeMessage(decodeMessage(b))).toStrictEqual(b);
      }),
      { numRuns: 300 },
    );
  });

  it('the carol request round-trips byte-exact', () => {
    const b = encodeMessage(carolAuthRequest());
    expect(decodeMessage(b)).toStrictEqual(carolAuthRequest());
  });
});

describe('typed errors', () => {
  const good = encodeMessage(carolAuthRequest());

  it('every truncation throws IkeDecodeError with an offset inside the input', () => {
    for (let n = 0; n < good.byteLength; n++) {
      const cut = good.slice(0, n);
      // keep the header length consistent so the payload chain itself is truncated
      if (n >= 28) new DataView(cut.buffer).setUint32(24, n);
      let err: unknown;
      try {
        decodeMessage(cut);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IkeDecodeError);
      expect((err as IkeDecodeError).offset).toBeLessThanOrEqual(n);
    }
  });

  it('a header length that does not match the datagram is INVALID_SYNTAX at offset 24', () => {
    const b = good.slice();
    new DataView(b.buffer).setUint32(24, b.byteLength + 1);
    expect(() => decodeMessage(b)).toThrow(expect.objectContaining({ offset: 24, notify: NotifyType.INVALID_SYNTAX }));
  });

  it('major version 1 is INVALID_MAJOR_VERSION', () => {
    const b = good.slice();
    b[17] = 0x10;
    expect(() => decodeMessage(b)).toThrow(expect.objectContaining({ notify: NotifyType.INVALID_MAJOR_VERSION }));
  });

  it('unknown critical payload is UNSUPPORTED_CRITICAL_PAYLOAD; unknown non-critical is kept raw', () => {
    const w = new Writer();
    encodePayloads(w, [{ type: 99, raw: Uint8Array.of(1, 2), critical: true }]);
    expect(() => decodePayloads(new Reader(w.finish()), 99)).toThrow(expect.objectContaining({ notify: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD }));
    const w2 = new Writer();
    encodePayloads(w2, [{ type: 99, raw: Uint8Array.of(1, 2) }]);
    expect(decodePayloads(new Reader(w2.finish()), 99)).toStrictEqual([{ type: 99, raw: Uint8Array.of(1, 2) }]);
  });

  it('nonce sizes outside 16..256, SKF 0/N and 3/2, bad EAP length are refused', () => {
    const one = (type: number, body: number[]) => {
      const w = new Writer();
      w.u8(0).u8(0).u16(4 + body.length).bytes(Uint8Array.from(body));
      return () => decodePayloads(new Reader(w.finish()), type);
    };
    expect(one(40, new Array(15).fill(1))).toThrow(IkeDecodeError);
    expect(one(40, new Array(257).fill(1))).toThrow(IkeDecodeError);
    expect(one(53, [0, 0, 0, 2])).toThrow(IkeDecodeError);
    expect(one(53, [0, 3, 0, 2])).toThrow(IkeDecodeError);
    expect(one(48, [1, 1, 0, 9, 1])).toThrow(IkeDecodeError);
  });

  it('a payload after SK is refused', () => {
    const w = new Writer();
    w.u8(41).u8(0).u16(4).u8(0).u8(0).u16(8).u32(0);
    expect(() => decodePayloads(new Reader(w.finish()), 46)).toThrow(IkeDecodeError);
  });
});

describe('fuzzing (typed errors only)', () => {
  const check = (b: Uint8Array) => {
    try {
      decodeMessage(b);
    } catch (e) {
      if (!(e instanceof IkeDecodeError)) throw e;
    }
  };
  const seeds = fc.sample(message, { numRuns: 50, seed: 42 }).map(encodeMessage);
  const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.boolean()).map(([b, flips, fixLen]) => {
    const out = b.slice();
    for (const [at, v] of flips) out[at % out.length] = v;
    if (fixLen && out.length >= 28) new DataView(out.buffer).setUint32(24, out.length);
    return out;
  });

  it('random bytes', () => void fuzz('ikev2 random', fc.uint8Array({ maxLength: 300 }), check, 1500), fuzzTimeout(1500));
  it('mutated messages', () => void fuzz('ikev2 mutated', mutated, check, 2000), fuzzTimeout(2000));
  it('random payload chains', () => void fuzz('ikev2 chain', fc.uint8Array({ maxLength: 200 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: 60 }))), ([b, t]) => {
    try {
      decodePayloads(new Reader(b), t);
    } catch (e) {
      if (!(e instanceof IkeDecodeError)) throw e;
    }
  }, 1500), fuzzTimeout(1500));
});

describe('size limits (DoS)', () => {
  it('more than 64 proposals is ERR_LIMIT', () => {
    const w = new Writer();
    for (let i = 0; i < 65; i++) w.u8(i === 64 ? 0 : 2).u8(0).u16(8).u8(i + 1).u8(1).u8(0).u8(0);
    const body = w.finish();
    const pw = new Writer();
    pw.u8(0).u8(0).u16(4 + body.byteLength).bytes(body);
    expect(() => decodePayloads(new Reader(pw.finish()), 33)).toThrow(expect.objectContaining({ code: 'ERR_LIMIT' }));
  });

  it('more than 256 payloads is ERR_LIMIT', () => {
    const w = new Writer();
    encodePayloads(w, Array.from({ length: 300 }, () => ({ type: 43, data: new Uint8Array(0) })));
    expect(() => decodePayloads(new Reader(w.finish()), 43)).toThrow(expect.objectContaining({ code: 'ERR_LIMIT' }));
  });
});

void payloadChain;
