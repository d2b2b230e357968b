/**
 * RFC 5793 compliance of every PB-TNC message type tncjs registers: the shared vendor-TLV suite (round trip,
 * truncation, oversize length, unknown type with/without NOSKIP), then the PB-TNC rules that differ per type
 * (§4.3 NOSKIP table, RESULT-only messages, PB-Experimental) and the §4.1 batch header checks.
 */
import fc from 'fast-check';
import { encodeVendorTlv, equalBytes, fromHex } from '@tncjs/common';
import {
  BatchType,
  createMessageRegistry,
  decodeBatch,
  encodeBatch,
  PbErrorCode,
  PbError,
  PbPa,
  PbAssessmentResult,
  PbAccessRecommendation,
  PbLanguagePreference,
  type MessageType,
  type PbTncMessage,
} from '@tncjs/pb-tnc';
import { runVendorTlvCompliance, expectTypedError, printable } from '../../../test-support/compliance.js';
import { pbTncLayer, pbNoskipAccepted, batchKindFor } from '../../../test-support/pb-tnc-layer.js';
import { arbitraryForType } from '../../../test-support/arbitraries.js';

const registry = createMessageRegistry();
const all = registry.all();

test('the registry holds the eight IETF message types of RFC 5793 §4.3 plus the TCG and ITA-HSR ones strongSwan speaks', () => {
  expect(all.map((t) => t.name).sort()).toEqual(
    [
      'IETF/PB-Experimental',
      'IETF/PB-PA',
      'IETF/PB-Assessment-Result',
      'IETF/PB-Access-Recommendation',
      'IETF/PB-Remediation-Parameters',
      'IETF/PB-Error',
      'IETF/PB-Language-Preference',
      'IETF/PB-Reason-String',
      'TCG/PB-PDP-Referral',
      'ITA-HSR/PB-Mutual-Capability',
    ].sort(),
  );
});

runVendorTlvCompliance('RFC 5793 §4.2 PB-TNC messages', all, pbTncLayer);

/** RFC 5793 §4.3 table (and strongSwan's pb_tnc_msg_infos): NOSKIP as required on receipt, and RESULT-only types. */
const RFC5793_TABLE: Record<string, { noskip: boolean | 'any'; resultOnly: boolean }> = {
  'IETF/PB-Experimental': { noskip: 'any', resultOnly: false },
  'IETF/PB-PA': { noskip: true, resultOnly: false },
  'IETF/PB-Assessment-Result': { noskip: true, resultOnly: true },
  'IETF/PB-Access-Recommendation': { noskip: false, resultOnly: true },
  'IETF/PB-Remediation-Parameters': { noskip: false, resultOnly: true },
  'IETF/PB-Error': { noskip: true, resultOnly: false },
  'IETF/PB-Language-Preference': { noskip: false, resultOnly: false },
  'IETF/PB-Reason-String': { noskip: false, resultOnly: true },
  'TCG/PB-PDP-Referral': { noskip: false, resultOnly: false },
  'ITA-HSR/PB-Mutual-Capability': { noskip: false, resultOnly: false },
};

const element = (t: MessageType<any>, noskip?: boolean) =>
  arbitraryForType(t).map((v) => printable(t.create(v, noskip === undefined ? undefined : { noskip }) as PbTncMessage<unknown>));

describe.each(all.map((t) => [t.name, t] as const))('RFC 5793 §4.3 rules for %s', (name, t) => {
  const row = RFC5793_TABLE[name];

  test('NOSKIP and RESULT-only as the RFC 5793 table says', () => {
    expect(row).toBeDefined();
    expect(t.resultOnly).toBe(row.resultOnly);
    if (row.noskip === 'any') expect(t.noskipRule).toBe('any');
    else expect({ noskip: t.noskip, rule: t.noskipRule }).toEqual({ noskip: row.noskip, rule: row.noskip ? 'set' : 'clear' });
  });

  const wrong = [true, false].filter((n) => !pbNoskipAccepted(t).includes(n));
  // (every type in the table has exactly one refused value; a type accepting both would have none to test)
  test.each((wrong.length ? wrong : [undefined]).map((n) => [n]))('NOSKIP=%s on receipt is refused at the message', (noskip) => {
    if (noskip === undefined) {
      expect(pbNoskipAccepted(t)).toEqual([false, true]);
      return;
    }
    const experimental = t.vendorId === 0 && t.type === 0;
    fc.assert(
      fc.property(element(t, noskip), (m) => {
        const bytes = encodeBatch({ ...batchKindFor(t), messages: [m] });
        // strongSwan: PB-Experimental with NOSKIP is an unsupported mandatory message; other flag errors are invalid parameters
        expectTypedError(pbTncLayer, () => decodeBatch(bytes, { registry }), {
          errorCode: experimental ? PbErrorCode.UNSUPPORTED_MANDATORY_MSG : PbErrorCode.INVALID_PARAMETER,
          offset: 8,
        });
      }),
      { numRuns: 25 },
    );
  });

  test('outside a RESULT batch: a client drops RESULT-only messages, a server refuses them; other types are kept', () => {
    fc.assert(
      fc.property(element(t), (m) => {
        const fromServer = encodeBatch({ fromServer: true, type: BatchType.SDATA, messages: [m] });
        expect(decodeBatch(fromServer, { registry, expectFromServer: true }).messages).toStrictEqual(t.resultOnly ? [] : [m]);
        const fromClient = encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [m] });
        if (t.resultOnly) {
          expectTypedError(pbTncLayer, () => decodeBatch(fromClient, { registry, expectFromServer: false }), { errorCode: PbErrorCode.INVALID_PARAMETER, offset: 8 });
        } else {
          expect(decodeBatch(fromClient, { registry, expectFromServer: false }).messages).toStrictEqual([m]);
        }
        const result = encodeBatch({ fromServer: true, type: BatchType.RESULT, messages: [m] });
        expect(decodeBatch(result, { registry, expectFromServer: true }).messages).toStrictEqual([m]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('RFC 5793 §4.1 PB-TNC batch header', () => {
  const anyMessage = fc.oneof(...all.map((t) => element(t)));
  const batch = fc.record({ fromServer: fc.boolean(), type: fc.integer({ min: 1, max: 6 }) as fc.Arbitrary<BatchType>, messages: fc.array(anyMessage, { maxLength: 4 }) }, { noNullPrototype: true });

  test('any batch round-trips byte-exact', () => {
    fc.assert(
      fc.property(batch, (b) => {
        const bytes = encodeBatch(b);
        expect(bytes.byteLength).toBe(8 + b.messages.reduce((n, m) => n + encodeVendorTlv(m).byteLength, 0));
        const d = decodeBatch(bytes, { registry });
        expect(d).toStrictEqual(b);
        expect(equalBytes(encodeBatch(d), bytes)).toBe(true);
      }),
    );
  });

  test('version other than 2: fatal Version Not Supported at offset 0, with the bad version', () => {
    fc.assert(
      fc.property(batch, fc.integer({ min: 0, max: 255 }).filter((v) => v !== 2), (b, version) => {
        const bytes = encodeBatch(b);
        bytes[0] = version;
        const e = expectTypedError(pbTncLayer, () => decodeBatch(bytes, { registry }), { errorCode: PbErrorCode.VERSION_NOT_SUPPORTED, offset: 0 });
        expect(e).toMatchObject({ fatal: true, details: { badVersion: version } });
      }),
    );
  });

  test('wrong Directionality flag: Invalid Parameter at offset 1', () => {
    fc.assert(
      fc.property(batch, (b) => {
        const bytes = encodeBatch(b);
        expectTypedError(pbTncLayer, () => decodeBatch(bytes, { registry, expectFromServer: !b.fromServer }), { errorCode: PbErrorCode.INVALID_PARAMETER, offset: 1 });
      }),
    );
  });

  test('batch type 0 or 7..15: Invalid Parameter at offset 3', () => {
    fc.assert(
      fc.property(batch, fc.constantFrom(0, 7, 8, 9, 10, 11, 12, 13, 14, 15), (b, type) => {
        const bytes = encodeBatch(b);
        bytes[3] = type;
        expectTypedError(pbTncLayer, () => decodeBatch(bytes, { registry }), { errorCode: PbErrorCode.INVALID_PARAMETER, offset: 3 });
      }),
    );
  });

  test('batch length not the received length (incl. 0xffffffff): Invalid Parameter at offset 4', () => {
    fc.assert(
      fc.property(batch, fc.oneof(fc.constant(0xffffffff), fc.integer({ min: 0, max: 0xffffffff })), (b, length) => {
        const bytes = encodeBatch(b);
        fc.pre(length !== bytes.byteLength);
        new DataView(bytes.buffer).setUint32(4, length);
        expectTypedError(pbTncLayer, () => decodeBatch(bytes, { registry }), { errorCode: PbErrorCode.INVALID_PARAMETER, offset: 4 });
      }),
    );
  });

  test('fewer than 8 bytes: Invalid Parameter at offset 0', () => {
    for (let n = 0; n < 8; n++) expectTypedError(pbTncLayer, () => decodeBatch(new Uint8Array([2, 0, 0, 1, 0, 0, 0, n]).subarray(0, n), { registry }), { errorCode: PbErrorCode.INVALID_PARAMETER, offset: 0 });
  });

  test('strongSwan PB-Noskip-Test (ITA-HSR/0, unregistered) with NOSKIP: Unsupported Mandatory Message naming it', () => {
    const bytes = encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [{ vendorId: 0x00902a, typeId: 0, noskip: true, value: new Uint8Array(0) }] });
    const e = expectTypedError(pbTncLayer, () => decodeBatch(bytes, { registry }), { errorCode: PbErrorCode.UNSUPPORTED_MANDATORY_MSG, offset: 8 });
    expect(e.message).toContain('ITA-HSR/PB-Noskip-Test');
  });
});

describe('RFC 5793 §4.9 PB-Error regressions', () => {
  // PbErrorValue documents "IETF parameters that are not 4 bytes" as kept in `parameters`: zero bytes are not 4 bytes.
  test('an IETF PB-Error without error parameters re-encodes byte-exact (no invented offset)', () => {
    // batch: version 2, CDATA, length 28; PB-Error (NOSKIP, IETF/5, length 20): FATAL, IETF, code 0, reserved, no parameters
    const batch = fromHex('02000001' + '0000001c' + '80000000' + '00000005' + '00000014' + '80000000' + '00000000');
    const d = decodeBatch(batch, { registry });
    expect(PbError.is(d.messages[0])).toBe(true);
    expect(encodeBatch(d)).toEqual(batch);
  });

  test('an IETF PB-Error value with empty parameters decodes back to itself', () => {
    const m = PbError.create({ fatal: true, errorVendorId: 0, errorCode: PbErrorCode.LOCAL_ERROR, parameters: new Uint8Array(0) });
    const bytes = encodeBatch({ fromServer: true, type: BatchType.SDATA, messages: [m] });
    expect(decodeBatch(bytes, { registry }).messages).toStrictEqual([m]);
  });
});


describe('RFC 5793 §4.9 Invalid Parameter offsets of values the message checks refuse', () => {
  // batch header 8 + message header 12: where the value of the only message starts
  const VALUE_AT = 20;
  const cases: [string, PbTncMessage<unknown>, number][] = [
    ['IETF/PB-PA vendor 0xffffff', PbPa.create({ flags: { excl: false }, paVendorId: 0xffffff, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(0) }), 1],
    ['IETF/PB-PA subtype 0xffffffff', PbPa.create({ flags: { excl: false }, paVendorId: 0, paSubtype: 0xffffffff, collectorId: 1, validatorId: 1, body: new Uint8Array(0) }), 4],
    ['IETF/PB-Assessment-Result 5', PbAssessmentResult.create({ result: 5 }), 0],
    ['IETF/PB-Access-Recommendation 0', PbAccessRecommendation.create({ recommendation: 0 }), 2],
    ['IETF/PB-Access-Recommendation 4', PbAccessRecommendation.create({ recommendation: 4 }), 2],
    ['IETF/PB-Language-Preference without the header name', PbLanguagePreference.create({ languagePreference: 'en' }), 0],
  ];
  test.each(cases)('%s: at the offending field', (_name, m, at) => {
    const bytes = encodeBatch({ fromServer: true, type: BatchType.RESULT, messages: [m] });
    expectTypedError(pbTncLayer, () => decodeBatch(bytes, { registry }), { errorCode: PbErrorCode.INVALID_PARAMETER, offset: VALUE_AT + at });
  });
});
