/**
 * RFC 5792 fuzz tier: random bytes, random well-framed attributes, mutated PA-TNC messages taken from the PB-PA
 * messages of strongSwan 6.0.6 batches, and randomly re-split attribute streams. Property: decoding returns a message
 * whose re-encoding is the input (up to reserved bits: same length, and re-encoding is idempotent), or throws
 * PaTncDecodeError with a PA-TNC error code, an offset inside the input and the message header. Anything else fails.
 */
import fc from 'fast-check';
import { encodeWith, equalBytes } from '@tncjs/common';
import { createMessageRegistry, decodeBatch, PbPa } from '@tncjs/pb-tnc';
import { createAttributeRegistry, decodePaTncMessage, encodePaTncMessage, PaTncDecodeError, type DecodeOptions } from '@tncjs/pa-tnc';
import { applyMutations, fuzz, fuzzTimeout, loadStrongswanBatches, mutatedFrom, mutationArb, resplit, tlvLengthOffsets, tlvSpans } from '../../../test-support/fuzz.js';
import { arbitraryForType } from '../../../test-support/arbitraries.js';

const BUDGET_MS = 2200;
const registry = createAttributeRegistry();
const PA_TNC_ERROR_CODES = new Set([1, 2, 3]);

/** PA-TNC messages: the bodies of the PB-PA messages in the strongSwan batches. */
const messages = (await loadStrongswanBatches()).flatMap((v) =>
  decodeBatch(v.bytes, { registry: createMessageRegistry() })
    .messages.filter(PbPa.is)
    .map((m) => m.value.body),
);

function expectPaError(e: unknown, input: Uint8Array): void {
  if (!(e instanceof PaTncDecodeError)) throw e;
  const ok =
    e.code === 'ERR_PA_TNC' &&
    PA_TNC_ERROR_CODES.has(e.errorCode) &&
    Number.isInteger(e.offset) &&
    e.offset >= 0 &&
    e.offset <= input.byteLength &&
    equalBytes(e.header, input.subarray(0, 8));
  if (!ok) throw new Error(`bad PaTncDecodeError (code ${e.code}, errorCode ${e.errorCode}, offset ${e.offset} of ${input.byteLength}): ${e.message}`);
}

const OPTIONS: Omit<DecodeOptions, 'registry'>[] = [{}, { keepUnknownNoskip: true }];

function checkMessage(input: Uint8Array): void {
  for (const o of OPTIONS) {
    let m;
    try {
      m = decodePaTncMessage(input, { registry, ...o });
    } catch (e) {
      expectPaError(e, input);
      continue;
    }
    const again = encodePaTncMessage(m);
    if (!equalBytes(again, input)) {
      // only reserved bits may differ
      if (again.byteLength !== input.byteLength) throw new Error(`PA-TNC message of ${input.byteLength} bytes re-encodes to ${again.byteLength} bytes`);
      if (!equalBytes(encodePaTncMessage(decodePaTncMessage(again, { registry, ...o })), again)) throw new Error('PA-TNC re-encoding is not idempotent');
    }
  }
}

const header = (id = 0x01020304) => Uint8Array.of(1, 0, 0, 0, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
const withHeader = (body: Uint8Array, id?: number) => {
  const out = new Uint8Array(8 + body.byteLength);
  out.set(header(id));
  out.set(body, 8);
  return out;
};

test('the corpus: every PA-TNC message strongSwan sent decodes (unknown NOSKIP kept raw) and re-encodes byte-exact', () => {
  expect(messages.length).toBeGreaterThanOrEqual(10);
  for (const b of messages) {
    checkMessage(b);
    expect(equalBytes(encodePaTncMessage(decodePaTncMessage(b, { registry, keepUnknownNoskip: true })), b)).toBe(true);
  }
});

test(
  'random bytes (raw, and after a version-1 header)',
  () => {
    fuzz('pa-tnc random bytes', fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => withHeader(b))), checkMessage, BUDGET_MS);
  },
  fuzzTimeout(BUDGET_MS),
);

test(
  'well-framed attributes of every registered type: random values, and valid values with a few edits',
  () => {
    const types = registry.all();
    const valid = fc.oneof(...types.map((t) => arbitraryForType(t).map((v) => ({ which: [t.vendorId, t.type] as const, value: encodeWith(t.body, v) }))));
    const edited = fc.tuple(valid, fc.array(mutationArb, { maxLength: 2 })).map(([m, ms]) => ({ ...m, value: applyMutations(m.value, ms, () => [], [m.value]) }));
    const randomValue = fc.record(
      {
        which: fc.oneof(fc.constantFrom(...types.map((t) => [t.vendorId, t.type] as const)), fc.tuple(fc.constantFrom(0, 0x005597, 0x00902a), fc.integer({ min: 0, max: 0x30 }))),
        value: fc.uint8Array({ maxLength: 48 }),
      },
      { noNullPrototype: true },
    );
    const attribute = fc.tuple(fc.oneof(fc.constantFrom(0, 0x80), fc.integer({ min: 0, max: 255 })), fc.oneof(randomValue, edited)).map(([flags, m]) => {
      const out = new Uint8Array(12 + m.value.byteLength);
      const v = new DataView(out.buffer);
      v.setUint32(0, ((flags << 24) | m.which[0]) >>> 0);
      v.setUint32(4, m.which[1]);
      v.setUint32(8, out.byteLength);
      out.set(m.value, 12);
      return out;
    });
    const message = fc.tuple(fc.array(attribute, { maxLength: 5 }), fc.nat()).map(([as, id]) => encodePaTncMessage({ identifier: id, attributes: as }));
    fuzz('pa-tnc random framed attributes', message, checkMessage, BUDGET_MS);
  },
  fuzzTimeout(BUDGET_MS),
);

test(
  'mutated strongSwan PA-TNC messages: bit flips, truncation, length-field corruption, insertion, deletion, splicing',
  () => {
    fuzz('pa-tnc mutated vectors', mutatedFrom(messages, (b) => tlvLengthOffsets(b, 8)), checkMessage, BUDGET_MS);
  },
  fuzzTimeout(BUDGET_MS),
);

test(
  'strongSwan attribute streams re-split at random boundaries into new messages',
  () => {
    const attributes = messages.flatMap((b) => tlvSpans(b, 8).map((s) => b.subarray(s.at, s.at + s.len)));
    expect(attributes.length).toBeGreaterThan(100);
    fuzz('pa-tnc re-split', resplit(attributes, (piece, i) => withHeader(piece, i)), (ms) => ms.forEach(checkMessage), BUDGET_MS, 50);
  },
  fuzzTimeout(BUDGET_MS),
);
