/**
 * The responder does not keep IKE_SAs forever: one left half-open after IKE_SA_INIT (a real IKE_SA_INIT request of our
 * initiator, replayed from a raw UDP socket that never continues) is dropped after `setupTimeout` without a request
 * and reported through `onFailed`; a deleted or failed IKE_SA is forgotten after `lingerTime` (until then it still
 * answers a retransmit and `saTraffic` knows it).
 */
import { createSocket } from 'node:dgram';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { Logger } from '@tncjs/common';
import { IkeInitiator, IkeResponder, decodeMessage, type ResponderFailureInfo } from '../src/index.js';

const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp' });

/** The first datagram our initiator sends: a real IKE_SA_INIT request. */
async function ikeSaInitRequest(): Promise<Uint8Array> {
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  const got = new Promise<Uint8Array>((r) => sink.once('message', (m) => r(new Uint8Array(m))));
  const ac = new AbortController();
  const i = new IkeInitiator({
    remote: { address: '127.0.0.1', port: sink.address().port },
    identity: 'carol@strongswan.org',
    eap: new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(secrets)] }),
    transport: { localAddress: '127.0.0.1' },
    logger: new Logger({ defaultLevel: -1, sink: () => {} }),
  });
  const done = i.connect({ signal: ac.signal }).catch(() => undefined);
  const req = await got;
  ac.abort();
  await done;
  await i.close().catch(() => undefined);
  sink.close();
  return req;
}

test('half-open IKE_SA: dropped after setupTimeout (onFailed), forgotten after lingerTime', async () => {
  const lines: string[] = [];
  const r = new IkeResponder({
    identity: 'moon.strongswan.org',
    eap: (id) => new EapAuthenticator({ methods: [md5Factory(secrets)], requestIdentity: false, identity: id }),
    transport: { localAddress: '127.0.0.1' },
    setupTimeout: 0.4,
    lingerTime: 0.4,
    logger: new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) }),
  });
  const ports = await r.listen();
  const failed: ResponderFailureInfo[] = [];
  r.onFailed((f) => failed.push(f));
  const raw = createSocket('udp4');
  try {
    await new Promise<void>((res) => raw.bind(0, '127.0.0.1', res));
    const req = await ikeSaInitRequest();
    const answered = new Promise<Uint8Array>((res) => raw.once('message', (m) => res(new Uint8Array(m))));
    raw.send(req, ports.ike.port, '127.0.0.1');
    const resp = decodeMessage(await answered);
    expect(resp).toMatchObject({ response: true, messageId: 0 });
    const spiI = Buffer.from(resp.spiI).toString('hex');
    expect(r.activeSas).toBe(1);
    expect(r.saTraffic(spiI)).toBeDefined();

    // no IKE_AUTH follows: dropped after ~0.4 s
    const t0 = Date.now();
    while (!failed.length && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 20));
    expect(failed).toEqual([expect.objectContaining({ spiI, peer: expect.objectContaining({ address: '127.0.0.1' }), reason: expect.stringMatching(/not established after \d+s without a request, deleting$/) })]);
    expect(failed[0].peerIdentity).toBeUndefined();
    expect(r.activeSas).toBe(0);
    expect(lines.some((l) => /\[IKE\] IKE_SA [0-9a-f]{16}_i [0-9a-f]{16}_r not established after/.test(l))).toBe(true);
    // still known for the linger time, then forgotten
    expect(r.saTraffic(spiI)).toBeDefined();
    const t1 = Date.now();
    while (r.saTraffic(spiI) && Date.now() - t1 < 5000) await new Promise((res) => setTimeout(res, 20));
    expect(r.saTraffic(spiI)).toBeUndefined();
  } finally {
    raw.close();
    await r.close();
  }
}, 30_000);
