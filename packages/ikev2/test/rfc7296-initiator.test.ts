/** Initiator behaviour that needs no real peer: retransmission schedule and timeout, transport loss settings. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createSocket, type Socket } from 'node:dgram';
import { EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { Logger } from '@tncjs/common';
import { IkeInitiator, UdpTransport, decodeMessage, describeMessage, IkeError } from '../src/index.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** A UDP "gateway" that records what it receives and never answers. */
async function deadGateway(): Promise<{ port: number; got: Uint8Array[] }> {
  const s = createSocket('udp4');
  sockets.push(s);
  const got: Uint8Array[] = [];
  s.on('message', (m) => got.push(new Uint8Array(m)));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, got };
}

const eap = () => new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(new MemorySecretsStore({ 'carol@strongswan.org': 'x' }))] });

describe('retransmission (strongSwan-style: timeout × base^n, tries)', () => {
  it('dead gateway: IKE_SA_INIT retransmitted `tries` times, then ERR_IKE_TIMEOUT', async () => {
    const gw = await deadGateway();
    const lines: string[] = [];
    const ike = new IkeInitiator({
      remote: { address: '127.0.0.1', port: gw.port },
      identity: 'carol@strongswan.org',
      eap: eap(),
      retransmit: { timeout: 40, base: 1.5, tries: 3 },
      transport: { localAddress: '127.0.0.1' },
      logger: new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) }),
    });
    const t0 = Date.now();
    const err = await ike.connect().catch((e: unknown) => e);
    const ms = Date.now() - t0;
    expect(err).toBeInstanceOf(IkeError);
    expect(err).toMatchObject({ code: 'ERR_IKE_TIMEOUT' });
    expect((err as Error).message).toMatch(/giving up after 3 retransmits/);
    // 40 + 60 + 90 + 135 ms
    expect(ms).toBeGreaterThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 20));
    expect(gw.got).toHaveLength(4);
    const first = decodeMessage(gw.got[0]);
    expect(describeMessage(first)).toBe('IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]');
    expect(gw.got.every((g) => Buffer.compare(g, gw.got[0]) === 0)).toBe(true); // retransmits are byte-identical
    expect(lines.filter((l) => /retransmit \d of request with message ID 0/.test(l))).toHaveLength(3);
    expect(lines).toContain('00[IKE] giving up after 3 retransmits');
  });

  it('maxTimeout caps each wait', async () => {
    const gw = await deadGateway();
    const ike = new IkeInitiator({
      remote: { address: '127.0.0.1', port: gw.port }, identity: 'carol@strongswan.org', eap: eap(),
      retransmit: { timeout: 30, base: 10, tries: 2, maxTimeout: 50 }, transport: { localAddress: '127.0.0.1' },
    });
    const t0 = Date.now();
    await expect(ike.connect()).rejects.toMatchObject({ code: 'ERR_IKE_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(1000); // uncapped: 30 + 300 + 3000 ms
  });
});

describe('UdpTransport test settings', () => {
  it('sendDrop 1 sends nothing; receiveDrop 1 delivers nothing; sendDelay delays', async () => {
    const gw = await deadGateway();
    const drop = new UdpTransport({ localAddress: '127.0.0.1', sendDrop: 1 });
    await drop.open();
    drop.sendIke(Uint8Array.of(1, 2, 3), { address: '127.0.0.1', port: gw.port }, false);
    expect(drop.stats).toMatchObject({ sent: 0, sendDropped: 1 });
    await drop.close();

    const rx = new UdpTransport({ localAddress: '127.0.0.1', receiveDrop: 1 });
    await rx.open();
    let delivered = 0;
    rx.setHandlers(() => delivered++);
    const tx = new UdpTransport({ localAddress: '127.0.0.1', sendDelay: 50 });
    await tx.open();
    const t0 = Date.now();
    tx.sendIke(Uint8Array.of(1, 2, 3), rx.local(false), false);
    const viaNatt = new UdpTransport({ localAddress: '127.0.0.1' });
    await viaNatt.open();
    await new Promise((r) => setTimeout(r, 120));
    expect(rx.stats.receiveDropped).toBe(1);
    expect(delivered).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    await Promise.all([rx.close(), tx.close(), viaNatt.close()]);
  });

  it('port 4500: non-ESP marker added and stripped, ESP and keepalives told apart', async () => {
    const a = new UdpTransport({ localAddress: '127.0.0.1' });
    const b = new UdpTransport({ localAddress: '127.0.0.1' });
    await a.open();
    await b.open();
    const ike: [number[], boolean][] = [];
    const esp: number[][] = [];
    b.setHandlers((m, _f, natt) => ike.push([Array.from(m), natt]), (p) => esp.push(Array.from(p)));
    a.sendIke(Uint8Array.of(9, 9), b.local(true), true);
    a.sendEsp(Uint8Array.of(0, 0, 0, 7, 1), b.local(true));
    a.sendEsp(Uint8Array.of(0xff), b.local(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(ike).toEqual([[[9, 9], true]]);
    expect(esp).toEqual([[0, 0, 0, 7, 1]]);
    await Promise.all([a.close(), b.close()]);
  });
});
