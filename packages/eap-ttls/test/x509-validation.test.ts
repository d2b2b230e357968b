/**
 * Server authentication with a throwaway PKI: good chain, unknown CA, expired, revoked via a CRL served on a
 * loopback HTTP server, wrong identity, CRL unreachable under strict and lenient policy, locally configured CRLs,
 * OCSP (good, revoked, missing nonce), trust anchors from a directory, and the failure ending a real EAP-TTLS exchange
 * with a typed error and a logged reason.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@tncjs/common';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateError, CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory, type RevocationOptions } from '../src/index.js';
import { makeCrl, makePki, ocspRespond, type TestPki } from './support/pki.js';
import { runEap } from './support/run.js';

let pki: TestPki;
let server: http.Server;
let base: string;
let crl: Uint8Array;
let crlHits = 0;
let ocspMode: 'normal' | 'no-nonce' = 'normal';
const DEAD = 'http://127.0.0.1:9/none.crl'; // discard port: connection refused

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/strongswan.crl') {
      crlHits++;
      res.end(Buffer.from(crl));
      return;
    }
    if (req.url === '/ocsp' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const resp = await ocspRespond(new Uint8Array(Buffer.concat(chunks)), pki.ca, new Set([4]), pki.ca, { echoNonce: ocspMode === 'normal' });
        res.setHeader('content-type', 'application/ocsp-response');
        res.end(Buffer.from(resp));
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  pki = await makePki({ crlUrl: `${base}/strongswan.crl` });
  crl = await makeCrl(pki.ca, [{ serial: 4, reason: 1 }]);
}, 30_000);

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function validator(revocation: RevocationOptions = {}) {
  return new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation });
}

function logged() {
  const lines: string[] = [];
  return { lines, log: new Logger({ defaultLevel: 2, sink: (l) => lines.push(l) }) };
}

async function reject(p: Promise<unknown>): Promise<CertificateError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CertificateError);
    return e as CertificateError;
  }
  throw new Error('expected a CertificateError');
}

test('good chain: CRL fetched over HTTP, correctly signed, valid, status good; strongSwan log lines', async () => {
  const { lines, log } = logged();
  const r = await validator().validate([pki.moon.der], 'moon.strongswan.org', log);
  expect(r.pathLength).toBe(0);
  expect(lines).toEqual([
    "00[TLS] received TLS server certificate 'C=CH, O=Linux strongSwan, CN=moon.strongswan.org'",
    '00[CFG]   using certificate "C=CH, O=Linux strongSwan, CN=moon.strongswan.org"',
    '00[CFG]   using trusted ca certificate "C=CH, O=Linux strongSwan, CN=strongSwan Root CA"',
    '00[CFG] checking certificate status of "C=CH, O=Linux strongSwan, CN=moon.strongswan.org"',
    `00[CFG]   fetching crl from '${base}/strongswan.crl' ...`,
    '00[CFG]   using trusted certificate "C=CH, O=Linux strongSwan, CN=strongSwan Root CA"',
    '00[CFG]   crl correctly signed by "C=CH, O=Linux strongSwan, CN=strongSwan Root CA"',
    expect.stringMatching(/^00\[CFG\]   crl is valid: until \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}$/),
    '00[CFG] certificate status is good',
    '00[CFG]   reached self-signed root ca with a path length of 0',
  ]);
});

test('the fetched CRL is cached until its nextUpdate', async () => {
  const v = validator();
  const before = crlHits;
  await v.validate([pki.moon.der], 'moon.strongswan.org', Logger.silent);
  await v.validate([pki.moon.der], 'moon.strongswan.org', Logger.silent);
  expect(crlHits - before).toBe(1);
});

test('revoked (CRL) → ERR_CERT_REVOKED', async () => {
  const { lines, log } = logged();
  const e = await reject(validator().validate([pki.revoked.der], 'moon.strongswan.org', log));
  expect(e.code).toBe('ERR_CERT_REVOKED');
  expect(lines).toContainEqual(expect.stringMatching(/certificate was revoked on .* UTC \d{4}, reason: key compromise/));
});

test('unknown CA → ERR_CERT_UNKNOWN_CA', async () => {
  const { lines, log } = logged();
  const e = await reject(validator().validate([pki.foreign.der], 'moon.strongswan.org', log));
  expect(e.code).toBe('ERR_CERT_UNKNOWN_CA');
  expect(lines).toContainEqual(expect.stringContaining("no trusted certificate found for 'C=CH, O=Linux strongSwan, CN=moon.strongswan.org'"));
});

test('unknown CA even when the peer sends its CA along', async () => {
  const e = await reject(validator().validate([pki.foreign.der, pki.otherCa.der], 'moon.strongswan.org', Logger.silent));
  expect(e.code).toBe('ERR_CERT_UNKNOWN_CA');
});

test('expired → ERR_CERT_EXPIRED', async () => {
  const { lines, log } = logged();
  const e = await reject(validator().validate([pki.expired.der], 'moon.strongswan.org', log));
  expect(e.code).toBe('ERR_CERT_EXPIRED');
  expect(lines).toContainEqual(expect.stringMatching(/certificate "C=CH, O=Linux strongSwan, CN=moon.strongswan.org" expired on/));
});

test('wrong identity (SAN sun.strongswan.org) → ERR_CERT_IDENTITY; matching by SAN, DN, not CN when SANs exist', async () => {
  const e = await reject(validator().validate([pki.wrongSan.der], 'moon.strongswan.org', Logger.silent));
  expect(e.code).toBe('ERR_CERT_IDENTITY');
  await expect(validator({ policy: 'off' }).validate([pki.moon.der], 'C=CH, O=Linux strongSwan, CN=moon.strongswan.org', Logger.silent)).resolves.toBeDefined();
  await expect(validator({ policy: 'off' }).validate([pki.carol.der], 'carol@strongswan.org', Logger.silent)).resolves.toBeDefined();
  expect((await reject(validator({ policy: 'off' }).validate([pki.carol.der], 'moon.strongswan.org', Logger.silent))).code).toBe('ERR_CERT_IDENTITY');
});

test('CRL unreachable: strict policy fails (ERR_CERT_STATUS_UNKNOWN), lenient goes on with a log line', async () => {
  const fetcher = async (url: string) => {
    throw new Error(`connect ECONNREFUSED (${url})`);
  };
  const { lines, log } = logged();
  const e = await reject(validator({ policy: 'strict', fetcher, timeoutMs: 500 }).validate([pki.moon.der], 'moon.strongswan.org', log));
  expect(e.code).toBe('ERR_CERT_STATUS_UNKNOWN');
  expect(lines).toContainEqual(expect.stringContaining('failed: connect ECONNREFUSED'));
  expect(lines).toContainEqual('00[CFG] certificate status is not available');
  const lenient = logged();
  await expect(validator({ policy: 'lenient', fetcher }).validate([pki.moon.der], 'moon.strongswan.org', lenient.log)).resolves.toMatchObject({ pathLength: 0 });
  expect(lenient.lines).toContainEqual('00[CFG] certificate status is not available');
});

test('CRL unreachable over real HTTP (refused port) and a hanging server (timeout)', async () => {
  const pkiDead = await makePki({ crlUrl: DEAD });
  const v = new CertificateValidator({ trust: new TrustStore([pkiDead.ca.der]), revocation: { policy: 'strict', timeoutMs: 300 } });
  expect((await reject(v.validate([pkiDead.moon.der], 'moon.strongswan.org', Logger.silent))).code).toBe('ERR_CERT_STATUS_UNKNOWN');
  const hang = http.createServer(() => undefined);
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(hang.address() as { port: number }).port}/hang.crl`;
    const p2 = await makePki({ crlUrl: url });
    const { lines, log } = logged();
    const v2 = new CertificateValidator({ trust: new TrustStore([p2.ca.der]), revocation: { policy: 'strict', timeoutMs: 200 } });
    expect((await reject(v2.validate([p2.moon.der], 'moon.strongswan.org', log))).code).toBe('ERR_CERT_STATUS_UNKNOWN');
    expect(lines).toContainEqual(expect.stringContaining('timeout after 200 ms'));
  } finally {
    hang.closeAllConnections();
    await new Promise<void>((r) => hang.close(() => r()));
  }
}, 30_000);

test('locally configured CRL without fetching', async () => {
  const v = validator({ policy: 'strict', fetchCrls: false, crls: [crl] });
  expect((await reject(v.validate([pki.revoked.der], 'moon.strongswan.org', Logger.silent))).code).toBe('ERR_CERT_REVOKED');
  await expect(v.validate([pki.moon.der], 'moon.strongswan.org', Logger.silent)).resolves.toBeDefined();
});

test('a CRL signed by another CA is not used', async () => {
  const forged = await makeCrl({ ...pki.otherCa, cert: pki.otherCa.cert }, []);
  const v = validator({ policy: 'strict', fetchCrls: false, crls: [forged] });
  expect((await reject(v.validate([pki.moon.der], 'moon.strongswan.org', Logger.silent))).code).toBe('ERR_CERT_STATUS_UNKNOWN');
});

test('OCSP: good and revoked from a responder signed by the CA, nonce checked', async () => {
  const p = await makePki({ ocspUrl: `${base}/ocsp` });
  const old = pki;
  pki = p; // the responder answers for the current PKI
  try {
    const v = new CertificateValidator({ trust: new TrustStore([p.ca.der]), revocation: { policy: 'strict', fetchCrls: false } });
    const { lines, log } = logged();
    await v.validate([p.moon.der], 'moon.strongswan.org', log).catch((e) => { throw new Error(lines.join('\n') + String(e)); });
    expect(lines).toContainEqual(`00[CFG]   requesting ocsp status from '${base}/ocsp' ...`);
    expect(lines).toContainEqual('00[CFG]   ocsp response correctly signed by "C=CH, O=Linux strongSwan, CN=strongSwan Root CA"');
    expect(lines).toContainEqual('00[CFG] certificate status is good');
    expect((await reject(v.validate([p.revoked.der], 'moon.strongswan.org', Logger.silent))).code).toBe('ERR_CERT_REVOKED');
    ocspMode = 'no-nonce';
    const nn = logged();
    expect((await reject(v.validate([p.moon.der], 'moon.strongswan.org', nn.log))).code).toBe('ERR_CERT_STATUS_UNKNOWN');
    expect(nn.lines).toContainEqual("00[CFG]   nonce in ocsp response doesn't match");
  } finally {
    ocspMode = 'normal';
    pki = old;
  }
}, 30_000);

test('trust anchors from a directory of PEM and DER files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tncjs-ca-'));
  try {
    writeFileSync(join(dir, 'strongswanCert.pem'), pki.ca.pem);
    writeFileSync(join(dir, 'other.der'), pki.otherCa.der);
    writeFileSync(join(dir, 'README'), 'not a certificate');
    const v = new CertificateValidator({ trust: dir, revocation: { policy: 'off' } });
    expect(v.trust.size).toBe(2);
    await expect(v.validate([pki.moon.der], 'moon.strongswan.org', Logger.silent)).resolves.toBeDefined();
    await expect(v.validate([pki.foreign.der], 'moon.strongswan.org', Logger.silent)).resolves.toBeDefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('a failed server authentication ends the EAP-TTLS exchange with a typed error', () => {
  const cases = [
    ['unknown CA', () => pki.foreign, 'ERR_CERT_UNKNOWN_CA'],
    ['expired', () => pki.expired, 'ERR_CERT_EXPIRED'],
    ['revoked', () => pki.revoked, 'ERR_CERT_REVOKED'],
    ['wrong identity', () => pki.wrongSan, 'ERR_CERT_IDENTITY'],
  ] as const;
  test.each(cases)('%s', async (_name, cert, code) => {
    const { lines, log } = logged();
    const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp' });
    const auth = new EapAuthenticator({ methods: [ttlsServerFactory({ cert: cert().pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] } })], logger: log.withThread(1) });
    const peer = new EapPeer({
      identity: 'carol@strongswan.org',
      serverIdentity: 'moon.strongswan.org',
      methods: [ttlsPeerFactory({ validator: validator(), phase2: [md5Factory(secrets)] })],
      logger: log.withThread(2),
    });
    const s = await runEap(peer, auth);
    expect(peer.outcome).toBe('failure');
    expect(peer.error?.code).toBe(code);
    expect(s.final).not.toBe('success');
    expect(peer.msk).toBeUndefined();
    // no inner credentials were sent
    expect(lines.some((l) => l.startsWith('02[IKE] sending tunneled'))).toBe(false);
    expect(lines).toContainEqual(expect.stringContaining('02[TLS] server authentication failed'));
  });
});

test('optional client certificate: requested by the server, sent by the client, validated', async () => {
  const { lines, log } = logged();
  const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp' });
  const auth = new EapAuthenticator({
    methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, requireClientCertificate: true, validator: validator({ policy: 'off' }), phase2: { methods: [md5Factory(secrets)] } })],
    logger: log.withThread(1),
  });
  const peer = new EapPeer({
    identity: 'carol@strongswan.org',
    serverIdentity: 'moon.strongswan.org',
    methods: [ttlsPeerFactory({ validator: validator({ policy: 'off' }), clientCertificate: { cert: pki.carol.pem, key: pki.leafKey.pem }, phase2: [md5Factory(secrets)] })],
    logger: log.withThread(2),
  });
  expect((await runEap(peer, auth)).final).toBe('success');
  expect(lines).toContainEqual("01[TLS] received TLS client certificate 'C=CH, O=Linux strongSwan, CN=carol@strongswan.org'");
  // and without one the server refuses
  const auth2 = new EapAuthenticator({
    methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, requireClientCertificate: true, validator: validator({ policy: 'off' }), phase2: { methods: [md5Factory(secrets)] } })],
  });
  const peer2 = new EapPeer({ identity: 'carol@strongswan.org', serverIdentity: 'moon.strongswan.org', methods: [ttlsPeerFactory({ validator: validator({ policy: 'off' }), phase2: [md5Factory(secrets)] })] });
  expect((await runEap(peer2, auth2)).final).not.toBe('success');
  expect(auth2.error?.code).toBe('ERR_CERT_MISSING');
});
