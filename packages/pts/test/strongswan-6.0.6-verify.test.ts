/**
 * Our verifier, fed only the real strongSwan 6.0.6 attestation batches, replays the 24 BIOS + 752 IMA evidence entries
 * and verifies the TPM 2.0 quote with the AIK carried in them (SHA-1 bank PCR 0–10, SHA-256 PCR digest,
 * RSASSA-SHA256, extraData = the DH secret assessment value). Every tampered variant fails, naming the entry where a
 * reference store knows it.
 */
import { fromHex, toHex, Logger } from '@tncjs/common';
import { decodeBatch, createMessageRegistry, PbPa } from '@tncjs/pb-tnc';
import { createAttributeRegistry, decodePaTncMessage, type PaTncAttribute } from '@tncjs/pa-tnc';
import { strongSwanRuns } from '../../../test-support/vectors.js';
import {
  registerPtsAttributes,
  SimpleComponentEvidence,
  SimpleEvidenceFinal,
  AttestationIdentityKey,
  TpmVersionInformation,
  versionInfoLocality,
  EvidenceVerifier,
  MemoryReferenceStore,
  secretAssessmentValue,
  MeasAlgo,
  type SimpleComponentEvidenceValue,
  type SimpleEvidenceFinalValue,
} from '../src/index.js';

const registry = registerPtsAttributes(createAttributeRegistry());
const pb = createMessageRegistry();
const attrs: PaTncAttribute<any>[] = strongSwanRuns()['pts-attestation-6.0.6.json'].flatMap((b) =>
  decodeBatch(b.data, { registry: pb })
    .messages.filter((m) => PbPa.is(m))
    .flatMap((m) => decodePaTncMessage((m.value as { body: Uint8Array }).body, { registry }).attributes),
);
const evidence = attrs.filter((a) => SimpleComponentEvidence.is(a)).map((a) => a.value as SimpleComponentEvidenceValue);
const sef = attrs.find((a) => SimpleEvidenceFinal.is(a))!.value as SimpleEvidenceFinalValue;
const aik = (attrs.find((a) => AttestationIdentityKey.is(a))!.value as { aik: Uint8Array }).aik;
const versionInfo = (attrs.find((a) => TpmVersionInformation.is(a))!.value as { versionInfo: Uint8Array }).versionInfo;
// the secret the IMV derived (test-vectors/strongswan/README.md); checked against the DH values in tcg-pts-dh-nonce.test.ts
const secret = secretAssessmentValue(
  MeasAlgo.SHA1,
  fromHex('d17790afbf8b821ed311216272117444329235a7'),
  fromHex('aa7a104550270edc804fe7686d01a86a3de53eaa'),
  fromHex('8018bd0edd9d6a4d648d4f0f4859016d23b3060c5e52821ccc1a9dd7ae33ad6f'),
);
const locality = versionInfoLocality(versionInfo);

function verify(entries: SimpleComponentEvidenceValue[], opts: { secret?: Uint8Array; store?: MemoryReferenceStore; register?: boolean; lines?: string[] } = {}) {
  const logger = opts.lines ? new Logger({ defaultLevel: 1, sink: (l) => opts.lines!.push(l) }) : undefined;
  const v = new EvidenceVerifier({ algorithm: MeasAlgo.SHA1, locality, deviceId: '9e0da5012ec179fcb271467b85e0be68fd702d3b', store: opts.store, register: opts.register, logger });
  for (const e of entries) v.add(e);
  return v.finish(sef, opts.secret ?? secret, aik);
}

function tampered(index: number): SimpleComponentEvidenceValue[] {
  return evidence.map((e, i) => {
    if (i !== index) return e;
    const m = new Uint8Array(e.measurement);
    m[5] ^= 0x01;
    return { ...e, measurement: m };
  });
}

test('the real evidence replays, the boot aggregate is correct, the quote verifies', () => {
  expect(evidence).toHaveLength(24 + 752);
  expect(locality).toBe(3);
  const lines: string[] = [];
  const r = verify(evidence, { lines });
  expect(r).toMatchObject({ bootAggregate: 'correct', pcrDigest: true, signature: true, compliant: true, findings: [] });
  expect(r.bios.count).toBe(24);
  expect(r.ima.count).toBe(751); // plus boot_aggregate
  expect(Object.keys(r.pcrs).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(lines).toContain('00[PTS] boot aggregate computed over PCR0..PCR7 is correct');
  expect(lines).toContain('00[PTS] processed 751 IMA file evidence measurements: 0 ok, 751 unknown, 0 differ, 0 failed');
});

test('a wrong nonce (secret assessment value) fails the signature', () => {
  const r = verify(evidence, { secret: new Uint8Array(20) });
  expect(r).toMatchObject({ pcrDigest: true, signature: false, compliant: false });
});

test.each([
  ['a BIOS measurement changed', () => tampered(3)],
  ['an IMA measurement changed', () => tampered(400)],
  ['an IMA entry dropped', () => evidence.filter((_, i) => i !== 500)],
  ['two IMA entries swapped', () => evidence.map((e, i) => (i === 300 ? evidence[301] : i === 301 ? evidence[300] : e))],
])('%s: the quote no longer matches', (_name, make) => {
  const r = verify(make());
  expect(r.compliant).toBe(false);
  expect(r.pcrDigest).toBe(false);
});

test('first contact with tampered evidence registers nothing: the quote does not vouch for it, and the good device after it is compliant', () => {
  const store = new MemoryReferenceStore();
  const bad = verify(tampered(400), { store, register: true });
  expect(bad).toMatchObject({ compliant: false, pcrDigest: false, bios: { registered: 0 } });
  // nothing learned from the tampered run: the good evidence is all unknown (no differ), then learned
  const good = verify(evidence, { store, register: true });
  expect(good).toMatchObject({ compliant: true, bios: { registered: 24 }, ima: { ok: 0, unknown: 751, differ: 0 } });
  expect(verify(evidence, { store })).toMatchObject({ compliant: true, ima: { ok: 751, unknown: 0, differ: 0 } });
  expect(verify(tampered(400), { store }).findings).toHaveLength(1);
});

test('with reference measurements registered from a good run, a tampered entry is named', () => {
  const store = new MemoryReferenceStore();
  const first = verify(evidence, { store, register: true });
  expect(first.compliant).toBe(true);
  expect(first.bios.registered).toBe(24);
  const again = verify(evidence, { store });
  expect(again).toMatchObject({ compliant: true, bios: { ok: 24, differ: 0 }, ima: { ok: 751, unknown: 0, differ: 0 } });

  const ima = verify(tampered(400), { store });
  expect(ima.compliant).toBe(false);
  expect(ima.findings).toHaveLength(1);
  expect(ima.findings[0]).toMatchObject({ index: 400, result: 'differs', name: evidence[400].policyUri!.replace(/^sha1:/, '') });
  expect(ima.findings[0].message).toMatch(/for '\/.+' differs$/);

  const bios = verify(tampered(3), { store });
  expect(bios.findings[0]).toMatchObject({ index: 3, name: 'BIOS event 4', result: 'differs' });
  // a changed BIOS measurement also breaks the boot aggregate
  expect(bios.bootAggregate).toBe('incorrect');
});

test('the boot aggregate is checked against the replayed PCRs 0–7', () => {
  const r = verify(tampered(24));
  expect(r.bootAggregate).toBe('incorrect');
  expect(r.findings[0]).toMatchObject({ index: 24, name: 'boot_aggregate' });
  // a PCR 0 event moved behind the boot aggregate: the final PCRs (and so the quote) are the same, the aggregate is not
  const moved = [...evidence.slice(0, 7), ...evidence.slice(8, 25), evidence[7], ...evidence.slice(25)]; // the last PCR 0 event
  expect(evidence[7].extendedPcr).toBe(0);
  const m = verify(moved);
  expect(m.pcrDigest).toBe(true);
  expect(m.bootAggregate).toBe('incorrect');
  expect(m.compliant).toBe(false);
  expect(toHex(m.pcrs[0] ? fromHex(m.pcrs[0]) : new Uint8Array())).toBe(verify(evidence).pcrs[0]);
});
