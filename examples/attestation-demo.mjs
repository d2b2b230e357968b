#!/usr/bin/env node
// The TNC attestation demo, in one process: carol's TNC client (OS + Attestation IMCs) and moon's TNC server
// (Attestation + OS IMVs) talk PB-TNC over two PbTncConnections at the seed's maximum batch size (32,754 bytes),
// printing strongSwan-format lines. carol's TPM is a private swtpm (state in a temp dir, random ports, stopped on exit
// and on SIGINT) with a fresh AIK; her BIOS log (23 events) and IMA log (1,287 entries) are synthesised and measured
// into swtpm's PCRs, as firmware and the kernel would. IKEv2 and EAP-TTLS/PT-EAP are not part of this demo yet.
// Run after `npm run build`: node examples/attestation-demo.mjs [--tampered] [--json]
// --tampered edits one IMA entry after the PCRs were extended: 'non-compliant' / 'Quarantined', exit code 3.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Logger, formatTime } from '@tncjs/common';
import { peekBatchHeader, ACCESS_RECOMMENDATION_NAMES } from '@tncjs/pb-tnc';
import { Tpm, TPM_ALG, createAik } from '@tncjs/tss';
import { tssAttestationTpm, encodeEventLog, encodeImaLog, dngField, nngField, EventType } from '@tncjs/pts';
import { TncClient, TncServer, loadTncConfig, IMV_EVALUATION_NAMES } from '@tncjs/imc-sdk';

const json = process.argv.includes('--json');
const tampered = process.argv.includes('--tampered');
process.stdout.on('error', () => process.exit(0));
const enc = new TextEncoder();
const sha1 = (b) => new Uint8Array(createHash('sha1').update(b).digest());
const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());

function hostLogger(host, thread) {
  return new Logger({
    defaultLevel: 1,
    levels: { TNC: 1, IMC: 1, IMV: 1 },
    json,
    thread,
    sink: (line) => process.stdout.write(json ? `${line.slice(0, -1)},"host":"${host}"}\n` : `${formatTime(new Date())} ${host} tncjs: ${line}`.replace(/\n?$/, '\n')),
  });
}
const carolLog = hostLogger('carol', 15);
const moonLog = hostLogger('moon ', 5);

// ---- a private swtpm ------------------------------------------------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'tncjs-demo-'));
let swtpm;
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (swtpm && swtpm.exitCode === null) swtpm.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

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

async function startSwtpm() {
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await freePort();
    if (port >= 65535) continue;
    const child = spawn('swtpm', ['socket', '--tpm2', '--tpmstate', `dir=${work}`, '--server', `type=tcp,port=${port},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${port + 1},bindaddr=127.0.0.1`], { stdio: 'ignore' });
    child.once('error', (e) => {
      console.error(`swtpm could not be started (${e.message}): apt-get install swtpm swtpm-tools (scripts/demo.sh does this)`);
      process.exit(1);
    });
    swtpm = child;
    for (let i = 0; i < 250 && child.exitCode === null; i++) {
      if (await canConnect(port + 1)) return port;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  throw new Error('swtpm did not start');
}

const t0 = Date.now();
const port = await startSwtpm();
const tpm = await Tpm.open(`swtpm:tcp://127.0.0.1:${port}`, { timeoutMs: 30_000 });
await tpm.control.init();
await tpm.control.setLocality(3); // TPM2_Startup at locality 3, as a PC platform: PCR 0 starts at 00…03
await tpm.startup('clear');
await tpm.control.setLocality(0);
const aik = await createAik(tpm, { alg: 'rsa' });

// ---- carol's boot: the seed's 23 BIOS events and 1,287 IMA entries, measured into swtpm ----------------------
const extend = (pcr, data) => tpm.pcrExtend(pcr, [{ hashAlg: TPM_ALG.SHA1, digest: sha1(data) }, { hashAlg: TPM_ALG.SHA256, digest: sha256(data) }]);
const ev = (pcrIndex, eventType, data) => ({ pcrIndex, eventType, data: typeof data === 'string' ? enc.encode(data) : data });
const bios = [
  ev(0, EventType.EV_S_CRTM_VERSION, new Uint8Array(16)), ev(0, EventType.EV_POST_CODE, new Uint8Array(16).fill(1)),
  ev(2, 0x80000003, new Uint8Array(32).fill(2)), ev(2, EventType.EV_EVENT_TAG, new Uint8Array(32).fill(3)),
  ev(2, EventType.EV_EVENT_TAG, new Uint8Array(32).fill(4)), ev(0, 0x80000009, new Uint8Array(32).fill(5)),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((p) => ev(p, EventType.EV_SEPARATOR, new Uint8Array(4))),
  ev(4, EventType.EV_ACTION, 'Calling INT 19h'), ev(4, EventType.EV_ACTION, 'Returned INT 19h'),
  ev(4, EventType.EV_ACTION, 'Booting Bcv Device P0: SAMSUNG MZ7TE128HMGR-00004'),
  ev(4, 0x0000000d, new Uint8Array(0)), ev(5, 0x0000000e, new Uint8Array(0)),
  ...[8, 9, 10, 11].map((p) => ev(p, 0x0000000c, new Uint8Array(4).fill(p))),
];
for (const e of bios) await extend(e.pcrIndex, e.data);
const pcrs = await tpm.pcrRead([{ hash: TPM_ALG.SHA1, pcrs: [0, 1, 2, 3, 4, 5, 6, 7] }]);
const files = Array.from({ length: 1286 }, (_, i) => `/usr/lib/x86_64-linux-gnu/lib${i}.so.1`);
const ima = [{ templateName: 'ima-ng', fields: [dngField('sha1', sha1(Buffer.concat(pcrs.values.map((v) => v.value)))), nngField('boot_aggregate')] }];
for (const f of files) ima.push({ templateName: 'ima-ng', fields: [dngField('sha256', sha256(enc.encode(f))), nngField(f)] });
for (const e of ima) await extend(10, Buffer.concat(e.fields.flatMap((x) => [Buffer.from(new Uint32Array([x.byteLength]).buffer), Buffer.from(x)])));
if (tampered) ima[700] = { templateName: 'ima-ng', fields: [dngField('sha256', sha256(enc.encode('trojan'))), nngField(files[699])] };
writeFileSync(join(work, 'binary_bios_measurements'), encodeEventLog(bios, { banks: ['sha1', 'sha256'] }));
writeFileSync(join(work, 'binary_runtime_measurements'), encodeImaLog(ima));
writeFileSync(join(work, 'tnc_config'), '# carol\nIMC "OS"          /usr/lib/ipsec/imcvs/imc-os.so\nIMC "Attestation" /usr/lib/ipsec/imcvs/imc-attestation.so\n# moon\nIMV "Attestation" builtin:attestation\nIMV "OS"          builtin:os\n');
const tSetup = Date.now();

// ---- carol and moon ---------------------------------------------------------------------------------------------
const client = new TncClient({ logger: carolLog });
await loadTncConfig(join(work, 'tnc_config'), client, {
  options: {
    OS: { devicePublicKey: aik.spki, devicePublicKeySource: `AIK 0x${aik.handle.toString(16)}` },
    Attestation: { tpm: tssAttestationTpm(tpm, aik), biosLog: join(work, 'binary_bios_measurements'), imaLog: join(work, 'binary_runtime_measurements') },
  },
});
const server = new TncServer({ logger: moonLog });
await loadTncConfig(join(work, 'tnc_config'), server, { options: { Attestation: { metadataPath: join(work, 'tnc_config'), storePath: join(work, 'pts-references.json') } } });

const carol = client.connect({ connectionId: 1, maxBatchSize: 32754 });
const moon = server.connect({ connectionId: 1, maxBatchSize: 32754 });
const sizes = [];
let batch = await carol.start();
let toMoon = true;
while (batch) {
  sizes.push(`${toMoon ? 'carol→moon' : 'moon→carol'} ${['', 'CDATA', 'SDATA', 'RESULT', 'CRETRY', 'SRETRY', 'CLOSE'][peekBatchHeader(batch).type]} ${batch.byteLength}`);
  batch = toMoon ? await moon.receive(batch) : await carol.receive(batch);
  toMoon = !toMoon;
}
const tDone = Date.now();
await carol.delete();
await moon.delete();
await client.terminate();
await server.terminate();
await tpm.close();

const final = carol.result;
if (!json) {
  process.stdout.write(`\n${sizes.length} PB-TNC batches: ${sizes.join(', ')}\n`);
  process.stdout.write(`swtpm + AIK + logs ${tSetup - t0} ms, TNC exchange ${tDone - tSetup} ms\n`);
  process.stdout.write(`assessment result is '${IMV_EVALUATION_NAMES[final?.assessment ?? 4]}'\n`);
  process.stdout.write(`PB-TNC access recommendation is '${ACCESS_RECOMMENDATION_NAMES[final?.recommendation ?? 2]}'\n`);
}
// stop swtpm by PID and wait for it, then remove its state
const exited = new Promise((r) => (swtpm.exitCode !== null ? r() : swtpm.once('exit', r)));
swtpm.kill('SIGTERM');
await exited;
cleanup();
process.exitCode = final?.recommendation === 1 ? 0 : 3;
