// Runs our IKEv2 initiator from the BUILT packages (dist) inside the carol namespace and prints one JSON line.
// Usage: ip netns exec tnc-carol node initiator-client.mjs '<json options>'
//   { gateway, identity, password, ca, retransmit, sendDrop, receiveDrop, sendDelay, hold, esp: 'gcm'|'cbc', ping: N,
//     fragmentSize, ikeGroups: [14, 19], remoteIdentity, logLevel, showLog,
//     keylogDir (Wireshark UAT files), pfs: [groups], rekeyChild: N, rekeyIke: N, dpd: N, pingAfterRekey, pingAfterHold, localAddress, pingTarget }
import { EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { IkeInitiator, strongswanTtlsPeerFactory, icmpEchoRequest, parseIcmpEcho, keylogFile, Encr, Integ } from '@tncjs/ikev2';

const o = JSON.parse(process.argv[2] ?? '{}');
const lines = [];
const logger = new Logger({ defaultLevel: o.logLevel ?? 1, sink: (l) => lines.push(l) });
const secrets = new MemorySecretsStore({ [o.identity]: o.password });
const validator = new CertificateValidator({ trust: o.ca, revocation: { policy: 'off' } });
// o.method: 'ttls' (EAP-TTLS + inner MD5, default) or 'md5' (plain EAP-MD5 after a certificate-authenticated gateway)
const eap = new EapPeer({
  identity: o.identity,
  serverIdentity: 'moon.strongswan.org',
  methods: o.method === 'md5' ? [md5Factory(secrets)] : [strongswanTtlsPeerFactory({ validator, phase2: [md5Factory(secrets)], logger })],
  logger,
});
const ike = new IkeInitiator({
  remote: { address: o.gateway },
  identity: o.identity,
  eap,
  retransmit: o.retransmit,
  fragmentSize: o.fragmentSize,
  serverCertificates: o.method === 'md5' ? { validator, authorities: readdirSync(o.ca).map((f) => readFileSync(`${o.ca}/${f}`, 'utf8')) } : undefined,
  remoteIdentity: o.remoteIdentity,
  ike: o.ikeGroups ? [{ encr: Encr.AES_CBC, keyBits: 128, integ: Integ.HMAC_SHA2_256_128, prf: 5, groups: o.ikeGroups }] : undefined,
  esp: o.esp === 'cbc' ? [{ encr: Encr.AES_CBC, keyBits: 128, integ: Integ.HMAC_SHA2_256_128 }] : o.esp === 'gcm' ? [{ encr: Encr.AES_GCM_16, keyBits: 128 }] : undefined,
  transport: { localAddress: o.localAddress ?? '192.168.0.254', sendDrop: o.sendDrop, receiveDrop: o.receiveDrop, sendDelay: o.sendDelay },
  logger,
  keylog: o.keylogDir ? keylogFile(o.keylogDir) : undefined,
  pfs: o.pfs,
});
const out = { ok: false };
const events = [];
ike.onEvent((e) => events.push(e.error ? { ...e, error: { code: e.error.code, message: e.error.message } } : e));
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
try {
  const info = await ike.connect();
  out.ok = true;
  out.ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  out.cpuMs = (cpu.user + cpu.system) / 1000;
  const { child, ...rest } = info;
  Object.assign(out, rest);
  if (child) out.child = { proposal: child.proposal, spiIn: Buffer.from(child.spiIn).toString('hex'), spiOut: Buffer.from(child.spiOut).toString('hex'), udpEncapsulation: child.udpEncapsulation, tsi: child.tsi.length, tsr: child.tsr.length };
  let tunnel;
  if (o.ping || o.pingAfterRekey || o.pingAfterHold) tunnel = ike.openEspTunnel();
  if (o.ping) {
    const replies = [];
    tunnel.onPacket((p) => {
      const r = parseIcmpEcho(p);
      if (r && r.type === 0) replies.push({ src: r.src, dst: r.dst, seq: r.seq, checksumOk: r.checksumOk, data: Buffer.from(r.data).toString() });
    });
    for (let i = 1; i <= o.ping; i++) {
      tunnel.send(icmpEchoRequest(o.localAddress ?? '192.168.0.254', o.pingTarget ?? '10.1.0.1', 0x1234, i, new TextEncoder().encode(`tncjs ping ${i}`)));
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    out.ping = { sent: o.ping, replies, outSeq: tunnel.outbound.sequence, inStats: tunnel.inbound.stats };
  }
  const pingOnce = async (tunnel, seq) => {
    const got = new Promise((res) => {
      const t = setTimeout(() => res(undefined), 2000);
      tunnel.onPacket((p) => {
        const r = parseIcmpEcho(p);
        if (r && r.type === 0 && r.seq === seq) {
          clearTimeout(t);
          res({ src: r.src, seq: r.seq, checksumOk: r.checksumOk });
        }
      });
    });
    tunnel.send(icmpEchoRequest(o.localAddress ?? '192.168.0.254', o.pingTarget ?? '10.1.0.1', 0x4321, seq, new TextEncoder().encode(`tncjs rekey ${seq}`)));
    return got;
  };
  const holdTunnel = tunnel;
  if (!o.pingAfterRekey) tunnel = undefined;
  out.rekeys = [];
  for (let i = 0; i < (o.rekeyChild ?? 0); i++) {
    const c = await ike.rekeyChildSa();
    const r = { child: { spiIn: Buffer.from(c.spiIn).toString('hex'), spiOut: Buffer.from(c.spiOut).toString('hex'), proposal: c.proposal } };
    if (tunnel) r.ping = await pingOnce(tunnel, 100 + i);
    out.rekeys.push(r);
  }
  for (let i = 0; i < (o.rekeyIke ?? 0); i++) {
    const r = { ike: await ike.rekeyIkeSa() };
    if (tunnel) r.ping = await pingOnce(tunnel, 200 + i);
    out.rekeys.push(r);
  }
  for (let i = 0; i < (o.dpd ?? 0); i++) await ike.checkLiveness();
  if (tunnel) out.tunnel = { rekeys: tunnel.rekeys, outSpi: Buffer.from(tunnel.outbound.params.spi).toString('hex') };
  out.exchanges = info.exchanges;
  if (o.hold) await new Promise((r) => setTimeout(r, o.hold));
  if (o.pingAfterHold) {
    out.pingAfterHold = await pingOnce(holdTunnel, 300);
    out.tunnelAfterHold = { rekeys: holdTunnel.rekeys, outSpi: Buffer.from(holdTunnel.outbound.params.spi).toString('hex') };
  }
  out.delete = await ike.close();
} catch (e) {
  out.error = { code: e.code, message: e.message, notify: e.notify };
  out.ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await ike.close().catch(() => {});
}
out.transport = ike.transportStats;
out.events = events;
if (o.showLog) out.log = lines;
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
