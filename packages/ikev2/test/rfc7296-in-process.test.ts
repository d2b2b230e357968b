/**
 * In-process tier: our initiator against our responder over UDP on 127.0.0.1 — EAP-only with EAP-MD5 (no MSK: AUTH
 * from SK_p) and EAP-TTLS + inner MD5 (MSK), loss with retransmission and cached responses, RFC 7383 both ways,
 * INVALID_KE_PAYLOAD, DELETE, userspace ESP both directions through a faked NAT (UDP encapsulation).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import {
  DhGroup, Encr, IkeInitiator, IkeResponder, Integ, icmpEchoRequest, parseIcmpEcho, type ResponderOptions, type ResponderSaInfo,
} from '../src/index.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

const CAROL = 'carol@strongswan.org';
const secrets = new MemorySecretsStore({ [CAROL]: 'Ar3etTnp' });
let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 60_000);

const md5Server = (): ResponderOptions['eap'] => (id) => new EapAuthenticator({ methods: [md5Factory(secrets)], requestIdentity: false, identity: id });
const ttlsServer = (): ResponderOptions['eap'] => (id) =>
  new EapAuthenticator({
    methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024 })],
    requestIdentity: false,
    identity: id,
    serverIdentity: 'moon.strongswan.org',
  });
const md5Peer = (password = 'Ar3etTnp') => new EapPeer({ identity: CAROL, methods: [md5Factory(new MemorySecretsStore({ [CAROL]: password }))] });
const ttlsPeer = () =>
  new EapPeer({
    identity: CAROL,
    serverIdentity: 'moon.strongswan.org',
    methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(secrets)] })],
  });

async function pair(opts: { responder?: Partial<ResponderOptions>; initiator?: Partial<ConstructorParameters<typeof IkeInitiator>[0]>; eap?: EapPeer } = {}) {
  const lines: string[] = [];
  const responder = new IkeResponder({ identity: 'moon.strongswan.org', eap: ttlsServer(), localTs: ['10.1.0.0/28'], transport: { localAddress: '127.0.0.1' }, logger: new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) }), ...opts.responder });
  const ports = await responder.listen();
  const established = new Promise<ResponderSaInfo>((r) => responder.onEstablished(r));
  const initiatorLog: string[] = [];
  const initiator = new IkeInitiator({
    logger: new Logger({ defaultLevel: 1, sink: (l) => initiatorLog.push(l) }),
    remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port },
    identity: CAROL,
    eap: opts.eap ?? ttlsPeer(),
    retransmit: { timeout: 100, base: 1.5, tries: 4 },
    transport: { localAddress: '127.0.0.1' },
    ...opts.initiator,
  });
  return { responder, initiator, established, responderLog: lines, initiatorLog };
}

describe('initiator ↔ responder (EAP-only)', () => {
  it('EAP-TTLS + inner MD5: IKE_SA and CHILD_SA agree on both sides, strongSwan-style summaries, DELETE acknowledged', async () => {
    const { responder, initiator, established, responderLog } = await pair();
    const deleted = new Promise<string>((r) => responder.onDeleted(r));
    const info = await initiator.connect();
    const r = await established;
    expect(info.mskUsed).toBe(true);
    expect(info.exchanges.slice(0, 4)).toEqual([
      'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]',
      'parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]',
      'generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) ]',
      'parsed IKE_AUTH response 1 [ IDr EAP/REQ/TTLS ]',
    ]);
    expect(info.exchanges.slice(-3)).toEqual([
      expect.stringMatching(/^parsed IKE_AUTH response \d+ \[ EAP\/SUCC \]$/),
      expect.stringMatching(/^generating IKE_AUTH request \d+ \[ AUTH \]$/),
      expect.stringMatching(/^parsed IKE_AUTH response \d+ \[ AUTH SA TSi TSr \]$/),
    ]);
    expect(r).toMatchObject({ spiI: info.spiI, spiR: info.spiR, peerIdentity: CAROL });
    expect(info.child!.spiOut).toEqual(r.child!.spiIn);
    expect(info.child!.keys).toEqual(r.child!.keys);
    expect(info.child!.proposal).toBe('ESP:AES_GCM_16_128/NO_EXT_SEQ');
    expect(responderLog).toContain('00[ENC] parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) ]');
    expect(await initiator.close()).toEqual({ acknowledged: true });
    expect(await deleted).toBe(info.spiI);
    expect(responder.activeSas).toBe(0);
    await responder.close();
  }, 30_000);

  it('RFC 5998 §4: EAP-only with EAP-MD5 (no MSK) is refused by the initiator (ERR_IKE_AUTH), never established', async () => {
    const { responder, initiator } = await pair({ responder: { eap: md5Server() }, eap: md5Peer() });
    let established = false;
    responder.onEstablished(() => (established = true));
    await expect(initiator.connect()).rejects.toMatchObject({ code: 'ERR_IKE_AUTH', message: expect.stringMatching(/requires a key-generating EAP method/) });
    expect(established).toBe(false);
    await responder.close();
  });

  it('EAP-TTLS + inner EAP-MD5: the MSK keys both AUTH payloads', async () => {
    const { responder, initiator, established } = await pair({ responder: { eap: ttlsServer() }, eap: ttlsPeer() });
    const info = await initiator.connect();
    expect(info.mskUsed).toBe(true);
    expect((await established).mskUsed).toBe(true);
    expect(info.exchanges).toContain('parsed IKE_AUTH response 1 [ IDr EAP/REQ/TTLS ]');
    await initiator.close();
    await responder.close();
  }, 30_000);

  it('wrong password: EAP-Failure, ERR_IKE_EAP', async () => {
    const { responder, initiator } = await pair({ eap: new EapPeer({ identity: CAROL, serverIdentity: 'moon.strongswan.org', methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(new MemorySecretsStore({ [CAROL]: 'nope' }))] })] }) });
    await expect(initiator.connect()).rejects.toMatchObject({ code: 'ERR_IKE_EAP' });
    await responder.close();
  });

  it('INVALID_KE_PAYLOAD: responder prefers ECP_256, initiator sent MODP_2048 first', async () => {
    const { responder, initiator } = await pair({
      responder: { ike: [{ encr: Encr.AES_CBC, keyBits: 256, integ: Integ.HMAC_SHA2_256_128, prf: 5, groups: [DhGroup.ECP_256, DhGroup.MODP_2048] }] },
      initiator: { ike: [{ encr: Encr.AES_CBC, keyBits: 256, integ: Integ.HMAC_SHA2_256_128, prf: 5, groups: [DhGroup.MODP_2048, DhGroup.ECP_256] }] },
    });
    const info = await initiator.connect();
    expect(info.exchanges[1]).toBe('parsed IKE_SA_INIT response 0 [ N(INVAL_KE) ]');
    expect(info.proposal).toBe('IKE:AES_CBC_256/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/ECP_256');
    await initiator.close();
    await responder.close();
  });

  it('30 % loss in each direction at the initiator: retransmissions and cached responses complete the handshake', async () => {
    let dropped = 0;
    for (let run = 0; run < 3; run++) {
      const { responder, initiator } = await pair({
        responder: { eap: ttlsServer() },
        eap: ttlsPeer(),
        initiator: { retransmit: { timeout: 60, base: 1.3, tries: 14, maxTimeout: 400 }, transport: { localAddress: '127.0.0.1', sendDrop: 0.3, receiveDrop: 0.3 } },
      });
      const info = await initiator.connect();
      expect(info.child).toBeDefined();
      const s = initiator.transportStats;
      dropped += s.sendDropped + s.receiveDropped;
      await initiator.close();
      await responder.close();
    }
    expect(dropped).toBeGreaterThan(0);
  }, 60_000);

  it('RFC 7383 both ways: with fragmentSize 300 both sides split and reassemble', async () => {
    const { responder, initiator, responderLog, initiatorLog } = await pair({
      responder: { eap: ttlsServer(), fragmentSize: 300 },
      eap: ttlsPeer(),
      initiator: { fragmentSize: 300 },
    });
    const info = await initiator.connect();
    expect(info.mskUsed).toBe(true);
    expect(initiatorLog.some((l) => /splitting IKE message \(\d+ bytes\) into \d+ fragments/.test(l))).toBe(true);
    expect(initiatorLog.some((l) => /reassembled fragmented IKE message/.test(l))).toBe(true);
    expect(responderLog.some((l) => /splitting IKE message into \d+ fragments/.test(l))).toBe(true);
    expect(responderLog.some((l) => /received fragment #\d+ of \d+, reassembled fragmented IKE message/.test(l))).toBe(true);
    await initiator.close();
    await responder.close();
  }, 30_000);

  it('userspace ESP through a faked NAT: ICMP echo both ways (GCM and CBC)', async () => {
    for (const esp of [[{ encr: Encr.AES_GCM_16, keyBits: 256 }], [{ encr: Encr.AES_CBC, keyBits: 128, integ: Integ.HMAC_SHA2_512_256 }]]) {
      const { responder, initiator, established } = await pair({ responder: { fakeNat: true, esp }, initiator: { esp } });
      const info = await initiator.connect();
      expect(info.natDetected).toEqual({ local: false, remote: true });
      expect(info.child!.udpEncapsulation).toBe(true);
      const r = await established;
      const gw = responder.openEspTunnel(r.spiI);
      const client = initiator.openEspTunnel();
      gw.onPacket((p) => {
        const e = parseIcmpEcho(p)!;
        gw.send(icmpEchoRequest(e.dst, e.src, e.id, e.seq, e.data)); // "reply" (type 8 is fine for the test)
      });
      const back = new Promise<Uint8Array>((res) => client.onPacket(res));
      client.send(icmpEchoRequest('192.168.0.254', '10.1.0.1', 1, 1, Uint8Array.of(42)));
      const reply = parseIcmpEcho(await back)!;
      expect(reply).toMatchObject({ src: '10.1.0.1', dst: '192.168.0.254', seq: 1, checksumOk: true, data: Uint8Array.of(42) });
      await initiator.close();
      await responder.close();
    }
  });
});
