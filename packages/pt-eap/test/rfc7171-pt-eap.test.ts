/**
 * RFC 7171 PT-EAP: the header (Flags S + 4 reserved, Ver 3 bits = 1, no length, no fragmentation), version check,
 * both roles carrying a real PB-TNC exchange (CDATA/SDATA/CDATA/RESULT/CLOSE), access decisions, fuzzed decoding.
 */
import fc from 'fast-check';
import { fromHex, toHex, isTncjsError, Logger } from '@tncjs/common';
import { EapAuthenticator, EapPeer, decodeEapPacket, encodeEapPacket } from '@tncjs/eap';
import { AccessRecommendation, batchTypeName, peekBatchHeader, type PbTncConnection } from '@tncjs/pb-tnc';
import {
  PT_EAP_SEED_MAX_BATCH_SIZE,
  PtEapDecodeError,
  PtEapPeer,
  createPtEapConnection,
  decodePtEapData,
  encodePtEapData,
  ptEapFactory,
} from '../src/index.js';

test('header vectors: Start v1 = 0x81, data v1 = 0x01, reserved bits kept and ignored', () => {
  expect(toHex(encodePtEapData({ start: true, version: 1, data: new Uint8Array(0) }))).toBe('81');
  expect(toHex(encodePtEapData({ start: false, version: 1, data: Uint8Array.of(2, 0x80) }))).toBe('010280');
  expect(decodePtEapData(fromHex('81'))).toEqual({ start: true, version: 1, data: new Uint8Array(0) });
  expect(decodePtEapData(fromHex('790102'))).toEqual({ start: false, version: 1, reserved: 0x78, data: Uint8Array.of(1, 2) });
  expect(() => decodePtEapData(new Uint8Array(0))).toThrow(PtEapDecodeError);
  expect(() => encodePtEapData({ start: false, version: 8, data: new Uint8Array(0) })).toThrow(RangeError);
  expect(() => encodePtEapData({ start: false, version: 1, data: new Uint8Array(65530) })).toThrow(RangeError);
});

test('property and fuzz: decode(encode(d)) = d; random bytes → data or PtEapDecodeError', () => {
  fc.assert(fc.property(fc.boolean(), fc.nat(7), fc.uint8Array({ maxLength: 200 }), (start, version, data) => expect(decodePtEapData(encodePtEapData({ start, version, data }))).toEqual({ start, version, data })));
  const r = fc.check(
    fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      try {
        decodePtEapData(b);
      } catch (e) {
        if (!(e instanceof PtEapDecodeError) || !isTncjsError(e)) throw e;
      }
    }),
    { numRuns: 1_000_000, interruptAfterTimeLimit: 500 },
  );
  expect(r.failed).toBe(false);
});

function pair(recommendation: number = AccessRecommendation.ALLOWED) {
  const batches: string[] = [];
  const tap = (c: PbTncConnection, side: string) => {
    const b = c.build.bind(c);
    c.build = () => {
      const x = b();
      if (x) batches.push(`${side}:${batchTypeName(peekBatchHeader(x).type)}`);
      return x;
    };
    return c;
  };
  let round = 0;
  const server = () =>
    tap(
      createPtEapConnection({
        role: 'server',
        handler: {
          batchEnding: (c) => {
            if (++round === 1) c.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(100) });
            else c.setRecommendation({ assessment: 0, recommendation });
          },
        },
      }),
      'S',
    );
  const client = () => {
    const c = tap(createPtEapConnection({ role: 'client', handler: { paMessage: (_m, conn) => conn.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(8) }) } }), 'C');
    c.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: new Uint8Array(50) });
    return c;
  };
  return { batches, server, client };
}

async function run(peer: EapPeer, auth: EapAuthenticator) {
  let req = await auth.initiate();
  const seen: Uint8Array[] = [req];
  for (let i = 0; i < 20; i++) {
    const resp = await peer.process(req);
    if (!resp) break;
    const r = await auth.process(resp);
    if (r.status !== 'continue') {
      if (r.status !== 'discard') await peer.process(r.packet);
      return { r, seen };
    }
    req = r.packet;
    seen.push(req);
  }
  return { r: undefined, seen };
}

test('both roles: Start (v1) → CDATA, SDATA → CDATA, RESULT → CLOSE, method succeeds on Access Allowed', async () => {
  const lines: string[] = [];
  const log = new Logger({ defaultLevel: 2, sink: (l) => lines.push(l) });
  const p = pair();
  const auth = new EapAuthenticator({ requestIdentity: false, identity: 'carol', methods: [ptEapFactory({ connection: p.server })], logger: log });
  const peer = new EapPeer({ identity: 'carol', methods: [ptEapFactory({ connection: p.client })], logger: log });
  const { r, seen } = await run(peer, auth);
  expect(r?.status).toBe('success');
  expect(peer.outcome).toBe('success');
  expect(p.batches).toEqual(['C:CDATA', 'S:SDATA', 'C:CDATA', 'S:RESULT', 'C:CLOSE']);
  const start = decodeEapPacket(seen[0]);
  expect([start.type, toHex(start.data)]).toEqual([54, '81']);
  expect(lines).toContainEqual('00[TLS] EAP_PT_EAP version is v1');
  expect(lines).toContainEqual(`00[TNC] PT-EAP transport: IF-T for Tunneled EAP 2.0 with maximum PA-TNC message size of ${PT_EAP_SEED_MAX_BATCH_SIZE - 32} bytes`);
  expect(lines).toContainEqual('00[TNC] PT-EAP transport: IF-T for Tunneled EAP 2.0 with maximum PA-TNC message size of 32722 bytes');
});

test('Access Denied → the server method fails → EAP-Failure', async () => {
  const p = pair(AccessRecommendation.DENIED);
  const auth = new EapAuthenticator({ requestIdentity: false, identity: 'carol', methods: [ptEapFactory({ connection: p.server })] });
  const peer = new EapPeer({ identity: 'carol', methods: [ptEapFactory({ connection: p.client })] });
  const { r } = await run(peer, auth);
  expect(r?.status).toBe('failure');
  expect(auth.error?.code).toBe('ERR_PT_EAP_TNC');
});

test('version: a Start with version 2 is refused by the peer; a v0 Response is refused by the server', async () => {
  const peer = new PtEapPeer(createPtEapConnection({ role: 'client' }));
  const r = peer.process({ code: 1, identifier: 1, type: 54, data: Uint8Array.of(0x82) }, { identifier: 1 });
  expect(r).toMatchObject({ status: 'failure', error: { code: 'ERR_PT_EAP_VERSION' } });
  const p = pair();
  const auth = new EapAuthenticator({ requestIdentity: false, identity: 'carol', methods: [ptEapFactory({ connection: p.server })] });
  const start = decodeEapPacket(await auth.initiate());
  const res = await auth.process(encodeEapPacket({ code: 2, identifier: start.identifier, type: 54, data: Uint8Array.of(0x00) }));
  expect(res.status).toBe('failure');
});

test('a PB-TNC message larger than the seed batch size is refused when queued; strongSwan 6 size is an option', () => {
  const c = createPtEapConnection({ role: 'client' });
  expect(c.maxBatchSize).toBe(32754);
  expect(() => c.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(32723) })).toThrow(RangeError);
  expect(createPtEapConnection({ role: 'client', maxBatchSize: 65522 }).maxMessageSize).toBe(65490);
});
