/**
 * RFC 7296 §1.3 / §2.8 / §2.18 rekeying, RFC 4478 reauthentication and §1.4 liveness checks, in process: our initiator
 * against our responder on 127.0.0.1 (EAP-TTLS + inner MD5, faked NAT so ESP is UDP-encapsulated).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import {
  DhGroup, IkeInitiator, IkeResponder, icmpEchoRequest, lifetimeSchedule, parseIcmpEcho, type EspTunnel, type IkeEvent,
  type ResponderOptions, type ResponderRekeyInfo, type ResponderSaInfo,
} from '../src/index.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

const CAROL = 'carol@strongswan.org';
const secrets = new MemorySecretsStore({ [CAROL]: 'Ar3etTnp' });
let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 60_000);

const ttlsServer = (): ResponderOptions['eap'] => (id) =>
  new EapAuthenticator({
    methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024 })],
    requestIdentity: false,
    identity: id,
    serverIdentity: 'moon.strongswan.org',
  });
const ttlsPeer = () =>
  new EapPeer({
    identity: CAROL,
    serverIdentity: 'moon.strongswan.org',
    methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(secrets)] })],
  });

async function pair(opts: { responder?: Partial<ResponderOptions>; initiator?: Partial<ConstructorParameters<typeof IkeInitiator>[0]> } = {}) {
  const responderLog: string[] = [];
  const initiatorLog: string[] = [];
  const responder = new IkeResponder({
    identity: 'moon.strongswan.org', eap: ttlsServer(), localTs: ['10.1.0.0/28'], fakeNat: true, transport: { localAddress: '127.0.0.1' },
    logger: new Logger({ defaultLevel: 1, sink: (l) => responderLog.push(l) }), ...opts.responder,
  });
  const ports = await responder.listen();
  const established: ResponderSaInfo[] = [];
  const rekeyed: ResponderRekeyInfo[] = [];
  const deleted: string[] = [];
  responder.onEstablished((i) => established.push(i));
  responder.onRekeyed((i) => rekeyed.push(i));
  responder.onDeleted((s) => deleted.push(s));
  const initiator = new IkeInitiator({
    logger: new Logger({ defaultLevel: 1, sink: (l) => initiatorLog.push(l) }),
    remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port },
    identity: CAROL,
    eap: ttlsPeer(),
    retransmit: { timeout: 100, base: 1.5, tries: 4 },
    transport: { localAddress: '127.0.0.1' },
    ...opts.initiator,
  });
  const events: IkeEvent[] = [];
  initiator.onEvent((e) => events.push(e));
  return { responder, initiator, established, rekeyed, deleted, events, responderLog, initiatorLog };
}

const nextEvent = (i: IkeInitiator, type: IkeEvent['type']) => new Promise<IkeEvent>((res) => i.onEvent((e) => e.type === type && res(e)));

/** A gateway tunnel that echoes every packet back (src/dst swapped) and a client tunnel; resolves one round trip. */
function echo(gw: EspTunnel): void {
  gw.onPacket((p) => {
    const e = parseIcmpEcho(p)!;
    gw.send(icmpEchoRequest(e.dst, e.src, e.id, e.seq, e.data));
  });
}
async function ping(client: EspTunnel, seq: number): Promise<ReturnType<typeof parseIcmpEcho>> {
  const back = new Promise<Uint8Array>((res) => client.onPacket(res));
  client.send(icmpEchoRequest('192.168.0.254', '10.1.0.1', 7, seq, Uint8Array.of(seq)));
  return parseIcmpEcho(await back);
}

describe('RFC 7296 §1.3.3 CHILD_SA rekeying (CREATE_CHILD_SA with REKEY_SA)', () => {
  it('initiator rekeys: new SPIs and KEYMAT agree on both sides, the ESP tunnels switch, the old CHILD_SA is deleted', async () => {
    const { responder, initiator, established, rekeyed, events, responderLog } = await pair();
    const info = await initiator.connect();
    const old = info.child!;
    const gw = responder.openEspTunnel(established[0].spiI);
    echo(gw);
    const client = initiator.openEspTunnel();
    expect(await ping(client, 1)).toMatchObject({ src: '10.1.0.1', seq: 1, checksumOk: true });
    const child = await initiator.rekeyChildSa();
    expect(info.exchanges.slice(-4)).toEqual([
      expect.stringMatching(/^generating CREATE_CHILD_SA request \d+ \[ N\(REKEY_SA\) SA No TSi TSr \]$/),
      expect.stringMatching(/^parsed CREATE_CHILD_SA response \d+ \[ SA No TSi TSr \]$/),
      expect.stringMatching(/^generating INFORMATIONAL request \d+ \[ D \]$/),
      expect.stringMatching(/^parsed INFORMATIONAL response \d+ \[ D \]$/),
    ]);
    expect(child.spiIn).not.toEqual(old.spiIn);
    expect(child.keys.encrI).not.toEqual(old.keys.encrI);
    expect(rekeyed).toEqual([{ sa: 'child', spiI: info.spiI, oldSpiIn: Buffer.from(old.spiOut).toString('hex'), spiIn: Buffer.from(child.spiOut).toString('hex'), spiOut: Buffer.from(child.spiIn).toString('hex'), pfs: false }]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'child-rekeyed', initiatedBy: 'us', pfs: false }));
    expect(initiator.childSa).toBe(child);
    expect(client.rekeys).toBe(1);
    expect(gw.rekeys).toBe(1);
    expect(Buffer.from(client.outbound.params.spi).toString('hex')).toBe(Buffer.from(child.spiOut).toString('hex'));
    expect(await ping(client, 2)).toMatchObject({ src: '10.1.0.1', seq: 2, checksumOk: true });
    expect(gw.inbound.stats.packets).toBe(1); // the second ping arrived on the new inbound SA
    expect(responderLog.some((l) => /closing CHILD_SA with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o \(rekeyed\)/.test(l))).toBe(true);
    // the old keys are zeroized
    expect(old.keys.encrI.every((b) => b === 0)).toBe(true);
    expect(await initiator.close()).toEqual({ acknowledged: true });
    await responder.close();
  }, 30_000);

  it('with PFS (pfs: [CURVE_25519]): KE in both messages, KEYMAT from g^ir | Ni | Nr', async () => {
    const { responder, initiator, rekeyed, events } = await pair({ initiator: { pfs: [DhGroup.CURVE_25519] } });
    const info = await initiator.connect();
    await initiator.rekeyChildSa();
    expect(info.exchanges).toContainEqual(expect.stringMatching(/^generating CREATE_CHILD_SA request \d+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]$/));
    expect(info.exchanges).toContainEqual(expect.stringMatching(/^parsed CREATE_CHILD_SA response \d+ \[ SA No KE TSi TSr \]$/));
    expect(rekeyed[0]).toMatchObject({ sa: 'child', pfs: true });
    expect(events).toContainEqual(expect.objectContaining({ type: 'child-rekeyed', pfs: true }));
    expect(initiator.childSa!.proposal).toMatch(/CURVE_25519/);
    await initiator.close();
    await responder.close();
  }, 30_000);

  it('PFS group the responder does not accept: NO_PROPOSAL_CHOSEN → ERR_IKE_NOTIFY, the old CHILD_SA stays', async () => {
    const { responder, initiator } = await pair({ initiator: { pfs: [DhGroup.MODP_3072] }, responder: { pfs: [DhGroup.ECP_256] } });
    const info = await initiator.connect();
    const old = info.child!;
    await expect(initiator.rekeyChildSa()).rejects.toMatchObject({ code: 'ERR_IKE_NOTIFY', notify: 14 });
    expect(initiator.childSa).toBe(old);
    expect(await initiator.close()).toEqual({ acknowledged: true });
    await responder.close();
  }, 30_000);

  it('PFS KE of another group than the responder picks: INVALID_KE_PAYLOAD, the initiator retries with the requested group', async () => {
    const { responder, initiator, rekeyed } = await pair({ initiator: { pfs: [DhGroup.MODP_2048, DhGroup.CURVE_25519] }, responder: { pfs: [DhGroup.CURVE_25519] } });
    const info = await initiator.connect();
    await initiator.rekeyChildSa();
    expect(info.exchanges).toContainEqual(expect.stringMatching(/^parsed CREATE_CHILD_SA response \d+ \[ N\(INVAL_KE\) \]$/));
    expect(rekeyed).toEqual([expect.objectContaining({ sa: 'child', pfs: true })]);
    expect(initiator.childSa!.proposal).toMatch(/CURVE_25519/);
    await initiator.close();
    await responder.close();
  }, 30_000);

  it('childLifetime (rekey_time with rand_time jitter) rekeys by itself, repeatedly', async () => {
    const { responder, initiator, rekeyed } = await pair({ initiator: { childLifetime: { rekeyTime: 0.3, lifeTime: 5, randTime: 0.1 } } });
    await initiator.connect();
    await nextEvent(initiator, 'child-rekeyed');
    await nextEvent(initiator, 'child-rekeyed');
    expect(rekeyed.filter((r) => r.sa === 'child').length).toBeGreaterThanOrEqual(2);
    expect(await initiator.close()).toEqual({ acknowledged: true });
    await responder.close();
  }, 30_000);
});

describe('RFC 7296 §1.3.2 / §2.18 IKE_SA rekeying', () => {
  it('initiator rekeys the IKE_SA: new SPIs on both sides, message IDs restart at 0, CHILD_SA and ESP carry on', async () => {
    const { responder, initiator, established, rekeyed, deleted, events } = await pair();
    const info = await initiator.connect();
    const oldSpiI = info.spiI;
    const gw = responder.openEspTunnel(established[0].spiI);
    echo(gw);
    const client = initiator.openEspTunnel();
    const spis = await initiator.rekeyIkeSa();
    expect(spis.spiI).not.toBe(oldSpiI);
    expect(info.spiI).toBe(spis.spiI);
    expect(rekeyed).toEqual([{ sa: 'ike', oldSpiI, spiI: spis.spiI, spiR: spis.spiR }]);
    expect(deleted).toEqual([]); // the rekeyed-away IKE_SA's DELETE is not the end of the session
    expect(events).toContainEqual({ type: 'ike-rekeyed', initiatedBy: 'us', oldSpiI, oldSpiR: expect.any(String), spiI: spis.spiI, spiR: spis.spiR });
    expect(info.exchanges.slice(-4)).toEqual([
      expect.stringMatching(/^generating CREATE_CHILD_SA request \d+ \[ SA No KE \]$/),
      expect.stringMatching(/^parsed CREATE_CHILD_SA response \d+ \[ SA No KE \]$/),
      expect.stringMatching(/^generating INFORMATIONAL request \d+ \[ D \]$/),
      expect.stringMatching(/^parsed INFORMATIONAL response \d+ \[ \]$/),
    ]);
    expect(responder.activeSas).toBe(1);
    expect(await ping(client, 1)).toMatchObject({ seq: 1, checksumOk: true });
    // the new IKE_SA works: a CHILD_SA rekey on it (message ID 0) and the DELETE at the end (ID 1)
    await initiator.rekeyChildSa();
    expect(info.exchanges).toContainEqual('generating CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]');
    expect(await ping(client, 2)).toMatchObject({ seq: 2, checksumOk: true });
    expect(await initiator.close()).toEqual({ acknowledged: true });
    expect(deleted).toEqual([spis.spiI]);
    expect(responder.activeSas).toBe(0);
    await responder.close();
  }, 30_000);

  it('ikeLifetime rekeys the IKE_SA by itself', async () => {
    const { responder, initiator, rekeyed } = await pair({ initiator: { ikeLifetime: { rekeyTime: 0.3, lifeTime: 5 } } });
    await initiator.connect();
    const e = await nextEvent(initiator, 'ike-rekeyed');
    expect(rekeyed[0]).toMatchObject({ sa: 'ike', spiI: (e as { spiI: string }).spiI });
    expect(await initiator.close()).toEqual({ acknowledged: true });
    await responder.close();
  }, 30_000);
});

describe('RFC 4478 AUTH_LIFETIME: reauthentication, break-before-make', () => {
  it('responder sends AUTH_LIFETIME; the initiator deletes the IKE_SA and establishes a new one with a fresh EAP run', async () => {
    const { responder, initiator, established, deleted, events, initiatorLog } = await pair({
      responder: { authLifetime: 1 },
      initiator: { reauthEap: () => ttlsPeer(), reauthMargin: 0.7 },
    });
    const info = await initiator.connect();
    expect(info.exchanges).toContainEqual(expect.stringMatching(/^parsed IKE_AUTH response \d+ \[ AUTH SA TSi TSr N\(AUTH_LFT\) \]$/));
    expect(events).toContainEqual({ type: 'auth-lifetime', seconds: 1, reauthInSeconds: expect.closeTo(0.3, 5) });
    const e = (await nextEvent(initiator, 'reauthenticated')) as { spiI: string };
    expect(e.spiI).not.toBe(info.spiI);
    expect(established.map((x) => x.spiI)).toEqual([info.spiI, e.spiI]);
    expect(deleted).toEqual([info.spiI]); // break-before-make: the old IKE_SA was deleted first
    expect(initiatorLog.some((l) => l.includes('(break-before-make)'))).toBe(true);
    expect(await initiator.close()).toEqual({ acknowledged: true });
    await responder.close();
  }, 30_000);
});

describe('RFC 7296 §1.4 liveness checks (DPD)', () => {
  it('dpdDelay: an empty INFORMATIONAL after idle time is answered; once the peer is gone, the dead event with ERR_IKE_TIMEOUT', async () => {
    const { responder, initiator, events } = await pair({ initiator: { dpdDelay: 0.2, retransmit: { timeout: 300, base: 1.2, tries: 2 } } });
    const info = await initiator.connect();
    await nextEvent(initiator, 'dpd');
    expect(info.exchanges).toContainEqual(expect.stringMatching(/^generating INFORMATIONAL request \d+ \[ \]$/));
    await responder.close(); // the peer disappears
    const dead = (await nextEvent(initiator, 'dead')) as { error: { code: string; message: string } };
    expect(dead.error).toMatchObject({ code: 'ERR_IKE_TIMEOUT', message: expect.stringMatching(/is dead \(liveness check unanswered after 2 retransmits\)/) });
    expect(initiator.established).toBe(false);
    expect(events.filter((x) => x.type === 'dpd').length).toBeGreaterThanOrEqual(1);
    expect(await initiator.close()).toEqual({ acknowledged: false });
  }, 30_000);

  it('checkLiveness() on demand', async () => {
    const { responder, initiator } = await pair();
    const info = await initiator.connect();
    await initiator.checkLiveness();
    expect(info.exchanges.slice(-2)).toEqual([expect.stringMatching(/^generating INFORMATIONAL request \d+ \[ \]$/), expect.stringMatching(/^parsed INFORMATIONAL response \d+ \[ \]$/)]);
    await initiator.close();
    await responder.close();
  }, 30_000);
});

describe('rekeys and DPD started by the responder (RFC 7296 §2.18: roles swap after an IKE_SA rekey)', () => {
  it('responder rekeys the CHILD_SA with PFS: the initiator answers, both tunnels switch', async () => {
    const { responder, initiator, established, rekeyed, events } = await pair({ responder: { pfs: [DhGroup.CURVE_25519] } });
    const info = await initiator.connect();
    const gw = responder.openEspTunnel(established[0].spiI);
    echo(gw);
    const client = initiator.openEspTunnel();
    const child = await responder.rekeyChildSa(info.spiI);
    expect(rekeyed).toEqual([expect.objectContaining({ sa: 'child', pfs: true })]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'child-rekeyed', initiatedBy: 'peer', pfs: true }));
    expect(info.exchanges).toContainEqual('parsed CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No KE TSi TSr ]');
    expect(info.exchanges).toContainEqual('generating CREATE_CHILD_SA response 0 [ SA No KE TSi TSr ]');
    expect(info.exchanges).toContainEqual('parsed INFORMATIONAL request 1 [ D ]');
    expect(Buffer.from(initiator.childSa!.spiOut)).toEqual(Buffer.from(child.spiIn));
    expect(initiator.childSa!.keys).toEqual({ encrI: child.keys.encrI, integI: child.keys.integI, encrR: child.keys.encrR, integR: child.keys.integR });
    expect(await ping(client, 1)).toMatchObject({ seq: 1, checksumOk: true });
    expect([client.rekeys, gw.rekeys]).toEqual([1, 1]);
    expect(await initiator.close()).toEqual({ acknowledged: true });
    await responder.close();
  }, 30_000);

  it('responder rekeys the IKE_SA: the initiator becomes the new IKE_SA\'s responder (flags, keys, message IDs) and keeps working', async () => {
    const { responder, initiator, rekeyed, deleted, events } = await pair();
    const info = await initiator.connect();
    const { spiI: oldSpiI, spiR: oldSpiR } = info;
    const r = await responder.rekeyIkeSa(oldSpiI);
    expect(rekeyed).toEqual([{ sa: 'ike', oldSpiI, spiI: r.spiI, spiR: r.spiR }]);
    expect(events).toContainEqual({ type: 'ike-rekeyed', initiatedBy: 'peer', oldSpiI, oldSpiR, spiI: r.spiI, spiR: r.spiR });
    expect(r.spiI).not.toBe(oldSpiI);
    expect(info.spiI).toBe(r.spiI); // the responder's new SPI is SPIi of the new IKE_SA
    expect(info.exchanges).toContainEqual('parsed CREATE_CHILD_SA request 0 [ SA No KE ]');
    // our requests on the new IKE_SA: initiator flag clear, message IDs from 0
    await initiator.rekeyChildSa();
    await initiator.checkLiveness();
    expect(info.exchanges).toContainEqual('generating CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]');
    expect(await initiator.close()).toEqual({ acknowledged: true });
    expect(deleted).toEqual([r.spiI]);
    await responder.close();
  }, 30_000);

  it('responder lifetimes (childLifetime, ikeLifetime) and DPD: it rekeys by itself; a vanished initiator is declared dead', async () => {
    const { responder, initiator } = await pair({ responder: { childLifetime: { rekeyTime: 0.3, lifeTime: 10 }, ikeLifetime: { rekeyTime: 0.5, lifeTime: 10 }, dpdDelay: 0.3, retransmit: { timeout: 300, base: 1.2, tries: 2 } } });
    const dead = new Promise<[string, { code: string }]>((res) => responder.onDead((s, e) => res([s, e])));
    await initiator.connect();
    await nextEvent(initiator, 'child-rekeyed');
    const e = (await nextEvent(initiator, 'ike-rekeyed')) as { initiatedBy: string; spiI: string };
    expect(e.initiatedBy).toBe('peer');
    await initiator.udp.close(); // the initiator vanishes without DELETE
    const [spi, err] = await dead;
    expect(err.code).toBe('ERR_IKE_TIMEOUT');
    expect(spi).toMatch(/^[0-9a-f]{16}$/);
    expect(responder.activeSas).toBe(0);
    await responder.close();
  }, 30_000);
});

describe('lifetimes', () => {
  it('rekey_time − random(rand_time), life_time default 110 % (strongSwan)', () => {
    expect(lifetimeSchedule({ rekeyTime: 100, randTime: 10 }, () => 0.5)).toEqual({ rekeyMs: 95_000, expireMs: 110_000 });
    expect(lifetimeSchedule({ rekeyTime: 100, lifeTime: 120 }, () => 1)).toEqual({ rekeyMs: 80_000, expireMs: 120_000 });
    expect(lifetimeSchedule({})).toEqual({});
    expect(() => lifetimeSchedule({ rekeyTime: 10, lifeTime: 5 })).toThrow(RangeError);
  });
});
