#!/usr/bin/env node
// Attestation database benchmark: import of N reference file hashes (SHA-256, as an IMA list carries them) and the
// evidence verifier's lookup — imaMeasurements(name, SHA-1 bank), which derives the ima-ng template hashes — for the
// seed's 1,287 entries and for 50,000, in the SQLite store (file in WAL mode and :memory:) and, for comparison, in
// @tncjs/pts's MemoryReferenceStore (template hashes pre-computed). Prints numbers, no assertions.
// Run after `npm run build`: node bench/attestation-store.mjs
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryReferenceStore, imaNgTemplateHash } from '@tncjs/pts';
import { SqliteAttestationStore } from '@tncjs/imc-sdk';

const sha256 = (s) => new Uint8Array(createHash('sha256').update(s).digest());
const name = (i) => `/usr/lib/x86_64-linux-gnu/lib${i}.so.1`;
const dir = mkdtempSync(join(tmpdir(), 'tncjs-bench-'));

function time(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

/** Lookups per second over ~1 s of random names (hits) or unknown names (misses). */
function rate(store, n, hit) {
  let ops = 0;
  let ok = 0;
  const t0 = process.hrtime.bigint();
  const budget = 1_000_000_000n;
  let x = 12345;
  while (process.hrtime.bigint() - t0 < budget) {
    for (let k = 0; k < 256; k++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const i = x % n;
      const r = store.imaMeasurements(hit ? name(i) : `/nonexistent/${i}`, 0x8000);
      if (r) ok++;
      ops++;
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (hit && ok !== ops) throw new Error('lookup missed a reference');
  return Math.round(ops / s);
}

const fmt = (v) => v.toLocaleString('en-US');
console.log(`attestation store benchmark — node ${process.version}`);
for (const n of [1287, 50000]) {
  const hashes = Array.from({ length: n }, (_, i) => ({ path: name(i), algorithm: 'sha256', digest: sha256(name(i)) }));
  for (const where of ['file', ':memory:']) {
    const path = where === 'file' ? join(dir, `pts-${n}.db`) : ':memory:';
    const store = new SqliteAttestationStore(path);
    const [, importS] = time(() => store.addFileHashes(hashes));
    const hit = rate(store, n, true);
    const miss = rate(store, n, false);
    console.log(`sqlite ${where.padEnd(8)} ${String(n).padStart(6)} refs: import ${fmt(Math.round(n / importS))} hashes/s, lookup hit ${fmt(hit)}/s, miss ${fmt(miss)}/s`);
    store.close();
  }
  const mem = new MemoryReferenceStore();
  for (const h of hashes) mem.registerImaMeasurement(h.path, 0x8000, imaNgTemplateHash('sha1', 'sha256:', h.digest, h.path));
  console.log(`memory (pts)    ${String(n).padStart(6)} refs: lookup hit ${fmt(rate(mem, n, true))}/s, miss ${fmt(rate(mem, n, false))}/s`);
}
rmSync(dir, { recursive: true, force: true });
