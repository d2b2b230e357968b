/** RFC 4303 ESP (tunnel mode, RFC 4106 AES-GCM, AES-CBC + HMAC-SHA2), anti-replay window (§3.4.3), ICMP helpers. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createDecipheriv } from 'node:crypto';
import { ENCRS, Encr, EspSa, EspTunnel, INTEGS, Integ, REPLAY_WINDOW, icmpEchoRequest, internetChecksum, parseIcmpEcho, type EspSaParams } from '../src/index.js';

const spi = Uint8Array.of(0xc0, 0x01, 0x02, 0x03);
const suites: [string, () => EspSaParams][] = [
  ['AES-GCM-16-128', () => ({ spi, encr: ENCRS[Encr.AES_GCM_16], encrKey: new Uint8Array(20).fill(1) })],
  ['AES-GCM-16-256', () => ({ spi, encr: ENCRS[Encr.AES_GCM_16], encrKey: new Uint8Array(36).fill(1) })],
  ['AES-CBC-128 + HMAC-SHA2-256-128', () => ({ spi, encr: ENCRS[Encr.AES_CBC], encrKey: new Uint8Array(16).fill(2), integ: INTEGS[Integ.HMAC_SHA2_256_128], integKey: new Uint8Array(32).fill(3) })],
  ['AES-CBC-256 + HMAC-SHA1-96', () => ({ spi, encr: ENCRS[Encr.AES_CBC], encrKey: new Uint8Array(32).fill(2), integ: INTEGS[Integ.HMAC_SHA1_96], integKey: new Uint8Array(20).fill(3) })],
];
const pair = (p: () => EspSaParams) => [new EspSa(p()), new EspSa(p())] as const;

describe.each(suites)('ESP %s', (_name, params) => {
  it('round trip of any payload; sequence numbers 1, 2, 3 …; padding aligns the trailer', () => {
    const [tx, rx] = pair(params);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (inner) => {
        const p = tx.encapsulate(inner);
        expect(new DataView(p.buffer).getUint32(4)).toBe(tx.sequence);
        expect(p.subarray(0, 4)).toEqual(spi);
        expect(rx.decapsulate(p)).toEqual({ nextHeader: 4, payload: inner });
      }),
      { numRuns: 100 },
    );
  });

  it('GCM nonce = salt ‖ IV: the ciphertext decrypts with an independent AES-GCM call', () => {
    const prm = params();
    if (!prm.encr.aead) return;
    const tx = new EspSa(params());
    const p = tx.encapsulate(Uint8Array.of(1, 2, 3));
    const keyLen = prm.encrKey.byteLength - 4;
    const nonce = Buffer.concat([prm.encrKey.subarray(keyLen), p.subarray(8, 16)]);
    const d = createDecipheriv(`aes-${keyLen * 8}-gcm` as 'aes-128-gcm', prm.encrKey.subarray(0, keyLen), nonce);
    d.setAAD(p.subarray(0, 8));
    d.setAuthTag(p.subarray(p.length - 16));
    const plain = Buffer.concat([d.update(p.subarray(16, p.length - 16)), d.final()]);
    expect(Array.from(plain)).toEqual([1, 2, 3, 1, 2, 3, 3, 4]); // payload, padding 1 2 3, pad length 3, next header 4
  });

  it('anti-replay: duplicates and packets left of the 64-packet window are dropped, late ones inside accepted', () => {
    const [tx, rx] = pair(params);
    const pkts = Array.from({ length: REPLAY_WINDOW + 10 }, (_, i) => tx.encapsulate(Uint8Array.of(i)));
    expect(rx.decapsulate(pkts[5])).toMatchObject({ nextHeader: 4 });
    expect(rx.decapsulate(pkts[5])).toEqual({ drop: 'replay' });
    expect(rx.decapsulate(pkts[2])).toMatchObject({ nextHeader: 4 }); // late but inside the window
    expect(rx.decapsulate(pkts[REPLAY_WINDOW + 9])).toMatchObject({ nextHeader: 4 }); // seq 74 moves the window
    expect(rx.decapsulate(pkts[9])).toEqual({ drop: 'replay' }); // seq 10 <= 74 - 64
    expect(rx.decapsulate(pkts[11])).toMatchObject({ nextHeader: 4 }); // seq 12 inside
    expect(rx.stats.dropped).toBe(2);
  });

  it('any flipped bit, wrong SPI or truncation is dropped (typed reason, no exception)', () => {
    const [tx, rx] = pair(params);
    const p = tx.encapsulate(new Uint8Array(40).fill(9));
    for (let at = 0; at < p.length; at += 3) {
      const bad = p.slice();
      bad[at] ^= 0x40;
      const r = rx.decapsulate(bad);
      expect(r).toHaveProperty('drop');
    }
    expect(rx.decapsulate(p.subarray(0, 20))).toEqual({ drop: 'length' });
    expect(rx.decapsulate(p)).toMatchObject({ nextHeader: 4 }); // the genuine one still passes afterwards
  });
});

describe('EspTunnel packet API', () => {
  it('send() → peer receive() → onPacket; drops are logged, not thrown', () => {
    const [a, b] = [suites[0][1](), suites[0][1]()];
    const wire: Uint8Array[] = [];
    const t1 = new EspTunnel(new EspSa(a), new EspSa({ ...a, spi: Uint8Array.of(9, 9, 9, 9) }), (p) => wire.push(p));
    const t2 = new EspTunnel(new EspSa({ ...b, spi: Uint8Array.of(9, 9, 9, 9) }), new EspSa(b), () => {});
    const got: Uint8Array[] = [];
    t2.onPacket((p) => got.push(p));
    const ping = icmpEchoRequest('192.168.0.254', '10.1.0.1', 7, 1, Uint8Array.of(1, 2, 3));
    t1.send(ping);
    t2.receive(wire[0]);
    t2.receive(wire[0]); // replay
    t2.receive(Uint8Array.of(1, 2, 3));
    expect(got).toEqual([ping]);
  });

  it('without integrity key a CBC SA is refused', () => {
    expect(() => new EspSa({ spi, encr: ENCRS[Encr.AES_CBC], encrKey: new Uint8Array(16) })).toThrow(RangeError);
  });
});

describe('IPv4 / ICMP helpers (RFC 791, RFC 792, RFC 1071)', () => {
  it('echo request has valid checksums and parses back', () => {
    const p = icmpEchoRequest('192.168.0.254', '10.1.0.1', 0x1234, 5, new TextEncoder().encode('hello'));
    expect(internetChecksum(p.subarray(0, 20))).toBe(0);
    expect(parseIcmpEcho(p)).toEqual({ src: '192.168.0.254', dst: '10.1.0.1', type: 8, id: 0x1234, seq: 5, data: new TextEncoder().encode('hello'), checksumOk: true });
    expect(parseIcmpEcho(p.subarray(0, 10))).toBeUndefined();
  });
});
