/**
 * Fuzzing helpers shared by the PB-TNC and PA-TNC fuzz tiers (STYLE habit 6, undici's approach): a time-budgeted
 * fast-check runner that reports how many inputs it tried, mutators over real wire bytes (bit flips, truncation,
 * length-field corruption, insertion/deletion, splicing) and random re-splitting of element streams.
 */
import { expect } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { fromHex } from '@tncjs/common';

/** Multiply every fuzz budget (e.g. `TNCJS_FUZZ_SCALE=20` for a long local run). */
export const FUZZ_SCALE = Number(process.env.TNCJS_FUZZ_SCALE ?? 1) || 1;

/**
 * Run `predicate` on inputs from `arb` until `ms` (× FUZZ_SCALE) have passed or a million inputs were tried. Fails
 * with fast-check's report (seed, shrunk counterexample) on the first failing input, and when fewer than `minRuns`
 * inputs fitted the budget (a fuzzer that hardly ran proves nothing). With `TNCJS_FUZZ_REPORT=<file>` set, appends
 * `{ name, numRuns, ms }` as a JSON line.
 */
export function fuzz<T>(name: string, arb: fc.Arbitrary<T>, predicate: (input: T) => void, ms: number, minRuns = 200): { numRuns: number; seed: number } {
  const budget = ms * FUZZ_SCALE;
  const started = Date.now();
  const details = fc.check(fc.property(arb, predicate), { numRuns: 1_000_000, plugins: [fc.interruptAfterTimeLimit(budget)] });
  const report = process.env.TNCJS_FUZZ_REPORT;
  if (report) appendFileSync(report, JSON.stringify({ name, numRuns: details.numRuns, ms: Date.now() - started, failed: details.failed }) + '\n');
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${fc.defaultReportMessage(details) ?? `fuzz property ${name} failed`}\nCause: ${cause}`);
  }
  expect(details.numRuns).toBeGreaterThanOrEqual(minRuns);
  return details;
}

/** Jest timeout for a fuzz test of budget `ms`: generous, so the budget (not jest) decides when to stop. */
export const fuzzTimeout = (ms: number): number => ms * FUZZ_SCALE * 3 + 10_000;

/** strongSwan 6.0.6 batches from test-vectors/strongswan/*.json (JSON list of {direction, type, bytes, hex}). */
export interface VectorBatch {
  direction: 'in' | 'out';
  type: string;
  bytes: number | string;
  hex: string;
}

export async function loadStrongswanBatches(): Promise<{ file: string; batch: VectorBatch; bytes: Uint8Array }[]> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = new URL('../test-vectors/strongswan/', import.meta.url);
  const out: { file: string; batch: VectorBatch; bytes: Uint8Array }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    for (const batch of JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as VectorBatch[]) out.push({ file, batch, bytes: fromHex(batch.hex) });
  }
  return out;
}

const u32At = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** Offsets of the length fields of the (flags, vendor, type, length) elements from `start` to `end`, as far as they parse. */
export function tlvLengthOffsets(b: Uint8Array, start: number, end = b.byteLength): number[] {
  const out: number[] = [];
  let at = start;
  while (at + 12 <= end) {
    const len = u32At(b, at + 8);
    out.push(at + 8);
    if (len < 12 || at + len > end) break;
    at += len;
  }
  return out;
}

/** The elements from `start` on, as far as they parse: their offsets and lengths. */
export function tlvSpans(b: Uint8Array, start: number, end = b.byteLength): { at: number; len: number; vendorId: number; typeId: number }[] {
  const out: { at: number; len: number; vendorId: number; typeId: number }[] = [];
  let at = start;
  while (at + 12 <= end) {
    const len = u32At(b, at + 8);
    if (len < 12 || at + len > end) break;
    out.push({ at, len, vendorId: u32At(b, at) & 0xffffff, typeId: u32At(b, at + 4) });
    at += len;
  }
  return out;
}

/** One edit of a byte string; positions are reduced modulo the current length when applied. */
export type Mutation =
  | { m: 'flip'; at: number; bit: number }
  | { m: 'byte'; at: number; v: number }
  | { m: 'truncate'; at: number }
  | { m: 'length'; field: number; v: number | 'inc' | 'dec' | 'zero12' }
  | { m: 'u32'; at: number; v: number }
  | { m: 'insert'; at: number; bytes: Uint8Array }
  | { m: 'delete'; at: number; n: number }
  | { m: 'splice'; at: number; other: number; from: number; n: number };

const interesting32 = fc.constantFrom(0, 1, 7, 8, 11, 12, 13, 16, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff3, 0xfffffff4, 0xfffffffe, 0xffffffff);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ m: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }, { noNullPrototype: true }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('byte' as const), at: fc.nat(), v: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff) }, { noNullPrototype: true }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('truncate' as const), at: fc.nat() }, { noNullPrototype: true }) },
  {
    weight: 4,
    arbitrary: fc.record({ m: fc.constant('length' as const), field: fc.nat(), v: fc.oneof(interesting32, fc.constantFrom('inc' as const, 'dec' as const, 'zero12' as const), fc.nat()) }, { noNullPrototype: true }),
  },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('u32' as const), at: fc.nat(), v: fc.oneof(interesting32, fc.nat()) }, { noNullPrototype: true }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }, { noNullPrototype: true }) },
  { weight: 2, arbitrary: fc.record({ m: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }, { noNullPrototype: true }) },
  { weight: 1, arbitrary: fc.record({ m: fc.constant('splice' as const), at: fc.nat(), other: fc.nat(), from: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }, { noNullPrototype: true }) },
);

function setU32(b: Uint8Array, at: number, v: number): void {
  if (at + 4 > b.byteLength) return;
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0);
}

/**
 * Apply `mutations` to a copy of `input`. `lengthFields` names the offsets of length fields in a byte string (found
 * by walking its structure), so length corruption hits real length fields; `corpus` feeds splices.
 */
export function applyMutations(input: Uint8Array, mutations: readonly Mutation[], lengthFields: (b: Uint8Array) => number[], corpus: readonly Uint8Array[]): Uint8Array {
  let b = input.slice();
  for (const mu of mutations) {
    const n = b.byteLength;
    switch (mu.m) {
      case 'flip':
        if (n) b[mu.at % n] ^= 1 << mu.bit;
        break;
      case 'byte':
        if (n) b[mu.at % n] = mu.v;
        break;
      case 'truncate':
        b = b.slice(0, mu.at % (n + 1));
        break;
      case 'length': {
        const fields = lengthFields(b);
        if (!fields.length) break;
        const at = fields[mu.field % fields.length];
        const old = at + 4 <= n ? new DataView(b.buffer, b.byteOffset).getUint32(at) : 0;
        const v = mu.v === 'inc' ? old + 1 : mu.v === 'dec' ? old - 1 : mu.v === 'zero12' ? 12 : mu.v;
        setU32(b, at, v);
        break;
      }
      case 'u32':
        if (n >= 4) setU32(b, mu.at % (n - 3), mu.v);
        break;
      case 'insert': {
        const at = mu.at % (n + 1);
        const out = new Uint8Array(n + mu.bytes.byteLength);
        out.set(b.subarray(0, at));
        out.set(mu.bytes, at);
        out.set(b.subarray(at), at + mu.bytes.byteLength);
        b = out;
        break;
      }
      case 'delete': {
        if (!n) break;
        const at = mu.at % n;
        const out = new Uint8Array(n - Math.min(mu.n, n - at));
        out.set(b.subarray(0, at));
        out.set(b.subarray(at + mu.n), at);
        b = out;
        break;
      }
      case 'splice': {
        const src = corpus[mu.other % corpus.length];
        if (!src.byteLength) break;
        const from = mu.from % src.byteLength;
        const piece = src.subarray(from, from + mu.n);
        const at = mu.at % (n + 1);
        const out = new Uint8Array(at + piece.byteLength + Math.max(0, n - at - piece.byteLength));
        out.set(b.subarray(0, at));
        out.set(piece, at);
        out.set(b.subarray(at + piece.byteLength), at + piece.byteLength);
        b = out;
        break;
      }
    }
  }
  return b;
}

/** Mutated copies of corpus entries: 1–4 edits each. */
export function mutatedFrom(corpus: readonly Uint8Array[], lengthFields: (b: Uint8Array) => number[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.nat(corpus.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([i, ms]) => applyMutations(corpus[i], ms, lengthFields, corpus));
}

/**
 * Random re-splitting: cut the concatenation of `elements` at random points (half of them on element boundaries, so
 * that some pieces are whole) and give each piece a fresh container header via `wrap`.
 */
export function resplit(elements: readonly Uint8Array[], wrap: (piece: Uint8Array, index: number) => Uint8Array): fc.Arbitrary<Uint8Array[]> {
  const stream = new Uint8Array(elements.reduce((n, e) => n + e.byteLength, 0));
  const boundaries: number[] = [];
  let at = 0;
  for (const e of elements) {
    stream.set(e, at);
    at += e.byteLength;
    boundaries.push(at);
  }
  const cut = fc.oneof(fc.constantFrom(...boundaries), fc.integer({ min: 0, max: stream.byteLength }));
  const start = fc.oneof(fc.constant(0), fc.constantFrom(0, ...boundaries.slice(0, -1)), fc.nat(Math.max(0, stream.byteLength - 1)));
  return fc.tuple(start, fc.uniqueArray(cut, { maxLength: 8 })).map(([start, cuts]) => {
    const points = [...new Set([...cuts.filter((c) => c >= start), stream.byteLength])].sort((a, b) => a - b);
    const pieces: Uint8Array[] = [];
    let from = start;
    for (const p of points) {
      pieces.push(wrap(stream.subarray(from, p), pieces.length));
      from = p;
    }
    return pieces;
  });
}
