/**
 * Crypto of RFC 7296: PRFs (RFC 4868 §2.7.1 / RFC 4231 / RFC 2202 vectors), prf+ (§2.13), key derivation layout
 * (§2.14, §2.17), DH groups (RFC 5903 §8.1 ECP-256, RFC 7748 §6.1 X25519, MODP agreement), SK payload sealing
 * (AES-CBC + HMAC, AES-GCM-16 per RFC 5282), fragments (RFC 7383), AUTH from a shared key / MSK (§2.15, §2.16).
 */
import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { Reader, concatBytes, encodeUtf8, fromHex, toHex } from '@tncjs/common';
import {
  DhGroup, ENCRS, Encr, INTEGS, Integ, IkeError, PRFS, Prf, createKeyExchange, decodeMessage, decodePayloads,
  deriveChildKeys, deriveIkeKeys, natDetectionHash, notify, openMessage, prf, prfPlus, sealMessage, sealPayloads,
  sharedKeyAuth, signedOctets, skeyseed, type EncryptedFragmentPayload, type EncryptedPayload, type SkContext,
} from '../src/index.js';

const hiThere = encodeUtf8('Hi There');
const key0b = new Uint8Array(20).fill(0x0b);

describe('RFC 4868 §2.7.1 PRF-HMAC-SHA2 test vectors (= RFC 4231 test cases 1 and 2), RFC 2202 HMAC-SHA1', () => {
  it('test case 1', () => {
    expect(toHex(prf(PRFS[Prf.HMAC_SHA2_256], key0b, hiThere))).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(toHex(prf(PRFS[Prf.HMAC_SHA2_384], key0b, hiThere))).toBe('afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6');
    expect(toHex(prf(PRFS[Prf.HMAC_SHA2_512], key0b, hiThere))).toBe('87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854');
    expect(toHex(prf(PRFS[Prf.HMAC_SHA1], key0b, hiThere))).toBe('b617318655057264e28bc0b6fb378c8ef146be00');
  });
  it('test case 2 ("Jefe")', () => {
    expect(toHex(prf(PRFS[Prf.HMAC_SHA2_256], encodeUtf8('Jefe'), encodeUtf8('what do ya want for nothing?')))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('prf+ (RFC 7296 §2.13)', () => {
  it('T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02), truncated', () => {
    const alg = PRFS[Prf.HMAC_SHA2_256];
    const k = fromHex('00112233');
    const s = fromHex('aabbcc');
    const t1 = createHmac('sha256', k).update(concatBytes([s, Uint8Array.of(1)])).digest();
    const t2 = createHmac('sha256', k).update(concatBytes([t1, s, Uint8Array.of(2)])).digest();
    expect(toHex(prfPlus(alg, k, s, 50))).toBe(toHex(concatBytes([t1, t2])).slice(0, 100));
    expect(() => prfPlus(alg, k, s, 255 * 32 + 1)).toThrow(RangeError);
  });

  it('IKE key layout: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr from prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)', () => {
    const alg = PRFS[Prf.HMAC_SHA2_256];
    const ni = new Uint8Array(32).fill(1);
    const nr = new Uint8Array(32).fill(2);
    const spiI = new Uint8Array(8).fill(3);
    const spiR = new Uint8Array(8).fill(4);
    const seed = skeyseed(alg, ni, nr, new Uint8Array(32).fill(5));
    expect(seed).toEqual(prf(alg, concatBytes([ni, nr]), new Uint8Array(32).fill(5)));
    const k = deriveIkeKeys({ prf: alg, integ: INTEGS[Integ.HMAC_SHA2_256_128], encr: ENCRS[Encr.AES_CBC], encrKeyBits: 128 }, seed, ni, nr, spiI, spiR);
    const stream = prfPlus(alg, seed, concatBytes([ni, nr, spiI, spiR]), 32 * 3 + 32 * 2 + 16 * 2);
    expect(concatBytes([k.skD, k.skAi, k.skAr, k.skEi, k.skEr, k.skPi, k.skPr])).toEqual(stream);
    const g = deriveIkeKeys({ prf: alg, encr: ENCRS[Encr.AES_GCM_16], encrKeyBits: 256 }, seed, ni, nr, spiI, spiR);
    expect([g.skAi.length, g.skEi.length, g.skPr.length]).toEqual([0, 36, 32]);
    const c = deriveChildKeys(alg, k.skD, ni, nr, 20, 0);
    expect(concatBytes([c.encrI, c.encrR])).toEqual(prfPlus(alg, k.skD, concatBytes([ni, nr]), 40));
  });
});

describe('Diffie-Hellman groups', () => {
  it('RFC 5903 §8.1 ECP-256 vector', () => {
    const i = createKeyExchange(DhGroup.ECP_256, fromHex('C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433'));
    expect(toHex(i.publicValue)).toBe(('DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180' + '5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3').toLowerCase());
    const r = createKeyExchange(DhGroup.ECP_256, fromHex('C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53'));
    expect(toHex(i.computeSecret(r.publicValue))).toBe('D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE'.toLowerCase());
  });

  it('RFC 7748 §6.1 X25519 vector', () => {
    const a = createKeyExchange(DhGroup.CURVE_25519, fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
    expect(toHex(a.publicValue)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    const b = createKeyExchange(DhGroup.CURVE_25519, fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
    expect(toHex(b.publicValue)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(toHex(a.computeSecret(b.publicValue))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  });

  it.each([DhGroup.MODP_2048, DhGroup.MODP_3072, DhGroup.ECP_256, DhGroup.ECP_384, DhGroup.CURVE_25519])('group %d: both sides agree, sizes, bad values refused', (g) => {
    const a = createKeyExchange(g);
    const b = createKeyExchange(g);
    expect(a.computeSecret(b.publicValue)).toEqual(b.computeSecret(a.publicValue));
    expect(() => a.computeSecret(new Uint8Array(3))).toThrow(IkeError);
    if (g !== DhGroup.CURVE_25519) expect(() => a.computeSecret(new Uint8Array(a.publicValue.length))).toThrow(IkeError);
    else expect(() => a.computeSecret(new Uint8Array(32))).toThrow(IkeError); // small-order point gives all-zero secret
  });

  it('unsupported group is a RangeError', () => expect(() => createKeyExchange(2)).toThrow(RangeError));
});

describe('SK payload (RFC 7296 §3.14, RFC 5282) and SKF (RFC 7383)', () => {
  const header = { spiI: new Uint8Array(8).fill(1), spiR: new Uint8Array(8).fill(2), exchange: 35, initiator: true, response: false, messageId: 1 };
  const suites: [string, SkContext][] = [
    ['AES-CBC-128 + HMAC-SHA2-256-128', { encr: ENCRS[Encr.AES_CBC], integ: INTEGS[Integ.HMAC_SHA2_256_128], encrKey: new Uint8Array(16).fill(7), integKey: new Uint8Array(32).fill(8) }],
    ['AES-CBC-256 + HMAC-SHA1-96', { encr: ENCRS[Encr.AES_CBC], integ: INTEGS[Integ.HMAC_SHA1_96], encrKey: new Uint8Array(32).fill(7), integKey: new Uint8Array(20).fill(8) }],
    ['AES-GCM-16-128', { encr: ENCRS[Encr.AES_GCM_16], encrKey: new Uint8Array(20).fill(9) }],
    ['AES-GCM-16-256', { encr: ENCRS[Encr.AES_GCM_16], encrKey: new Uint8Array(36).fill(9) }],
  ];

  it.each(suites)('%s: seal/open round trip, any bit flip is detected', (_n, ctx) => {
    const inner = [notify(16384), { type: 48 as const, data: Uint8Array.of(2, 1, 0, 5, 1) }];
    const msg = sealPayloads(header, inner, ctx);
    const m = decodeMessage(msg);
    const sk = m.payloads[0] as EncryptedPayload;
    expect(sk.type).toBe(46);
    expect(sk.innerType).toBe(41);
    const plain = openMessage(msg, sk.data, false, ctx);
    expect(decodePayloads(new Reader(plain), sk.innerType)).toEqual(inner);
    for (const at of [0, 20, 29, 33, msg.length - 1]) {
      const bad = msg.slice();
      bad[at] ^= 1;
      const bm = (() => {
        try {
          return decodeMessage(bad);
        } catch {
          return undefined;
        }
      })();
      if (!bm || bm.payloads[0].type !== 46) continue;
      expect(() => openMessage(bad, (bm.payloads[0] as EncryptedPayload).data, false, ctx)).toThrow(expect.objectContaining({ code: 'ERR_IKE_INTEGRITY' }));
    }
  });

  it.each(suites)('%s: SKF fragments authenticate their fragment number (AAD)', (_n, ctx) => {
    const inner = new Uint8Array(100).fill(0x42);
    const f = sealMessage(header, inner, 48, ctx, { number: 1, total: 2 });
    const m = decodeMessage(f);
    const skf = m.payloads[0] as EncryptedFragmentPayload;
    expect([skf.fragmentNumber, skf.totalFragments, skf.innerType]).toEqual([1, 2, 48]);
    expect(openMessage(f, skf.data, true, ctx)).toEqual(inner);
    const bad = f.slice();
    bad[28 + 5] = 2; // fragment number 1 → 2
    expect(() => openMessage(bad, skf.data, true, ctx)).toThrow(IkeError);
  });
});

describe('AUTH from a shared key (RFC 7296 §2.15/§2.16, RFC 5998)', () => {
  it('AUTH = prf(prf(MSK, "Key Pad for IKEv2"), RealMessage | Nonce | prf(SK_p, IDx\'))', () => {
    const alg = PRFS[Prf.HMAC_SHA2_256];
    const msk = new Uint8Array(64).fill(0x11);
    const octets = signedOctets(alg, fromHex('aa'), fromHex('bb'), fromHex('cc'), fromHex('03000000'));
    expect(octets).toEqual(concatBytes([fromHex('aabb'), createHmac('sha256', fromHex('cc')).update(fromHex('03000000')).digest()]));
    const k = createHmac('sha256', msk).update('Key Pad for IKEv2').digest();
    expect(toHex(sharedKeyAuth(alg, msk, octets))).toBe(createHmac('sha256', k).update(octets).digest('hex'));
  });

  it('NAT detection hash = SHA-1(SPIi | SPIr | IP | port)', () => {
    const h = natDetectionHash(new Uint8Array(8).fill(1), new Uint8Array(8), '192.168.0.1', 500);
    expect(h.byteLength).toBe(20);
    expect(h).not.toEqual(natDetectionHash(new Uint8Array(8).fill(1), new Uint8Array(8), '192.168.0.1', 4500));
    expect(() => natDetectionHash(new Uint8Array(8), new Uint8Array(8), '::1', 500)).toThrow(TypeError);
  });
});
