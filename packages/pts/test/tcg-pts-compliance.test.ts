/**
 * Every TCG PTS attribute runs the shared vendor-TLV compliance suite (round trip byte-exact alone and inside a
 * PA-TNC message, truncation, oversize length, unknown type with and without NOSKIP), with value generators for the
 * hand-written codecs.
 */
import fc from 'fast-check';
import { createAttributeRegistry } from '@tncjs/pa-tnc';
import { runVendorTlvCompliance } from '../../../test-support/compliance.js';
import { paTncLayer } from '../../../test-support/pa-tnc-layer.js';
import { arbitraryForType, bytesArb, utf8String, u8Arb, u16Arb, u24Arb, type CustomArbitraries } from '../../../test-support/arbitraries.js';
import { PTS_ATTRIBUTES, registerPtsAttributes, RequestFunctionalComponentEvidence } from '../src/index.js';

const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const time = fc.oneof(
  fc.constant('0000-00-00T00:00:00Z'),
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
);
const name = fc.record({ vendorId: u24Arb, qualifier: fc.integer({ min: 0, max: 0x3f }), name: fc.integer({ min: 0, max: 0xffffffff }) }, { noNullPrototype: true });
const hashSet = fc.record({ sha1: fc.boolean(), sha256: fc.boolean(), sha384: fc.boolean(), sha512: fc.boolean() }, { noNullPrototype: true });

const sce = fc
  .record(
    {
      validation: fc.constantFrom(0x00, 0x20, 0x40, 0x60),
      depth: u24Arb,
      component: name,
      extendedPcr: u24Arb,
      hashAlgorithm: u16Arb,
      transform: u8Arb,
      measurementTime: time,
      policyUri: utf8String(0, 40).filter((s) => !s.includes('\0')),
      pcrLength: fc.option(fc.integer({ min: 0, max: 48 }), { nil: undefined }),
      pcrSeed: bytesArb(96, 96),
      measurement: bytesArb(0, 64),
      otherFlags: fc.integer({ min: 0, max: 0x1f }),
    },
    { noNullPrototype: true },
  )
  .map((r) => {
    const v: Record<string, unknown> = {
      validation: r.validation,
      depth: r.depth,
      component: r.component,
      measurementType: 0x80,
      extendedPcr: r.extendedPcr,
      hashAlgorithm: r.hashAlgorithm,
      transform: r.transform,
      measurementTime: r.measurementTime,
      measurement: r.measurement,
    };
    if (r.validation === 0x40 || r.validation === 0x60) v.policyUri = r.policyUri;
    if (r.pcrLength !== undefined) {
      v.pcrBefore = r.pcrSeed.slice(0, r.pcrLength);
      v.pcrAfter = r.pcrSeed.slice(48, 48 + r.pcrLength);
    }
    if (r.otherFlags) v.otherFlags = r.otherFlags;
    return v;
  });

const sef = fc
  .record(
    {
      mode: fc.constantFrom(0x00, 0x40, 0x80, 0xc0, 0x10),
      sig: fc.boolean(),
      low: fc.integer({ min: 0, max: 0x0f }),
      compositeAlgorithm: u16Arb,
      parts: fc.array(bytesArb(0, 40), { minLength: 7, maxLength: 7 }),
    },
    { noNullPrototype: true },
  )
  .map((r) => {
    const v: Record<string, unknown> = { flags: r.mode | (r.sig ? 0x20 : 0) | r.low, compositeAlgorithm: r.compositeAlgorithm };
    if (r.mode !== 0) {
      v.pcrComposite = r.parts[0];
      if (r.mode === 0x10) {
        v.qualifiedSigner = r.parts[1];
        v.clockInfo = r.parts[2];
        v.firmwareVersion = r.parts[3];
        v.pcrSelect = r.parts[4];
      }
      v.quoteSignature = r.parts[5];
    }
    if (r.sig) v.evidenceSignature = r.parts[6];
    return v;
  });

const customs: CustomArbitraries = {
  DhNonceParametersResponse: fc.record({ group: u16Arb, hashAlgorithms: hashSet, nonce: bytesArb(0, 40), publicValue: bytesArb(0, 96) }, { noNullPrototype: true }),
  DhNonceFinish: fc.record({ hashAlgorithm: u16Arb, publicValue: bytesArb(0, 96), nonce: bytesArb(0, 40) }, { noNullPrototype: true }),
  SimpleComponentEvidence: sce,
  SimpleEvidenceFinal: sef,
  UnixFileMetadata: fc.record(
    {
      files: fc.array(
        fc.record({ type: u8Arb, size: u64, created: u64, modified: u64, accessed: u64, owner: u64, group: u64, filename: utf8String(0, 40) }, { noNullPrototype: true }),
        { maxLength: 4 },
      ),
    },
    { noNullPrototype: true },
  ),
  FileMeasurement: fc
    .record({ requestId: u16Arb, m: fc.integer({ min: 0, max: 64 }), files: fc.array(fc.tuple(bytesArb(64, 64), utf8String(0, 40)), { maxLength: 4 }) }, { noNullPrototype: true })
    .map((r) => ({ requestId: r.requestId, files: r.files.map(([d, filename]) => ({ measurement: d.slice(0, r.m), filename })) })),
};

const entry = fc.record(
  { flags: fc.record({ ttc: fc.boolean(), verify: fc.boolean(), current: fc.boolean(), pcr: fc.boolean() }, { noNullPrototype: true }), depth: u24Arb, component: name },
  { noNullPrototype: true },
);

const layer = {
  ...paTncLayer,
  registry: () => registerPtsAttributes(createAttributeRegistry()),
  arbitrary: (def: (typeof PTS_ATTRIBUTES)[number]) =>
    def === RequestFunctionalComponentEvidence ? fc.record({ components: fc.array(entry, { minLength: 1, maxLength: 5 }) }, { noNullPrototype: true }) : arbitraryForType(def, customs),
};

test('every PTS attribute is registered under its strongSwan name', () => {
  const r = registerPtsAttributes(createAttributeRegistry());
  for (const t of PTS_ATTRIBUTES) {
    expect(r.get(t.vendorId, t.type)).toBe(t);
    expect(t.name).toMatch(/^TCG\/[A-Z]/);
  }
  expect(PTS_ATTRIBUTES).toHaveLength(19);
});

runVendorTlvCompliance('TCG PTS attributes', PTS_ATTRIBUTES, layer);
