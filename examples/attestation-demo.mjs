#!/usr/bin/env node
// The TNC attestation demo without the network, in one process: carol's TNC client (OS + Attestation IMCs) and moon's
// TNC server (Attestation + OS IMVs) talk PB-TNC over two PbTncConnections at the seed's maximum batch size (32,754
// bytes), printing strongSwan-format lines — what a product that imports only @tncjs/imc-sdk (and brings its own
// transport) does. carol's machine is examples/seed-machine.mjs': a private swtpm with an AIK, the seed's BIOS log (23
// events) and IMA log (1,287 entries) measured into its PCRs. The whole stack over IKEv2 is examples/full-demo.mjs.
// Run after `npm run build`: node examples/attestation-demo.mjs [--tampered] [--json]
// --tampered edits one IMA entry after the PCRs were extended: 'non-compliant' / 'Quarantined', exit code 3.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { peekBatchHeader, ACCESS_RECOMMENDATION_NAMES } from '@tncjs/pb-tnc';
import { readAik, TCG_HANDLES } from '@tncjs/tss';
import { tssAttestationTpm } from '@tncjs/pts';
import { TncClient, TncServer, loadTncConfig, IMV_EVALUATION_NAMES } from '@tncjs/imc-sdk';
import { bootSeedMachine, stopSwtpm, demoHostLogger, demoWorkDir } from './seed-machine.mjs';

const json = process.argv.includes('--json');
const tampered = process.argv.includes('--tampered');
process.stdout.on('error', () => process.exit(0));
const levels = { TNC: 1, IMC: 1, IMV: 1 };
const carolLog = demoHostLogger('carol', 15, { json, levels });
const moonLog = demoHostLogger('moon ', 5, { json, levels });
const { work, own, cleanup, fail } = demoWorkDir('tncjs-demo-');

const t0 = Date.now();
let machine;
try {
  machine = await bootSeedMachine(work, { tampered });
} catch (e) {
  fail(e.message);
}
own(machine.swtpm);
const { tpm } = machine;
const aik = await readAik(tpm, TCG_HANDLES.AIK);
writeFileSync(join(work, 'tnc_config'), '# carol\nIMC "OS"          /usr/lib/ipsec/imcvs/imc-os.so\nIMC "Attestation" /usr/lib/ipsec/imcvs/imc-attestation.so\n# moon\nIMV "Attestation" builtin:attestation\nIMV "OS"          builtin:os\n');
const tSetup = Date.now();

// ---- carol and moon ---------------------------------------------------------------------------------------------
const client = new TncClient({ logger: carolLog });
await loadTncConfig(machine.tncConfig, client, {
  options: {
    OS: { devicePublicKey: aik.spki, devicePublicKeySource: `AIK 0x${aik.handle.toString(16)}`, sources: machine.osSources },
    Attestation: { tpm: tssAttestationTpm(tpm, aik), biosLog: machine.biosLog, imaLog: machine.imaLog },
  },
});
const server = new TncServer({ logger: moonLog });
await loadTncConfig(machine.tncConfig, server, { options: { Attestation: { metadataPath: machine.tncConfig, storePath: join(work, 'pts-references.json') } } });

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
await stopSwtpm(machine.swtpm);
cleanup();
process.exitCode = final?.recommendation === 1 ? 0 : 3;
