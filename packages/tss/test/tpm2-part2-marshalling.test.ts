/**
 * TPM 2.0 Part 2/3 marshalling with known byte vectors and fast-check properties: command framing, response parsing,
 * response codes (format 0 and 1), PCR selections, public areas, attestation structures, signatures, KDFs.
 */
import fc from 'fast-check';
import { Reader, Writer, fromHex, toHex, equalBytes } from '@tncjs/common';
import {
  TPM_ALG,
  TPM_CC,
  TPM_ST,
  TPM_ECC,
  encodeCommand,
  decodeResponse,
  decodeResponseCode,
  explainResponseCode,
  rcIs,
  TpmDecodeError,
  encodePcrSelectionList,
  decodePcrSelectionList,
  parsePcrSelection,
  formatPcrSelection,
  subtractPcrSelection,
  encodePublic,
  decodePublic,
  encodePublic2b,
  decodePublic2b,
  objectName,
  encodeAttest,
  decodeAttest,
  encodeSignature,
  decodeSignature,
  encodeContext,
  decodeContext,
  encodeNvPublic,
  readNvPublic,
  ekTemplate,
  srkTemplate,
  aikTemplate,
  kdfa,
  kdfe,
  policyDigest,
  EK_POLICY_SHA256,
  TPM_RH,
  computePcrDigest,
  extendValue,
  tpm2VersionInfo,
  parseVersionInfo,
  tpm12VersionInfo,
  formatVersionInfo,
  makeCredential,
  unwrapCredential,
  publicAreaFromKey,
  publicKeyToSpki,
  type TpmtPublic,
  type TpmsAttest,
  type TpmtSignature,
  type PcrSelection,
} from '../src/index.js';
import { generateKeyPairSync } from 'node:crypto';

const hex = (b: Uint8Array) => toHex(b);

describe('Part 3 §4 command framing', () => {
  test('TPM2_Startup(CLEAR) = 80 01 00 00 00 0c 00 00 01 44 00 00', () => {
    const c = encodeCommand(TPM_CC.Startup, [], undefined, new Uint8Array([0, 0]));
    expect(hex(c.bytes)).toBe('80010000000c000001440000');
    expect(c.authLength).toBe(0);
  });

  test('TPM2_GetRandom(16) = 80 01 00 00 00 0c 00 00 01 7b 00 10', () => {
    expect(hex(encodeCommand(TPM_CC.GetRandom, [], [], new Uint8Array([0, 16])).bytes)).toBe('80010000000c0000017b0010');
  });

  test('TPM2_PCR_Extend with a password session: handle, authorizationSize, TPMS_AUTH_COMMAND, parameters', () => {
    const c = encodeCommand(TPM_CC.PCR_Extend, [16], [{ sessionHandle: 0x40000009, nonce: new Uint8Array(0), attributes: 1, hmac: new Uint8Array(0) }], fromHex('00000001000b' + '00'.repeat(32)));
    // tag 8002, size, cc 0182, handle 00000010, authSize 9, RS_PW, nonce 0000, attrs 01, hmac 0000, params
    expect(hex(c.bytes)).toBe('8002' + (10 + 4 + 4 + 9 + 6 + 32).toString(16).padStart(8, '0') + '00000182' + '00000010' + '00000009' + '40000009' + '0000' + '01' + '0000' + '00000001000b' + '00'.repeat(32));
    expect(c.authOffset).toBe(14);
    expect(c.authLength).toBe(13);
    expect(c.paramsOffset).toBe(27);
  });

  test('response without sessions: handles and parameters', () => {
    const r = decodeResponse(fromHex('80010000001200000000800000010000abcd'), { handles: 1, sessions: 0 });
    expect(r.responseCode).toBe(0);
    expect(r.handles).toEqual([0x80000001]);
    expect(hex(r.params)).toBe('0000abcd');
    expect(r.paramsOffset).toBe(14);
  });

  test('response with sessions: parameterSize and TPMS_AUTH_RESPONSE', () => {
    const r = decodeResponse(fromHex('80020000001a00000000' + '00000004' + 'deadbeef' + '0002aabb' + '01' + '0001cc'), { handles: 0, sessions: 1 });
    expect(hex(r.params)).toBe('deadbeef');
    expect(r.auths).toEqual([{ nonce: fromHex('aabb'), attributes: 1, hmac: fromHex('cc') }]);
  });

  test('an error response is returned with its code, not parsed further', () => {
    const r = decodeResponse(fromHex('80010000000a0000098e'), { handles: 1, sessions: 1 });
    expect(r.responseCode).toBe(0x98e);
    expect(r.handles).toEqual([]);
  });

  test.each([
    ['size field larger than the buffer', '80010000000b00000000', 0, 2],
    ['size field smaller than the buffer', '80010000000900000000aa', 0, 2],
    ['truncated header', '8001000000', 0, 2],
    ['unknown tag', '12340000000a00000000', 0, 0],
    ['sessions tag after a command without sessions', '80020000000e0000000000000000', 0, 0],
    ['parameterSize beyond the response', '80020000000e0000000000000009', 1, 10],
    ['missing authorization area', '80020000000e0000000000000000', 1, 14],
    ['trailing bytes after the authorization area', '80020000001400000000' + '00000000' + '0000' + '00' + '0000' + 'ff', 1, 19],
  ])('malformed response: %s → TpmDecodeError', (_n, h, sessions, offset) => {
    try {
      decodeResponse(fromHex(h), { handles: 0, sessions });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(TpmDecodeError);
      expect((e as TpmDecodeError).code).toBe('ERR_TPM_DECODE');
      expect((e as TpmDecodeError).offset).toBe(offset);
    }
  });
});

describe('Part 2 §6.6 response codes', () => {
  test.each(([
    [0x98e, 'TPM_RC_AUTH_FAIL', { session: 1 }],
    [0x1c4, 'TPM_RC_VALUE', { parameter: 1 }],
    [0x2d5, 'TPM_RC_SIZE', { parameter: 2 }],
    [0x18b, 'TPM_RC_HANDLE', { handle: 1 }],
    [0x28b, 'TPM_RC_HANDLE', { handle: 2 }],
    [0x9a2, 'TPM_RC_BAD_AUTH', { session: 1 }],
    [0x99d, 'TPM_RC_POLICY_FAIL', { session: 1 }],
    [0xa9d, 'TPM_RC_POLICY_FAIL', { session: 2 }],
    [0x084, 'TPM_RC_VALUE', {}],
  ] as [number, string, Record<string, number>][]).map(([rc, n, w]) => [rc.toString(16), rc, n, w] as const))('format 1: 0x%s (%i) is %s at %o', (_h, rc, name, where) => {
    const d = decodeResponseCode(rc);
    expect(d.format).toBe(1);
    expect(d.name).toBe(name);
    expect({ parameter: d.parameter, handle: d.handle, session: d.session }).toEqual({ parameter: undefined, handle: undefined, session: undefined, ...where });
  });

  test.each(([
    [0x100, 'TPM_RC_INITIALIZE', 'error'],
    [0x101, 'TPM_RC_FAILURE', 'error'],
    [0x143, 'TPM_RC_COMMAND_CODE', 'error'],
    [0x14c, 'TPM_RC_NV_DEFINED', 'error'],
    [0x902, 'TPM_RC_OBJECT_MEMORY', 'warning'],
    [0x921, 'TPM_RC_LOCKOUT', 'warning'],
    [0x922, 'TPM_RC_RETRY', 'warning'],
    [0x910, 'TPM_RC_REFERENCE_H0', 'warning'],
  ] as [number, string, string][]).map(([rc, n, k]) => [rc.toString(16), rc, n, k] as const))('format 0: 0x%s (%i) is %s (%s)', (_h, rc, name, kind) => {
    const d = decodeResponseCode(rc);
    expect([d.format, d.name, d.kind]).toEqual([0, name, kind]);
  });

  test('the message the issue asks for', () => {
    expect(explainResponseCode(0x98e)).toMatch(/^TPM_RC_AUTH_FAIL \(0x98e\): the authorization HMAC check failed.*\(session 1\)$/);
    expect(rcIs(0x98e, 'TPM_RC_AUTH_FAIL')).toBe(true);
    expect(rcIs(0x9a2, 'TPM_RC_AUTH_FAIL')).toBe(false);
  });

  test('TPM 1.2, vendor and TSS-layer codes', () => {
    expect(decodeResponseCode(0x1e).kind).toBe('tpm12');
    expect(decodeResponseCode(0x501).kind).toBe('vendor');
    const l = decodeResponseCode(0x000b0902);
    expect([l.kind, l.layer, l.name]).toEqual(['layer', 11, 'TPM_RC_OBJECT_MEMORY']);
  });

  test('every 32-bit value decodes to something with a name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (rc) => {
        const d = decodeResponseCode(rc);
        return d.name.length > 0 && d.explanation.length > 0 && d.rc === rc >>> 0;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Part 2 §10.6 PCR selections', () => {
  test('sha256:0,1,2,16 + sha1:all', () => {
    const sel = parsePcrSelection('sha256:0,1,2,16+sha1:all');
    expect(hex(encodePcrSelectionList(sel))).toBe('00000002' + '000b' + '03' + '070001' + '0004' + '03' + 'ffffff');
    expect(formatPcrSelection(decodePcrSelectionList(encodePcrSelectionList(sel)))).toBe('sha256:0,1,2,16+sha1:' + Array.from({ length: 24 }, (_, i) => i).join(','));
  });

  test('ranges, hex indices, errors', () => {
    expect(parsePcrSelection('sha384:0-3,0x10')[0].pcrs).toEqual([0, 1, 2, 3, 16]);
    expect(() => parsePcrSelection('md5:0')).toThrow(TypeError);
    expect(() => parsePcrSelection('sha256')).toThrow(TypeError);
    expect(() => parsePcrSelection('sha256:3-1')).toThrow(TypeError);
  });

  test('subtracting what a page returned', () => {
    const want = parsePcrSelection('sha1:0-9+sha256:0-3');
    expect(formatPcrSelection(subtractPcrSelection(want, parsePcrSelection('sha1:0-7')))).toBe('sha1:8,9+sha256:0,1,2,3');
  });

  const selArb = fc.array(
    fc.record({ hash: fc.constantFrom(TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512), pcrs: fc.uniqueArray(fc.integer({ min: 0, max: 23 })).map((a) => a.sort((x, y) => x - y)), sizeofSelect: fc.constant(3) }),
    { maxLength: 4 },
  );
  test('decode(encode(x)) = x', () => {
    fc.assert(fc.property(selArb, (sel) => expect(decodePcrSelectionList(encodePcrSelectionList(sel))).toEqual(sel)));
  });
});

/** Arbitrary public areas of the four types. */
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const u16 = fc.integer({ min: 0, max: 0xffff });
const schemeArb = fc.oneof(
  fc.constant({ scheme: TPM_ALG.NULL }),
  fc.record({ scheme: fc.constantFrom(TPM_ALG.RSASSA, TPM_ALG.RSAPSS, TPM_ALG.ECDSA, TPM_ALG.OAEP), hashAlg: fc.constantFrom(TPM_ALG.SHA1, TPM_ALG.SHA256) }),
  fc.record({ scheme: fc.constant(TPM_ALG.ECDAA), hashAlg: fc.constant(TPM_ALG.SHA256), count: u16 }),
);
const symArb = fc.oneof(fc.constant({ algorithm: TPM_ALG.NULL }), fc.record({ algorithm: fc.constant(TPM_ALG.AES), keyBits: fc.constantFrom(128, 256), mode: fc.constantFrom(TPM_ALG.CFB, TPM_ALG.CBC) }));
const base = { nameAlg: fc.constantFrom(TPM_ALG.SHA1, TPM_ALG.SHA256), objectAttributes: fc.integer({ min: 0, max: 0xffffffff }), authPolicy: bytes(64) };
const publicArb: fc.Arbitrary<TpmtPublic> = fc.oneof(
  fc.record({ type: fc.constant(TPM_ALG.RSA), ...base, parameters: fc.record({ symmetric: symArb, scheme: schemeArb, keyBits: fc.constantFrom(1024, 2048, 3072), exponent: fc.integer({ min: 0, max: 0xffffffff }) }), unique: bytes(512) }),
  fc.record({ type: fc.constant(TPM_ALG.ECC), ...base, parameters: fc.record({ symmetric: symArb, scheme: schemeArb, curveId: fc.constantFrom(TPM_ECC.NIST_P256, TPM_ECC.NIST_P384), kdf: fc.constant({ scheme: TPM_ALG.NULL }) }), unique: fc.record({ x: bytes(66), y: bytes(66) }) }),
  fc.record({ type: fc.constant(TPM_ALG.KEYEDHASH), ...base, parameters: fc.record({ scheme: fc.oneof(fc.constant({ scheme: TPM_ALG.NULL }), fc.record({ scheme: fc.constant(TPM_ALG.HMAC), hashAlg: fc.constant(TPM_ALG.SHA256) })) }), unique: bytes(32) }),
  fc.record({ type: fc.constant(TPM_ALG.SYMCIPHER), ...base, parameters: fc.record({ symmetric: symArb }), unique: bytes(32) }),
) as fc.Arbitrary<TpmtPublic>;

describe('Part 2 §12.2 TPMT_PUBLIC', () => {
  test('the TCG RSA EK template (EK Credential Profile template L-1)', () => {
    expect(hex(encodePublic(ekTemplate('rsa')))).toBe('0001' + '000b' + '000300b2' + '0020' + hex(EK_POLICY_SHA256) + '000600800043' + '0010' + '0800' + '00000000' + '0100' + '00'.repeat(256));
  });

  test('the TCG ECC EK template (template L-2): P-256, 32-byte zero coordinates', () => {
    expect(hex(encodePublic(ekTemplate('ecc')).subarray(42))).toBe('0006008000430010' + '0003' + '0010' + '0020' + '00'.repeat(32) + '0020' + '00'.repeat(32));
  });

  test('AIK templates: restricted signing, RSASSA-SHA256 / ECDSA-SHA256', () => {
    expect(hex(encodePublic(aikTemplate('rsa')))).toBe('0001000b000500720000' + '0010' + '0014000b' + '0800' + '00000000' + '0000');
    expect(hex(encodePublic(aikTemplate('ecc')))).toBe('0023000b000500720000' + '0010' + '0018000b' + '0003' + '0010' + '0000' + '0000');
    expect(hex(encodePublic(srkTemplate('rsa')))).toBe('0001000b000300720000' + '000600800043' + '0010' + '0800' + '00000000' + '0000');
  });

  test('decode(encode(x)) = x and encode(decode(b)) = b for every type', () => {
    fc.assert(
      fc.property(publicArb, (p) => {
        const b = encodePublic(p);
        expect(decodePublic(b)).toEqual(p);
        expect(equalBytes(encodePublic(decodePublic(b)), b)).toBe(true);
        expect(decodePublic2b(encodePublic2b(p))).toEqual(p);
        expect(objectName(p).length).toBe(p.nameAlg === TPM_ALG.SHA1 ? 22 : 34);
      }),
      { numRuns: 300 },
    );
  });

  test('truncations of a valid public area throw DecodeError, never anything else', () => {
    fc.assert(
      fc.property(publicArb, fc.nat(), (p, cut) => {
        const b = encodePublic(p);
        const n = cut % b.length;
        expect(() => decodePublic(b.subarray(0, n))).toThrow(/truncated|offset/);
      }),
      { numRuns: 300 },
    );
  });

  test('keys from node:crypto round-trip through TPMT_PUBLIC to the same SPKI', () => {
    for (const [type, opts] of [
      ['rsa', { modulusLength: 2048 }],
      ['ec', { namedCurve: 'P-256' }],
      ['ec', { namedCurve: 'P-384' }],
    ] as const) {
      const { publicKey } = generateKeyPairSync(type as 'rsa', opts as { modulusLength: number });
      const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
      expect(hex(publicKeyToSpki(publicAreaFromKey(publicKey)))).toBe(hex(spki));
      expect(hex(publicKeyToSpki(publicAreaFromKey(spki)))).toBe(hex(spki));
    }
  });
});

const clockArb = fc.record({ clock: fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }), resetCount: fc.integer({ min: 0, max: 0xffffffff }), restartCount: fc.integer({ min: 0, max: 0xffffffff }), safe: fc.boolean() });
const selForAttest: fc.Arbitrary<PcrSelection[]> = fc.array(fc.record({ hash: fc.constantFrom(TPM_ALG.SHA1, TPM_ALG.SHA256), pcrs: fc.uniqueArray(fc.integer({ min: 0, max: 23 })).map((a) => a.sort((x, y) => x - y)), sizeofSelect: fc.constant(3) }), { maxLength: 3 });
const attestArb: fc.Arbitrary<TpmsAttest> = fc.record({
  magic: fc.integer({ min: 0, max: 0xffffffff }),
  type: fc.constant(TPM_ST.ATTEST_QUOTE),
  qualifiedSigner: bytes(34),
  extraData: bytes(64),
  clockInfo: clockArb,
  firmwareVersion: fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
  attested: fc.record({ type: fc.constant(TPM_ST.ATTEST_QUOTE), pcrSelect: selForAttest, pcrDigest: bytes(64) }),
}) as fc.Arbitrary<TpmsAttest>;
const sigArb: fc.Arbitrary<TpmtSignature> = fc.oneof(
  fc.record({ sigAlg: fc.constantFrom(TPM_ALG.RSASSA, TPM_ALG.RSAPSS), hash: fc.constantFrom(TPM_ALG.SHA1, TPM_ALG.SHA256), sig: bytes(512) }),
  fc.record({ sigAlg: fc.constant(TPM_ALG.ECDSA), hash: fc.constant(TPM_ALG.SHA256), r: bytes(66), s: bytes(66) }),
  fc.record({ sigAlg: fc.constant(TPM_ALG.HMAC), hash: fc.constant(TPM_ALG.SHA256), digest: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.constant({ sigAlg: TPM_ALG.NULL }),
) as fc.Arbitrary<TpmtSignature>;

describe('Part 2 §10.12 TPMS_ATTEST, §11.3 TPMT_SIGNATURE, §14.5 TPMS_CONTEXT, §13.5 TPMS_NV_PUBLIC', () => {
  test('a real GCE quote (go-tpm-tools) decodes field by field', () => {
    const a = decodeAttest(fromHex('ff54434780180022000bde01fe4b4ade2f8b7ae19b8a8897e0cb77ae417731d8ce38697ec4f6c095030a0002900900000001e9e66bb70000000a0000000001201605110016280000000001000403ffffff0020fda327d4ba5d5978fe3a23db1a47964050e872639ef5d6a99c123cca39e56d8b'));
    expect(a.magic).toBe(0xff544347);
    expect(a.type).toBe(TPM_ST.ATTEST_QUOTE);
    expect(hex(a.extraData)).toBe('9009');
    expect(a.clockInfo.clock).toBe(8219159479n);
    expect(a.firmwareVersion).toBe(0x2016051100162800n);
    expect(formatPcrSelection('pcrSelect' in a.attested ? a.attested.pcrSelect : [])).toBe('sha1:' + Array.from({ length: 24 }, (_, i) => i).join(','));
  });

  test('round trips', () => {
    fc.assert(
      fc.property(attestArb, sigArb, (a, s) => {
        expect(decodeAttest(encodeAttest(a))).toEqual(a);
        expect(decodeSignature(encodeSignature(s))).toEqual(s);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), bytes(2000), (sequence, savedHandle, hierarchy, contextBlob) => {
        const c = { sequence, savedHandle, hierarchy, contextBlob };
        expect(decodeContext(encodeContext(c))).toEqual(c);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), bytes(64), u16, (nvIndex, attributes, authPolicy, dataSize) => {
        const p = { nvIndex, nameAlg: TPM_ALG.SHA256, attributes, authPolicy, dataSize };
        expect(readNvPublic(new Reader(encodeNvPublic(p)))).toEqual(p);
      }),
      { numRuns: 100 },
    );
  });
});

describe('Part 1 §11.4.10 KDFs and §23 policy digests', () => {
  test('KDFa output length, masking and label NUL handling', () => {
    const k = kdfa(TPM_ALG.SHA256, fromHex('00'.repeat(32)), 'ATH', fromHex('01'), fromHex('02'), 256);
    expect(k.length).toBe(32);
    expect(hex(kdfa(TPM_ALG.SHA256, fromHex('00'.repeat(32)), 'ATH\0', fromHex('01'), fromHex('02'), 256))).toBe(hex(k));
    expect(kdfa(TPM_ALG.SHA256, new Uint8Array(1), 'X', new Uint8Array(0), new Uint8Array(0), 300).length).toBe(38);
    expect(kdfa(TPM_ALG.SHA256, new Uint8Array(1), 'X', new Uint8Array(0), new Uint8Array(0), 12)[0]).toBeLessThan(16);
    expect(kdfe(TPM_ALG.SHA256, new Uint8Array(32), 'IDENTITY', new Uint8Array(32), new Uint8Array(32), 256).length).toBe(32);
  });

  test('PolicySecret(TPM_RH_ENDORSEMENT) is the EK authPolicy 837197674484b3f8…', () => {
    const name = new Writer(4).u32(TPM_RH.ENDORSEMENT).finish();
    expect(hex(policyDigest.secret(policyDigest.initial(), name))).toBe(hex(EK_POLICY_SHA256));
  });

  test('PCR digest and extend', () => {
    const sel = parsePcrSelection('sha1:0+sha256:1');
    const values = [
      { hash: TPM_ALG.SHA1, pcr: 0, value: new Uint8Array(20).fill(1) },
      { hash: TPM_ALG.SHA256, pcr: 1, value: new Uint8Array(32).fill(2) },
    ];
    const d = computePcrDigest(TPM_ALG.SHA256, sel, values);
    expect(d.length).toBe(32);
    expect(() => computePcrDigest(TPM_ALG.SHA256, parsePcrSelection('sha256:2'), values)).toThrow(RangeError);
    expect(hex(extendValue(TPM_ALG.SHA256, new Uint8Array(32), new Uint8Array(32)))).toBe('f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b');
  });

  test('software MakeCredential unwraps with the same seed (RSA and ECC EKs as the only inputs)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ek = { ...ekTemplate('rsa') } as TpmtPublic & { unique: Uint8Array };
    const jwk = publicKey.export({ format: 'jwk' });
    ek.unique = new Uint8Array(Buffer.from(jwk.n!, 'base64url'));
    const seed = new Uint8Array(32).fill(9);
    const name = objectName(aikTemplate('rsa'));
    const mc = makeCredential(ek, fromHex('c0ffee'), name, seed.slice());
    expect(hex(unwrapCredential(ek, mc.credentialBlob, name, seed))).toBe('c0ffee');
    expect(() => unwrapCredential(ek, mc.credentialBlob, objectName(aikTemplate('ecc')), seed)).toThrow(/integrity/);
  });
});

describe('PTS TPM version info', () => {
  test('TPM 2.0 blob (strongSwan tpm_tss_tss2_v2.c) and TPM 1.2 TPM_CAP_VERSION_INFO', () => {
    const b = tpm2VersionInfo({ revision: 164, year: 2021, manufacturer: 0x49424d00 });
    expect(hex(b)).toBe('02000003000000a4000007e549424d00');
    expect(parseVersionInfo(b)).toEqual({ kind: 'tpm2', locality: 3, revision: 164, year: 2021, vendor: 0x49424d00 });
    expect(hex(tpm2VersionInfo({ revision: 116, year: 2016, manufacturer: 0x494e5443 })).slice(6, 8)).toBe('00');
    const v12 = tpm12VersionInfo({ major: 1, minor: 2, revMajor: 3, revMinor: 19, specLevel: 2, errataRev: 2, vendorId: 'IFX', vendorSpecific: new Uint8Array([1, 2]) });
    expect(formatVersionInfo(parseVersionInfo(v12))).toBe('TPM Version Info: Chip Version: 1.2.3.19, Spec Level: 2, Errata Rev: 2, Vendor ID: IFX');
    expect(formatVersionInfo(parseVersionInfo(b), 'SW   TPM')).toBe('TPM 2.0 - manufacturer: IBM (SW   TPM) rev: 01.64 2021 ');
    expect(() => parseVersionInfo(fromHex('0300'))).toThrow(/unknown version info tag/);
  });
});
