// How many IKE_AUTH exchanges and bytes it takes to UPLOAD N KB of EAP data through EAP-TTLS inside IKEv2, by
// EAP-TTLS fragment size (the peer's; RFC 5281 §9.2.2 — every fragment costs one IKE_AUTH round trip for the
// server's acknowledgement) and IKE fragment size (RFC 7383 SKF, the IP datagram limit). The EAP data is produced by
// a bench-only inner method (EAP type 255, "Experimental", RFC 3748 §5.8) in phase 2: the server asks for N bytes,
// the peer answers in inner EAP Responses of ≤ 60,000 bytes (the EAP length field allows 65,535) — the shape of a
// PT-EAP upload of integrity measurements. Our initiator ↔ our responder over loopback, in process; the server
// side's EAP-TTLS fragments are 1,024 bytes as strongSwan's (moon's) are. moon cannot be the server here: its kit
// has no inner method that accepts bulk data (EAP-MD5 only; no tnccs-20/IMV in Debian's packages).
// Usage: npm run build (or scripts/interop-ikev2.sh once), then node bench/ikev2-fragments.mjs [KB list, default 10,100,500]
import { readFileSync } from 'node:fs';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { IkeInitiator, IkeResponder } from '@tncjs/ikev2';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sizesKb = (process.argv[2] ?? '10,100,500').split(',').map(Number);
const BULK = { type: 255 };
const CHUNK = 60_000;

// a throwaway RSA PKI (openssl), like moon's
const dir = mkdtempSync(join(tmpdir(), 'ikev2-frag-bench-'));
const sh = (...a) => execFileSync('openssl', a, { stdio: 'ignore', cwd: dir });
sh('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=bench CA', '-days', '2');
sh('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'moon.key', '-out', 'moon.csr', '-subj', '/CN=moon.strongswan.org');
execFileSync('bash', ['-c', `printf 'subjectAltName=DNS:moon.strongswan.org\\nextendedKeyUsage=serverAuth\\n' > ext && openssl x509 -req -in moon.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out moon.pem -days 2 -extfile ext`], { stdio: 'ignore', cwd: dir });
const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
const cert = readFileSync(join(dir, 'moon.pem'), 'utf8');
const key = readFileSync(join(dir, 'moon.key'), 'utf8');
const caDer = new Uint8Array(Buffer.from(caPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

/** Server: request `total` bytes, acknowledge by asking for the rest until all arrived. */
const bulkServer = (total) => ({
  methodType: BULK,
  create: () => {
    let got = 0;
    const req = (id) => {
      const d = new Uint8Array(4);
      new DataView(d.buffer).setUint32(0, total - got);
      return { code: 1, identifier: id, type: 255, data: d };
    };
    return {
      methodType: BULK, role: 'server',
      initiate: (id) => req(id),
      process: (p, ctx) => {
        got += p.data.byteLength;
        return got >= total ? { status: 'success' } : { status: 'continue', packet: req(ctx.identifier) };
      },
    };
  },
});
/** Peer: answer each request with min(asked, CHUNK) bytes. */
const bulkPeer = {
  methodType: BULK,
  create: () => ({
    methodType: BULK, role: 'peer', canSucceed: () => true,
    process: (p, ctx) => {
      const want = new DataView(p.data.buffer, p.data.byteOffset, 4).getUint32(0);
      return { status: 'continue', packet: { code: 2, identifier: ctx.identifier, type: 255, data: new Uint8Array(Math.min(want, CHUNK)).fill(0x5a) } };
    },
  }),
};

const CAROL = 'carol@strongswan.org';
const secrets = new MemorySecretsStore({ [CAROL]: 'Ar3etTnp' });
void md5Factory;

function wrapBytes(transport, counter) {
  const orig = transport.sendIke.bind(transport);
  transport.sendIke = (b, to, natt) => {
    counter.bytes += b.byteLength + 28 + (natt ? 4 : 0); // IP + UDP (+ non-ESP marker)
    counter.datagrams++;
    return orig(b, to, natt);
  };
}

async function run(totalBytes, ttlsFragment, ikeFragment) {
  const down = { bytes: 0, datagrams: 0 };
  const up = { bytes: 0, datagrams: 0 };
  const responder = new IkeResponder({
    identity: 'moon.strongswan.org',
    eap: (id) => new EapAuthenticator({
      methods: [ttlsServerFactory({ cert, key, phase2: { methods: [bulkServer(totalBytes)] }, fragmentSize: 1024, maxVersion: 'TLSv1.2' })],
      requestIdentity: false, identity: id, serverIdentity: 'moon.strongswan.org',
    }),
    fragmentSize: ikeFragment, fakeNat: true, transport: { localAddress: '127.0.0.1' },
  });
  const ports = await responder.listen();
  wrapBytes(responder.transport, down);
  const eap = new EapPeer({
    identity: CAROL, serverIdentity: 'moon.strongswan.org',
    methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([caDer]), revocation: { policy: 'off' } }), phase2: [bulkPeer], fragmentSize: ttlsFragment, maxVersion: 'TLSv1.2' })],
  });
  const ike = new IkeInitiator({
    remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, identity: CAROL, eap, fragmentSize: ikeFragment,
    transport: { localAddress: '127.0.0.1' }, retransmit: { timeout: 2000, tries: 3 }, maxEapRounds: 5000,
  });
  wrapBytes(ike.udp, up);
  const t0 = performance.now();
  const info = await ike.connect();
  const ms = performance.now() - t0;
  await ike.close();
  await responder.close();
  const ikeAuth = info.exchanges.filter((l) => l.startsWith('generating IKE_AUTH request')).length;
  return { ikeAuth, up, down, ms };
}

const variants = [
  { ttls: 1024, ike: 1280, label: 'TTLS 1,024 / IKE 1,280 (strongSwan defaults)' },
  { ttls: 4000, ike: 1280, label: 'TTLS 4,000 / IKE 1,280' },
  { ttls: 8000, ike: 1280, label: 'TTLS 8,000 / IKE 1,280 (our default)' },
  { ttls: 65535, ike: 1280, label: 'TTLS unlimited (65,535) / IKE 1,280' },
  { ttls: 1024, ike: 9000, label: 'TTLS 1,024 / IKE 9,000' },
  { ttls: 65535, ike: 9000, label: 'TTLS unlimited / IKE 9,000' },
];

console.log(`Uploading N KB of EAP data through EAP-TTLS in IKE_AUTH, our initiator ↔ our responder (loopback), Node ${process.version}`);
console.log('bytes = IP datagrams incl. IP/UDP headers, all of IKE_SA_INIT + IKE_AUTH; ratio vs. the strongSwan defaults (first row of each size)');
console.log('| EAP data | fragment sizes | IKE_AUTH exchanges | datagrams up / down | bytes up | bytes down | ms | exchanges ratio | bytes (up+down) ratio |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const kb of sizesKb) {
  let base;
  for (const v of variants) {
    await run(1024, v.ttls, v.ike); // warm-up (TLS, JIT)
    const r = await run(kb * 1024, v.ttls, v.ike);
    base ??= r;
    const total = r.up.bytes + r.down.bytes;
    const baseTotal = base.up.bytes + base.down.bytes;
    console.log(`| ${kb} KB | ${v.label} | ${r.ikeAuth} | ${r.up.datagrams} / ${r.down.datagrams} | ${r.up.bytes.toLocaleString('en')} | ${r.down.bytes.toLocaleString('en')} | ${r.ms.toFixed(0)} | ${(r.ikeAuth / base.ikeAuth).toFixed(2)} | ${(total / baseTotal).toFixed(2)} |`);
  }
}
