#!/usr/bin/env node
// The seed scenario end to end over real IKEv2/UDP on 127.0.0.1: carol (tncjs' client stack: IKEv2 initiator,
// EAP-TTLS with inner EAP-MD5 and PT-EAP, OS + Attestation IMCs on a private swtpm) connects to moon (tncjs' gateway:
// IKEv2 responder, EAP-TTLS server, TNC server with the Attestation + OS IMVs). Both print strongSwan-format lines.
// A throwaway PKI (openssl CLI) gives moon its certificate; carol's BIOS log (23 events) and IMA log (1,287 entries)
// are synthesised and measured into swtpm's PCRs, as firmware and the kernel would. After 'compliant' and the
// CHILD_SA, an ICMP echo goes through the userspace ESP tunnel, then carol sends DELETE.
// Run after `npm run build` (bash scripts/demo.sh does everything): node examples/full-demo.mjs [--tampered] [--json]
// --tampered edits one IMA entry after the PCRs were extended: 'non-compliant' / 'Quarantined', exit code 3.
// Exit codes: 0 Access Allowed, 3 Quarantined, 4 Access Denied, 1 error.
import { join } from 'node:path';
import { icmpEchoRequest, parseIcmpEcho } from '@tncjs/ikev2';
import { TncGateway } from '@tncjs/gateway';
import { connectTnc } from '@tncjs/client';
import { bootSeedMachine, makeThrowawayPki, stopSwtpm, demoHostLogger, demoWorkDir } from './seed-machine.mjs';

const json = process.argv.includes('--json');
const tampered = process.argv.includes('--tampered');
process.stdout.on('error', () => process.exit(0));
const enc = new TextEncoder();
const say = (text) => !json && process.stdout.write(`${text}\n`);

const carolLog = demoHostLogger('carol', 15, { json });
const moonLog = demoHostLogger('moon ', 5, { json });

// ---- a private swtpm and a work directory, always removed ---------------------------------------------------------
const { work, own, cleanup, fail } = demoWorkDir('tncjs-full-demo-');


// ---- throwaway PKI (openssl CLI), carol's TPM and boot: the seed's 23 BIOS events and 1,287 IMA entries ------------
const tPki = Date.now();
let pki;
try {
  pki = makeThrowawayPki(work);
} catch (e) {
  fail(e.message);
}
const t0 = Date.now();
let machine;
try {
  machine = await bootSeedMachine(work, { tampered });
} catch (e) {
  fail(e.message);
}
own(machine.swtpm);
const tpm = machine.tpm;
const tSetup = Date.now();

// ---- moon: the gateway --------------------------------------------------------------------------------------------
const gateway = new TncGateway({
  identity: 'moon.strongswan.org',
  certificate: pki.certPem,
  key: pki.keyPem,
  secrets: { 'carol@strongswan.org': 'Ar3etTnp' },
  address: '127.0.0.1',
  ikePort: 0, // 500/4500 need root; any free ports on loopback
  nattPort: 0,
  localTs: ['10.1.0.0/28'],
  imvs: { attestation: { metadataPath: join(work, 'tnc_config'), storePath: join(work, 'pts-references.json') } },
  logger: moonLog,
});
const ports = await gateway.start();
const gwDeleted = new Promise((r) => gateway.onDeleted(r));

// ---- carol: the client --------------------------------------------------------------------------------------------
let session;
const tConnect = Date.now();
try {
  session = await connectTnc({
    gateway: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port, identity: 'moon.strongswan.org' },
    identity: 'carol@strongswan.org',
    password: 'Ar3etTnp',
    trust: [pki.caPem],
    revocation: 'off',
    tpm,
    biosLog: machine.biosLog,
    imaLog: machine.imaLog,
    os: { sources: machine.osSources },
    localAddress: '127.0.0.1',
    logger: carolLog,
  });
} catch (e) {
  await gateway.close();
  await tpm.close();
  fail(`${e.code ?? ''} ${e.message}${e.cause ? ` (${e.cause.code ?? ''} ${e.cause.message})` : ''}`);
}
const tConnected = Date.now();
let ping;
if (session.child) {
  const tunnel = session.openEspTunnel();
  const back = new Promise((r) => tunnel.onPacket(r));
  tunnel.send(icmpEchoRequest('127.0.0.1', '10.1.0.1', 1, 1, enc.encode('tncjs')));
  ping = parseIcmpEcho(await Promise.race([back, new Promise((r) => setTimeout(() => r(undefined), 3000))]) ?? new Uint8Array(0));
}
const closed = await session.close();
if (session.child) await Promise.race([gwDeleted, new Promise((r) => setTimeout(r, 3000))]);
const tDone = Date.now();
await gateway.close();
await tpm.close();

const st = session.stats();
const summary = {
  outcome: session.outcome,
  exitCode: session.exitCode,
  assessment: session.assessment,
  recommendation: session.recommendation,
  reasons: session.reasons,
  child: session.child,
  esp: ping ? { echoReplyFrom: ping.src, checksumOk: ping.checksumOk } : null,
  deleteAcknowledged: closed.acknowledged,
  stats: st,
  ms: { pki: t0 - tPki, swtpmAikLogs: tSetup - t0, connect: tConnected - tConnect, connectToDelete: tDone - tConnect },
};
if (json) process.stdout.write(JSON.stringify({ summary }) + '\n');
else {
  say('');
  say(`assessment result is '${session.assessment ?? 'none'}'`);
  say(`PB-TNC access recommendation is '${session.recommendation ?? 'none'}' → ${session.outcome}, exit code ${session.exitCode}`);
  if (session.child) say(`CHILD_SA established with SPIs ${session.child.spiIn}_i ${session.child.spiOut}_o and TS ${session.child.tsi.join(' ')} === ${session.child.tsr.join(' ')} (${session.child.proposal})`);
  else say('no CHILD_SA: the gateway refused access');
  if (ping) say(`ESP: ICMP echo reply from ${ping.src} through the userspace tunnel (checksum ${ping.checksumOk ? 'ok' : 'BAD'})`);
  say(`DELETE ${closed.acknowledged ? 'acknowledged by moon' : 'not sent (no IKE_SA)'}`);
  say(`${st.ikeExchanges} IKE exchanges (+1 INFORMATIONAL), ${st.bytesSent} bytes carol→moon, ${st.bytesReceived} bytes moon→carol, ${st.batches.sent + st.batches.received} PB-TNC batches: ${st.batches.list.join(', ')}`);
  say(`PKI ${summary.ms.pki} ms, swtpm + AIK + logs ${summary.ms.swtpmAikLogs} ms, IKE_SA_INIT → CHILD_SA ${summary.ms.connect} ms, → DELETE ${summary.ms.connectToDelete} ms`);
}
await stopSwtpm(machine.swtpm);
cleanup();
process.exitCode = session.exitCode;
