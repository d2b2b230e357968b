// Our initiator ↔ our responder on 127.0.0.1 UDP 500/4500 inside a private network namespace (so a capture with
// `udp port 500 or udp port 4500` sees the standard ports), built packages (dist). Prints one JSON line.
// Usage: ip netns exec <ns> node capture-pair.mjs '{ "keylogDir": "...", "fragmentSize": 300, "pki": "<dir>" }'
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, ttlsServerFactory } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import { readFileSync } from 'node:fs';
import { IkeInitiator, IkeResponder, strongswanTtlsPeerFactory, icmpEchoRequest, parseIcmpEcho, keylogFile, DhGroup } from '@tncjs/ikev2';

const o = JSON.parse(process.argv[2] ?? '{}');
const lines = [];
const logger = new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) });
const CAROL = 'carol@strongswan.org';
const secrets = new MemorySecretsStore({ [CAROL]: 'Ar3etTnp' });
const keylog = o.keylogDir ? keylogFile(o.keylogDir) : undefined;
const responder = new IkeResponder({
  identity: 'moon.strongswan.org',
  eap: (id) => new EapAuthenticator({
    methods: [ttlsServerFactory({ cert: readFileSync(o.cert, 'utf8'), key: readFileSync(o.key, 'utf8'), phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024, maxVersion: 'TLSv1.2' })],
    requestIdentity: false, identity: id, serverIdentity: 'moon.strongswan.org',
  }),
  localTs: ['10.1.0.0/28'], fakeNat: true, fragmentSize: o.fragmentSize, logger,
  transport: { localAddress: '127.0.0.1', ikePort: 500, nattPort: 4500 },
  // the responder does not log keys: the initiator's keylog is what the capture is decrypted with
});
await responder.listen();
let gwTunnel;
responder.onEstablished((i) => {
  gwTunnel = responder.openEspTunnel(i.spiI);
  gwTunnel.onPacket((p) => {
    const e = parseIcmpEcho(p);
    if (e) gwTunnel.send(icmpEchoRequest(e.dst, e.src, e.id, e.seq, e.data));
  });
});
const eap = new EapPeer({
  identity: CAROL, serverIdentity: 'moon.strongswan.org',
  methods: [strongswanTtlsPeerFactory({ validator: new CertificateValidator({ trust: o.ca, revocation: { policy: 'off' } }), phase2: [md5Factory(secrets)] })],
});
const ike = new IkeInitiator({
  remote: { address: '127.0.0.1' }, identity: CAROL, eap, fragmentSize: o.fragmentSize, logger, keylog, pfs: [DhGroup.CURVE_25519],
  transport: { localAddress: '127.0.0.1', ikePort: 0, nattPort: 0 }, retransmit: { timeout: 500, tries: 3 },
});
const out = { ok: false };
try {
  const info = await ike.connect();
  const tunnel = ike.openEspTunnel();
  const ping = async (seq) => {
    const back = new Promise((res) => tunnel.onPacket((p) => res(parseIcmpEcho(p))));
    tunnel.send(icmpEchoRequest('192.168.0.254', '10.1.0.1', 9, seq, new TextEncoder().encode(`capture ${seq}`)));
    return back;
  };
  out.pings = [await ping(1)];
  await ike.rekeyChildSa();
  out.pings.push(await ping(2));
  await ike.rekeyIkeSa();
  out.pings.push(await ping(3));
  out.pings = out.pings.map((p) => ({ seq: p.seq, checksumOk: p.checksumOk }));
  out.delete = await ike.close();
  out.exchanges = info.exchanges;
  out.ok = true;
} catch (e) {
  out.error = { code: e.code, message: e.message };
  await ike.close().catch(() => {});
}
await responder.close();
if (o.showLog) out.log = lines;
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
