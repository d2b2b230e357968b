/**
 * Captures dissect in Wireshark's tshark (4.0, Debian): our IKEv2 traffic is captured with dumpcap (capture filter
 * `udp port 500 or udp port 4500`) for (1) the moon EAP-TTLS flow in the carol namespace (our requests fragmented,
 * CHILD_SA and IKE_SA rekeyed, ESP), (2) moon's certificate gateway whose 1392-byte IKE_AUTH response arrives as
 * SKF fragments, (3) our initiator ↔ our responder in a private namespace with fragments both ways, PFS rekeys and
 * ESP. Without keys tshark must report no malformed packet and no expert warning/error; with the keys our initiator
 * exported through its explicit `keylog` option (Wireshark UAT files `ikev2_decryption_table` and `esp_sa` in a
 * temporary configuration directory) every SK/SKF payload must decrypt (integrity checked by Wireshark) and the inner
 * payloads (IDi, IDr, EAP, AUTH, SA, TSi, TSr, KE, N, D) dissect, ESP must decrypt to the ICMP packets. A negative
 * control (a wrong SK_ai, a truncated IKE packet) proves that the checks can fail.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKit } from '../../../../test-support/strongswan-kit.js';

const here = dirname(fileURLToPath(import.meta.url));
const CAP_NS = 'tnc-ikev2-cap';
let env: Record<string, string> = {};
let work = '';
let ca = '';

beforeAll(() => {
  env = startKit();
  work = mkdtempSync(join(tmpdir(), 'ikev2-tshark-'));
  ca = join(work, 'ca');
  mkdirSync(ca);
  copyFileSync(env.CA_CERT_PEM, join(ca, 'caCert.pem'));
  if (spawnSync('tshark', ['--version']).status !== 0) throw new Error('tshark missing: scripts/interop-ikev2.sh installs it');
}, 600_000);

/** Run `fn` while dumpcap captures IKE/NAT-T traffic on `iface` in namespace `ns`; returns the pcapng path. */
async function capture(name: string, ns: string, iface: string, fn: () => void): Promise<string> {
  const file = join(work, `${name}.pcapng`);
  const dc = spawn('ip', ['netns', 'exec', ns, 'dumpcap', '-i', iface, '-f', 'udp port 500 or udp port 4500', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((res, rej) => {
    dc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capturing on')) res();
    });
    dc.once('exit', (c) => rej(new Error(`dumpcap exited (${c}): ${err}`)));
  });
  fn();
  await new Promise((r) => setTimeout(r, 300)); // let the last datagrams reach the capture
  const exited = new Promise((r) => dc.once('exit', r));
  dc.kill('SIGINT');
  await exited;
  return file;
}

interface Frame { n: number; proto: string; exch: string; payloads: number[]; expert: number[]; expertGroup: number[]; malformed: boolean; icmp: boolean; integrityBad: boolean; decrypted: boolean; summary: string }

/** Dissect with tshark; `keys` is a Wireshark configuration directory holding the UAT files (or an empty one). */
function dissect(file: string, keys: string): Frame[] {
  const fields = ['frame.number', 'frame.protocols', 'isakmp.exchangetype', 'isakmp.typepayload', '_ws.expert.severity', '_ws.malformed', 'icmp.type', 'isakmp.ikev2.integrity_checksum', 'isakmp.enc.decrypted', '_ws.expert.group', '_ws.col.Info'];
  const r = spawnSync('tshark', ['-r', file, '-o', 'esp.enable_encryption_decode:TRUE', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], {
    env: { ...process.env, WIRESHARK_CONFIG_DIR: keys }, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => {
    const [n, proto, exch, payloads, expert, malformed, icmp, integrity, decrypted, group, summary] = l.split('\t');
    return {
      n: Number(n), proto, exch, summary,
      payloads: payloads ? payloads.split(',').map(Number) : [],
      expert: expert ? expert.split(',').map((x) => Number(x)) : [], expertGroup: group ? group.split(',').map((x) => Number(x)) : [],
      malformed: !!malformed || /malformed/i.test(proto), icmp: !!icmp, integrityBad: !!integrity, decrypted: !!decrypted,
    };
  });
}

const WARN = 0x00600000; // PI_WARN; PI_ERROR is 0x00800000
const SECURITY = 0x0a000000; // PI_SECURITY: advice about the protocol in use (EAP-MD5 "Vulnerable to MITM attacks"), not a dissection problem
const problems = (frames: Frame[]) => frames
  .filter((f) => f.malformed || f.integrityBad || f.expert.some((s, i) => s >= WARN && f.expertGroup[i] !== SECURITY))
  .map((f) => `${f.n}: ${f.summary}`);
const securityAdvice = (frames: Frame[]) => frames.filter((f) => f.expert.some((s, i) => s >= WARN && f.expertGroup[i] === SECURITY)).map((f) => f.summary);
/** Frames with an SK (46) or SKF (53) payload that tshark did not decrypt. */
const undecrypted = (frames: Frame[]) => frames.filter((f) => (f.payloads.includes(46) || f.payloads.includes(53)) && !f.decrypted);
const emptyDir = () => mkdtempSync(join(work, 'nokeys-'));

function checkEncrypted(frames: Frame[], label: string) {
  const isakmp = frames.filter((f) => f.proto.includes('isakmp'));
  expect({ label, problems: problems(frames) }).toEqual({ label, problems: [] });
  expect(isakmp.filter((f) => f.payloads.includes(46) || f.payloads.includes(53)).length).toBeGreaterThan(10);
  expect({ label, undecrypted: undecrypted(isakmp).map((f) => f.summary) }).toEqual({ label, undecrypted: [] });
  return isakmp;
}

function moonRun(opts: Record<string, unknown>) {
  const o = { gateway: env.MOON_TTLS_IP, identity: env.CAROL_ID, password: env.CAROL_PASSWORD, ca, retransmit: { timeout: 1000, base: 1.8, tries: 3 }, ...opts };
  const r = spawnSync('ip', ['netns', 'exec', env.TNC_PEER_CAROL_NS, process.execPath, join(here, 'initiator-client.mjs'), JSON.stringify(o)], { encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) throw new Error(`client failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; error?: unknown; rekeys?: unknown[] };
}

describe('tshark dissects our IKEv2/ESP captures (no malformed packets, decrypts with the keylog)', () => {
  it('moon EAP-TTLS flow (our requests as SKF fragments, CHILD_SA and IKE_SA rekeys, ESP) and the certificate gateway (moon\'s SKF fragments)', async () => {
    const keys = mkdtempSync(join(work, 'moon-keys-'));
    let ttls: ReturnType<typeof moonRun> | undefined;
    let cert: ReturnType<typeof moonRun> | undefined;
    const file = await capture('moon', env.TNC_PEER_CAROL_NS, 'any', () => {
      ttls = moonRun({ keylogDir: keys, fragmentSize: 300, rekeyChild: 1, rekeyIke: 1, pingAfterRekey: true, ping: 1 });
      cert = moonRun({ keylogDir: keys, gateway: env.MOON_PUBKEY_IP, method: 'md5', ping: 1 });
    });
    expect(ttls!.error).toBeUndefined();
    expect(cert!.error).toBeUndefined();
    // the UAT files: one IKE SA line per IKE SA (ttls, its rekey, pubkey-md5), two ESP lines per CHILD_SA
    expect(readFileSync(join(keys, 'ikev2_decryption_table'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readFileSync(join(keys, 'esp_sa'), 'utf8').trim().split('\n')).toHaveLength(6);
    const plain = dissect(file, emptyDir());
    expect(plain.length).toBeGreaterThan(20);
    expect(problems(plain)).toEqual([]);
    expect(plain.some((f) => /IKE_AUTH MID=\d+ Initiator Request \(fragment 1\/\d\)/.test(f.summary))).toBe(true); // ours
    expect(plain.some((f) => /IKE_AUTH MID=01 Responder Response \(fragment 1\/2\)/.test(f.summary))).toBe(true); // moon's
    const frames = checkEncrypted(dissect(file, keys), 'moon');
    // the only warnings: Wireshark's security advice on the two EAP-MD5 packets of the certificate gateway
    expect(securityAdvice(dissect(file, keys))).toEqual(['Request, MD5-Challenge EAP (EAP-MD5-CHALLENGE)', 'Response, MD5-Challenge EAP (EAP-MD5-CHALLENGE)']);
    const inner = new Set(frames.flatMap((f) => f.payloads));
    for (const t of [35, 36, 48, 39, 33, 44, 45, 34, 40, 41, 42, 37, 38]) expect({ payload: t, seen: inner.has(t) }).toEqual({ payload: t, seen: true });
    // EAP inside the SK payloads was dissected as EAP-TTLS carrying TLS
    const decrypted = dissect(file, keys);
    expect(decrypted.some((f) => f.proto.includes('eap') && f.proto.includes('tls'))).toBe(true);
    expect(decrypted.some((f) => /CREATE_CHILD_SA/.test(f.exch) || f.exch === '36')).toBe(true);
    // ESP decrypted with the esp_sa table: our echo requests and moon's replies (1 + 2 pings each way, + 1 on pubkey-md5)
    expect(decrypted.filter((f) => f.icmp).length).toBe(8);
  }, 180_000);

  it('our initiator ↔ our responder, fragments both ways (fragmentSize 300), PFS rekeys, ESP, in a private namespace on UDP 500/4500', async () => {
    spawnSync('ip', ['netns', 'del', CAP_NS]);
    execFileSync('ip', ['netns', 'add', CAP_NS]);
    try {
      execFileSync('ip', ['-n', CAP_NS, 'link', 'set', 'lo', 'up']);
      const keys = mkdtempSync(join(work, 'pair-keys-'));
      let out: { ok: boolean; pings?: unknown[]; error?: unknown } | undefined;
      const file = await capture('pair', CAP_NS, 'lo', () => {
        const r = spawnSync('ip', ['netns', 'exec', CAP_NS, process.execPath, join(here, 'capture-pair.mjs'), JSON.stringify({
          keylogDir: keys, fragmentSize: 300, ca, cert: env.MOON_CERT_PEM, key: join(dirname(env.MOON_CERT_PEM), 'moonKey.pem'),
        })], { encoding: 'utf8', timeout: 60_000 });
        out = JSON.parse(r.stdout.trim().split('\n').pop()!);
      });
      expect(out!.error).toBeUndefined();
      expect(out!.pings).toHaveLength(3);
      const plain = dissect(file, emptyDir());
      expect(problems(plain)).toEqual([]);
      expect(plain.filter((f) => /Responder Response \(fragment \d+\/\d+\)/.test(f.summary)).length).toBeGreaterThan(2);
      expect(plain.filter((f) => /Initiator Request \(fragment \d+\/\d+\)/.test(f.summary)).length).toBeGreaterThan(2);
      const frames = checkEncrypted(dissect(file, keys), 'pair');
      const inner = new Set(frames.flatMap((f) => f.payloads));
      for (const t of [35, 36, 48, 39, 33, 44, 45, 34, 40, 41, 42]) expect({ payload: t, seen: inner.has(t) }).toEqual({ payload: t, seen: true });
      // reassembled SKF messages carry inner payloads (53 followed by e.g. 48 EAP)
      expect(frames.some((f) => f.payloads[0] === 53 && f.payloads.length > 1)).toBe(true);
      expect(dissect(file, keys).filter((f) => f.icmp).length).toBe(6);

      // negative controls: a wrong SK_ai is reported by Wireshark's integrity check; a truncated packet is malformed
      const bad = mkdtempSync(join(work, 'bad-keys-'));
      const table = readFileSync(join(keys, 'ikev2_decryption_table'), 'utf8').split('\n');
      const f = table[0].split(',');
      f[5] = (f[5][0] === '0' ? '1' : '0') + f[5].slice(1);
      table[0] = f.join(',');
      writeFileSync(join(bad, 'ikev2_decryption_table'), table.join('\n'));
      expect(problems(dissect(file, bad)).length).toBeGreaterThan(0);
      const truncated = join(work, 'truncated.pcap');
      writeFileSync(truncated, truncatedIkePcap());
      expect(problems(dissect(truncated, emptyDir())).length).toBe(1);
    } finally {
      spawnSync('ip', ['netns', 'del', CAP_NS]);
    }
  }, 120_000);
});

/** A pcap with one IPv4/UDP 500 datagram whose IKE header claims 200 bytes but carries 40. */
function truncatedIkePcap(): Uint8Array {
  const ike = new Uint8Array(40);
  ike.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
  ike[16] = 33; // next payload SA
  ike[17] = 0x20; // version 2.0
  ike[18] = 34; // IKE_SA_INIT
  ike[19] = 0x08; // initiator
  new DataView(ike.buffer).setUint32(24, 200);
  ike.set([0, 0, 0, 12], 28); // SA payload header, length 12 (> what is left)
  const udp = new Uint8Array(8 + ike.length);
  const dv = new DataView(udp.buffer);
  dv.setUint16(0, 500);
  dv.setUint16(2, 500);
  dv.setUint16(4, udp.length);
  udp.set(ike, 8);
  const ip = new Uint8Array(20 + udp.length);
  const iv = new DataView(ip.buffer);
  ip[0] = 0x45;
  iv.setUint16(2, ip.length);
  ip[8] = 64;
  ip[9] = 17;
  ip.set([10, 0, 0, 1], 12);
  ip.set([10, 0, 0, 2], 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += iv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  iv.setUint16(10, ~sum & 0xffff);
  ip.set(udp, 20);
  const out = new Uint8Array(24 + 16 + ip.length);
  const o = new DataView(out.buffer);
  o.setUint32(0, 0xa1b2c3d4, true);
  o.setUint16(4, 2, true);
  o.setUint16(6, 4, true);
  o.setUint32(16, 65535, true);
  o.setUint32(20, 101, true); // LINKTYPE_RAW (IPv4)
  o.setUint32(32, ip.length, true);
  o.setUint32(36, ip.length, true);
  out.set(ip, 40);
  return out;
}
