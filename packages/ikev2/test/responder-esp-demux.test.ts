/**
 * One IkeResponder, several initiators at once (real UDP on 127.0.0.1, our IkeInitiator with EAP-TTLS + inner MD5,
 * ESP UDP-encapsulated through the faked NAT): received ESP is demultiplexed by its SPI (RFC 4303 §2.1: the SPI with
 * the destination selects the SA), so every CHILD_SA has its own tunnel; closing one leaves the others working; a
 * CHILD_SA rekey moves the routing to the new SPI; packets for unknown SPIs are counted and dropped; IKE and ESP bytes
 * are counted per IKE_SA and add up to the transport's totals.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import { createSocket } from 'node:dgram';
import {
  IkeInitiator, IkeResponder, icmpEchoReply, icmpEchoRequest, parseIcmpEcho, type EspTunnel, type ResponderSaInfo,
} from '../src/index.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp', 'dave@strongswan.org': 'W7R0g3do' });
let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 60_000);

function responder(lines: string[]) {
  return new IkeResponder({
    identity: 'moon.strongswan.org',
    eap: (id) => new EapAuthenticator({
      methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024 })],
      requestIdentity: false, identity: id, serverIdentity: 'moon.strongswan.org',
    }),
    localTs: ['10.1.0.0/28'],
    fakeNat: true,
    transport: { localAddress: '127.0.0.1' },
    logger: new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) }),
  });
}

function initiator(ports: Awaited<ReturnType<IkeResponder['listen']>>, identity: string) {
  return new IkeInitiator({
    remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port },
    identity,
    eap: new EapPeer({
      identity,
      serverIdentity: 'moon.strongswan.org',
      methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(secrets)] })],
    }),
    retransmit: { timeout: 500, base: 1.5, tries: 4 },
    transport: { localAddress: '127.0.0.1' },
    logger: new Logger({ defaultLevel: 0, sink: () => {} }),
  });
}

/** The gateway side: answer every ICMP echo request arriving through `t`, and remember which tunnel answered. */
function answer(t: EspTunnel, name: string, seen: string[]): void {
  t.onPacket((p) => {
    const e = parseIcmpEcho(p);
    const reply = icmpEchoReply(p);
    if (!e || !reply) return;
    seen.push(`${name}:${e.seq}`);
    t.send(reply);
  });
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); ) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function ping(t: EspTunnel, src: string, seq: number) {
  const back = new Promise<Uint8Array>((r) => t.onPacket(r));
  t.send(icmpEchoRequest(src, '10.1.0.1', 9, seq, Uint8Array.of(seq)));
  return parseIcmpEcho(await back);
}

describe('ESP demultiplexed by SPI: one tunnel per CHILD_SA', () => {
  it('three concurrent initiators (two with the same identity) each ping through their own tunnel; closing one leaves the others', async () => {
    const lines: string[] = [];
    const r = responder(lines);
    const ports = await r.listen();
    const established: ResponderSaInfo[] = [];
    const deleted: string[] = [];
    r.onEstablished((i) => established.push(i));
    r.onDeleted((s) => deleted.push(s));
    const ids = ['carol@strongswan.org', 'carol@strongswan.org', 'dave@strongswan.org'];
    const clients = ids.map((id) => initiator(ports, id));
    try {
      const infos = await Promise.all(clients.map((c) => c.connect()));
      expect(new Set(infos.map((i) => i.spiI)).size).toBe(3);
      expect(established.map((e) => e.spiI).sort()).toEqual(infos.map((i) => i.spiI).sort());
      const seen: string[] = [];
      const gwTunnels = infos.map((info, k) => {
        const t = r.openEspTunnel(info.spiI);
        answer(t, `sa${k}`, seen);
        return t;
      });
      // opening the same CHILD_SA's tunnel again gives the open one
      expect(r.openEspTunnel(infos[0].spiI)).toBe(gwTunnels[0]);
      const tunnels = clients.map((c) => c.openEspTunnel());
      // the initiator's tunnel is one per SA too: a second call must not restart its sequence numbers
      expect(clients[0].openEspTunnel()).toBe(tunnels[0]);
      // all three at once
      const replies = await Promise.all(tunnels.map((t, k) => ping(t, `192.168.0.${100 + k}`, 1 + k)));
      replies.forEach((rep, k) => expect(rep).toMatchObject({ type: 0, src: '10.1.0.1', dst: `192.168.0.${100 + k}`, seq: 1 + k, checksumOk: true }));
      expect(seen.sort()).toEqual(['sa0:1', 'sa1:2', 'sa2:3']);
      for (const t of gwTunnels) expect(t.inbound.stats.packets).toBe(1);

      // the middle client leaves: its tunnel is closed and unrouted, the other two still work
      expect(await clients[1].close()).toEqual({ acknowledged: true });
      expect(deleted).toEqual([infos[1].spiI]);
      expect(r.activeSas).toBe(2);
      seen.length = 0;
      expect(await ping(tunnels[2], '192.168.0.102', 20)).toMatchObject({ seq: 20, checksumOk: true });
      expect(await ping(tunnels[0], '192.168.0.100', 21)).toMatchObject({ seq: 21, checksumOk: true });
      expect(seen).toEqual(['sa2:20', 'sa0:21']);
      expect(() => r.openEspTunnel(infos[1].spiI)).toThrow(/no CHILD_SA/);

      // per-IKE_SA counters: each tunnel saw its own packets; the sums are the transport's totals
      const traffic = infos.map((i) => r.saTraffic(i.spiI)!);
      expect(traffic.map((t) => [t.espPacketsIn, t.espPacketsOut])).toEqual([[2, 2], [1, 1], [2, 2]]);
      const st = r.transportStats;
      expect(traffic.reduce((n, t) => n + t.espBytesIn, 0)).toBe(st.espBytesReceived);
      expect(traffic.reduce((n, t) => n + t.espBytesOut, 0)).toBe(st.espBytesSent);
      expect(traffic.reduce((n, t) => n + t.ikeBytesIn, 0)).toBe(st.bytesReceived);
      expect(traffic.reduce((n, t) => n + t.ikeBytesOut, 0)).toBe(st.bytesSent);
      for (const [k, t] of traffic.entries()) {
        expect(t.ikeBytesIn).toBeGreaterThan(1000);
        expect(t.ikeBytesIn).toBe(clients[k].transportStats.bytesSent);
        expect(t.ikeBytesOut).toBe(clients[k].transportStats.bytesReceived);
      }
      expect(st.espUnknownSpi).toBe(0);
    } finally {
      for (const c of clients) await c.close();
      await r.close();
    }
  }, 60_000);

  it('a CHILD_SA rekey moves the routing to the new SPI; closeEspTunnel and unknown SPIs drop (counted), the other SA is unaffected', async () => {
    const lines: string[] = [];
    const r = responder(lines);
    const ports = await r.listen();
    const [a, b] = [initiator(ports, 'carol@strongswan.org'), initiator(ports, 'dave@strongswan.org')];
    try {
      const [ia, ib] = await Promise.all([a.connect(), b.connect()]);
      const seen: string[] = [];
      answer(r.openEspTunnel(ia.spiI), 'a', seen);
      answer(r.openEspTunnel(ib.spiI), 'b', seen);
      const [ta, tb] = [a.openEspTunnel(), b.openEspTunnel()];
      expect(await ping(ta, '192.168.0.1', 1)).toMatchObject({ seq: 1 });
      const old = a.childSa!;
      const fresh = await a.rekeyChildSa();
      expect(fresh.spiOut).not.toEqual(old.spiOut);
      expect(await ping(ta, '192.168.0.1', 2)).toMatchObject({ seq: 2, checksumOk: true });
      expect(await ping(tb, '192.168.0.2', 3)).toMatchObject({ seq: 3, checksumOk: true });
      expect(seen).toEqual(['a:1', 'a:2', 'b:3']);

      // a datagram with an SPI no CHILD_SA has, sent to the NAT-T port: counted and dropped, nothing else happens
      const raw = createSocket('udp4');
      await new Promise<void>((res) => raw.bind(0, '127.0.0.1', res));
      const before = r.transportStats.espUnknownSpi;
      const logged = new Promise<void>((res) => {
        const check = setInterval(() => {
          if (r.transportStats.espUnknownSpi > before) {
            clearInterval(check);
            res();
          }
        }, 5);
      });
      raw.send(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, ...new Array(40).fill(0)), ports.natt.port, '127.0.0.1');
      await logged;
      raw.close();
      expect(lines).toContain('00[ESP] received ESP packet with unknown SPI deadbeef, dropped');

      // closing A's tunnel at the gateway: B still works, A's packets are now unknown-SPI drops
      r.closeEspTunnel(ia.spiI);
      expect(await ping(tb, '192.168.0.2', 4)).toMatchObject({ seq: 4 });
      expect(seen).toEqual(['a:1', 'a:2', 'b:3', 'b:4']);
      // A's packets now arrive for an SPI without a tunnel: dropped and counted
      const unknown = r.transportStats.espUnknownSpi;
      ta.send(icmpEchoRequest('192.168.0.1', '10.1.0.1', 9, 5, Uint8Array.of(5)));
      await until(() => r.transportStats.espUnknownSpi === unknown + 1);
      expect(seen).toEqual(['a:1', 'a:2', 'b:3', 'b:4']);
      // not reopened under the same keys (its sequence numbers would restart: replay at the peer, GCM nonce reuse) …
      expect(() => r.openEspTunnel(ia.spiI)).toThrow(/was closed; it can be opened again after the CHILD_SA is rekeyed/);
      // … but after the next rekey, with fresh keys
      await a.rekeyChildSa();
      answer(r.openEspTunnel(ia.spiI), 'a2', seen);
      expect(await ping(ta, '192.168.0.1', 6)).toMatchObject({ seq: 6, checksumOk: true });
      expect(seen).toEqual(['a:1', 'a:2', 'b:3', 'b:4', 'a2:6']);
    } finally {
      await a.close();
      await b.close();
      await r.close();
    }
  }, 60_000);
});
