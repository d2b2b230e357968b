#!/usr/bin/env node
// PTS evidence benchmark: encoding N Simple Component Evidence attributes into PA-TNC messages of the seed's 32,722
// bytes (the collector's output path), decoding them back, and the verifier's replay — for the seed's 1,310 entries
// and for 50,000. Prints numbers, no assertions. Run after `npm run build`: node bench/pts.mjs
import { createHash } from 'node:crypto';
import { PaTncMessageBuilder, decodePaTncMessage, createAttributeRegistry } from '@tncjs/pa-tnc';
import { SimpleComponentEvidence, registerPtsAttributes, EvidenceVerifier, LINUX_IMA_RUNTIME, LINUX_IMA_BIOS, imaNgTemplateHash } from '@tncjs/pts';

const registry = registerPtsAttributes(createAttributeRegistry());
const sha1 = (s) => new Uint8Array(createHash('sha1').update(s).digest());

function evidence(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const bios = i < 23;
    const name = bios ? '' : i === 23 ? 'boot_aggregate' : `/usr/lib/x86_64-linux-gnu/libexample${i}.so.1`;
    out.push(
      SimpleComponentEvidence.create({
        validation: bios ? 0 : 0x60,
        depth: 0,
        component: bios ? LINUX_IMA_BIOS : LINUX_IMA_RUNTIME,
        measurementType: 0x80,
        extendedPcr: bios ? i % 8 : 10,
        hashAlgorithm: 0x8000,
        transform: 1,
        measurementTime: '2014-12-15T11:45:11Z',
        ...(bios ? {} : { policyUri: `sha1:${name}` }),
        measurement: bios ? sha1(`bios ${i}`) : imaNgTemplateHash('sha1', 'sha1:', sha1(name), name),
      }),
    );
  }
  return out;
}

function time(fn, minMs = 1500) {
  let runs = 0;
  const start = process.hrtime.bigint();
  let result;
  do {
    result = fn();
    runs++;
  } while (Number(process.hrtime.bigint() - start) / 1e6 < minMs);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6 / runs, result };
}

console.log(`PTS evidence (Node ${process.version}), PA-TNC messages of at most 32,722 bytes`);
console.log('entries  messages     bytes   encode ms   decode ms   replay ms   encode entries/s');
for (const n of [1310, 50000]) {
  const attrs = evidence(n);
  const enc = time(() => {
    const b = new PaTncMessageBuilder({ maxMessageSize: 32722, nextIdentifier: () => 1 });
    for (const a of attrs) b.add(a);
    return b.finish();
  });
  const msgs = enc.result;
  const bytes = msgs.reduce((s, m) => s + m.byteLength, 0);
  const dec = time(() => msgs.flatMap((m) => decodePaTncMessage(m, { registry }).attributes));
  const values = dec.result.map((a) => a.value);
  const rep = time(() => {
    const v = new EvidenceVerifier({ algorithm: 0x8000, locality: 0 });
    for (const e of values) v.add(e);
    return v;
  });
  console.log(
    `${String(n).padStart(7)} ${String(msgs.length).padStart(9)} ${String(bytes).padStart(9)} ${enc.ms.toFixed(1).padStart(11)} ${dec.ms.toFixed(1).padStart(11)} ${rep.ms.toFixed(1).padStart(11)} ${Math.round((n / enc.ms) * 1000).toLocaleString('en').padStart(18)}`,
  );
}
