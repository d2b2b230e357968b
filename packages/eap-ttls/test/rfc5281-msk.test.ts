/**
 * RFC 5281 §8 keying material, checked independently: the RFC 5246 §5 PRF (P_SHA256 with node:crypto HMAC) over the
 * master secret from the TLS `keylog` event and the client/server randoms read from the Hello messages on the wire
 * must give MSK ‖ EMSK = PRF(master_secret, "ttls keying material", client_random ‖ server_random)[0..127].
 */
import { createHmac } from 'node:crypto';
import { decodeEapPacket, EapAuthenticator, EapPeer, EapType, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { concatBytes, equalBytes, fromHex } from '@tncjs/common';
import { CertificateValidator, TrustStore, decodeTtlsData, ttlsPeerFactory, ttlsServerFactory } from '../src/index.js';
import { makePki } from './support/pki.js';
import { runEap } from './support/run.js';

/** RFC 5246 §5: P_SHA256(secret, seed) = HMAC(secret, A(1) + seed) ‖ HMAC(secret, A(2) + seed) ‖ … */
function pSha256(secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out: Uint8Array[] = [];
  let a = seed;
  let n = 0;
  while (n < length) {
    a = new Uint8Array(createHmac('sha256', secret).update(a).digest());
    const block = new Uint8Array(createHmac('sha256', secret).update(a).update(seed).digest());
    out.push(block);
    n += block.length;
  }
  return concatBytes(out).slice(0, length);
}

const prf = (secret: Uint8Array, label: string, seed: Uint8Array, n: number) => pSha256(secret, concatBytes([new TextEncoder().encode(label), seed]), n);

test('RFC 5246 P_SHA256 matches the RFC test vector of the TLS working group (100 bytes)', () => {
  // widely published TLS 1.2 PRF SHA-256 test vector (IETF TLS WG mailing list, 2009)
  const secret = fromHex('9bbe436ba940f017b17652849a71db35');
  const seed = fromHex('a0ba9f936cda311827a6f796ffd5198c');
  const out = prf(secret, 'test label', seed, 100);
  expect(Buffer.from(out).toString('hex')).toBe(
    'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
  );
});

test('TLS 1.2: MSK ‖ EMSK = PRF(master_secret, "ttls keying material", client_random ‖ server_random) on both sides', async () => {
  const pki = await makePki();
  const keylog: string[] = [];
  const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp' });
  const auth = new EapAuthenticator({ methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, maxVersion: 'TLSv1.2', phase2: { methods: [md5Factory(secrets)] } })] });
  const peer = new EapPeer({
    identity: 'carol@strongswan.org',
    serverIdentity: 'moon.strongswan.org',
    methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), maxVersion: 'TLSv1.2', keylog: (l) => keylog.push(l), phase2: [md5Factory(secrets)] })],
  });
  const s = await runEap(peer, auth);
  expect(s.final).toBe('success');
  // master secret and client random from the key log (NSS format: CLIENT_RANDOM <client_random> <master_secret>)
  const line = keylog.find((l) => l.startsWith('CLIENT_RANDOM '))!;
  const [, cr, ms] = line.split(' ');
  // the client random also sits in the ClientHello, the server random in the ServerHello (record 5 + handshake 4 + version 2)
  const ttls = (dir: 'req' | 'resp') =>
    s.packets.filter((p) => p.dir === dir).map((p) => decodeEapPacket(p.bytes)).filter((p) => p.type === EapType.TTLS).map((p) => decodeTtlsData(p.data)).filter((d) => d.data.byteLength);
  const clientHello = ttls('resp')[0].data;
  const serverHello = ttls('req')[0].data;
  expect(clientHello[5]).toBe(1);
  expect(serverHello[5]).toBe(2);
  const clientRandom = clientHello.slice(11, 43);
  const serverRandom = serverHello.slice(11, 43);
  expect(Buffer.from(clientRandom).toString('hex')).toBe(cr);
  const km = prf(fromHex(ms), 'ttls keying material', concatBytes([clientRandom, serverRandom]), 128);
  expect(equalBytes(peer.msk!, km.slice(0, 64))).toBe(true);
  expect(equalBytes(peer.emsk!, km.slice(64))).toBe(true);
  expect(equalBytes(auth.msk!, km.slice(0, 64))).toBe(true);
  expect(equalBytes(auth.emsk!, km.slice(64))).toBe(true);
}, 30_000);
