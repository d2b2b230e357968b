/**
 * Real TPM 2.0 quotes that somebody else's TPM signed verify with our verifier, no TPM involved:
 * go-tpm-tools GCE COS attestations (3 quotes each: sha1/sha256/sha384 banks, RSASSA-SHA256 — the PCR digest is
 * SHA-256 even for the SHA-1 and SHA-384 banks), go-attestation's GCE Windows quote (RSASSA-SHA1), keylime's
 * tpm2_quote output (tpm2-tools file formats). And the strongSwan 6.0.6 run: its AIK, device ID and TPM version info.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fromHex, toHex, Reader } from '@tncjs/common';
import {
  TPM_ALG,
  verifyQuote,
  decodePublic,
  decodePublic2b,
  decodeAttest,
  objectName,
  publicAreaFromKey,
  publicKeyToSpki,
  deviceId,
  keyIdPubkeyInfoSha1,
  parseVersionInfo,
  QuoteVerificationError,
  parseHashAlg,
  type PcrValue,
} from '../src/index.js';

const VEC = new URL('../../../test-vectors/', import.meta.url);
const read = (p: string) => new Uint8Array(readFileSync(new URL(p, VEC)));
const json = <T>(p: string) => JSON.parse(readFileSync(new URL(p, VEC), 'utf8')) as T;

interface GceQuote {
  bank: string;
  TPMS_ATTEST_hex: string;
  TPMT_SIGNATURE_hex: string;
  decoded: { extraData: string; pcrDigest: string; sigHash: string };
  pcrs: Record<string, string>;
}

function expectFailure(fn: () => unknown, reason: string) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QuoteVerificationError);
    expect((e as QuoteVerificationError).reason).toBe(reason);
    return;
  }
  throw new Error(`verification unexpectedly passed (expected ${reason})`);
}

describe.each([
  ['gce-cos-85-nonce9009', '9009'],
  ['gce-cos-85-no-nonce', ''],
])('go-tpm-tools %s: real GCE vTPM quotes', (name, nonceHex) => {
  const d = json<{ ak_pub_TPMT_PUBLIC_hex: string; quotes: GceQuote[] }>(`attestation/google-go-tpm-tools/internal/test/attestations/${name}.decoded.derived.json`);
  const ak = decodePublic(fromHex(d.ak_pub_TPMT_PUBLIC_hex));

  test.each(d.quotes.map((q) => [q.bank, q] as const))('%s bank: signature, nonce and PCR digest (SHA-256 of the bank values)', (bank, q) => {
    const hash = parseHashAlg(bank);
    const pcrs: PcrValue[] = Object.entries(q.pcrs).map(([i, v]) => ({ hash, pcr: Number(i), value: fromHex(v) }));
    const v = verifyQuote({ quoted: fromHex(q.TPMS_ATTEST_hex), signature: fromHex(q.TPMT_SIGNATURE_hex), key: ak, nonce: fromHex(nonceHex), pcrs });
    expect(v.pcrsVerified).toBe(true);
    expect(v.pcrDigestAlg).toBe(TPM_ALG.SHA256);
    expect(toHex(v.pcrDigest)).toBe(q.decoded.pcrDigest);
    expect(v.pcrSelect[0].hash).toBe(hash);
    // the trap: hashing with the bank's algorithm gives something else (except for the sha256 bank)
    if (hash !== TPM_ALG.SHA256) {
      const bankHash = createHash(bank).update(Buffer.concat(pcrs.map((p) => p.value))).digest('hex');
      expect(bankHash).not.toBe(q.decoded.pcrDigest);
    }
    // and every check bites
    expectFailure(() => verifyQuote({ quoted: fromHex(q.TPMS_ATTEST_hex), signature: fromHex(q.TPMT_SIGNATURE_hex), key: ak, nonce: fromHex('9010') }), 'nonce');
    const tampered = pcrs.map((p, i) => (i === 3 ? { ...p, value: p.value.map((b) => b ^ 1) } : p));
    expectFailure(() => verifyQuote({ quoted: fromHex(q.TPMS_ATTEST_hex), signature: fromHex(q.TPMT_SIGNATURE_hex), key: ak, pcrs: tampered }), 'pcr-digest');
    expectFailure(() => verifyQuote({ quoted: fromHex(q.TPMS_ATTEST_hex), signature: fromHex(q.TPMT_SIGNATURE_hex), key: ak, pcrs: pcrs.slice(1) }), 'pcr-select');
    const sig = fromHex(q.TPMT_SIGNATURE_hex);
    sig[sig.length - 1] ^= 0x80;
    expectFailure(() => verifyQuote({ quoted: fromHex(q.TPMS_ATTEST_hex), signature: sig, key: ak }), 'signature');
    const quoted = fromHex(q.TPMS_ATTEST_hex);
    quoted[0] = 0;
    expectFailure(() => verifyQuote({ quoted, signature: fromHex(q.TPMT_SIGNATURE_hex), key: ak }), 'magic');
    expectFailure(() => verifyQuote({ quoted: fromHex(q.TPMS_ATTEST_hex).subarray(0, 40), signature: fromHex(q.TPMT_SIGNATURE_hex), key: ak }), 'decode');
  });
});

test('go-attestation windows_gcp_shielded_vm: RSASSA-SHA1 quote, PCR digest SHA-1, empty nonce', () => {
  const d = json<{ ak_public_hex: string; quote_hex: string; signature_hex: string; nonce_hex: string; pcrs: Record<string, string>; quote_decoded: { pcrDigest: string } }>(
    'attestation/google-go-attestation/attest/testdata/windows_gcp_shielded_vm.decoded.derived.json',
  );
  const ak = decodePublic(fromHex(d.ak_public_hex));
  const pcrs: PcrValue[] = Object.entries(d.pcrs).map(([k, v]) => ({ hash: parseHashAlg(k.split(':')[0]), pcr: Number(k.split(':')[1]), value: fromHex(v) }));
  const v = verifyQuote({ quoted: fromHex(d.quote_hex), signature: fromHex(d.signature_hex), key: ak, nonce: fromHex(d.nonce_hex), pcrs });
  expect(v.pcrDigestAlg).toBe(TPM_ALG.SHA1);
  expect(toHex(v.pcrDigest)).toBe(d.quote_decoded.pcrDigest);
  expect(toHex(v.attest.qualifiedSigner).length).toBe(68);
  // the verifier also takes the key as PEM and as DER SubjectPublicKeyInfo
  expect(verifyQuote({ quoted: fromHex(d.quote_hex), signature: fromHex(d.signature_hex), key: publicKeyToSpki(ak) }).pcrsVerified).toBe(false);
});

/** tpm2-tools' serialized PCR file (`tpm2_quote -o`): TPML_PCR_SELECTION and TPML_DIGEST[] as little-endian C structs. */
function parseTpm2ToolsPcrFile(b: Uint8Array): PcrValue[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = dv.getUint32(0, true);
  const sel: { hash: number; pcrs: number[] }[] = [];
  for (let i = 0; i < count; i++) {
    const at = 4 + i * 8; // TPMS_PCR_SELECTION: hash (2), sizeofSelect (1), pcrSelect[4], padding (1)
    const hash = dv.getUint16(at, true);
    const size = b[at + 2];
    const pcrs: number[] = [];
    for (let p = 0; p < size * 8; p++) if (b[at + 3 + (p >> 3)] & (1 << (p & 7))) pcrs.push(p);
    sel.push({ hash, pcrs });
  }
  let at = 4 + 16 * 8;
  const lists = dv.getUint32(at, true);
  at += 4;
  const digests: Uint8Array[] = [];
  for (let l = 0; l < lists; l++) {
    const n = dv.getUint32(at, true);
    for (let i = 0; i < n; i++) {
      const size = dv.getUint16(at + 4 + i * 66, true); // TPM2B_DIGEST: size (2), buffer[64]
      digests.push(b.slice(at + 6 + i * 66, at + 6 + i * 66 + size));
    }
    at += 4 + 8 * 66;
  }
  return sel.flatMap((s) => s.pcrs.map((pcr) => ({ hash: s.hash, pcr }))).map((x, i) => ({ ...x, value: digests[i] }));
}

test('keylime: tpm2_quote files (TPMS_ATTEST, TPMT_SIGNATURE, serialized PCRs) with ak.pub and akpub.pem', () => {
  const dir = 'attestation/keylime-keylime/test-data/files/';
  const ak = decodePublic2b(read(dir + 'ak.pub'));
  expect(toHex(objectName(ak))).toBe(toHex(read(dir + 'ak.name')));
  const pcrs = parseTpm2ToolsPcrFile(read(dir + 'quotepcr.out'));
  expect(pcrs.map((p) => p.pcr)).toEqual([15, 16, 22]);
  const quoted = read(dir + 'quote.out');
  const attest = decodeAttest(quoted);
  for (const key of [ak, readFileSync(new URL(dir + 'akpub.pem', VEC), 'utf8')]) {
    const v = verifyQuote({ quoted, signature: read(dir + 'quotesig.out'), key, nonce: attest.extraData, pcrs });
    expect(v.pcrsVerified).toBe(true);
  }
  expect(attest.firmwareVersion).toBe(0x2016051100162800n);
});

describe('strongSwan 6.0.6 run (test-vectors/strongswan): AIK public key, device ID, TPM version info', () => {
  const batches = json<{ direction: string; type: string; hex: string }[]>('strongswan/pts-attestation-6.0.6.json');
  const raw = batches.map((b) => fromHex(b.hex));

  /** Every PA-TNC attribute (vendor, type, value) in the client's batches. */
  function attributes(): { vendor: number; type: number; value: Uint8Array }[] {
    const out: { vendor: number; type: number; value: Uint8Array }[] = [];
    batches.forEach((b, i) => {
      if (b.direction !== 'out') return;
      const r = new Reader(raw[i]);
      r.skip(8);
      while (r.remaining >= 12) {
        r.u8();
        const vendor = r.u24();
        const type = r.u32();
        const len = r.u32();
        const body = r.sub(len - 12);
        if (vendor !== 0 || type !== 1) continue;
        body.skip(12 + 8);
        while (body.remaining >= 12) {
          body.u8();
          const av = body.u24();
          const at = body.u32();
          const al = body.u32();
          out.push({ vendor: av, type: at, value: body.bytes(al - 12) });
        }
      }
    });
    return out;
  }

  const attrs = attributes();
  const aikAttr = attrs.find((a) => a.vendor === 0x5597 && a.type === 0x0e000000)!; // TCG PTS AIK (strongSwan tcg_attr.h)
  const deviceIdAttr = attrs.find((a) => a.vendor === 0x902a && a.type === 8)!; // ITA-HSR Device ID
  const versionAttr = attrs.find((a) => a.vendor === 0x5597 && a.type === 0x09000000)!; // TCG PTS TPM Version Information

  test('the device ID strongSwan sent is SHA-1 of the AIK SubjectPublicKeyInfo (KEYID_PUBKEY_INFO_SHA1)', () => {
    expect(aikAttr.value[0]).toBe(0x80); // naked public key
    const spki = aikAttr.value.subarray(1);
    const sent = new TextDecoder().decode(deviceIdAttr.value);
    expect(sent).toBe('9e0da5012ec179fcb271467b85e0be68fd702d3b');
    expect(deviceId(spki)).toBe(sent);
    expect(toHex(keyIdPubkeyInfoSha1(spki))).toBe(sent);
    // our SPKI encoding of that key (from its TPM form) is byte-identical to strongSwan's
    const pub = publicAreaFromKey(spki, { scheme: TPM_ALG.RSASSA, hashAlg: TPM_ALG.SHA256 });
    expect(toHex(publicKeyToSpki(pub))).toBe(toHex(spki));
    expect(deviceId(pub)).toBe(sent);
    // not KEYID_PUBKEY_SHA1 (SHA-1 of the RSAPublicKey inside the BIT STRING)
    expect(createHash('sha1').update(spki.subarray(24)).digest('hex')).not.toBe(sent);
  });

  test('the TPM 2.0 version info strongSwan sent for swtpm is 0200 00 03 | revision 164 | 2021 | "IBM\\0"', () => {
    expect(toHex(versionAttr.value)).toBe('02000003000000a4000007e549424d00');
    expect(parseVersionInfo(versionAttr.value)).toEqual({ kind: 'tpm2', locality: 3, revision: 164, year: 2021, vendor: 0x49424d00 });
  });
});
