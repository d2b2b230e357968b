/**
 * PB-TNC DoS suite: declared sizes (batch length, message lengths, string length prefixes) that the bytes do not back
 * fail with PbTncDecodeError without allocating what was declared; a 1 MB batch of many tiny messages decodes.
 */
import { encodeVendorTlv, equalBytes, Writer } from '@tncjs/common';
import {
  BatchType,
  createMessageRegistry,
  decodeBatch,
  encodeBatch,
  PbErrorCode,
  PbExperimental,
  PbPa,
  PbRemediationParameters,
  rawMessage,
  type PbTncMessage,
} from '@tncjs/pb-tnc';
import { expectTypedError } from '../../../test-support/compliance.js';
import { pbTncLayer } from '../../../test-support/pb-tnc-layer.js';
import { lengthBombs, heapGrowth, MB } from '../../../test-support/dos.js';

const registry = createMessageRegistry();
const decode = (b: Uint8Array) => decodeBatch(b, { registry });

function batchWith(vendorId: number, typeId: number, noskip: boolean, value: Uint8Array, type: BatchType = BatchType.RESULT): Uint8Array {
  return encodeBatch({ fromServer: true, type, messages: [encodeVendorTlv({ vendorId, typeId, noskip, value })] });
}

const bombs: [string, Uint8Array, number][] = [
  ...registry.all().flatMap((t) => lengthBombs(t.body.kind).map((b, i) => [`${t.name} #${i + 1}`, batchWith(t.vendorId, t.type, t.noskip, b), -1] as [string, Uint8Array, number])),
  ['IETF/PB-Remediation-Parameters (string length)', batchWith(PbRemediationParameters.vendorId, PbRemediationParameters.type, false, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff)), -1],
  ['batch length 0xffffffff', Uint8Array.of(2, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0), 4],
  ['message length 0xffffffff', Uint8Array.of(2, 0, 0, 1, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0), 16],
];

test('every registered type with a length prefix contributes a length bomb', () => {
  expect(bombs.map(([n]) => n)).toContain('IETF/PB-Reason-String #1');
  expect(bombs.length).toBeGreaterThanOrEqual(5);
});

describe.each(bombs)('%s', (_name, bytes, offset) => {
  test('fails with Invalid Parameter', () => {
    expectTypedError(pbTncLayer, () => decode(bytes), offset >= 0 ? { errorCode: PbErrorCode.INVALID_PARAMETER, offset } : { errorCode: PbErrorCode.INVALID_PARAMETER, within: [8, bytes.byteLength] });
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

/** A batch of `n` copies of one encoded message, written directly. */
function repeated(m: PbTncMessage<unknown>, n: number, type: BatchType = BatchType.CDATA): Uint8Array {
  const one = encodeVendorTlv(m);
  const w = new Writer(8 + one.byteLength * n);
  w.u8(2).u8(0).u8(0).u8(type).u32(8 + one.byteLength * n);
  for (let i = 0; i < n; i++) w.bytes(one);
  return w.finish();
}

test('a 1 MB batch of 87,381 empty PB-Experimental messages decodes and re-encodes byte-exact', () => {
  const n = Math.floor((MB - 8) / 12);
  const bytes = repeated(PbExperimental.create({ data: new Uint8Array(0) }), n);
  expect(bytes.byteLength).toBeLessThanOrEqual(MB);
  expect(bytes.byteLength).toBeGreaterThan(MB - 20);
  const b = decode(bytes);
  expect(b.messages).toHaveLength(n);
  expect(equalBytes(encodeBatch(b), bytes)).toBe(true);
}, 30_000);

test('a 1 MB batch of small PB-PA messages and unknown messages decodes', () => {
  const pa = PbPa.create({ flags: { excl: false }, paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1) });
  const raw = rawMessage(0x00abcd, 42, Uint8Array.of(9));
  const one = [encodeVendorTlv(pa), encodeVendorTlv(raw)];
  const pairs = Math.floor((MB - 8) / (one[0].byteLength + one[1].byteLength));
  const bytes = encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: Array.from({ length: pairs }, () => one).flat() });
  const b = decode(bytes);
  expect(b.messages).toHaveLength(2 * pairs);
  expect(b.messages[2 * pairs - 1]).toStrictEqual(raw);
  expect(equalBytes(encodeBatch(b), bytes)).toBe(true);
}, 30_000);

test('a single 1 MB PB-PA message decodes', () => {
  const body = new Uint8Array(MB).map((_, i) => i & 0xff);
  const bytes = encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [PbPa.create({ flags: { excl: true }, paVendorId: 0x005597, paSubtype: 1, collectorId: 2, validatorId: 2, body })] });
  const b = decode(bytes);
  expect(equalBytes((b.messages[0].value as { body: Uint8Array }).body, body)).toBe(true);
}, 30_000);
