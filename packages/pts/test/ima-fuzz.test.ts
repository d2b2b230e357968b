/**
 * Fuzzing the IMA measurement-list parser (fast-check, under a time budget): real lists with flipped bytes,
 * truncations, absurd length fields (template name, template data, field lengths), random PCR indices, inserted and
 * deleted bytes, and random bytes. Parsing, describing, template-digest checks and replay in every bank either succeed
 * or throw ImaLogError (a DecodeError) with an offset inside the input; streaming with random chunk boundaries reaches
 * the same outcome.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DecodeError, Logger } from '@tncjs/common';
import { ImaLog, ImaLogError, ImaReplayer, describeImaEntry, imaEntryText, iterateImaLog, streamImaLog, verifyTemplateDigest } from '../src/ima/index.js';

const SCALE = Number(process.env.TNCJS_FUZZ_SCALE ?? 1) || 1;
const BUDGET_MS = 3000 * SCALE;
const quiet = { logger: Logger.silent };
const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const vector = (rel: string): Uint8Array => new Uint8Array(readFileSync(new URL(rel, VECTORS)));
const TSS = 'tpm2-software-tpm2-tss/test/data/fapi/eventlog/';

const BASES = [
  vector(`${TSS}sml-ima-ng-sha1.bin`),
  vector(`${TSS}sml-ima-sha1.bin`),
  vector(`${TSS}sml-ima-sig-sha256-invalidated.bin`),
  vector('kgoldman-ibmtss/utils/sha256.log').subarray(0, 1500),
  vector('kgoldman-ibmtss/utils/sha1.log').subarray(0, 1500),
];
const LAYOUT = BASES.map((b) =>
  [...iterateImaLog(b, quiet)].map((e) => ({ offset: e.offset, digest: e.templateDigest.length, name: e.templateName.length, ima: e.templateName === 'ima' })),
);

type Outcome = { ok: true; entries: number } | { ok: false; code: string };

function run(bytes: Uint8Array): Outcome {
  try {
    const log = new ImaLog(bytes, quiet);
    const replayer = log.algorithm ? new ImaReplayer(log.algorithm, { banks: ['sha1', 'sha256', 'sha512'] }) : undefined;
    let n = 0;
    for (const e of log) {
      describeImaEntry(e);
      imaEntryText(e);
      verifyTemplateDigest(e, log.algorithm!);
      replayer!.add(e);
      n++;
    }
    replayer?.values();
    return { ok: true, entries: n };
  } catch (e) {
    if (!(e instanceof ImaLogError) || !(e instanceof DecodeError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
    return { ok: false, code: e.code };
  }
}

const absurd = fc.oneof(fc.constantFrom(0, 1, 255, 256, 0xffffffff, 0x7fffffff, 0x100001), fc.integer({ min: 0, max: 0xffffffff }));

const mutated = fc
  .record({
    base: fc.nat(BASES.length - 1),
    ops: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('field' as const), entry: fc.nat(), which: fc.constantFrom('pcr', 'nameLen', 'dataLen', 'firstField'), value: absurd }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ base, ops }) => {
    let b = BASES[base].slice();
    const layout = LAYOUT[base];
    for (const op of ops) {
      switch (op.kind) {
        case 'flip':
          if (b.length) b[op.at % b.length] ^= op.xor;
          break;
        case 'truncate':
          b = b.slice(0, op.at % (b.length + 1));
          break;
        case 'field': {
          const e = layout[op.entry % layout.length];
          const nameLenAt = e.offset + 4 + e.digest;
          const at = { pcr: e.offset, nameLen: nameLenAt, dataLen: nameLenAt + 4 + e.name, firstField: nameLenAt + 4 + e.name + (e.ima ? 20 : 4) }[op.which];
          if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, op.value >>> 0, true);
          break;
        }
        case 'insert': {
          const at = op.at % (b.length + 1);
          b = new Uint8Array([...b.subarray(0, at), ...op.bytes, ...b.subarray(at)]);
          break;
        }
        case 'delete': {
          const at = op.at % (b.length + 1);
          b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + op.n)]);
          break;
        }
      }
    }
    return b;
  });

function budgeted<T>(arb: fc.Arbitrary<T>, predicate: (x: T) => void): number {
  const details = fc.check(fc.property(arb, predicate), { numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS });
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? 'fuzz property failed');
  return details.numRuns;
}

describe('IMA measurement list fuzzing', () => {
  test(
    'mutated real lists: success or ImaLogError, never another exception',
    () => {
      expect(budgeted(mutated, (b) => void run(b))).toBeGreaterThan(200);
    },
    BUDGET_MS * 3 + 10_000,
  );

  test(
    'random bytes, also after a plausible first entry header',
    () => {
      const head = BASES[0].subarray(0, 34);
      const arb = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }).map((r) => new Uint8Array([...head, ...r])),
        fc.uint8Array({ maxLength: 300 }).map((r) => new Uint8Array([10, 0, 0, 0, ...r])),
      );
      expect(budgeted(arb, (b) => void run(b))).toBeGreaterThan(200);
    },
    BUDGET_MS * 3 + 10_000,
  );

  test(
    'streaming with random chunk boundaries reaches the same outcome',
    async () => {
      const details = await fc.check(
        fc.asyncProperty(fc.tuple(mutated, fc.array(fc.nat(), { maxLength: 12 })), async ([b, cuts]) => {
          const whole = run(b);
          const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const p of points) (chunks.push(b.slice(at, p)), (at = p));
          chunks.push(b.slice(at));
          let streamed: Outcome;
          try {
            let n = 0;
            for await (const _ of streamImaLog(chunks, quiet)) n++;
            streamed = { ok: true, entries: n };
          } catch (e) {
            if (!(e instanceof ImaLogError)) throw e;
            streamed = { ok: false, code: e.code };
          }
          expect(streamed).toEqual(whole);
        }),
        { numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS },
      );
      if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? 'fuzz property failed');
      expect(details.numRuns).toBeGreaterThan(100);
    },
    BUDGET_MS * 3 + 10_000,
  );
});
