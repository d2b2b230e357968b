/**
 * RFC 7171 PT-EAP over asynchronous IF-TNCCS endpoints (`ptEapTnccsPeerFactory` / `ptEapTnccsServerFactory`): the
 * TNC client/server produce their batches after an await (as IMCs quoting a TPM do); the same exchange and decisions
 * as the synchronous methods, and the same version/state checks.
 */
import { EapAuthenticator, EapPeer, decodeEapPacket, encodeEapPacket } from '@tncjs/eap';
import { AccessRecommendation, batchTypeName, peekBatchHeader, type PbTncConnection } from '@tncjs/pb-tnc';
import { createPtEapConnection, ptEapTnccsPeerFactory, ptEapTnccsServerFactory, PtEapTnccsPeer, type TnccsClientEndpoint, type TnccsServerEndpoint } from '../src/index.js';

const later = <T>(v: T) => new Promise<T>((r) => setTimeout(() => r(v), 5));

function endpoints(recommendation: number) {
  const batches: string[] = [];
  const tag = (side: string, b: Uint8Array | undefined) => (b && batches.push(`${side}:${batchTypeName(peekBatchHeader(b).type)}`), b);
  let round = 0;
  let decision: { recommendation: number } | undefined;
  const server = (): TnccsServerEndpoint => {
    const pb: PbTncConnection = createPtEapConnection({
      role: 'server',
      handler: {
        batchEnding: (c) => {
          if (++round === 1) c.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(100) });
          else {
            decision = { recommendation };
            c.setRecommendation({ assessment: 0, recommendation });
          }
        },
      },
    });
    return { pb, receive: async (b) => { pb.receive(b); return tag('S', await later(pb.closed ? undefined : pb.build())); }, get decision() { return decision; } };
  };
  const client = (): TnccsClientEndpoint => {
    const pb = createPtEapConnection({ role: 'client', handler: { paMessage: (_m, conn) => conn.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(8) }) } });
    return {
      pb,
      start: async () => {
        pb.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: new Uint8Array(50) });
        return tag('C', await later(pb.build()!))!;
      },
      receive: async (b) => { pb.receive(b); return tag('C', await later(pb.build())); },
    };
  };
  return { batches, server, client };
}

async function run(peer: EapPeer, auth: EapAuthenticator) {
  let req = await auth.initiate();
  for (let i = 0; i < 20; i++) {
    const resp = await peer.process(req);
    if (!resp) break;
    const r = await auth.process(resp);
    if (r.status !== 'continue') {
      if (r.status !== 'discard') await peer.process(r.packet);
      return r;
    }
    req = r.packet;
  }
  return undefined;
}

test('async endpoints: Start → CDATA, SDATA → CDATA, RESULT → CLOSE; Access Allowed succeeds', async () => {
  const e = endpoints(AccessRecommendation.ALLOWED);
  let seen: TnccsServerEndpoint | undefined;
  const auth = new EapAuthenticator({ requestIdentity: false, identity: 'carol', methods: [ptEapTnccsServerFactory({ endpoint: e.server, onEndpoint: (x) => (seen = x) })] });
  const peer = new EapPeer({ identity: 'carol', methods: [ptEapTnccsPeerFactory({ endpoint: e.client })] });
  expect((await run(peer, auth))?.status).toBe('success');
  expect(peer.outcome).toBe('success');
  expect(e.batches).toEqual(['C:CDATA', 'S:SDATA', 'C:CDATA', 'S:RESULT', 'C:CLOSE']);
  expect(seen?.decision).toEqual({ recommendation: AccessRecommendation.ALLOWED });
});

test('Quarantined succeeds by default and fails with a stricter acceptRecommendation; Access Denied fails', async () => {
  for (const [rec, accept, status] of [
    [AccessRecommendation.ISOLATED, undefined, 'success'],
    [AccessRecommendation.ISOLATED, (r: number | undefined) => r === AccessRecommendation.ALLOWED, 'failure'],
    [AccessRecommendation.DENIED, undefined, 'failure'],
  ] as const) {
    const e = endpoints(rec);
    const auth = new EapAuthenticator({ requestIdentity: false, identity: 'carol', methods: [ptEapTnccsServerFactory({ endpoint: e.server, acceptRecommendation: accept })] });
    const peer = new EapPeer({ identity: 'carol', methods: [ptEapTnccsPeerFactory({ endpoint: e.client })] });
    const r = await run(peer, auth);
    expect(r?.status).toBe(status);
    if (status === 'failure') expect(auth.error?.code).toBe('ERR_PT_EAP_TNC');
  }
});

test('version and state checks as the synchronous methods; factories refuse the wrong role', async () => {
  const e = endpoints(AccessRecommendation.ALLOWED);
  const peer = new PtEapTnccsPeer(e.client());
  expect(await peer.process({ code: 1, identifier: 1, type: 54, data: Uint8Array.of(0x82) }, { identifier: 1 })).toMatchObject({ status: 'failure', error: { code: 'ERR_PT_EAP_VERSION' } });
  expect(await new PtEapTnccsPeer(e.client()).process({ code: 1, identifier: 1, type: 54, data: Uint8Array.of(0x01) }, { identifier: 1 })).toMatchObject({ status: 'failure', error: { code: 'ERR_PT_EAP_STATE' } });
  const auth = new EapAuthenticator({ requestIdentity: false, identity: 'carol', methods: [ptEapTnccsServerFactory({ endpoint: e.server })] });
  const start = decodeEapPacket(await auth.initiate());
  expect(start.data).toEqual(Uint8Array.of(0x81));
  expect((await auth.process(encodeEapPacket({ code: 2, identifier: start.identifier, type: 54, data: Uint8Array.of(0x81) }))).status).toBe('failure');
  expect(() => ptEapTnccsPeerFactory({ endpoint: e.client }).create({ role: 'server', identity: 'x', logger: undefined as never })).toThrow(TypeError);
  expect(() => ptEapTnccsServerFactory({ endpoint: e.server }).create({ role: 'peer', identity: 'x', logger: undefined as never })).toThrow(TypeError);
});
