/**
 * `IkeInitiator.connect({ signal })`: aborting cancels the exchange in flight at once (the retransmission timers are
 * set to a minute, so a test that waited for them would hit jest's timeout), closes the sockets and rejects with
 * ERR_IKE_ABORTED; after IKE_SA_INIT a best-effort INFORMATIONAL DELETE tells the responder (our IkeResponder over
 * real UDP on 127.0.0.1) to drop its half-open IKE_SA.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory, type EapAuthenticatorResult } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import { IkeError, IkeInitiator, IkeResponder, type InitiatorOptions } from '../src/index.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

const CAROL = 'carol@strongswan.org';
const secrets = new MemorySecretsStore({ [CAROL]: 'Ar3etTnp' });
/** Retransmission that would take minutes: an abort must not wait for it. */
const SLOW = { timeout: 60_000, base: 1.8, tries: 5 };
let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 60_000);

/** A promise with its resolver, to hold a real EAP party at a chosen message. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** The real EAP peer (EAP-TTLS + inner MD5) that stops before processing its `at`-th request until released. */
class HeldPeer extends EapPeer {
  private calls = 0;
  readonly reached = gate();
  readonly release = gate();
  /** Opened when the held request has been processed. */
  readonly done = gate();
  constructor(private readonly at: number) {
    super({
      identity: CAROL,
      serverIdentity: 'moon.strongswan.org',
      methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(secrets)] })],
    });
  }
  override async process(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    if (++this.calls !== this.at) return super.process(bytes);
    this.reached.open();
    await this.release.wait;
    try {
      return await super.process(bytes);
    } finally {
      this.done.open();
    }
  }
}

/** The real EAP-TTLS server that holds its `at`-th response until released. */
class HeldAuthenticator extends EapAuthenticator {
  private calls = 0;
  readonly reached = gate();
  readonly release = gate();
  constructor(id: string, private readonly at: number) {
    super({
      methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024 })],
      requestIdentity: false,
      identity: id,
      serverIdentity: 'moon.strongswan.org',
    });
  }
  override async process(bytes: Uint8Array): Promise<EapAuthenticatorResult> {
    if (++this.calls === this.at) {
      this.reached.open();
      await this.release.wait;
    }
    return super.process(bytes);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function responder(eap: (id: string) => EapAuthenticator = (id) => new HeldAuthenticator(id, -1)) {
  const log: string[] = [];
  const r = new IkeResponder({ identity: 'moon.strongswan.org', eap, localTs: ['10.1.0.0/28'], transport: { localAddress: '127.0.0.1' }, logger: new Logger({ defaultLevel: 1, sink: (l) => log.push(l) }) });
  const ports = await r.listen();
  cleanups.push(() => r.close());
  return { r, ports, log };
}

function initiator(remote: InitiatorOptions['remote'], eap: EapPeer, name?: string) {
  const log: string[] = [];
  const ike = new IkeInitiator({
    name, remote, identity: CAROL, eap, retransmit: SLOW, transport: { localAddress: '127.0.0.1' },
    logger: new Logger({ defaultLevel: 1, sink: (l) => log.push(l) }),
  });
  return { ike, log };
}

describe('connect({ signal })', () => {
  it('an already aborted signal rejects with ERR_IKE_ABORTED before a socket is opened or a packet sent', async () => {
    const { ike } = initiator({ address: '127.0.0.1', port: 9 }, new HeldPeer(-1));
    const reason = new Error('operator cancelled');
    const err = await ike.connect({ signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IkeError);
    expect(err).toMatchObject({ code: 'ERR_IKE_ABORTED', message: expect.stringContaining('operator cancelled'), cause: reason });
    expect(ike.transportStats.sent).toBe(0);
    expect(ike.established).toBe(false);
    await expect(ike.connect()).rejects.toThrow(TypeError);
  });

  it('during IKE_SA_INIT (silent responder): rejects at once, no retransmit, no DELETE (no keys yet), sockets closed', async () => {
    const silent: Socket = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => silent.close(() => r())));
    const got = new Promise<void>((r) => silent.once('message', () => r()));
    const { ike, log } = initiator({ address: '127.0.0.1', port: silent.address().port }, new HeldPeer(-1), 'home');
    const ac = new AbortController();
    const p = ike.connect({ signal: ac.signal });
    await got;
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ERR_IKE_ABORTED', message: expect.stringMatching(/^connecting IKE_SA home\[\d+\] to 127\.0\.0\.1 aborted/) });
    expect(ike.transportStats.sent).toBe(1);
    expect(log.some((l) => l.includes('DELETE'))).toBe(false);
    expect(() => ike.udp.local(false)).toThrow(); // closed
  });

  it('during IKE_AUTH while our EAP peer works: DELETE with the next message ID, the responder drops its half-open IKE_SA', async () => {
    const { r, ports, log: moon } = await responder();
    const deleted = new Promise<string>((res) => r.onDeleted(res));
    const peer = new HeldPeer(2); // the 2nd EAP request: the TLS server flight
    const { ike, log } = initiator({ address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, peer, 'home');
    const ac = new AbortController();
    const p = ike.connect({ signal: ac.signal });
    await peer.reached.wait;
    expect(r.activeSas).toBe(1);
    ac.abort();
    const err = await p.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_IKE_ABORTED' });
    const n = ike.uniqueId;
    expect(log).toEqual(expect.arrayContaining([
      `00[IKE] deleting IKE_SA home[${n}] between 127.0.0.1[${CAROL}]...127.0.0.1[moon.strongswan.org]`,
      `00[IKE] sending DELETE for IKE_SA home[${n}]`,
      '00[ENC] generating INFORMATIONAL request 3 [ D ]',
    ]));
    const spiI = await deleted;
    expect(r.activeSas).toBe(0);
    expect(moon).toContain('00[ENC] parsed INFORMATIONAL request 3 [ D ]');
    expect(moon.some((l) => l.includes(`received DELETE for IKE_SA ${spiI}_i`))).toBe(true);
    // the EAP peer finishes its work afterwards: nothing more goes out, nothing throws
    const sent = ike.transportStats.sent;
    peer.release.open();
    await peer.done.wait;
    await new Promise((res) => setImmediate(res));
    expect(ike.transportStats.sent).toBe(sent);
    expect(ike.established).toBe(false);
  }, 30_000);

  it('during IKE_AUTH while the responder works on our request: rejects at once, DELETE still sent once, sockets closed', async () => {
    let held: HeldAuthenticator | undefined;
    const { r, ports } = await responder((id) => (held = new HeldAuthenticator(id, 1)));
    const { ike, log } = initiator({ address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, new HeldPeer(-1));
    const ac = new AbortController();
    const p = ike.connect({ signal: ac.signal });
    while (!held) await new Promise((res) => setImmediate(res));
    await held.reached.wait;
    ac.abort('gateway too slow');
    await expect(p).rejects.toMatchObject({ code: 'ERR_IKE_ABORTED', message: expect.stringContaining('gateway too slow') });
    expect(log).toContain('00[ENC] generating INFORMATIONAL request 3 [ D ]'); // request 2 (the TLS client hello) is pending
    expect(log.filter((l) => l.includes('sending packet')).length).toBe(ike.transportStats.sent);
    expect(() => ike.udp.local(true)).toThrow();
    // our IkeResponder, busy with request 2, ignores request 3 (see abortDelete); charon queues it and deletes
    held.release.open();
    expect(r.activeSas).toBeLessThanOrEqual(1);
  }, 30_000);

  it('an abort after the IKE_SA is established changes nothing', async () => {
    const { ports } = await responder();
    const { ike } = initiator({ address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, new HeldPeer(-1));
    const ac = new AbortController();
    const info = await ike.connect({ signal: ac.signal });
    ac.abort();
    expect(ike.established).toBe(true);
    expect(info.uniqueId).toBe(ike.uniqueId);
    expect(await ike.close()).toEqual({ acknowledged: true });
  }, 30_000);
});
