#!/usr/bin/env node
// carol for the gateway's network-namespace tier (run inside tnc-e2e-carol by netns-e2e.interop.ts, from dist):
// boots the seed machine (private swtpm on the namespace's loopback, AIK, 23 BIOS + 1,287 IMA entries), connects
// with connectTnc() to the gateway, pings 10.1.0.1 through the userspace ESP tunnel, sends DELETE, and prints its
// log lines followed by one JSON line {"summary": …}. Exit code: the session's (0 allowed, 3 isolated, 4 denied), 1 error.
// Usage: node carol.mjs --gateway 192.168.0.1 --ca ca.pem [--publish DIR] [--tampered]
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@tncjs/common';
import { icmpEchoRequest, parseIcmpEcho } from '@tncjs/ikev2';
import { connectTnc } from '@tncjs/client';
import { bootSeedMachine, stopSwtpm } from '../../../../examples/seed-machine.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const gateway = arg('--gateway') ?? '192.168.0.1';
const ca = arg('--ca');
// a fresh machine (swtpm state) per run; its tnc_config is also copied to --publish DIR, where moon's IMV asks for it
const publish = arg('--publish');
const work = mkdtempSync(join(tmpdir(), 'tncjs-e2e-carol-'));
let machine;
let code = 1;
try {
  machine = await bootSeedMachine(work, { tampered: process.argv.includes('--tampered') });
  if (publish) copyFileSync(machine.tncConfig, join(publish, 'tnc_config'));
  const t0 = Date.now();
  const s = await connectTnc({
    gateway: { address: gateway, identity: 'moon.strongswan.org' },
    identity: 'carol@strongswan.org',
    password: 'Ar3etTnp',
    trust: [readFileSync(ca, 'utf8')],
    revocation: 'off',
    tpm: machine.tpm,
    biosLog: machine.biosLog,
    imaLog: machine.imaLog,
    os: { sources: machine.osSources },
    logger: new Logger({ defaultLevel: 1, timestamps: true }),
  });
  let ping;
  if (s.child) {
    const tunnel = s.openEspTunnel();
    const back = new Promise((r) => tunnel.onPacket(r));
    tunnel.send(icmpEchoRequest(s.child.tsi[0].split('/')[0], '10.1.0.1', 9, 1, new TextEncoder().encode('netns')));
    const p = await Promise.race([back, new Promise((r) => setTimeout(() => r(undefined), 5000))]);
    ping = p && parseIcmpEcho(p);
  }
  const connectMs = Date.now() - t0;
  const closed = await s.close();
  process.stdout.write(JSON.stringify({ summary: { ...s.status(), ping: ping ? { src: ping.src, dst: ping.dst, type: ping.type, checksumOk: ping.checksumOk } : null, closed, connectMs, totalMs: Date.now() - t0 } }) + '\n');
  code = s.exitCode;
} catch (e) {
  process.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, cause: e.cause?.message } }) + '\n');
} finally {
  await machine?.tpm.close().catch(() => {});
  await stopSwtpm(machine?.swtpm);
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = code;
