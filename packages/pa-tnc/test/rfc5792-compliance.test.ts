/**
 * RFC 5792 compliance of every PA-TNC attribute type tncjs registers (IETF §4.2, ITA-HSR, TCG IF-M segmentation):
 * the shared vendor-TLV suite (round trip, truncation, oversize length, unknown type with/without NOSKIP), then the
 * PA-TNC message rules around it (§4 version, §4.2.8 the PA-TNC Error that answers a decode error).
 */
import fc from 'fast-check';
import { encodeVendorTlv, equalBytes } from '@tncjs/common';
import {
  createAttributeRegistry,
  decodePaTncMessage,
  encodePaTncMessage,
  paTncErrorFor,
  PaTncError,
  PaTncErrorCode,
  IETF_ATTRIBUTES,
  ITA_ATTRIBUTES,
  TCG_SEGMENTATION_ATTRIBUTES,
  ProductInformation,
  StringVersion,
  OperationalStatus,
  ForwardingEnabled,
  FactoryDefaultPasswordEnabled,
  ItaDeviceId,
  type PaTncAttribute,
  type PaTncErrorValue,
} from '@tncjs/pa-tnc';
import { runVendorTlvCompliance, expectTypedError, printable } from '../../../test-support/compliance.js';
import { paTncLayer, TEST_MESSAGE_ID } from '../../../test-support/pa-tnc-layer.js';
import { arbitraryForType } from '../../../test-support/arbitraries.js';

const registry = createAttributeRegistry();
const all = registry.all();

test('the registry holds every IETF, ITA-HSR and TCG segmentation attribute type, under strongSwan names', () => {
  const expected = [...IETF_ATTRIBUTES, ...ITA_ATTRIBUTES, ...TCG_SEGMENTATION_ATTRIBUTES];
  expect(all).toHaveLength(expected.length);
  expect(new Set(all)).toEqual(new Set(expected));
  for (const t of all) expect(t.name).toMatch(/^(IETF|ITA-HSR|TCG)\/[A-Z]/);
  expect(all.map((t) => t.name)).toEqual(expect.arrayContaining(['IETF/Product Information', 'IETF/PA-TNC Error', 'TCG/Attribute Segment Envelope', 'ITA-HSR/Device ID']));
});

runVendorTlvCompliance('RFC 5792 §4.1 PA-TNC attributes', all, paTncLayer);

const anyAttribute: fc.Arbitrary<PaTncAttribute<unknown>> = fc.oneof(
  ...all.map((t) => fc.tuple(arbitraryForType(t), fc.boolean()).map(([v, noskip]) => printable(t.create(v, { noskip }) as PaTncAttribute<unknown>))),
);

describe('RFC 5792 §4 PA-TNC message', () => {
  test('a message mixing every attribute type round-trips byte-exact', () => {
    fc.assert(
      fc.property(fc.array(anyAttribute, { maxLength: 12 }), fc.integer({ min: 0, max: 0xffffffff }), (attributes, identifier) => {
        const bytes = encodePaTncMessage({ identifier, attributes });
        const m = decodePaTncMessage(bytes, { registry });
        expect(m).toStrictEqual({ version: 1, identifier, attributes });
        expect(equalBytes(encodePaTncMessage(m), bytes)).toBe(true);
      }),
    );
  });

  test('a version other than 1 is Version Not Supported at offset 0, carrying the message header', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }).filter((v) => v !== 1), fc.array(anyAttribute, { maxLength: 3 }), (version, attributes) => {
        const bytes = encodePaTncMessage({ identifier: TEST_MESSAGE_ID, attributes, version });
        const e = expectTypedError(paTncLayer, () => decodePaTncMessage(bytes, { registry }), { errorCode: PaTncErrorCode.VERSION_NOT_SUPPORTED, offset: 0 });
        expect((e as unknown as { header: Uint8Array }).header).toEqual(bytes.slice(0, 8));
      }),
    );
  });

  test('a message shorter than its 8-byte header is Invalid Parameter at offset 0', () => {
    for (let n = 0; n < 8; n++) {
      expectTypedError(paTncLayer, () => decodePaTncMessage(new Uint8Array(n).fill(1), { registry }), { errorCode: PaTncErrorCode.INVALID_PARAMETER, offset: 0 });
    }
  });

  test('§4.2.8: the PA-TNC Error answering a decode error names its code, offset and header, and round-trips', () => {
    fc.assert(
      fc.property(fc.array(anyAttribute, { minLength: 1, maxLength: 3 }), fc.nat(), (attributes, pick) => {
        // corrupt the length field of one attribute: Invalid Parameter at that field
        const tlvs = attributes.map((a) => encodeVendorTlv(a));
        const i = pick % tlvs.length;
        const bad = tlvs[i].slice();
        new DataView(bad.buffer).setUint32(8, 0xffffffff);
        tlvs[i] = bad;
        const bytes = encodePaTncMessage({ identifier: TEST_MESSAGE_ID, attributes: tlvs });
        const e = expectTypedError(paTncLayer, () => decodePaTncMessage(bytes, { registry }), { errorCode: PaTncErrorCode.INVALID_PARAMETER });
        const answer = paTncErrorFor(e as never);
        expect(PaTncError.is(answer)).toBe(true);
        const v = answer.value as PaTncErrorValue;
        expect(v).toMatchObject({ errorVendorId: 0, errorCode: PaTncErrorCode.INVALID_PARAMETER, offset: e.offset, messageHeader: bytes.slice(0, 8) });
        const reply = encodePaTncMessage({ identifier: 1, attributes: [answer] });
        expect(decodePaTncMessage(reply, { registry }).attributes).toStrictEqual([answer]);
      }),
    );
  });

  test('§4.2.8: an unknown attribute with NOSKIP is answered with Attribute Type Not Supported naming it', () => {
    const unknown = { vendorId: 0x00902a, typeId: 0x7f000001, noskip: true, value: new Uint8Array([1, 2, 3]) };
    const bytes = encodePaTncMessage({ identifier: TEST_MESSAGE_ID, attributes: [unknown] });
    const e = expectTypedError(paTncLayer, () => decodePaTncMessage(bytes, { registry }), { errorCode: PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED, offset: 8 });
    const answer = paTncErrorFor(e as never);
    expect(answer.value).toMatchObject({ errorCode: 3, attribute: { flags: 0x80, vendorId: 0x00902a, typeId: 0x7f000001 } });
    expect(decodePaTncMessage(encodePaTncMessage({ identifier: 2, attributes: [answer] }), { registry }).attributes).toStrictEqual([answer]);
  });
});

/** Value offset of the only attribute in a message built by `encodePaTncMessage`: message header + attribute header. */
const VALUE_AT = 8 + 12;

describe('RFC 5792 §4.2.8 Invalid Parameter offsets of values the attribute checks refuse', () => {
  const utf8Length = (s: string) => new TextEncoder().encode(s).byteLength;
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '€', '😀'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0')), maxLength: 12 });

  // strongSwan rejects NUL inside these strings; the offset is that of the NUL byte
  const nulCases: [string, (a: string, b: string, c: string) => [PaTncAttribute<unknown>, number]][] = [
    ['IETF/Product Information name', (a, b) => [ProductInformation.create({ productVendorId: 0, productId: 0, productName: `${a}\0${b}` }), 5 + utf8Length(a)]],
    ['IETF/String Version product version', (a, b) => [StringVersion.create({ productVersion: `${a}\0`, internalBuild: b, configurationVersion: '' }), 1 + utf8Length(a)]],
    ['IETF/String Version internal build', (a, b, c) => [StringVersion.create({ productVersion: a, internalBuild: `${b}\0`, configurationVersion: c }), 2 + utf8Length(a) + utf8Length(b)]],
    ['IETF/String Version configuration version', (a, b, c) => [StringVersion.create({ productVersion: a, internalBuild: b, configurationVersion: `${c}\0x` }), 3 + utf8Length(a) + utf8Length(b) + utf8Length(c)]],
    ['ITA-HSR/Device ID', (a, b) => [ItaDeviceId.create({ deviceId: `${a}\0${b}` }), utf8Length(a)]],
  ];
  test.each(nulCases)('NUL in %s: at the NUL byte', (_name, make) => {
    fc.assert(
      fc.property(text, text, text, (a, b, c) => {
        const [attr, at] = make(a, b, c);
        const bytes = encodePaTncMessage({ identifier: 1, attributes: [attr] });
        expect(bytes[VALUE_AT + at]).toBe(0);
        expectTypedError(paTncLayer, () => decodePaTncMessage(bytes, { registry }), { errorCode: PaTncErrorCode.INVALID_PARAMETER, offset: VALUE_AT + at });
      }),
      { numRuns: 50 },
    );
  });

  const rangeCases: [string, () => PaTncAttribute<unknown>, number][] = [
    ['IETF/Operational Status status 4', () => OperationalStatus.create({ status: 4, result: 0, lastUse: '2024-01-01T00:00:00Z' }), 0],
    ['IETF/Operational Status result 4', () => OperationalStatus.create({ status: 0, result: 4, lastUse: '2024-01-01T00:00:00Z' }), 1],
    ['IETF/Operational Status last use', () => OperationalStatus.create({ status: 0, result: 0, lastUse: '2024-01-01 00:00:00Z' }), 4],
    ['IETF/Forwarding Enabled 3', () => ForwardingEnabled.create({ status: 3 }), 0],
    ['IETF/Factory Default Password Enabled 2', () => FactoryDefaultPasswordEnabled.create({ status: 2 }), 0],
    ['IETF/Product Information vendor IETF, product 1', () => ProductInformation.create({ productVendorId: 0, productId: 1, productName: 'x' }), 3],
  ];
  test.each(rangeCases)('%s: at the offending field', (_name, make, at) => {
    const bytes = encodePaTncMessage({ identifier: 1, attributes: [make()] });
    expectTypedError(paTncLayer, () => decodePaTncMessage(bytes, { registry }), { errorCode: PaTncErrorCode.INVALID_PARAMETER, offset: VALUE_AT + at });
  });

  test('PA-TNC Error with a message header that is not 8 bytes is caller misuse (RangeError)', () => {
    expect(() => encodePaTncMessage({ identifier: 1, attributes: [PaTncError.create({ errorVendorId: 0, errorCode: 1, messageHeader: new Uint8Array(7), offset: 0 })] })).toThrow(RangeError);
  });
});
