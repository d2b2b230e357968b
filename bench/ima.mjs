#!/usr/bin/env node
// IMA measurement-list benchmark (issue 4, TCG PTS attestation): parse + PCR 10 replay of synthetic ima-ng lists of
// 1,287 entries (the seed's size) and 100,000 entries, in entries/s and MB/s, side by side with plain SHA-1 hashing
// of the same bytes by node:crypto (one pass over the whole list, and one hash per entry's template data, which is the
// floor for template-digest checking). Prints the ratios; no assertions.
//
// Run after `npm run build`: node bench/ima.mjs [seconds per measurement, default 2]
// It imports the BUILT package (packages/pts/dist). Until src/index.ts re-exports the IMA API
// (`export * from './ima/index.js'`), it bundles packages/pts/src/ima/index.ts with esbuild (tsup's own dependency)
// and says so.
import * as crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const seconds = Number(process.argv[2] ?? 2);
const root = fileURLToPath(new URL('..', import.meta.url));

async function loadPts() {
  try {
    const dist = await import(pathToFileURL(join(root, 'packages/pts/dist/index.js')).href);
    if (dist.ImaLogParser && dist.encodeImaLog) return { pts: dist, from: 'packages/pts/dist/index.js (built package)' };
  } catch {
    // not built yet
  }
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'tncjs-bench-'));
  const outfile = join(dir, 'ima.mjs');
  await build({
    entryPoints: [join(root, 'packages/pts/src/ima/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    conditions: ['@tncjs/source'],
    logLevel: 'error',
  });
  const mod = await import(pathToFileURL(outfile).href);
  rmSync(dir, { recursive: true, force: true });
  return { pts: mod, from: 'packages/pts/src/ima (bundled with esbuild: dist does not export the IMA API yet)' };
}

const { pts, from } = await loadPts();
const { encodeImaLog, dngField, nngField, ImaLogParser, ImaReplayer, verifyTemplateDigest } = pts;
// A logger that drops everything (the parsers only call log(); the synthetic lists produce no warnings anyway).
const silent = { log() {}, enabled: () => false };

function synthesize(n) {
  const entries = [];
  const fileDigest = new Uint8Array(32);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 32; k++) fileDigest[k] = (i * 31 + k * 7) & 0xff;
    const name = i === 0 ? 'boot_aggregate' : `/usr/lib/x86_64-linux-gnu/libexample-${i % 977}.so.${i}`;
    entries.push({ templateName: 'ima-ng', fields: [dngField('sha256', fileDigest.slice()), nngField(name)] });
  }
  return encodeImaLog(entries, { templateHashAlgorithm: 'sha1' });
}

function measure(fn) {
  for (let i = 0; i < 3; i++) fn(); // warm up
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    fn();
    ops++;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / 1e9 / ops; // seconds per op
}

function parseReplay(bytes) {
  const p = new ImaLogParser({ logger: silent });
  let r;
  for (const e of p.feed(bytes)) {
    if (!r) r = new ImaReplayer(p.algorithm);
    r.add(e);
  }
  p.end();
  return r.values();
}

function parseVerifyReplay(bytes) {
  const p = new ImaLogParser({ logger: silent });
  let r;
  let bad = 0;
  for (const e of p.feed(bytes)) {
    if (!r) r = new ImaReplayer(p.algorithm);
    if (verifyTemplateDigest(e, p.algorithm) === 'mismatch') bad++;
    r.add(e);
  }
  p.end();
  return bad;
}

function sha1Whole(bytes) {
  return crypto.createHash('sha1').update(bytes).digest();
}

// crypto.hash() (Node 20.12+) is the fastest node:crypto call for many small inputs (with a string result: asking it
// for a Buffer is about three times slower on Node 20)
const sha1Small = crypto.hash ? (b) => crypto.hash('sha1', b, 'latin1') : (b) => crypto.createHash('sha1').update(b).digest();

/** One SHA-1 per entry over its template data (the offsets found once, outside the timing). */
function entrySpans(bytes) {
  const spans = [];
  const p = new ImaLogParser({ logger: silent });
  for (const e of p.feed(bytes)) spans.push(e.templateData);
  return spans;
}

const fmt = (n, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

console.log(`IMA list benchmark: ${seconds}s per measurement, node ${process.version}`);
console.log(`code: ${from}`);
for (const n of [1287, 100_000]) {
  const bytes = synthesize(n);
  const mb = bytes.length / 1e6;
  const spans = entrySpans(bytes);
  const tFrame = measure(() => {
    const p = new ImaLogParser({ logger: silent });
    for (const _ of p.feed(bytes));
    p.end();
  });
  const tParse = measure(() => parseReplay(bytes));
  const tVerify = measure(() => parseVerifyReplay(bytes));
  const tSha1 = measure(() => sha1Whole(bytes));
  const tSha1Entries = measure(() => {
    for (const s of spans) sha1Small(s);
  });
  console.log(`\n${fmt(n, 0)} ima-ng entries, ${fmt(mb, 2)} MB (template digests sha1, replay of PCR 10 in sha1)`);
  const row = (label, t) => console.log(`  ${label.padEnd(44)} ${fmt(n / t, 0).padStart(12)} entries/s ${fmt(mb / t).padStart(9)} MB/s`);
  row('parse (frame entries)', tFrame);
  row('parse + replay', tParse);
  row('parse + template-digest check + replay', tVerify);
  row('node:crypto SHA-1 of the whole list', tSha1);
  row('node:crypto SHA-1 of each entry\'s template data', tSha1Entries);
  console.log(`  ratio parse+replay / SHA-1 whole list: ${fmt(tParse / tSha1, 2)}x the time`);
  console.log(`  ratio parse+check+replay / SHA-1 per entry: ${fmt(tVerify / tSha1Entries, 2)}x the time`);
}
