/**
 * IKE_SA_INIT behaviour of the initiator against a scripted in-process gateway built from our own codec:
 * COOKIE (RFC 7296 §2.6), INVALID_KE_PAYLOAD (§1.2), error notifies, proposal checks.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createSocket, type Socket } from 'node:dgram';
import { EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import {
  DhGroup, IkeInitiator, NotifyType, decodeMessage, describeMessage, encodeMessage, notify, type AnyPayload, type IkeMessage,
  type KeyExchangePayload, type NotifyPayload, type SecurityAssociationPayload,
} from '../src/index.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** A gateway that answers request k with `script[k](request)`. */
async function scripted(script: ((req: IkeMessage) => AnyPayload[])[]): Promise<{ port: number; seen: IkeMessage[] }> {
  const s = createSocket('udp4');
  sockets.push(s);
  const seen: IkeMessage[] = [];
  s.on('message', (b, rinfo) => {
    const req = decodeMessage(new Uint8Array(b));
    seen.push(req);
    const step = script[seen.length - 1];
    if (!step) return;
    const resp: IkeMessage = { ...req, spiR: new Uint8Array(8), initiator: false, response: true, payloads: step(req) };
    s.send(encodeMessage(resp), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, seen };
}

const initiator = (port: number, groups = [DhGroup.ECP_256, DhGroup.MODP_2048]) =>
  new IkeInitiator({
    remote: { address: '127.0.0.1', port },
    identity: 'carol@strongswan.org',
    eap: new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(new MemorySecretsStore({}))] }),
    ike: [{ encr: 12, keyBits: 128, integ: 12, prf: 5, groups }],
    retransmit: { timeout: 200, base: 1, tries: 1 },
    transport: { localAddress: '127.0.0.1' },
  });

const ke = (m: IkeMessage) => m.payloads.find((p): p is KeyExchangePayload => p.type === 34)!;
const notifies = (m: IkeMessage) => m.payloads.filter((p): p is NotifyPayload => p.type === 41);

describe('IKE_SA_INIT retries', () => {
  it('COOKIE: the request is repeated with N(COOKIE) first; INVALID_KE_PAYLOAD: KE redone for the requested group', async () => {
    const cookie = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const gw = await scripted([
      () => [notify(NotifyType.COOKIE, cookie)],
      () => [notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(0, 14))],
      () => [notify(NotifyType.NO_PROPOSAL_CHOSEN)],
    ]);
    const err = await initiator(gw.port).connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_IKE_NOTIFY', notify: NotifyType.NO_PROPOSAL_CHOSEN });
    expect(gw.seen).toHaveLength(3);
    expect(describeMessage(gw.seen[0])).toBe('IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]');
    expect(describeMessage(gw.seen[1])).toBe('IKE_SA_INIT request 0 [ N(COOKIE) SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]');
    expect(notifies(gw.seen[1])[0].data).toEqual(cookie);
    expect(ke(gw.seen[0]).group).toBe(DhGroup.ECP_256);
    expect(ke(gw.seen[0]).data).toHaveLength(64);
    expect(ke(gw.seen[2]).group).toBe(DhGroup.MODP_2048);
    expect(ke(gw.seen[2]).data).toHaveLength(256);
    expect(notifies(gw.seen[2])[0].notifyType).toBe(NotifyType.COOKIE); // cookie kept
    // same SPIi and nonce across the retries (RFC 7296 §2.6)
    expect(gw.seen[2].spiI).toEqual(gw.seen[0].spiI);
    const nonce = (m: IkeMessage) => m.payloads.find((p) => p.type === 40);
    expect(nonce(gw.seen[2])).toEqual(nonce(gw.seen[0]));
  });

  it('INVALID_KE_PAYLOAD for a group we did not offer ends the attempt (ERR_IKE_PROTOCOL)', async () => {
    const gw = await scripted([() => [notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(0, 31))]]);
    await expect(initiator(gw.port).connect()).rejects.toMatchObject({ code: 'ERR_IKE_PROTOCOL' });
  });

  it('a response choosing a proposal we did not offer is refused', async () => {
    const gw = await scripted([
      (req) => {
        const sa = req.payloads.find((p): p is SecurityAssociationPayload => p.type === 33)!;
        const chosen = { ...sa.proposals[0], transforms: sa.proposals[0].transforms.map((t) => (t.type === 2 ? { ...t, id: 7 } : t)).filter((t) => t.type !== 4 || t.id === 19) };
        return [{ type: 33, proposals: [chosen] }, { type: 34, group: 19, data: ke(req).data }, { type: 40, data: new Uint8Array(32) }];
      },
    ]);
    await expect(initiator(gw.port).connect()).rejects.toMatchObject({ code: 'ERR_IKE_PROTOCOL', message: expect.stringMatching(/did not offer: IKE:AES_CBC_128\/PRF_HMAC_SHA2_512/) });
  });
});
