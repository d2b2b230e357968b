/**
 * RFC 5793 fuzz tier: random bytes, random well-framed messages, mutated strongSwan 6.0.6 batches and randomly
 * re-split message streams. Property: decoding returns a batch whose re-encoding is the input (up to reserved bits:
 * same length, and re-encoding is idempotent), or throws PbTncDecodeError with a PB-Error code and an offset inside
 * the input. Any other exception fails. The PA-TNC messages inside decoded PB-PA messages are decoded too.
 */
import fc from 'fast-check';
import { encodeWith, equalBytes } from '@tncjs/common';
import {
  createMessageRegistry,
  decodeBatch,
  encodeBatch,
  PbTncDecodeError,
  PbPa,
  BatchType,
  type BatchDecodeOptions,
} from '@tncjs/pb-tnc';
import { createAttributeRegistry, decodePaTncMessage, encodePaTncMessage, PaTncDecodeError } from '@tncjs/pa-tnc';
import { applyMutations, fuzz, fuzzTimeout, loadStrongswanBatches, mutatedFrom, mutationArb, resplit, tlvLengthOffsets, tlvSpans } from '../../../test-support/fuzz.js';
import { arbitraryForType } from '../../../test-support/arbitraries.js';

const BUDGET_MS = 2200;
const registry = createMessageRegistry();
const attributes = createAttributeRegistry();
const PB_ERROR_CODES = new Set([0, 1, 2, 3, 4]);

const vectors = await loadStrongswanBatches();
const corpus = vectors.map((v) => v.bytes);

/** The typed error, with a PB-Error code and an offset inside the input; anything else is rethrown. */
function expectPbError(e: unknown, input: Uint8Array): void {
  if (!(e instanceof PbTncDecodeError)) throw e;
  if (e.code !== 'ERR_PB_TNC' || !PB_ERROR_CODES.has(e.errorCode) || !(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= input.byteLength)) {
    throw new Error(`bad PbTncDecodeError (code ${e.code}, errorCode ${e.errorCode}, offset ${e.offset} of ${input.byteLength}): ${e.message}`);
  }
}

/** PA-TNC bodies of PB-PA messages: decoded with the PA-TNC layer's own rules. */
function checkPaBody(body: Uint8Array): void {
  for (const keepUnknownNoskip of [false, true]) {
    let m;
    try {
      m = decodePaTncMessage(body, { registry: attributes, keepUnknownNoskip });
    } catch (e) {
      if (!(e instanceof PaTncDecodeError) || e.code !== 'ERR_PA_TNC' || !(e.offset >= 0 && e.offset <= body.byteLength)) throw e;
      continue;
    }
    const again = encodePaTncMessage(m);
    if (!equalBytes(again, body)) {
      if (again.byteLength !== body.byteLength) throw new Error(`PA-TNC message of ${body.byteLength} bytes re-encodes to ${again.byteLength}`);
      if (!equalBytes(encodePaTncMessage(decodePaTncMessage(again, { registry: attributes, keepUnknownNoskip })), again)) throw new Error('PA-TNC re-encoding is not idempotent');
    }
  }
}

const OPTIONS: Omit<BatchDecodeOptions, 'registry'>[] = [{}, { keepUnknownNoskip: true }, { expectFromServer: true }, { expectFromServer: false }];

/** The fuzz property for one input, under every decode option a peer uses. */
function checkBatch(input: Uint8Array): void {
  for (const o of OPTIONS) {
    let batch;
    try {
      batch = decodeBatch(input, { registry, ...o });
    } catch (e) {
      expectPbError(e, input);
      continue;
    }
    const again = encodeBatch(batch);
    if (!equalBytes(again, input)) {
      // only reserved bits may differ (a client also drops RESULT-only messages outside RESULT batches)
      if (o.expectFromServer === undefined && again.byteLength !== input.byteLength) {
        throw new Error(`batch of ${input.byteLength} bytes re-encodes to ${again.byteLength} bytes`);
      }
      if (!equalBytes(encodeBatch(decodeBatch(again, { registry, ...o })), again)) throw new Error('batch re-encoding is not idempotent');
    }
    if (o.keepUnknownNoskip) for (const m of batch.messages) if (PbPa.is(m)) checkPaBody(m.value.body);
  }
}

test('the corpus: every strongSwan batch decodes and re-encodes byte-exact', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(10);
  for (const b of corpus) {
    checkBatch(b);
    expect(equalBytes(encodeBatch(decodeBatch(b, { registry })), b)).toBe(true);
  }
});

test(
  'random bytes (raw, and with a plausible batch header)',
  () => {
    const withHeader = fc.tuple(fc.uint8Array({ minLength: 8, maxLength: 200 }), fc.boolean(), fc.integer({ min: 1, max: 6 })).map(([b, server, type]) => {
      const out = b.slice();
      out[0] = 2;
      out[1] = server ? 0x80 : 0;
      out[3] = type;
      new DataView(out.buffer).setUint32(4, out.byteLength);
      return out;
    });
    fuzz('pb-tnc random bytes', fc.oneof(fc.uint8Array({ maxLength: 200 }), withHeader), checkBatch, BUDGET_MS);
  },
  fuzzTimeout(BUDGET_MS),
);

test(
  'well-framed messages of every registered type: random values, and valid values with a few edits',
  () => {
    const types = registry.all();
    // a value: random bytes, or a valid value of the type (from its arbitrary) with a few edits
    const valid = fc.oneof(...types.map((t) => arbitraryForType(t).map((v) => ({ which: [t.vendorId, t.type] as const, value: encodeWith(t.body, v) }))));
    const edited = fc.tuple(valid, fc.array(mutationArb, { maxLength: 2 })).map(([m, ms]) => ({ ...m, value: applyMutations(m.value, ms, () => [], [m.value]) }));
    const randomValue = fc.record(
      {
        which: fc.oneof(fc.constantFrom(...types.map((t) => [t.vendorId, t.type] as const)), fc.tuple(fc.constantFrom(0, 0x005597, 0x00902a), fc.integer({ min: 0, max: 12 }))),
        value: fc.uint8Array({ maxLength: 48 }),
      },
      { noNullPrototype: true },
    );
    const message = fc.tuple(fc.oneof(fc.constantFrom(0, 0x80), fc.integer({ min: 0, max: 255 })), fc.oneof(randomValue, edited)).map(([flags, m]) => ({ flags, ...m }));
    const batch = fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 6 }), fc.array(message, { maxLength: 5 })).map(([fromServer, type, ms]) =>
      encodeBatch({
        fromServer,
        type: type as BatchType,
        messages: ms.map((m) => {
          const out = new Uint8Array(12 + m.value.byteLength);
          const v = new DataView(out.buffer);
          v.setUint32(0, ((m.flags << 24) | m.which[0]) >>> 0);
          v.setUint32(4, m.which[1]);
          v.setUint32(8, out.byteLength);
          out.set(m.value, 12);
          return out;
        }),
      }),
    );
    fuzz('pb-tnc random framed messages', batch, checkBatch, BUDGET_MS);
  },
  fuzzTimeout(BUDGET_MS),
);

/** Length fields: the batch length, each message length, and the attribute lengths inside PB-PA messages. */
function pbLengthFields(b: Uint8Array): number[] {
  const out = b.byteLength >= 8 ? [4] : [];
  for (const s of tlvSpans(b, 8)) {
    out.push(s.at + 8);
    if (s.vendorId === 0 && s.typeId === 1) out.push(...tlvLengthOffsets(b, s.at + 24 + 8, s.at + s.len));
  }
  return out;
}

test(
  'mutated strongSwan batches: bit flips, truncation, length-field corruption, insertion, deletion, splicing',
  () => {
    fuzz('pb-tnc mutated vectors', mutatedFrom(corpus, pbLengthFields), checkBatch, BUDGET_MS);
  },
  fuzzTimeout(BUDGET_MS),
);

test(
  'strongSwan message streams re-split at random boundaries into new batches',
  () => {
    const messages = corpus.flatMap((b) => tlvSpans(b, 8).map((s) => b.subarray(s.at, s.at + s.len)));
    expect(messages.length).toBeGreaterThan(10);
    const batches = resplit(messages, (piece, i) => encodeBatch({ fromServer: i % 2 === 1, type: ((i % 6) + 1) as BatchType, messages: [piece] }));
    fuzz('pb-tnc re-split', batches, (bs) => bs.forEach(checkBatch), BUDGET_MS, 50);
  },
  fuzzTimeout(BUDGET_MS),
);
