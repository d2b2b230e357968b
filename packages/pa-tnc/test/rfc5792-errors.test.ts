/** RFC 5792 §4.2.8: what a receiver answers with a PA-TNC Error attribute, with strongSwan's codes and offsets. */
import { fromHex, toHex, encodeVendorTlv } from '@tncjs/common';
import {
  decodePaTncMessage,
  encodePaTncMessage,
  createAttributeRegistry,
  PaTncDecodeError,
  PaTncErrorCode,
  paTncErrorFor,
  PaTncError,
  rawAttribute,
  ForwardingEnabled,
  OperationalStatus,
  ProductInformation,
} from '../src/index.js';

const registry = createAttributeRegistry();

function fail(bytes: Uint8Array): PaTncDecodeError {
  try {
    decodePaTncMessage(bytes, { registry });
  } catch (e) {
    expect(e).toBeInstanceOf(PaTncDecodeError);
    return e as PaTncDecodeError;
  }
  throw new Error('decode unexpectedly succeeded');
}

const header = '0100000011223344';

test('Invalid Parameter for a bad length, answered with the documented bytes', () => {
  const e = fail(fromHex(`${header}000000000000000200000008`));
  expect(e).toMatchObject({ errorCode: PaTncErrorCode.INVALID_PARAMETER, offset: 16 });
  // strongSwan's Invalid Parameter error attribute: reserved, IETF, code 1, copy of the header, offset
  expect(toHex(encodeVendorTlv(paTncErrorFor(e)))).toBe('000000000000000800000020' + '00000000' + '00000001' + header + '00000010');
});

test('Version Not Supported', () => {
  const e = fail(fromHex('02000000aabbccdd'));
  expect(e.errorCode).toBe(PaTncErrorCode.VERSION_NOT_SUPPORTED);
  expect(toHex(encodeVendorTlv(paTncErrorFor(e)))).toBe('000000000000000800000020' + '0000000000000002' + '02000000aabbccdd' + '01010000');
});

test('Attribute Type Not Supported echoes flags, vendor and type of the unknown NOSKIP attribute', () => {
  const msg = encodePaTncMessage({ identifier: 0x11223344, attributes: [rawAttribute(0x123456, 0x77, fromHex('00'), true)] });
  const e = fail(msg);
  expect(e).toMatchObject({ errorCode: PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED, offset: 8 });
  const err = paTncErrorFor(e);
  expect(toHex(encodeVendorTlv(err))).toBe('000000000000000800000024' + '0000000000000003' + header + '80123456' + '00000077');
  expect(err.value.attribute).toEqual({ flags: 0x80, vendorId: 0x123456, typeId: 0x77 });
});

test('unknown attribute without NOSKIP is skipped over (kept raw)', () => {
  const msg = encodePaTncMessage({ identifier: 1, attributes: [rawAttribute(0x123456, 0x77, fromHex('0102')), ForwardingEnabled.create({ status: 1 })] });
  const m = decodePaTncMessage(msg, { registry });
  expect(m.attributes[0]).toEqual(rawAttribute(0x123456, 0x77, fromHex('0102')));
  expect(ForwardingEnabled.is(m.attributes[1])).toBe(true);
});

test.each([
  ['Forwarding Enabled 3', ForwardingEnabled.create({ status: 3 }), 20],
  ['Operational Status with a malformed time', OperationalStatus.create({ status: 3, result: 1, lastUse: '2014-12-15 10:45:10Z' }), 24],
  ['Operational Status result 4', OperationalStatus.create({ status: 3, result: 4, lastUse: '2014-12-15T10:45:10Z' }), 21],
  ['Product Information: IETF vendor with a product ID', ProductInformation.create({ productVendorId: 0, productId: 5, productName: 'x' }), 23],
  ['NUL inside a product name', ProductInformation.create({ productVendorId: 9, productId: 5, productName: 'a\0b' }), 26],
])('value check: %s → Invalid Parameter at the field', (_n, attr, offset) => {
  const e = fail(encodePaTncMessage({ identifier: 1, attributes: [attr] }));
  expect(e).toMatchObject({ errorCode: PaTncErrorCode.INVALID_PARAMETER, offset });
});

test('a received PA-TNC Error round-trips with its fields, TCG PTS errors keep their information', () => {
  const tcg = PaTncError.create({ errorVendorId: 0x5597, errorCode: 7, info: fromHex('00110020') });
  const bytes = encodePaTncMessage({ identifier: 5, attributes: [tcg] });
  const back = decodePaTncMessage(bytes, { registry }).attributes[0];
  expect(back.value).toEqual({ errorVendorId: 0x5597, errorCode: 7, info: fromHex('00110020') });
  expect(PaTncError.body.toJSON(back.value as never)).toMatchObject({ errorName: 'DH-PN Nonce Not Acceptable' });
});
