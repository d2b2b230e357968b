/**
 * RFC 3748 both roles: Identity, MD5-Challenge (§5.4, secrets store), Nak (legacy and expanded), identifiers
 * (§4.1: a Response to anything but the outstanding Request is discarded), duplicate Requests answered with the same
 * Response without reprocessing, Notification, forged Success.
 */
import { Logger, toHex } from '@tncjs/common';
import {
  EapAuthenticator,
  EapPeer,
  EapType,
  MemorySecretsStore,
  decodeEapPacket,
  encodeEapPacket,
  md5Factory,
  md5Response,
  decodeMd5Data,
  type EapMethodFactory,
} from '../src/index.js';

const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp' });

async function run(peer: EapPeer, auth: EapAuthenticator) {
  let req = await auth.initiate();
  for (let i = 0; i < 50; i++) {
    const resp = await peer.process(req);
    if (!resp) return;
    const r = await auth.process(resp);
    if (r.status === 'discard') return;
    if (r.status !== 'continue') {
      await peer.process(r.packet);
      return r;
    }
    req = r.packet;
  }
}

test('RFC 1994/3748 MD5 response value = MD5(identifier ‖ secret ‖ challenge)', () => {
  // RFC 1994-style computation checked against node:crypto directly
  const v = md5Response(0x11, new TextEncoder().encode('secret'), Uint8Array.from({ length: 16 }, (_, i) => i));
  expect(toHex(v)).toHaveLength(32);
  expect(toHex(md5Response(0, new Uint8Array(0), new Uint8Array(0)))).toBe('93b885adfe0da089cdf634904fd59f71'); // MD5(0x00)
});

test('Identity then MD5, both roles: success, no MSK (MD5 derives none); the secret never appears in logs', async () => {
  const lines: string[] = [];
  const log = new Logger({ defaultLevel: 3, sink: (l) => lines.push(l) });
  const auth = new EapAuthenticator({ methods: [md5Factory(secrets)], logger: log });
  const peer = new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(secrets)], logger: log });
  const r = await run(peer, auth);
  expect(r?.status).toBe('success');
  expect(peer.outcome).toBe('success');
  expect(auth.identity).toBe('carol@strongswan.org');
  expect(peer.msk).toBeUndefined();
  expect(lines.join('\n')).not.toContain('Ar3etTnp');
  expect(lines.join('\n')).not.toContain(toHex(new TextEncoder().encode('Ar3etTnp')));
});

test('wrong MD5 password → EAP-Failure with identifier of the last Response', async () => {
  const auth = new EapAuthenticator({ methods: [md5Factory(secrets)] });
  const peer = new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(new MemorySecretsStore({ 'carol@strongswan.org': 'nope' }))] });
  let req = await auth.initiate();
  req = ((await auth.process((await peer.process(req))!)) as { packet: Uint8Array }).packet;
  const resp = (await peer.process(req))!;
  const r = await auth.process(resp);
  expect(r.status).toBe('failure');
  const f = decodeEapPacket((r as { packet: Uint8Array }).packet);
  expect(f.code).toBe(4);
  expect(f.identifier).toBe(decodeEapPacket(resp).identifier);
  expect((r as { error: { code: string } }).error.code).toBe('ERR_EAP_AUTH');
  await peer.process((r as { packet: Uint8Array }).packet);
  expect(peer.outcome).toBe('failure');
  expect(peer.error?.code).toBe('ERR_EAP_FAILURE');
});

test('no secret for the identity → failure ERR_EAP_NO_SECRET', async () => {
  const auth = new EapAuthenticator({ methods: [md5Factory(secrets)] });
  const peer = new EapPeer({ identity: 'dave@strongswan.org', methods: [md5Factory(secrets)] });
  await run(peer, auth);
  expect(peer.outcome).toBe('failure');
  expect(peer.error?.code).toBe('ERR_EAP_NO_SECRET');
});

test('a retransmitted Request gets the identical Response without reprocessing', async () => {
  let created = 0;
  const counting: EapMethodFactory = { methodType: { type: EapType.MD5 }, create: (ctx) => (created++, md5Factory(secrets).create(ctx)) };
  const auth = new EapAuthenticator({ methods: [md5Factory(secrets)] });
  const peer = new EapPeer({ identity: 'carol@strongswan.org', methods: [counting] });
  const id = await auth.initiate();
  const r1 = await peer.process(id);
  expect(await peer.process(id)).toEqual(r1);
  const md5req = ((await auth.process(r1!)) as { packet: Uint8Array }).packet;
  const a = await peer.process(md5req);
  const b = await peer.process(md5req);
  expect(b).toEqual(a);
  expect(created).toBe(1);
  // the authenticator discards the duplicate Response to an older Request
  expect((await auth.process(r1!)).status).toBe('discard');
  expect((await auth.process(a!)).status).toBe('success');
  expect((await auth.process(b!)).status).toBe('discard');
});

test('Responses with a wrong identifier, Requests to the server, garbage: discarded', async () => {
  const auth = new EapAuthenticator({ methods: [md5Factory(secrets)], initialIdentifier: 5 });
  const req = decodeEapPacket(await auth.initiate());
  expect(req.identifier).toBe(5);
  expect((await auth.process(encodeEapPacket({ code: 2, identifier: 6, type: 1, data: new Uint8Array(1) }))).status).toBe('discard');
  expect((await auth.process(encodeEapPacket({ code: 1, identifier: 5, type: 1, data: new Uint8Array(0) }))).status).toBe('discard');
  expect((await auth.process(Uint8Array.of(2, 5, 0))).status).toBe('discard');
  expect(auth.outcome).toBe('running');
});

test('Nak: the peer offers what it has; the server switches to an acceptable alternative', async () => {
  const gtc: EapMethodFactory = { methodType: { type: EapType.GTC }, create: () => ({ methodType: { type: EapType.GTC }, role: 'server', initiate: (id) => ({ code: 1, identifier: id, type: EapType.GTC, data: new Uint8Array(0) }), process: () => ({ status: 'success' }) }) };
  const lines: string[] = [];
  const auth = new EapAuthenticator({ methods: [[gtc, md5Factory(secrets)]], logger: new Logger({ sink: (l) => lines.push(l) }) });
  const peer = new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(secrets)] });
  const r = await run(peer, auth);
  expect(r?.status).toBe('success');
  expect(lines).toContainEqual(expect.stringContaining('received EAP_NAK, peer does not support EAP_GTC, it supports EAP_MD5'));
  // without an alternative the server fails
  const auth2 = new EapAuthenticator({ methods: [gtc] });
  const r2 = await run(new EapPeer({ identity: 'carol@strongswan.org', methods: [md5Factory(secrets)] }), auth2);
  expect(r2?.status).toBe('failure');
  expect(auth2.error?.code).toBe('ERR_EAP_NO_METHOD');
});

test('Expanded Nak for an unsupported expanded-type Request; Notification answered', async () => {
  const peer = new EapPeer({ identity: 'carol', methods: [md5Factory(secrets)] });
  const nak = decodeEapPacket((await peer.process(encodeEapPacket({ code: 1, identifier: 1, type: 254, vendorId: 0x5597, vendorType: 7, data: new Uint8Array(0) })))!);
  expect([nak.type, nak.vendorId, nak.vendorType]).toEqual([254, 0, 3]);
  const ntf = decodeEapPacket((await peer.process(encodeEapPacket({ code: 1, identifier: 2, type: 2, data: new TextEncoder().encode('hello') })))!);
  expect([ntf.code, ntf.type, ntf.data.length]).toEqual([2, 2, 0]);
  const plain = decodeEapPacket((await peer.process(encodeEapPacket({ code: 1, identifier: 3, type: 21, data: Uint8Array.of(0x20) })))!);
  expect([plain.type, [...plain.data]]).toEqual([3, [4]]);
});

test('a method can refuse an early EAP-Success (forged Success before completion)', async () => {
  const guarded: EapMethodFactory = {
    methodType: { type: EapType.MD5 },
    create: (ctx) => Object.assign(md5Factory(secrets).create(ctx), { canSucceed: () => false }),
  };
  const peer = new EapPeer({ identity: 'carol@strongswan.org', methods: [guarded] });
  await peer.process(encodeEapPacket({ code: 1, identifier: 1, type: 4, data: Uint8Array.of(16, ...new Uint8Array(16)) }));
  await peer.process(encodeEapPacket({ code: 3, identifier: 1, data: new Uint8Array(0) }));
  expect(peer.outcome).toBe('failure');
  expect(peer.error?.code).toBe('ERR_EAP_PROTOCOL');
});

test('MD5 Type-Data codec', () => {
  expect(() => decodeMd5Data(Uint8Array.of(16, 1, 2))).toThrow();
  expect(decodeMd5Data(Uint8Array.of(2, 1, 2, 0x6d))).toEqual({ value: Uint8Array.of(1, 2), name: Uint8Array.of(0x6d) });
});
