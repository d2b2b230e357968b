/**
 * A throwaway PKI made in the test with node:crypto (WebCrypto) and pkijs: a root CA, server certificates (good,
 * expired, revoked, wrong SAN, from an unknown CA), a client certificate, a CRL, and an OCSP responder helper.
 * Keys are shared between leaves to keep key generation (RSA 2048) to three keys.
 */
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { toPem } from '../../src/index.js';

const subtle = webcrypto.subtle;
export const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] });

export interface Key {
  pair: webcrypto.CryptoKeyPair;
  pem: string;
}

export async function makeKey(): Promise<Key> {
  const pair = (await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  return { pair, pem: toPem(pkcs8, 'PRIVATE KEY') };
}

const OIDS: Record<string, string> = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' };

export function dn(parts: [string, string][]): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: parts.map(([k, v]) => new pkijs.AttributeTypeAndValue({ type: OIDS[k], value: k === 'C' ? new asn1js.PrintableString({ value: v }) : new asn1js.Utf8String({ value: v }) })),
  });
}

export interface Issued {
  cert: pkijs.Certificate;
  der: Uint8Array;
  pem: string;
  key: Key;
}

export interface CertSpec {
  subject: [string, string][];
  serial: number;
  key: Key;
  issuer?: Issued;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  dnsNames?: string[];
  emails?: string[];
  crlUrl?: string;
  ocspUrl?: string;
  ocspSigning?: boolean;
}

const DAY = 86400_000;

export async function makeCert(s: CertSpec): Promise<Issued> {
  const c = new pkijs.Certificate();
  c.version = 2;
  c.serialNumber = new asn1js.Integer({ value: s.serial });
  const subject = dn(s.subject);
  c.subject = subject;
  c.issuer = s.issuer ? s.issuer.cert.subject : subject;
  c.notBefore.value = s.notBefore ?? new Date(Date.now() - DAY);
  c.notAfter.value = s.notAfter ?? new Date(Date.now() + 365 * DAY);
  await c.subjectPublicKeyInfo.importKey(s.key.pair.publicKey, engine);
  const ext: pkijs.Extension[] = [];
  const ski = new Uint8Array(await subtle.digest('SHA-1', c.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView));
  ext.push(new pkijs.Extension({ extnID: '2.5.29.14', critical: false, extnValue: new asn1js.OctetString({ valueHex: ski }).toBER() }));
  if (s.issuer) {
    const aki = new Uint8Array(await subtle.digest('SHA-1', s.issuer.cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView));
    ext.push(new pkijs.Extension({ extnID: '2.5.29.35', critical: false, extnValue: new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: aki }) }).toSchema().toBER() }));
  }
  ext.push(new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: new pkijs.BasicConstraints({ cA: !!s.ca }).toSchema().toBER() }));
  const ku = s.ca ? 0x06 : 0xa0;
  ext.push(new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: new asn1js.BitString({ valueHex: Uint8Array.of(ku), unusedBits: s.ca ? 1 : 5 }).toBER() }));
  const alt = [...(s.dnsNames ?? []).map((v) => new pkijs.GeneralName({ type: 2, value: v })), ...(s.emails ?? []).map((v) => new pkijs.GeneralName({ type: 1, value: v }))];
  if (alt.length) ext.push(new pkijs.Extension({ extnID: '2.5.29.17', critical: false, extnValue: new pkijs.AltName({ altNames: alt }).toSchema().toBER() }));
  if (s.crlUrl) {
    const dp = new pkijs.CRLDistributionPoints({ distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: s.crlUrl })] })] });
    ext.push(new pkijs.Extension({ extnID: '2.5.29.31', critical: false, extnValue: dp.toSchema().toBER() }));
  }
  if (s.ocspUrl) {
    const aia = new pkijs.InfoAccess({ accessDescriptions: [new pkijs.AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.1', accessLocation: new pkijs.GeneralName({ type: 6, value: s.ocspUrl }) })] });
    ext.push(new pkijs.Extension({ extnID: '1.3.6.1.5.5.7.1.1', critical: false, extnValue: aia.toSchema().toBER() }));
  }
  if (s.ocspSigning) {
    ext.push(new pkijs.Extension({ extnID: '2.5.29.37', critical: false, extnValue: new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.9'] }).toSchema().toBER() }));
  }
  c.extensions = ext;
  await c.sign((s.issuer?.key ?? s.key).pair.privateKey, 'SHA-256', engine);
  const der = new Uint8Array(c.toSchema(true).toBER());
  return { cert: pkijs.Certificate.fromBER(der), der, pem: toPem(der), key: s.key };
}

export async function makeCrl(ca: Issued, revoked: { serial: number; date?: Date; reason?: number }[], opts: { thisUpdate?: Date; nextUpdate?: Date } = {}): Promise<Uint8Array> {
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = ca.cert.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: opts.thisUpdate ?? new Date(Date.now() - 3600_000) });
  crl.nextUpdate = new pkijs.Time({ type: 0, value: opts.nextUpdate ?? new Date(Date.now() + 7 * DAY) });
  if (revoked.length) {
    crl.revokedCertificates = revoked.map(
      (r) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ value: r.serial }),
          revocationDate: new pkijs.Time({ type: 0, value: r.date ?? new Date(Date.now() - 600_000) }),
          ...(r.reason !== undefined
            ? { crlEntryExtensions: new pkijs.Extensions({ extensions: [new pkijs.Extension({ extnID: '2.5.29.21', critical: false, extnValue: new asn1js.Enumerated({ value: r.reason }).toBER() })] }) }
            : {}),
        }),
    );
  }
  await crl.sign(ca.key.pair.privateKey, 'SHA-256', engine);
  return new Uint8Array(crl.toSchema(true).toBER());
}

/** Answer a DER OCSP request for certificates of `ca`: `revoked` serials are revoked, others good; signed by `signer` (CA or delegated). */
export async function ocspRespond(reqDer: Uint8Array, ca: Issued, revoked: Set<number>, signer: Issued = ca, opts: { echoNonce?: boolean } = {}): Promise<Uint8Array> {
  const req = pkijs.OCSPRequest.fromBER(reqDer);
  const basic = new pkijs.BasicOCSPResponse();
  basic.tbsResponseData.responderID = signer.cert.subject;
  basic.tbsResponseData.producedAt = new Date();
  for (const r of req.tbsRequest.requestList) {
    const serial = r.reqCert.serialNumber.valueBlock.valueDec;
    const single = new pkijs.SingleResponse({
      certID: r.reqCert,
      certStatus: revoked.has(serial)
        ? new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.GeneralizedTime({ valueDate: new Date(Date.now() - 600_000) })] })
        : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, lenBlockLength: 1 } as never),
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + DAY),
    });
    basic.tbsResponseData.responses.push(single);
  }
  const nonce = req.tbsRequest.requestExtensions?.find((e) => e.extnID === '1.3.6.1.5.5.7.48.1.2');
  if (nonce && opts.echoNonce !== false) basic.tbsResponseData.responseExtensions = [nonce];
  if (signer !== ca) basic.certs = [signer.cert];
  await basic.sign(signer.key.pair.privateKey, 'SHA-256', engine);
  const resp = new pkijs.OCSPResponse();
  resp.responseStatus.valueBlock.valueDec = 0;
  resp.responseBytes = new pkijs.ResponseBytes({ responseType: '1.3.6.1.5.5.7.48.1.1', response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }) });
  return new Uint8Array(resp.toSchema().toBER());
}

export const STRONGSWAN_CA: [string, string][] = [['C', 'CH'], ['O', 'Linux strongSwan'], ['CN', 'strongSwan Root CA']];
export const MOON: [string, string][] = [['C', 'CH'], ['O', 'Linux strongSwan'], ['CN', 'moon.strongswan.org']];

export interface TestPki {
  caKey: Key;
  leafKey: Key;
  ca: Issued;
  moon: Issued;
  expired: Issued;
  revoked: Issued;
  wrongSan: Issued;
  otherCa: Issued;
  foreign: Issued;
  carol: Issued;
}

/** The standard test PKI; `crlUrl`/`ocspUrl` go into every leaf issued by the CA. */
export async function makePki(opts: { crlUrl?: string; ocspUrl?: string } = {}): Promise<TestPki> {
  const [caKey, leafKey, otherKey] = await Promise.all([makeKey(), makeKey(), makeKey()]);
  const ca = await makeCert({ subject: STRONGSWAN_CA, serial: 1, key: caKey, ca: true, notAfter: new Date(Date.now() + 3650 * DAY) });
  const leaf = (subject: [string, string][], serial: number, extra: Partial<CertSpec> = {}) =>
    makeCert({ subject, serial, key: leafKey, issuer: ca, dnsNames: ['moon.strongswan.org'], crlUrl: opts.crlUrl, ocspUrl: opts.ocspUrl, ...extra });
  const otherCa = await makeCert({ subject: [['C', 'CH'], ['O', 'Evil'], ['CN', 'Evil Root CA']], serial: 1, key: otherKey, ca: true });
  return {
    caKey,
    leafKey,
    ca,
    moon: await leaf(MOON, 2),
    expired: await leaf(MOON, 3, { notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) }),
    revoked: await leaf(MOON, 4),
    wrongSan: await leaf([['C', 'CH'], ['O', 'Linux strongSwan'], ['CN', 'sun.strongswan.org']], 5, { dnsNames: ['sun.strongswan.org'] }),
    carol: await leaf([['C', 'CH'], ['O', 'Linux strongSwan'], ['CN', 'carol@strongswan.org']], 6, { dnsNames: [], emails: ['carol@strongswan.org'] }),
    otherCa,
    foreign: await makeCert({ subject: MOON, serial: 2, key: leafKey, issuer: otherCa, dnsNames: ['moon.strongswan.org'] }),
  };
}
