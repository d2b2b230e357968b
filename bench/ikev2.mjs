// IKEv2 handshake benchmark against the strongSwan gateway "moon" (shared/peers/strongswan): IKE_SA_INIT and
// IKE_AUTH round trips, wall time and CPU per handshake of our initiator (built package), for
// EAP-only EAP-TTLS + inner MD5 (gateway "ttls") and certificate + EAP-MD5 (gateway "pubkey-md5"), and our own
// initiator against our own responder on loopback.
// Usage (root): npm run build (or scripts/interop-ikev2.sh once), then node bench/ikev2.mjs [handshakes=20]
// Starts moon with up.sh if needed (and stops it again afterwards if it started it); runs itself in tnc-carol.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 20);

if (process.argv[3] !== '--inner') {
  const kit = [resolve(root, '../shared/peers/strongswan'), '/work/shared/peers/strongswan'].find((d) => existsSync(join(d, 'up.sh')));
  const wasUp = existsSync('/run/netns/tnc-moon');
  execFileSync('bash', [join(kit, 'up.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const r = spawnSync('ip', ['netns', 'exec', 'tnc-carol', process.execPath, fileURLToPath(import.meta.url), String(N), '--inner'], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  } finally {
    if (!wasUp) execFileSync('bash', [join(kit, 'down.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
} else {
  const { EapPeer, MemorySecretsStore, md5Factory } = await import('@tncjs/eap');
  const { CertificateValidator } = await import('@tncjs/eap-ttls');
  const { IkeInitiator, strongswanTtlsPeerFactory } = await import('@tncjs/ikev2');
  const env = Object.fromEntries(readFileSync('/tmp/tnc-peer/peer.env', 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]));
  const ca = mkdtempSync(join(tmpdir(), 'ikev2-bench-'));
  copyFileSync(env.CA_CERT_PEM, join(ca, 'caCert.pem'));
  const caPem = readFileSync(env.CA_CERT_PEM, 'utf8');
  const validator = new CertificateValidator({ trust: ca, revocation: { policy: 'off' } });
  const secrets = new MemorySecretsStore({ [env.CAROL_ID]: env.CAROL_PASSWORD });
  const variants = [
    { name: 'EAP-only, EAP-TTLS + MD5 (ttls)', gateway: env.MOON_TTLS_IP, methods: () => [strongswanTtlsPeerFactory({ validator, phase2: [md5Factory(secrets)] })], certs: undefined },
    { name: 'RSA cert + EAP-MD5 (pubkey-md5)', gateway: env.MOON_PUBKEY_IP, methods: () => [md5Factory(secrets)], certs: { validator, authorities: [caPem] } },
  ];
  const pct = (a, p) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
  console.log(`IKEv2 handshakes against strongSwan 5.9.8 (moon), ${N} per variant after 2 warm-up, Node ${process.version}`);
  console.log('| variant | IKE round trips | IKE_SA_INIT ms (median) | IKE_AUTH ms (median) | handshake ms (median / p90) | CPU ms per handshake |');
  console.log('|---|---|---|---|---|---|');
  for (const v of variants) {
    const init = [], auth = [], total = [];
    let cpu = 0, trips = 0;
    for (let i = 0; i < N + 2; i++) {
      const eap = new EapPeer({ identity: env.CAROL_ID, serverIdentity: env.MOON_ID, methods: v.methods() });
      const ike = new IkeInitiator({ remote: { address: v.gateway }, identity: env.CAROL_ID, eap, serverCertificates: v.certs, transport: { localAddress: env.CAROL_IP }, retransmit: { timeout: 2000, tries: 3 } });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const info = await ike.connect();
      const t = performance.now() - t0;
      const c = process.cpuUsage(c0);
      await ike.close();
      if (i < 2) continue;
      init.push(info.timings.ikeSaInitMs);
      auth.push(info.timings.ikeAuthMs);
      total.push(t);
      cpu += (c.user + c.system) / 1000;
      trips = info.requests;
    }
    console.log(`| ${v.name} | ${trips} (+1 DELETE) | ${pct(init, 0.5).toFixed(1)} | ${pct(auth, 0.5).toFixed(1)} | ${pct(total, 0.5).toFixed(1)} / ${pct(total, 0.9).toFixed(1)} | ${(cpu / N).toFixed(1)} |`);
  }
  // our own responder in the same process (loopback): CPU is initiator + responder together
  {
    const { EapAuthenticator } = await import('@tncjs/eap');
    const { ttlsServerFactory } = await import('@tncjs/eap-ttls');
    const { IkeResponder } = await import('@tncjs/ikev2');
    const cert = readFileSync(env.MOON_CERT_PEM, 'utf8');
    const key = readFileSync(join(dirname(env.MOON_CERT_PEM), 'moonKey.pem'), 'utf8');
    const responder = new IkeResponder({
      identity: env.MOON_ID,
      eap: (id) => new EapAuthenticator({ methods: [ttlsServerFactory({ cert, key, phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024, maxVersion: 'TLSv1.2' })], requestIdentity: false, identity: id, serverIdentity: env.MOON_ID }),
      transport: { localAddress: '127.0.0.1' },
    });
    const ports = await responder.listen();
    const init = [], auth = [], total = [];
    let cpu = 0, trips = 0;
    for (let i = 0; i < N + 2; i++) {
      const eap = new EapPeer({ identity: env.CAROL_ID, serverIdentity: env.MOON_ID, methods: [strongswanTtlsPeerFactory({ validator, phase2: [md5Factory(secrets)] })] });
      const ike = new IkeInitiator({ remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, identity: env.CAROL_ID, eap, transport: { localAddress: '127.0.0.1' } });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const info = await ike.connect();
      const t = performance.now() - t0;
      const c = process.cpuUsage(c0);
      await ike.close();
      if (i < 2) continue;
      init.push(info.timings.ikeSaInitMs);
      auth.push(info.timings.ikeAuthMs);
      total.push(t);
      cpu += (c.user + c.system) / 1000;
      trips = info.requests;
    }
    await responder.close();
    console.log(`| our initiator ↔ our responder, EAP-TTLS + MD5, loopback (CPU of both) | ${trips} (+1 DELETE) | ${pct(init, 0.5).toFixed(1)} | ${pct(auth, 0.5).toFixed(1)} | ${pct(total, 0.5).toFixed(1)} / ${pct(total, 0.9).toFixed(1)} | ${(cpu / N).toFixed(1)} |`);
  }
}
