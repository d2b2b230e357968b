/**
 * Every TCG PTS attribute of the real strongSwan 6.0.6 attestation run decodes with its fields and re-encodes
 * byte-exact; the values match what carol's and moon's logs print.
 */
import { toHex, PEN } from '@tncjs/common';
import { decodeBatch, createMessageRegistry, PbPa } from '@tncjs/pb-tnc';
import { createAttributeRegistry, decodePaTncMessage, encodePaTncMessage, encodeAttribute, type PaTncAttribute } from '@tncjs/pa-tnc';
import { strongSwanRuns } from '../../../test-support/vectors.js';
import {
  registerPtsAttributes,
  PtsProtocolCapabilities,
  RequestPtsProtocolCapabilities,
  protoCapsString,
  PtsMeasurementAlgorithmRequest,
  DhNonceParametersRequest,
  DhNonceParametersResponse,
  DhNonceFinish,
  TpmVersionInformation,
  describeTpmVersionInfo,
  AttestationIdentityKey,
  RequestFunctionalComponentEvidence,
  SimpleComponentEvidence,
  SimpleEvidenceFinal,
  RequestFileMetadata,
  UnixStyleFileMetadata,
  describeComponent,
  QuoteMode,
  TcgPtsAttr,
} from '../src/index.js';

const registry = registerPtsAttributes(createAttributeRegistry());
const pb = createMessageRegistry();
const run = strongSwanRuns()['pts-attestation-6.0.6.json'];

const messages = run.flatMap((b, batch) =>
  decodeBatch(b.data, { registry: pb })
    .messages.filter((m) => PbPa.is(m))
    .map((m) => ({ batch, body: (m.value as { body: Uint8Array }).body })),
);
const attrs: PaTncAttribute<any>[] = messages.flatMap((m) => decodePaTncMessage(m.body, { registry }).attributes);
const find = <T>(t: { is(a: PaTncAttribute<any>): a is PaTncAttribute<T> }) => attrs.filter((a) => t.is(a)) as PaTncAttribute<T>[];

test('every PA-TNC message (no raw attributes left) re-encodes byte-exact', () => {
  for (const m of messages) {
    const msg = decodePaTncMessage(m.body, { registry });
    for (const a of msg.attributes) expect(a.type).toBeDefined();
    expect(toHex(encodePaTncMessage(msg))).toBe(toHex(m.body));
  }
  for (const a of attrs) expect(toHex(encodeAttribute({ ...a, value: a.type!.body.fromJSON(a.type!.body.toJSON(a.value), 'v') }))).toBe(toHex(encodeAttribute(a)));
});

test('capabilities .VDT., measurement algorithm SHA1', () => {
  const [req] = find(RequestPtsProtocolCapabilities);
  expect(req.noskip).toBe(true);
  expect(protoCapsString(req.value.flags)).toBe('.VDT.');
  expect(protoCapsString(find(PtsProtocolCapabilities)[0].value.flags)).toBe('.VDT.');
  expect(find(PtsMeasurementAlgorithmRequest)[0].value.algorithms).toEqual({ sha1: true, sha256: false, sha384: false, sha512: false });
});

test('DH nonce exchange: ECP_256, 20-byte nonces, the nonces of carol\'s log', () => {
  expect(find(DhNonceParametersRequest)[0].value).toEqual({ minNonceLength: 0, groups: { ike2: true, ike5: true, ike14: true, ike19: true, ike20: false } });
  const resp = find(DhNonceParametersResponse)[0].value;
  expect(resp.group).toBe(0x1000);
  expect(toHex(resp.nonce)).toBe('aa7a104550270edc804fe7686d01a86a3de53eaa');
  expect(resp.publicValue.byteLength).toBe(64);
  const fin = find(DhNonceFinish)[0].value;
  expect(fin.hashAlgorithm).toBe(0x8000);
  expect(toHex(fin.nonce)).toBe('d17790afbf8b821ed311216272117444329235a7');
  expect(fin.publicValue.byteLength).toBe(64);
});

test('TPM 2.0 version info and the bare AIK public key', () => {
  const v = find(TpmVersionInformation)[0].value.versionInfo;
  expect(toHex(v)).toBe('02000003000000a4000007e549424d00');
  expect(describeTpmVersionInfo(v)).toBe('Version Information: TPM 2.0 rev. 1.64 2021 IBM - startup locality: 3');
  const aik = find(AttestationIdentityKey)[0].value;
  expect(aik.flags.publicKey).toBe(true);
  expect(aik.aik.byteLength).toBe(294); // RSA-2048 SubjectPublicKeyInfo
});

test('file metadata request and answer', () => {
  const req = find(RequestFileMetadata)[0];
  expect(req.value).toEqual({ flags: { directory: false }, delimiter: 0x2f, pathname: '/root/ref/carol/etc/tnc_config' });
  const meta = find(UnixStyleFileMetadata)[0].value.files[0];
  expect(meta).toMatchObject({ type: 8, size: 200n, owner: 0n, group: 0n, filename: 'tnc_config' });
});

test('functional component evidence: 24 BIOS + 752 IMA entries, then the TPM 2.0 quote', () => {
  const req = find(RequestFunctionalComponentEvidence)[0].value.components;
  expect(req.map((c) => describeComponent(c.component, '* '))).toEqual([
    "* ITA-HSR functional component 'Linux IMA' [K.] 'Trusted Platform'",
    "* ITA-HSR functional component 'Linux IMA' [K.] 'Operating System'",
  ]);
  expect(req.every((c) => c.flags.pcr && c.depth === 0)).toBe(true);
  const sce = find(SimpleComponentEvidence).map((a) => a.value);
  const bios = sce.filter((e) => e.component.qualifier === 0x21);
  const ima = sce.filter((e) => e.component.qualifier === 0x22);
  expect(bios).toHaveLength(24);
  expect(ima).toHaveLength(752);
  expect(bios.map((e) => e.extendedPcr)).toEqual([0, 0, 2, 2, 2, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 4, 4, 4, 4, 5, 8, 8, 9, 9]);
  expect(ima[0]).toMatchObject({ extendedPcr: 10, validation: 0x60, policyUri: 'sha1:boot_aggregate', hashAlgorithm: 0x8000, transform: 1 });
  expect(sce.every((e) => e.measurementTime === '2026-11-26T15:08:16Z')).toBe(true);
  const [sef] = find(SimpleEvidenceFinal);
  expect(sef.value.flags & 0xd0).toBe(QuoteMode.TPM2);
  expect(sef.value.compositeAlgorithm).toBe(0x4000);
  expect(sef.value.pcrComposite!.byteLength).toBe(32);
  expect(toHex(sef.value.pcrSelect!)).toBe('000000010004' + '03ff0700');
  expect(sef.value.clockInfo!.byteLength).toBe(17);
  expect(toHex(sef.value.firmwareVersion!)).toBe('2019102300163636');
  expect(sef.value.quoteSignature!.byteLength).toBe(256);
  expect(TcgPtsAttr.SIMPLE_EVID_FINAL).toBe(0x00400000);
  expect(PEN.TCG).toBe(sef.vendorId);
});
