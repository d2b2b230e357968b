/**
 * Userspace ESP (RFC 4303) in tunnel mode over UDP encapsulation (RFC 3948, port 4500): AES-GCM-16 (RFC 4106:
 * nonce = salt ‖ 8-byte IV, AAD = SPI ‖ sequence number) and AES-CBC + HMAC (RFC 3602, RFC 4868), 32-bit sequence
 * numbers (no ESN), a 64-packet anti-replay window (RFC 4303 §3.4.3). Packets are whole IP datagrams (Next Header 4).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual, type CipherGCMTypes } from 'node:crypto';
import { Writer, Logger, getLogger, toHex } from '@tncjs/common';
import { IkeError, IkeErrorCode } from './errors.js';
import type { EncrAlg, IntegAlg } from './crypto/algorithms.js';

/** Next Header values (IANA protocol numbers). */
export const EspNextHeader = { IPV4: 4, IPV6: 41 } as const;
export const REPLAY_WINDOW = 64;

export interface EspSaParams {
  spi: Uint8Array;
  encr: EncrAlg;
  /** Key ‖ salt for GCM. */
  encrKey: Uint8Array;
  integ?: IntegAlg;
  integKey?: Uint8Array;
}

/** Why an inbound packet was dropped. */
export type EspDropReason = 'spi' | 'replay' | 'integrity' | 'padding' | 'length';

/** One direction of a CHILD_SA. */
export class EspSa {
  private seq = 0;
  /** Highest sequence number received and the bitmap of the window below it. */
  private top = 0;
  private bitmap = 0n;
  readonly stats = { packets: 0, bytes: 0, dropped: 0 };

  constructor(readonly params: EspSaParams) {
    const { encr, integ, integKey } = params;
    if (!encr.aead && (!integ || !integKey)) throw new RangeError('ESP with a non-AEAD cipher needs an integrity algorithm');
  }

  get spi(): number {
    const s = this.params.spi;
    return ((s[0] << 24) | (s[1] << 16) | (s[2] << 8) | s[3]) >>> 0;
  }

  /** Sequence number of the last packet sent. */
  get sequence(): number {
    return this.seq;
  }

  /** Encrypt one inner packet. @throws IkeError when the 32-bit sequence number space is exhausted */
  encapsulate(inner: Uint8Array, nextHeader: number = EspNextHeader.IPV4): Uint8Array {
    if (this.seq >= 0xffffffff) throw new IkeError(IkeErrorCode.PROTOCOL, 'ESP sequence number exhausted, CHILD_SA must be rekeyed');
    const seq = ++this.seq;
    const { encr, encrKey, integ, integKey, spi } = this.params;
    const bs = Math.max(encr.blockSize, 4);
    const padded = Math.ceil((inner.byteLength + 2) / bs) * bs;
    const padLen = padded - inner.byteLength - 2;
    const plain = new Uint8Array(padded);
    plain.set(inner);
    for (let i = 0; i < padLen; i++) plain[inner.byteLength + i] = i + 1; // RFC 4303 §2.4 monotonic padding
    plain[padded - 2] = padLen;
    plain[padded - 1] = nextHeader;
    const head = new Writer(8);
    head.bytes(spi).u32(seq);
    const aad = head.finish();
    let body: Uint8Array[];
    if (encr.aead) {
      const iv = new Uint8Array(8);
      new DataView(iv.buffer).setUint32(4, seq); // unique per key: the sequence number (RFC 4106 §3.1)
      new DataView(iv.buffer).setUint32(0, 0);
      const keyLen = encrKey.byteLength - encr.saltSize;
      const nonce = new Uint8Array(12);
      nonce.set(encrKey.subarray(keyLen));
      nonce.set(iv, 4);
      const c = createCipheriv(`aes-${keyLen * 8}-gcm` as CipherGCMTypes, encrKey.subarray(0, keyLen), nonce, { authTagLength: encr.icvSize });
      c.setAAD(aad);
      const ct = Buffer.concat([c.update(plain), c.final()]);
      body = [aad, iv, ct, c.getAuthTag()];
    } else {
      const iv = new Uint8Array(randomBytes(encr.ivSize));
      const c = createCipheriv(`aes-${encrKey.byteLength * 8}-cbc`, encrKey, iv);
      c.setAutoPadding(false);
      const ct = Buffer.concat([c.update(plain), c.final()]);
      const mac = createHmac(integ!.hash, integKey!).update(aad).update(iv).update(ct).digest().subarray(0, integ!.icvSize);
      body = [aad, iv, ct, mac];
    }
    const w = new Writer(body.reduce((n, b) => n + b.byteLength, 0));
    for (const b of body) w.bytes(b);
    const out = w.finish();
    this.stats.packets++;
    this.stats.bytes += inner.byteLength;
    return out;
  }

  /**
   * Verify, decrypt and replay-check one ESP packet (starting at the SPI).
   * @returns the inner packet and Next Header, or the reason it was dropped
   */
  decapsulate(packet: Uint8Array): { nextHeader: number; payload: Uint8Array } | { drop: EspDropReason } {
    const { encr, encrKey, integ, integKey, spi } = this.params;
    const icv = encr.aead ? encr.icvSize : integ!.icvSize;
    const drop = (why: EspDropReason) => {
      this.stats.dropped++;
      return { drop: why };
    };
    if (packet.byteLength < 8 + encr.ivSize + icv + 4) return drop('length');
    if (packet[0] !== spi[0] || packet[1] !== spi[1] || packet[2] !== spi[2] || packet[3] !== spi[3]) return drop('spi');
    const seq = new DataView(packet.buffer, packet.byteOffset, packet.byteLength).getUint32(4);
    if (seq === 0 || !this.replayOk(seq)) return drop('replay');
    const iv = packet.subarray(8, 8 + encr.ivSize);
    const ct = packet.subarray(8 + encr.ivSize, packet.byteLength - icv);
    const tag = packet.subarray(packet.byteLength - icv);
    if (ct.byteLength % Math.max(encr.blockSize, 4) !== 0) return drop('length');
    let plain: Uint8Array;
    try {
      if (encr.aead) {
        const keyLen = encrKey.byteLength - encr.saltSize;
        const nonce = new Uint8Array(12);
        nonce.set(encrKey.subarray(keyLen));
        nonce.set(iv, 4);
        const d = createDecipheriv(`aes-${keyLen * 8}-gcm` as CipherGCMTypes, encrKey.subarray(0, keyLen), nonce, { authTagLength: icv });
        d.setAAD(packet.subarray(0, 8));
        d.setAuthTag(tag);
        plain = new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
      } else {
        const mac = createHmac(integ!.hash, integKey!).update(packet.subarray(0, packet.byteLength - icv)).digest().subarray(0, icv);
        if (!timingSafeEqual(mac, tag)) return drop('integrity');
        const d = createDecipheriv(`aes-${encrKey.byteLength * 8}-cbc`, encrKey, iv);
        d.setAutoPadding(false);
        plain = new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
      }
    } catch {
      return drop('integrity');
    }
    const nextHeader = plain[plain.byteLength - 1];
    const padLen = plain[plain.byteLength - 2];
    if (padLen + 2 > plain.byteLength) return drop('padding');
    for (let i = 0; i < padLen; i++) if (plain[plain.byteLength - 2 - padLen + i] !== i + 1) return drop('padding');
    this.replayAccept(seq);
    const payload = plain.subarray(0, plain.byteLength - 2 - padLen);
    this.stats.packets++;
    this.stats.bytes += payload.byteLength;
    return { nextHeader, payload };
  }

  private replayOk(seq: number): boolean {
    if (seq > this.top) return true;
    const diff = this.top - seq;
    if (diff >= REPLAY_WINDOW) return false;
    return ((this.bitmap >> BigInt(diff)) & 1n) === 0n;
  }

  private replayAccept(seq: number): void {
    if (seq > this.top) {
      const shift = seq - this.top;
      this.bitmap = shift >= REPLAY_WINDOW ? 1n : ((this.bitmap << BigInt(shift)) | 1n) & ((1n << BigInt(REPLAY_WINDOW)) - 1n);
      this.top = seq;
    } else {
      this.bitmap |= 1n << BigInt(this.top - seq);
    }
  }

  /** Zeroize the keys. */
  destroy(): void {
    this.params.encrKey.fill(0);
    this.params.integKey?.fill(0);
  }
}

/** A CHILD_SA pair with a packet API: `send(ipPacket)`, `onPacket(handler)`. */
export class EspTunnel {
  private handler: (packet: Uint8Array) => void = () => {};
  private readonly log: Logger;
  /** Inbound SAs replaced by a rekey, still accepted until `retire()` (RFC 7296 §2.8: the old SA lives until deleted). */
  private previous: EspSa[] = [];
  /** Number of rekeys this tunnel went through. */
  rekeys = 0;

  constructor(
    public outbound: EspSa,
    public inbound: EspSa,
    private readonly sendEsp: (packet: Uint8Array) => void,
    logger?: Logger,
  ) {
    this.log = logger ?? getLogger();
  }

  /** Send one IPv4 packet through the tunnel. */
  send(ipPacket: Uint8Array): void {
    const p = this.outbound.encapsulate(ipPacket, ipPacket[0] >> 4 === 6 ? EspNextHeader.IPV6 : EspNextHeader.IPV4);
    this.log.log('ESP', 2, `ESP packet with SPI ${toHex(this.outbound.params.spi)} and seq ${this.outbound.sequence} sent (${p.byteLength} bytes)`);
    this.sendEsp(p);
  }

  onPacket(handler: (packet: Uint8Array) => void): void {
    this.handler = handler;
  }

  /**
   * Switch to the SAs of a rekeyed CHILD_SA: packets are sent with `outbound` from now on; the old inbound SA keeps
   * accepting packets (in flight) until `retire(spi)` is called when the old CHILD_SA is deleted.
   */
  rekey(outbound: EspSa, inbound: EspSa): void {
    const old = this.outbound;
    this.previous.push(this.inbound);
    this.outbound = outbound;
    this.inbound = inbound;
    this.rekeys++;
    old.destroy();
    this.log.log('ESP', 1, `switched to rekeyed CHILD_SA: SPIs ${toHex(inbound.params.spi)}_i ${toHex(outbound.params.spi)}_o`);
  }

  /** Stop accepting packets of a replaced inbound SA (its SPI) and zeroize its keys. */
  retire(spi?: Uint8Array): void {
    const keep: EspSa[] = [];
    for (const sa of this.previous) {
      if (!spi || equalSpi(sa.params.spi, spi)) sa.destroy();
      else keep.push(sa);
    }
    this.previous = keep;
  }

  /** Feed a received ESP packet (from the NAT-T socket). */
  receive(packet: Uint8Array): void {
    const sa = this.previous.length && packet.byteLength >= 4 ? (this.previous.find((s) => equalSpi(s.params.spi, packet.subarray(0, 4))) ?? this.inbound) : this.inbound;
    const r = sa.decapsulate(packet);
    if ('drop' in r) {
      this.log.log('ESP', 1, `dropping ESP packet with SPI ${toHex(packet.subarray(0, 4))}: ${r.drop}`);
      return;
    }
    this.log.log('ESP', 2, `ESP packet with SPI ${toHex(this.inbound.params.spi)} received (${r.payload.byteLength} bytes inner)`);
    this.handler(r.payload.slice());
  }

  close(): void {
    this.outbound.destroy();
    this.inbound.destroy();
    this.retire();
  }
}

const equalSpi = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
