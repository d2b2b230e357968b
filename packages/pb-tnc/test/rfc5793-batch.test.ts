/** RFC 5793 §4.1–4.2: batch and message header checks and the PB-Error each failure maps to (strongSwan's rules). */
import { fromHex, toHex } from '@tncjs/common';
import {
  decodeBatch,
  encodeBatch,
  createMessageRegistry,
  PbTncDecodeError,
  PbErrorCode,
  BatchType,
  PbPa,
  PbAssessmentResult,
  PbLanguagePreference,
  PbExperimental,
  PbNoskipTest,
  rawMessage,
} from '../src/index.js';

const registry = createMessageRegistry();

function decodeError(hex: string, expectFromServer?: boolean): PbTncDecodeError {
  try {
    decodeBatch(fromHex(hex), { registry, expectFromServer });
  } catch (e) {
    expect(e).toBeInstanceOf(PbTncDecodeError);
    return e as PbTncDecodeError;
  }
  throw new Error('decode unexpectedly succeeded');
}

test('empty CLOSE batches of both directions', () => {
  expect(toHex(encodeBatch({ fromServer: false, type: BatchType.CLOSE, messages: [] }))).toBe('0200000600000008');
  expect(toHex(encodeBatch({ fromServer: true, type: BatchType.SDATA, messages: [] }))).toBe('0280000200000008');
  expect(decodeBatch(fromHex('0280000200000008'), { registry, expectFromServer: true })).toEqual({ fromServer: true, type: 2, messages: [] });
});

test.each([
  ['too short', '02000006000000', PbErrorCode.INVALID_PARAMETER, 0],
  ['version 1', '0100000600000008', PbErrorCode.VERSION_NOT_SUPPORTED, 0],
  ['batch type 7', '0200000700000008', PbErrorCode.INVALID_PARAMETER, 3],
  ['batch type 0 is unknown to the header check only after the state machine', '020000080000000800', PbErrorCode.INVALID_PARAMETER, 3],
  ['length field larger than data', '0200000600000009', PbErrorCode.INVALID_PARAMETER, 4],
  ['length field smaller than data', '020000060000000800', PbErrorCode.INVALID_PARAMETER, 4],
  ['message header truncated', '020000010000000c00000000', PbErrorCode.INVALID_PARAMETER, 8],
  ['message length below 12', '02000001000000160000000000000006000000000000', PbErrorCode.INVALID_PARAMETER, 16],
  ['message length beyond batch', '0200000100000014000000000000000600000040', PbErrorCode.INVALID_PARAMETER, 16],
])('%s', (_name, hex, code, offset) => {
  const e = decodeError(hex);
  expect(e.errorCode).toBe(code);
  expect(e.offset).toBe(offset);
  expect(e.fatal).toBe(true);
  expect(e.code).toBe('ERR_PB_TNC');
});

test('Version Not Supported carries the bad version', () => {
  expect(decodeError('0300000600000008').details.badVersion).toBe(3);
});

test('wrong Directionality flag', () => {
  expect(decodeError('0280000600000008', false)).toMatchObject({ errorCode: PbErrorCode.INVALID_PARAMETER, offset: 1 });
  expect(decodeError('0200000600000008', true)).toMatchObject({ errorCode: PbErrorCode.INVALID_PARAMETER, offset: 1 });
});

test('unknown message without NOSKIP is kept raw and re-encodes; with NOSKIP it is Unsupported Mandatory Message', () => {
  const raw = rawMessage(0x123456, 99, fromHex('a1b2'));
  const bytes = encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [raw] });
  const b = decodeBatch(bytes, { registry });
  expect(b.messages[0]).toEqual(raw);
  expect(encodeBatch(b)).toEqual(bytes);
  const hex = toHex(encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [rawMessage(0x123456, 99, fromHex('a1b2'), true)] }));
  expect(decodeError(hex)).toMatchObject({ errorCode: PbErrorCode.UNSUPPORTED_MANDATORY_MSG, offset: 8 });
});

test('ITA-HSR PB-Noskip-Test provokes Unsupported Mandatory Message (not in the default registry)', () => {
  const hex = toHex(encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [PbNoskipTest.create({})] }));
  expect(hex).toBe('02000001000000148000902a000000000000000c');
  expect(decodeError(hex)).toMatchObject({ errorCode: PbErrorCode.UNSUPPORTED_MANDATORY_MSG, offset: 8 });
});

test('NOSKIP must match the message type (RFC 5793 §4.3)', () => {
  const paWithout = PbPa.create({ flags: { excl: false }, paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: new Uint8Array(0) }, { noskip: false });
  expect(decodeError(toHex(encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [paWithout] })))).toMatchObject({
    errorCode: PbErrorCode.INVALID_PARAMETER,
    offset: 8,
  });
  const langWith = PbLanguagePreference.create({ languagePreference: 'Accept-Language: en' }, { noskip: true });
  expect(decodeError(toHex(encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [langWith] })))).toMatchObject({
    errorCode: PbErrorCode.INVALID_PARAMETER,
  });
  const exp = PbExperimental.create({ data: fromHex('00') }, { noskip: true });
  expect(decodeError(toHex(encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [exp] })))).toMatchObject({
    errorCode: PbErrorCode.UNSUPPORTED_MANDATORY_MSG,
  });
});

test('RESULT-only messages: a server rejects them from a client, a client ignores them outside RESULT', () => {
  const ar = PbAssessmentResult.create({ result: 0 });
  const fromClient = encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [ar] });
  expect(() => decodeBatch(fromClient, { registry, expectFromServer: false })).toThrow(PbTncDecodeError);
  const fromServer = encodeBatch({ fromServer: true, type: BatchType.SDATA, messages: [ar] });
  expect(decodeBatch(fromServer, { registry, expectFromServer: true }).messages).toEqual([]);
  const inResult = encodeBatch({ fromServer: true, type: BatchType.RESULT, messages: [ar] });
  expect(decodeBatch(inResult, { registry, expectFromServer: true }).messages).toHaveLength(1);
});

test('value checks: reserved PA vendor, assessment result > 4, access recommendation 0, missing Accept-Language prefix', () => {
  const badPa = PbPa.create({ flags: { excl: false }, paVendorId: 0xffffff, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(0) });
  expect(decodeError(toHex(encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [badPa] })))).toMatchObject({
    errorCode: PbErrorCode.INVALID_PARAMETER,
    offset: 8 + 12 + 1,
  });
  expect(decodeError('02800003000000148000000000000002000000100000000500', true)).toMatchObject({ errorCode: 1 });
  expect(decodeError('0280000300000014000000000000000300000010000000', true)).toMatchObject({ errorCode: 1 });
  expect(decodeError('02800003000000140000000000000003000000100000000000000000', true)).toMatchObject({ errorCode: 1 });
  const lang = toHex(encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [rawMessage(0, 6, new TextEncoder().encode('en'))] }));
  expect(decodeError(lang)).toMatchObject({ errorCode: 1, offset: 20 });
});
