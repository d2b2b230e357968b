/**
 * RFC 7296 §2.6 COOKIEs: at `cookieThreshold` half-open IKE_SAs an IKE_SA_INIT without a valid COOKIE gets N(COOKIE)
 * only and no state; our initiator retries with it and connects; a forged COOKIE gets a fresh request again.
 * The responder does not keep IKE_SAs forever: one left half-open after IKE_SA_INIT (a real IKE_SA_INIT request of our
 * initiator, replayed from a raw UDP socket that never continues) is dropped after `setupTimeout` without a request
 * and reported through `onFailed`; a deleted or failed IKE_SA is forgotten after `lingerTime` (until then it still
 * answers a retransmit and `saTraffic` knows it).
 */
import { createSocket } from 'node:dgram';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { Logger } from '@tncjs/common';
import { IkeInitiator, IkeResponder, NotifyType, PayloadType, decodeMessage, encodeMessage, notify, type NotifyPayload, type ResponderFailureInfo } from '../src/index.js';

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

test('COOKIE: at the threshold an IKE_SA_INIT without (or with a forged) COOKIE creates no state; our initiator retries with it', async () => {
  const lines: string[] = [];
  const r = new IkeResponder({
    identity: 'moon.strongswan.org',
    eap: (id) => new EapAuthenticator({ methods: [md5Factory(secrets)], requestIdentity: false, identity: id }),
    transport: { localAddress: '127.0.0.1' },
    cookieThreshold: 1,
    logger: new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) }),
  });
  const ports = await r.listen();
  const raw = createSocket('udp4');
  try {
    await new Promise<void>((res) => raw.bind(0, '127.0.0.1', res));
    const exchange = async (b: Uint8Array) => {
      const answered = new Promise<Uint8Array>((res) => raw.once('message', (m) => res(new Uint8Array(m))));
      raw.send(b, ports.ike.port, '127.0.0.1');
      return decodeMessage(await answered);
    };
    // below the threshold: answered normally, one half-open IKE_SA
    const first = await exchange(await ikeSaInitRequest());
    expect(first.payloads.map((p) => p.type)).toContain(PayloadType.SA);
    expect(r.activeSas).toBe(1);
    // at it: only N(COOKIE), nothing kept
    const req = await ikeSaInitRequest();
    const ask = await exchange(req);
    expect(ask.payloads).toHaveLength(1);
    const cookie = ask.payloads[0] as NotifyPayload;
    expect(cookie).toMatchObject({ type: PayloadType.NOTIFY, notifyType: NotifyType.COOKIE });
    expect(cookie.data.byteLength).toBe(33);
    expect(r.activeSas).toBe(1);
    expect(lines).toContain('00[IKE] 1 half-open IKE_SAs, no COOKIE from 127.0.0.1, requesting one');
    // a forged cookie: asked again, still nothing kept
    const m = decodeMessage(req);
    const forged = encodeMessage({ ...m, payloads: [notify(NotifyType.COOKIE, new Uint8Array(33).fill(7)), ...m.payloads] });
    const again = await exchange(forged);
    expect(again.payloads).toEqual([expect.objectContaining({ notifyType: NotifyType.COOKIE })]);
    expect(r.activeSas).toBe(1);
    expect(lines).toContain('00[IKE] 1 half-open IKE_SAs, invalid COOKIE from 127.0.0.1, requesting one');
    // the same request with the COOKIE we gave: accepted
    const proved = encodeMessage({ ...m, payloads: [cookie, ...m.payloads] });
    const ok = await exchange(proved);
    expect(ok.payloads.map((p) => p.type)).toContain(PayloadType.SA);
    expect(r.activeSas).toBe(2);

    // our initiator follows the COOKIE request by itself (IKE_SA_INIT twice) and reaches EAP
    const carol: string[] = [];
    const i = new IkeInitiator({
      remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port },
      identity: 'carol@strongswan.org',
      eap: new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(secrets)] }),
      transport: { localAddress: '127.0.0.1' },
      retransmit: { timeout: 500, tries: 2 },
      logger: new Logger({ defaultLevel: 1, sink: (l) => carol.push(l) }),
    });
    const info = await i.connect().catch((e: Error) => e);
    // EAP-MD5 alone gives no MSK: the initiator refuses to finish EAP-only (RFC 5998 §4) — after both IKE_SA_INITs
    expect(info).toBeInstanceOf(Error);
    expect(carol.filter((l) => l.includes('[ENC]') && l.includes('IKE_SA_INIT')).map((l) => l.replace(/^.*\[ENC\] /, '')).slice(0, 4)).toEqual([
      'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]',
      'parsed IKE_SA_INIT response 0 [ N(COOKIE) ]',
      'generating IKE_SA_INIT request 0 [ N(COOKIE) SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]',
      expect.stringMatching(/^parsed IKE_SA_INIT response 0 \[ SA KE No /),
    ]);
    await i.close().catch(() => undefined);
  } finally {
    raw.close();
    await r.close();
  }
}, 30_000);
