// Shared by examples/full-demo.mjs and the gateway's network-namespace tier: carol's machine as in the seed (a private
// swtpm started as a TPM 2.0 platform, a fresh AIK at 0x81010003, the seed's 23 BIOS events and 1,287 IMA entries
// measured into its PCRs — or other counts, see bootSeedMachine — the seed's OS facts as files) and a throwaway PKI
// made with the openssl CLI.
// Everything lives in `work` (a temporary directory the caller removes); swtpm is stopped by PID via `stop()`.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, createConnection } from 'node:net';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Logger, formatTime } from '@tncjs/common';
import { Tpm, TPM_ALG, createAik } from '@tncjs/tss';
import { encodeEventLog, encodeImaLog, dngField, nngField, EventType } from '@tncjs/pts';

const enc = new TextEncoder();
const sha1 = (b) => new Uint8Array(createHash('sha1').update(b).digest());
const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const canConnect = (port) => new Promise((resolve) => {
  const s = createConnection({ host: '127.0.0.1', port });
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

/**
 * A demo host's logger: strongSwan-format lines prefixed with a syslog-like time and host name (`carol`, `moon `),
 * or JSON lines with a `host` field.
 */
export function demoHostLogger(host, thread, { json = false, levels } = {}) {
  return new Logger({
    defaultLevel: 1,
    levels,
    json,
    thread,
    sink: (line) => process.stdout.write(json ? `${line.slice(0, -1)},"host":"${host.trim()}"}\n` : `${formatTime(new Date())} ${host} tncjs: ${line}`.replace(/\n?$/, '\n')),
  });
}

/**
 * A demo's temporary work directory, removed on exit, SIGINT and SIGTERM together with the swtpm given to `own()`.
 * `fail(msg)` prints to stderr, cleans up and exits 1.
 */
export function demoWorkDir(prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  let swtpm;
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    if (swtpm && swtpm.exitCode === null) swtpm.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });
  const fail = (msg) => { process.stderr.write(`${prefix.replace(/-$/, '')}: ${msg}\n`); cleanup(); process.exit(1); };
  return { work, own: (proc) => { swtpm = proc; }, cleanup, fail };
}

/** Start swtpm on two free loopback ports; `proc` is the child (stop it by PID with `stopSwtpm`). */
export async function startSwtpm(work) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await freePort();
    if (port >= 65535) continue;
    const proc = spawn('swtpm', ['socket', '--tpm2', '--tpmstate', `dir=${work}`, '--server', `type=tcp,port=${port},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${port + 1},bindaddr=127.0.0.1`], { stdio: 'ignore' });
    const failed = new Promise((resolve) => proc.once('error', resolve));
    for (let i = 0; i < 250 && proc.exitCode === null; i++) {
      const e = await Promise.race([failed, new Promise((r) => setTimeout(() => r(undefined), 20))]);
      if (e) throw new Error(`swtpm could not be started (${e.message}): apt-get install swtpm swtpm-tools (scripts/demo.sh does this)`);
      if (await canConnect(port + 1)) return { port, proc };
    }
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
  throw new Error('swtpm did not start');
}

export async function stopSwtpm(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

/** The seed's 23 BIOS events. */
function seedBios() {
  const ev = (pcrIndex, eventType, data) => ({ pcrIndex, eventType, data: typeof data === 'string' ? enc.encode(data) : data });
  return [
    ev(0, EventType.EV_S_CRTM_VERSION, new Uint8Array(16)), ev(0, EventType.EV_POST_CODE, new Uint8Array(16).fill(1)),
    ev(2, 0x80000003, new Uint8Array(32).fill(2)), ev(2, EventType.EV_EVENT_TAG, new Uint8Array(32).fill(3)),
    ev(2, EventType.EV_EVENT_TAG, new Uint8Array(32).fill(4)), ev(0, 0x80000009, new Uint8Array(32).fill(5)),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((p) => ev(p, EventType.EV_SEPARATOR, new Uint8Array(4))),
    ev(4, EventType.EV_ACTION, 'Calling INT 19h'), ev(4, EventType.EV_ACTION, 'Returned INT 19h'),
    ev(4, EventType.EV_ACTION, 'Booting Bcv Device P0: SAMSUNG MZ7TE128HMGR-00004'),
    ev(4, 0x0000000d, new Uint8Array(0)), ev(5, 0x0000000e, new Uint8Array(0)),
    ...[8, 9, 10, 11].map((p) => ev(p, 0x0000000c, new Uint8Array(4).fill(p))),
  ];
}

/** Default entry counts: the seed's (23 BIOS events; boot_aggregate + 1,286 files = 1,287 IMA entries). */
export const SEED_BIOS_ENTRIES = 23;
export const SEED_IMA_ENTRIES = 1287;

/**
 * `n` BIOS events: the seed's 23; more adds option-ROM-like EV_EVENT_TAG events to PCR 2 before the separators;
 * fewer drops events other than the 8 separators (PCR 0–7), from the end.
 */
export function biosEvents(n = SEED_BIOS_ENTRIES) {
  if (!Number.isInteger(n) || n < 8) throw new RangeError(`BIOS entries must be an integer ≥ 8 (the PCR 0–7 separators), got ${n}`);
  const seed = seedBios();
  if (n === seed.length) return seed;
  if (n > seed.length) {
    const extra = Array.from({ length: n - seed.length }, (_, i) => {
      const data = new Uint8Array(32);
      new DataView(data.buffer).setUint32(0, i + 1);
      return { pcrIndex: 2, eventType: EventType.EV_EVENT_TAG, data };
    });
    const sep = seed.findIndex((e) => e.eventType === EventType.EV_SEPARATOR);
    return [...seed.slice(0, sep), ...extra, ...seed.slice(sep)];
  }
  let drop = seed.length - n;
  const kept = [];
  for (let i = seed.length - 1; i >= 0; i--) {
    if (drop > 0 && seed[i].eventType !== EventType.EV_SEPARATOR) drop--;
    else kept.unshift(seed[i]);
  }
  return kept;
}

/** The IMA files after boot_aggregate: `n - 1` for an `n`-entry log. */
export const imaFiles = (n = SEED_IMA_ENTRIES) => Array.from({ length: n - 1 }, (_, i) => `/usr/lib/x86_64-linux-gnu/lib${i}.so.1`);

/**
 * Boot carol's machine: swtpm + AIK + logs measured into the PCRs. `tampered` edits IMA entry 700 (or the middle
 * entry of a shorter log) afterwards. `biosEntries` / `imaEntries` (default the seed's 23 and 1,287, boot_aggregate
 * included) size the logs: 50,000 IMA entries take ~7 s of PCR 10 extends against swtpm (~0.14 ms each, queued
 * without waiting for each answer; the Tpm sends them one at a time).
 * @returns the opened Tpm, the swtpm child and its `swtpm:tcp://` spec, log paths, the tnc_config path, OS fact files
 *   for the OS IMC, the entry counts and how long measuring took
 */
export async function bootSeedMachine(work, { tampered = false, biosEntries = SEED_BIOS_ENTRIES, imaEntries = SEED_IMA_ENTRIES } = {}) {
  if (!Number.isInteger(imaEntries) || imaEntries < 2) throw new RangeError(`IMA entries must be an integer ≥ 2 (boot_aggregate and a file), got ${imaEntries}`);
  const bios = biosEvents(biosEntries);
  const { port, proc } = await startSwtpm(work);
  let tpm;
  try {
    tpm = await Tpm.open(`swtpm:tcp://127.0.0.1:${port}`, { timeoutMs: 30_000 });
    await tpm.control.init();
    await tpm.control.setLocality(3); // TPM2_Startup at locality 3, as a PC platform: PCR 0 starts at 00…03
    await tpm.startup('clear');
    await tpm.control.setLocality(0);
    await createAik(tpm, { alg: 'rsa' }); // persisted at 0x81010003, where connectTnc looks for it
  } catch (e) {
    await tpm?.close().catch(() => {});
    await stopSwtpm(proc);
    throw e;
  }
  const extend = (pcr, data) => tpm.pcrExtend(pcr, [{ hashAlg: TPM_ALG.SHA1, digest: sha1(data) }, { hashAlg: TPM_ALG.SHA256, digest: sha256(data) }]);
  // queue the extends in batches rather than awaiting each: the Tpm still sends one command at a time, but the next is
  // ready when swtpm answers (about a quarter faster than one await per extend)
  const extendAll = async (items) => {
    for (let i = 0; i < items.length; i += 2000) await Promise.all(items.slice(i, i + 2000).map(([pcr, data]) => extend(pcr, data)));
  };
  const t0 = performance.now();
  let ima;
  let files;
  let measureMs;
  try {
    await extendAll(bios.map((e) => [e.pcrIndex, e.data]));
    const pcrs = await tpm.pcrRead([{ hash: TPM_ALG.SHA1, pcrs: [0, 1, 2, 3, 4, 5, 6, 7] }]);
    const t1 = performance.now();
    files = imaFiles(imaEntries);
    ima = [{ templateName: 'ima-ng', fields: [dngField('sha1', sha1(Buffer.concat(pcrs.values.map((v) => v.value)))), nngField('boot_aggregate')] }];
    for (const f of files) ima.push({ templateName: 'ima-ng', fields: [dngField('sha256', sha256(enc.encode(f))), nngField(f)] });
    await extendAll(ima.map((e) => [10, Buffer.concat(e.fields.flatMap((x) => [Buffer.from(new Uint32Array([x.byteLength]).buffer), Buffer.from(x)]))]));
    measureMs = { bios: Math.round(t1 - t0), ima: Math.round(performance.now() - t1) };
  } catch (e) {
    await tpm.close().catch(() => {});
    await stopSwtpm(proc);
    throw e;
  }
  if (tampered) {
    const t = imaEntries > 700 ? 700 : Math.floor(imaEntries / 2);
    ima[t] = { templateName: 'ima-ng', fields: [dngField('sha256', sha256(enc.encode('trojan'))), nngField(files[t - 1])] };
  }
  const p = (f) => join(work, f);
  writeFileSync(p('binary_bios_measurements'), encodeEventLog(bios, { banks: ['sha1', 'sha256'] }));
  writeFileSync(p('binary_runtime_measurements'), encodeImaLog(ima));
  writeFileSync(p('tnc_config'), 'IMC "OS"          /usr/lib/ipsec/imcvs/imc-os.so\nIMC "Attestation" /usr/lib/ipsec/imcvs/imc-attestation.so\n');
  // carol's OS facts as in the seed (Ubuntu 14.04, x86_64, IPv4 forwarding off), not this host's
  writeFileSync(p('os-release'), 'NAME="Ubuntu"\nVERSION_ID="14.04"\n');
  writeFileSync(p('stat'), 'cpu 1 2 3\nbtime 1418640310\n');
  writeFileSync(p('ip_forward'), '0\n');
  writeFileSync(p('machine-id'), 'e61276cae552799c71cc84abae619ab1\n');
  return {
    tpm,
    swtpm: proc,
    tpmSpec: `swtpm:tcp://127.0.0.1:${port}`,
    entries: { bios: bios.length, ima: ima.length },
    measureMs,
    biosLog: p('binary_bios_measurements'),
    imaLog: p('binary_runtime_measurements'),
    tncConfig: p('tnc_config'),
    osSources: { osRelease: p('os-release'), procStat: p('stat'), ipForward: p('ip_forward'), machineId: p('machine-id'), arch: 'x86_64' },
  };
}

/** strongSwan Root CA and moon's certificate (SAN moon.strongswan.org) with the openssl CLI; returns PEM paths and text. */
export function makeThrowawayPki(work) {
  const openssl = (args) => {
    const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });
    if (r.error) throw new Error(`openssl is needed for the throwaway PKI (${r.error.message}): apt-get install openssl`);
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/C=CH/O=Linux strongSwan/CN=strongSwan Root CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'moon.key', '-out', 'moon.csr', '-subj', '/C=CH/O=Linux strongSwan/CN=moon.strongswan.org']);
  writeFileSync(join(work, 'moon.ext'), 'subjectAltName=DNS:moon.strongswan.org\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  openssl(['x509', '-req', '-in', 'moon.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'moon.pem', '-days', '30', '-extfile', 'moon.ext']);
  const paths = { ca: join(work, 'ca.pem'), cert: join(work, 'moon.pem'), key: join(work, 'moon.key') };
  return { ...paths, caPem: readFileSync(paths.ca, 'utf8'), certPem: readFileSync(paths.cert, 'utf8'), keyPem: readFileSync(paths.key, 'utf8') };
}
