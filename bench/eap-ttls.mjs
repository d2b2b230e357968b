#!/usr/bin/env node
// EAP-TTLS transport cost (issue 5): how many EAP round trips and bytes it takes to move 100 KB of PB-TNC data
// (client → server, PA messages of 8 KB in PT-EAP over EAP-TTLS phase 2) at strongSwan's 1,024-byte fragments versus
// larger ones, over TLS 1.2 and 1.3. Our client against our server in memory; prints a table, no assertions.
// Run after `npm run build`: node bench/eap-ttls.mjs [KB, default 100]
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, toPem, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { createPtEapConnection, ptEapFactory } from '@tncjs/pt-eap';

const KB = Number(process.argv[2] ?? 100);
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto });
const subtle = webcrypto.subtle;

async function key() {
  const pair = await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
  return { pair, pem: toPem(new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)), 'PRIVATE KEY') };
}
const name = (cn) => new pkijs.RelativeDistinguishedNames({ typesAndValues: [new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: cn }) })] });
async function cert(subject, k, issuer, ca) {
  const c = new pkijs.Certificate();
  c.version = 2;
  c.serialNumber = new asn1js.Integer({ value: ca ? 1 : 2 });
  c.subject = name(subject);
  c.issuer = issuer ? issuer.cert.subject : c.subject;
  c.notBefore.value = new Date(Date.now() - 86400e3);
  c.notAfter.value = new Date(Date.now() + 86400e3);
  await c.subjectPublicKeyInfo.importKey(k.pair.publicKey, engine);
  c.extensions = [new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: new pkijs.BasicConstraints({ cA: ca }).toSchema().toBER() })];
  if (!ca) c.extensions.push(new pkijs.Extension({ extnID: '2.5.29.17', extnValue: new pkijs.AltName({ altNames: [new pkijs.GeneralName({ type: 2, value: subject })] }).toSchema().toBER() }));
  await c.sign((issuer?.key ?? k).pair.privateKey, 'SHA-256', engine);
  const der = new Uint8Array(c.toSchema(true).toBER());
  return { cert: c, der, pem: toPem(der), key: k };
}

const caKey = await key();
const ca = await cert('strongSwan Root CA', caKey, undefined, true);
const moonKey = await key();
const moon = await cert('moon.strongswan.org', moonKey, ca, false);

async function once(version, fragmentSize) {
  const secrets = new MemorySecretsStore({ carol: 'Ar3etTnp' });
  const total = KB * 1024;
  let got = 0;
  const server = () => createPtEapConnection({ role: 'server', handler: { paMessage: (m) => (got += m.body.byteLength), batchEnding: (c) => got >= total && c.setRecommendation({ assessment: 0, recommendation: 1 }) } });
  const client = () => {
    const c = createPtEapConnection({ role: 'client' });
    for (let left = total; left > 0; left -= 8192) c.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: new Uint8Array(Math.min(8192, left)) });
    return c;
  };
  const tls = { minVersion: version, maxVersion: version, fragmentSize };
  const auth = new EapAuthenticator({ methods: [ttlsServerFactory({ ...tls, cert: moon.pem, key: moonKey.pem, phase2: { methods: [md5Factory(secrets), ptEapFactory({ connection: server })] } })] });
  const validator = new CertificateValidator({ trust: new TrustStore([ca.der]), revocation: { policy: 'off' } });
  const peer = new EapPeer({ identity: 'carol', serverIdentity: 'moon.strongswan.org', methods: [ttlsPeerFactory({ ...tls, validator, phase2: [md5Factory(secrets), ptEapFactory({ connection: client })] })] });
  const t0 = performance.now();
  let req = await auth.initiate();
  let exchanges = 0, down = req.byteLength, up = 0, largest = req.byteLength, outcome = 'stalled';
  for (;;) {
    const resp = await peer.process(req);
    if (!resp) break;
    exchanges++;
    up += resp.byteLength;
    largest = Math.max(largest, resp.byteLength);
    const r = await auth.process(resp);
    if (r.status !== 'continue') { outcome = r.status; break; }
    req = r.packet;
    down += req.byteLength;
    largest = Math.max(largest, req.byteLength);
  }
  return { exchanges, up, down, largest, outcome, ms: performance.now() - t0 };
}

console.log(`moving ${KB} KB of PB-TNC data client → server (PT-EAP in EAP-TTLS phase 2, after Identity + MD5)`);
console.log('TLS      fragment  exchanges  bytes up  bytes down  largest EAP  result   ms');
for (const version of ['TLSv1.2', 'TLSv1.3']) {
  for (const size of [1024, 1400, 8000, Infinity]) {
    const r = await once(version, size);
    console.log(`${version.padEnd(8)} ${String(size === Infinity ? 'unlimited' : size).padStart(9)}  ${String(r.exchanges).padStart(9)}  ${String(r.up).padStart(8)}  ${String(r.down).padStart(10)}  ${String(r.largest).padStart(11)}  ${r.outcome.padEnd(7)}  ${r.ms.toFixed(0).padStart(4)}`);
  }
}
