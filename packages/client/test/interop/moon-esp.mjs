#!/usr/bin/env node
// Runs inside the carol namespace (strongswan-moon.interop.ts): connectTnc() from the BUILT @tncjs/client against
// moon's "ttls" gateway (no TNC there: outcome 'allowed' without a recommendation), then ICMP echo requests to
// 10.1.0.1 through the session's userspace ESP tunnel (openEspTunnel, UDP-encapsulated), then close() (DELETE).
// Prints its log lines on stderr and one JSON line on stdout. The tnc-client command keeps this tunnel inside its
// process (no TUN device), so the interop tier checks the data path through the library API.
// Usage: node moon-esp.mjs '{"gateway":"192.168.0.1","identity":…,"password":…,"ca":…,"pings":3}'
import { readFileSync } from 'node:fs';
import { Logger } from '@tncjs/common';
import { icmpEchoRequest, parseIcmpEcho } from '@tncjs/ikev2';
import { connectTnc } from '@tncjs/client';

const o = JSON.parse(process.argv[2]);
const out = {};
try {
  const s = await connectTnc({
    name: 'esp',
    gateway: { address: o.gateway, identity: 'moon.strongswan.org' },
    identity: o.identity,
    password: o.password,
    trust: [readFileSync(o.ca, 'utf8')],
    attestation: false,
    kernel: false,
    logger: new Logger({ defaultLevel: 1, sink: (l) => process.stderr.write(l + '\n') }),
  });
  Object.assign(out, { outcome: s.outcome, exitCode: s.exitCode, recommendation: s.recommendation, assessment: s.assessment, child: s.child });
  const tunnel = s.openEspTunnel();
  const replies = [];
  let replied = () => {};
  tunnel.onPacket((p) => {
    const r = parseIcmpEcho(p);
    if (r && r.type === 0) replies.push({ src: r.src, dst: r.dst, seq: r.seq, checksumOk: r.checksumOk, data: Buffer.from(r.data).toString() });
    replied();
  });
  const src = s.child.tsi[0].split('/')[0];
  for (let i = 1; i <= o.pings; i++) {
    // wait for this echo's reply; a lost one is reported (missing from replies), not waited for forever
    let timer;
    const got = new Promise((res) => {
      replied = () => replies.some((r) => r.seq === i) && res();
      timer = setTimeout(res, 3000);
    });
    tunnel.send(icmpEchoRequest(src, '10.1.0.1', 0x7e57, i, new TextEncoder().encode(`tnc-client ping ${i}`)));
    await got;
    clearTimeout(timer);
  }
  out.replies = replies;
  out.outSeq = tunnel.outbound.sequence;
  out.delete = await s.close();
} catch (e) {
  out.error = { code: e.code, message: e.message };
}
process.stdout.write(JSON.stringify(out) + '\n');
