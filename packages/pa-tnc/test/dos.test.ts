/**
 * PA-TNC DoS suite: every size an attacker declares (attribute lengths, list counts, string length prefixes) must fail
 * with PaTncDecodeError when the bytes are not there, without allocating what was declared; large honest messages
 * (100k attributes, 100k-entry lists, a 1 MB attribute) must decode.
 */
import { encodeVendorTlv, equalBytes, Writer } from '@tncjs/common';
import {
  createAttributeRegistry,
  decodePaTncMessage,
  encodePaTncMessage,
  PaTncErrorCode,
  ItaStartAngel,
  ItaDummy,
  ItaSettings,
  AttributeRequest,
  ProductInformation,
  RemediationInstructions,
  type PaTncAttribute,
} from '@tncjs/pa-tnc';
import { expectTypedError } from '../../../test-support/compliance.js';
import { paTncLayer } from '../../../test-support/pa-tnc-layer.js';
import { lengthBombs, heapGrowth, MB } from '../../../test-support/dos.js';

const registry = createAttributeRegistry();
const decode = (b: Uint8Array) => decodePaTncMessage(b, { registry });

/** A PA-TNC message with one attribute of (vendor, type) whose value is `value` and whose length field is honest. */
function messageWith(vendorId: number, typeId: number, value: Uint8Array): Uint8Array {
  return encodePaTncMessage({ identifier: 7, attributes: [encodeVendorTlv({ vendorId, typeId, noskip: false, value })] });
}

/** Length bombs of every registered type, plus the hand-written codecs' length fields. */
const bombs: [string, Uint8Array][] = [
  ...registry.all().flatMap((t) => lengthBombs(t.body.kind).map((b, i) => [`${t.name} #${i + 1}`, messageWith(t.vendorId, t.type, b)] as [string, Uint8Array])),
  // Remediation-String: u32 string length 0xffffffff
  ['IETF/Remediation Instructions (string length)', messageWith(RemediationInstructions.vendorId, RemediationInstructions.type, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff))],
  // an attribute header that declares 4 GiB
  ['attribute length 0xffffffff', Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)],
];

test('every registered type with a length or count prefix contributes a length bomb', () => {
  const names = bombs.map(([n]) => n.replace(/ #\d+$/, ''));
  for (const t of ['IETF/String Version', 'IETF/Installed Packages', 'ITA-HSR/Get Settings', 'ITA-HSR/Settings', 'ITA-HSR/Symlinks']) expect(names).toContain(t);
  expect(bombs.length).toBeGreaterThanOrEqual(12);
});

describe.each(bombs)('%s', (_name, bytes) => {
  test('fails with Invalid Parameter inside the attribute', () => {
    expectTypedError(paTncLayer, () => decode(bytes), { errorCode: PaTncErrorCode.INVALID_PARAMETER, within: [8, bytes.byteLength] });
  });

  test('1,000 decodes grow the heap by less than 50 MB', () => {
    const grown = heapGrowth(() => {
      for (let i = 0; i < 1000; i++) {
        try {
          decode(bytes);
        } catch {
          // checked above
        }
      }
    });
    expect(grown).toBeLessThan(50 * MB);
  });
});

/** Encode `n` copies of `a` into one message directly (the test of the decoder should not wait on the encoder). */
function repeated(a: PaTncAttribute<unknown>, n: number): Uint8Array {
  const one = encodeVendorTlv(a);
  const w = new Writer(8 + one.byteLength * n);
  w.u8(1).u24(0).u32(1);
  for (let i = 0; i < n; i++) w.bytes(one);
  return w.finish();
}

test('a message of 100,000 attributes decodes and re-encodes byte-exact', () => {
  const bytes = repeated(ItaStartAngel.create({}), 100_000);
  const m = decode(bytes);
  expect(m.attributes).toHaveLength(100_000);
  expect(m.attributes.every((a) => ItaStartAngel.is(a))).toBe(true);
  expect(equalBytes(encodePaTncMessage(m), bytes)).toBe(true);
}, 30_000);

test('100,000 unknown attributes without NOSKIP are kept raw', () => {
  const bytes = repeated({ vendorId: 0x00abcd, typeId: 9, noskip: false, value: Uint8Array.of(1, 2, 3, 4) }, 100_000);
  const m = decode(bytes);
  expect(m.attributes).toHaveLength(100_000);
  expect(m.attributes[99_999]).toStrictEqual({ vendorId: 0x00abcd, typeId: 9, noskip: false, value: Uint8Array.of(1, 2, 3, 4) });
  expect(equalBytes(encodePaTncMessage(m), bytes)).toBe(true);
}, 30_000);

test('an unknown NOSKIP attribute after 100,000 others is refused at its offset', () => {
  const body = repeated(ProductInformation.create({ productVendorId: 0, productId: 0, productName: 'x' }), 100_000);
  const bad = encodeVendorTlv({ vendorId: 0x00abcd, typeId: 9, noskip: true, value: new Uint8Array(0) });
  const bytes = new Uint8Array(body.byteLength + bad.byteLength);
  bytes.set(body);
  bytes.set(bad, body.byteLength);
  expectTypedError(paTncLayer, () => decode(bytes), { errorCode: PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED, offset: body.byteLength });
}, 30_000);

test('attributes with 100,000-entry lists decode', () => {
  const requests = Array.from({ length: 100_000 }, (_, i) => ({ vendorId: i & 0xffffff, type: i }));
  const settings = Array.from({ length: 100_000 }, (_, i) => ({ name: `k${i}`, value: `v${i}` }));
  const bytes = encodePaTncMessage({ identifier: 1, attributes: [AttributeRequest.create({ requests }), ItaSettings.create({ settings })] });
  const m = decode(bytes);
  expect((m.attributes[0].value as { requests: unknown[] }).requests).toHaveLength(100_000);
  expect((m.attributes[1].value as { settings: unknown[] }).settings[99_999]).toEqual({ name: 'k99999', value: 'v99999' });
  expect(equalBytes(encodePaTncMessage(m), bytes)).toBe(true);
}, 30_000);

test('a 1 MB attribute decodes', () => {
  const data = new Uint8Array(MB).map((_, i) => i & 0xff);
  const bytes = encodePaTncMessage({ identifier: 1, attributes: [ItaDummy.create({ data })] });
  const m = decode(bytes);
  expect(equalBytes((m.attributes[0].value as { data: Uint8Array }).data, data)).toBe(true);
}, 30_000);
