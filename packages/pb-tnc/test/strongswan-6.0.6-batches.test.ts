/** Every PB-TNC batch of two real strongSwan 6.0.6 runs decodes, names every message, and re-encodes byte-exact. */
import { toHex } from '@tncjs/common';
import { strongSwanRuns } from '../../../test-support/vectors.js';
import { decodeBatch, encodeBatch, batchTypeName, createMessageRegistry, PbPa, PbLanguagePreference, PbAssessmentResult, PbAccessRecommendation } from '../src/index.js';

const registry = createMessageRegistry();
const runs = strongSwanRuns();

describe.each(Object.keys(runs))('%s', (run) => {
  test.each(runs[run].map((b, i) => [i, b.direction, b.type, b.bytes, b] as const))('batch %i (%s %s, %i bytes)', (_i, direction, type, size, b) => {
    expect(b.data.byteLength).toBe(size);
    // a client receives 'in' batches (from the server), a server 'out' batches
    const batch = decodeBatch(b.data, { registry, expectFromServer: direction === 'in' });
    expect(batchTypeName(batch.type)).toBe(type);
    expect(batch.fromServer).toBe(direction === 'in');
    for (const m of batch.messages) expect(m.type).toBeDefined();
    expect(toHex(encodeBatch(batch))).toBe(b.hex);
  });
});

test('the first CDATA of the OS-only run carries Language-Preference then one PB-PA for IETF/Operating System', () => {
  const b = decodeBatch(runs['os-only-6.0.6.json'][0].data, { registry });
  expect(b.messages.map((m) => registry.nameOf(m.vendorId, m.typeId))).toEqual(['IETF/PB-Language-Preference', 'IETF/PB-PA']);
  const [lang, pa] = b.messages;
  expect(PbLanguagePreference.is(lang) && lang.value.languagePreference).toBe('Accept-Language: en');
  expect(PbPa.is(pa)).toBe(true);
  if (!PbPa.is(pa)) return;
  expect(pa.noskip).toBe(true);
  expect(pa.value).toMatchObject({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, flags: { excl: false } });
  expect(pa.value.body.byteLength).toBe(266 - 8 - 31 - 24);
});

test('the RESULT batch of the attestation run says compliant / Access Allowed', () => {
  const run = runs['pts-attestation-6.0.6.json'];
  const result = run.find((b) => b.type === 'RESULT')!;
  const b = decodeBatch(result.data, { registry, expectFromServer: true });
  const ar = b.messages.find((m) => PbAssessmentResult.is(m));
  const rec = b.messages.find((m) => PbAccessRecommendation.is(m));
  expect(ar && PbAssessmentResult.type === ar.typeId && (ar.value as { result: number }).result).toBe(0);
  expect(rec && (rec.value as { recommendation: number }).recommendation).toBe(1);
  expect(PbAssessmentResult.body.toJSON((ar!.value as { result: number }) as never)).toEqual({ result: 'compliant' });
  expect(PbAccessRecommendation.body.toJSON(rec!.value as never)).toEqual({ recommendation: 'Access Allowed' });
});
