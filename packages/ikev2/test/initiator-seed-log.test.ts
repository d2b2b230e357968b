/**
 * The initiator's log against the seed (/work/shared/seed/ima-client-log.txt, carol's charon log): our initiator
 * (EAP-TTLS + inner EAP-MD5, strongSwan's TLS 1.2 peer) against our IkeResponder on 127.0.0.1 must print the seed's
 * lines with the same subsystem, wording and order; addresses, ports, SPIs, ids and sizes are matched by pattern.
 * A line whose wording regresses, or that moves, fails here. README "Log lines" lists the seed lines we do not print.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory, type EapMethodFactory } from '@tncjs/eap';
import { CertificateValidator, EapTtlsServer, TrustStore, type TtlsServerOptions } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import type tls from 'node:tls';
import { IkeInitiator, IkeResponder, strongswanTtlsPeerFactory, type InitiatorOptions } from '../src/index.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

const CAROL = 'carol@strongswan.org';
const MOON = 'moon.strongswan.org';
const secrets = new MemorySecretsStore({ [CAROL]: 'Ar3etTnp' });
let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 60_000);

/** strongSwan's gateway asks for a client certificate naming its CA; node:tls does that with `ca` (real TTLS server). */
class CaRequestingServer extends EapTtlsServer {
  protected override tlsOptions(): tls.ConnectionOptions & tls.TLSSocketOptions {
    return { ...super.tlsOptions(), ca: pki.ca.pem };
  }
}
const moonTtls = (): EapMethodFactory => {
  const options: TtlsServerOptions = {
    cert: pki.moon.pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024, requestClientCertificate: true,
  };
  return { methodType: { type: 21 }, create: (ctx) => new CaRequestingServer({ ...options, logger: ctx.logger }, ctx.identity, ctx.serverIdentity) };
};
const carolEap = (logger: Logger) =>
  new EapPeer({
    logger,
    identity: CAROL,
    serverIdentity: MOON,
    methods: [strongswanTtlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(secrets)] })],
  });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function run(initiator: Partial<InitiatorOptions> = {}) {
  const responder = new IkeResponder({
    identity: MOON, localTs: ['10.1.0.0/28'], authLifetime: 10219, transport: { localAddress: '127.0.0.1' },
    eap: (id) => new EapAuthenticator({ methods: [moonTtls()], requestIdentity: false, identity: id, serverIdentity: MOON }),
    logger: new Logger({ defaultLevel: -1, sink: () => {} }),
  });
  const ports = await responder.listen();
  cleanups.push(() => responder.close());
  const lines: string[] = [];
  const logger = new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) });
  const ike = new IkeInitiator({
    name: 'home', remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, identity: CAROL, remoteIdentity: MOON,
    eap: carolEap(logger), transport: { localAddress: '127.0.0.1' }, ikeLifetime: { rekeyTime: 10800, randTime: 540 },
    logger, ...initiator,
  });
  cleanups.push(() => ike.close());
  return { ike, lines };
}

type Step = RegExp | { next: RegExp };
/**
 * Each pattern must match a later line than the one before; `{ next }` must match the very next line (as charon's
 * `generating …` is followed by its `sending packet`).
 */
function expectInOrder(lines: string[], steps: Step[]): void {
  let at = -1;
  for (const step of steps) {
    const re = step instanceof RegExp ? step : step.next;
    const found = step instanceof RegExp ? lines.findIndex((l, i) => i > at && re.test(l)) : re.test(lines[at + 1] ?? '') ? at + 1 : -1;
    if (found < 0) {
      throw new Error(`no line ${step instanceof RegExp ? 'after' : 'right after'} #${at} (${lines[at] ?? 'start'}) matches ${re}\n--- log:\n${lines.join('\n')}`);
    }
    at = found;
  }
}

const IP = '127\\.0\\.0\\.1';
const l = (s: string) => new RegExp(`^00\\[${s}$`);
const sent = { next: l(`NET\\] sending packet: from ${IP}\\[\\d+\\] to ${IP}\\[\\d+\\] \\(\\d+ bytes\\)`) };
const received = l(`NET\\] received packet: from ${IP}\\[\\d+\\] to ${IP}\\[\\d+\\] \\(\\d+ bytes\\)`);
const ID = '\\(id 0x[0-9A-F]{2}\\)';

describe('seed log lines (carol)', () => {
  it('IKE_SA_INIT, EAP-TTLS with tunneled EAP-Identity and EAP-MD5, AUTH, IKE_SA and CHILD_SA, DELETE: the seed lines in order', async () => {
    const { ike, lines } = await run();
    const info = await ike.connect();
    await ike.close();
    const n = info.uniqueId;
    const c = info.child!;
    expect(info).toMatchObject({ name: 'home', uniqueId: ike.uniqueId });
    expectInOrder(lines, [
      l(`IKE\\] initiating IKE_SA home\\[${n}\\] to ${IP}`),
      l('ENC\\] generating IKE_SA_INIT request 0 \\[ SA KE No N\\(NATD_S_IP\\) N\\(NATD_D_IP\\) N\\(FRAG_SUP\\) \\]'),
      sent,
      received,
      { next: l('ENC\\] parsed IKE_SA_INIT response 0 \\[ SA KE No N\\(NATD_S_IP\\) N\\(NATD_D_IP\\)( N\\(\\w+\\))* \\]') },
      l('IKE\\] establishing CHILD_SA home'),
      { next: l('ENC\\] generating IKE_AUTH request 1 \\[ IDi N\\(INIT_CONTACT\\) IDr SA TSi TSr N\\(MULT_AUTH\\) N\\(EAP_ONLY\\) \\]') },
      sent,
      received,
      { next: l('ENC\\] parsed IKE_AUTH response 1 \\[ IDr EAP/REQ/TTLS \\]') },
      { next: l(`IKE\\] server requested EAP_TTLS authentication ${ID}`) },
      { next: l('TLS\\] EAP_TTLS version is v0') },
      { next: l('IKE\\] allow mutual EAP-only authentication') },
      { next: l('ENC\\] generating IKE_AUTH request 2 \\[ EAP/RES/TTLS \\]') },
      sent,
      l('ENC\\] parsed IKE_AUTH response \\d+ \\[ EAP/REQ/TTLS \\]'),
      l('TLS\\] negotiated TLS 1\\.2 using suite TLS_ECDHE_RSA_WITH_AES_\\d+_GCM_SHA\\d+'),
      { next: l(`TLS\\] received TLS server certificate 'C=CH, O=Linux strongSwan, CN=${MOON}'`) },
      { next: l(`CFG\\]   using certificate "C=CH, O=Linux strongSwan, CN=${MOON}" ?`) },
      { next: l('CFG\\]   using trusted ca certificate "C=CH, O=Linux strongSwan, CN=strongSwan Root CA" ?') },
      { next: l('CFG\\]   reached self-signed root ca with a path length of 0') },
      { next: l("TLS\\] received TLS cert request for 'C=CH, O=Linux strongSwan, CN=strongSwan Root CA'") },
      { next: l(`TLS\\] no TLS peer certificate found for '${CAROL}', skipping client authentication`) },
      l('IKE\\] received tunneled EAP-TTLS AVP \\[EAP/REQ/ID\\]'),
      { next: l(`IKE\\] server requested EAP_IDENTITY authentication ${ID}`) },
      { next: l('IKE\\] sending tunneled EAP-TTLS AVP \\[EAP/RES/ID\\]') },
      { next: l('ENC\\] generating IKE_AUTH request \\d+ \\[ EAP/RES/TTLS \\]') },
      sent,
      received,
      { next: l('ENC\\] parsed IKE_AUTH response \\d+ \\[ EAP/REQ/TTLS \\]') },
      { next: l('IKE\\] received tunneled EAP-TTLS AVP \\[EAP/REQ/MD5\\]') },
      { next: l(`IKE\\] server requested EAP_MD5 authentication ${ID}`) },
      { next: l('IKE\\] sending tunneled EAP-TTLS AVP \\[EAP/RES/MD5\\]') },
      { next: l('ENC\\] generating IKE_AUTH request \\d+ \\[ EAP/RES/TTLS \\]') },
      l('ENC\\] parsed IKE_AUTH response \\d+ \\[ EAP/SUCC \\]'),
      { next: l('IKE\\] EAP method EAP_TTLS succeeded, MSK established') },
      { next: l(`IKE\\] authentication of '${CAROL}' \\(myself\\) with EAP`) },
      { next: l('ENC\\] generating IKE_AUTH request \\d+ \\[ AUTH \\]') },
      sent,
      received,
      { next: l('ENC\\] parsed IKE_AUTH response \\d+ \\[ AUTH SA TSi TSr N\\(AUTH_LFT\\)( N\\(\\w+\\))* \\]') },
      { next: l(`IKE\\] authentication of '${MOON}' with EAP successful`) },
      { next: l(`IKE\\] IKE_SA home\\[${n}\\] established between ${IP}\\[${CAROL}\\]\\.\\.\\.${IP}\\[${MOON}\\]`) },
      { next: l('IKE\\] scheduling rekeying in \\d+s') },
      { next: l('IKE\\] maximum IKE_SA lifetime 11880s') },
      // charon's "%#R=== %#R": every selector followed by a space, so the line ends in one
      { next: l(`IKE\\] CHILD_SA home\\{${c.uniqueId}\\} established with SPIs ${c.spiIn && toHex(c.spiIn)}_i ${toHex(c.spiOut)}_o and TS ${IP}/32 === 10\\.1\\.0\\.0/28 `) },
      { next: l('IKE\\] received AUTH_LIFETIME of 10219s, scheduling reauthentication in \\d+s') },
      l(`IKE\\] deleting IKE_SA home\\[${n}\\] between ${IP}\\[${CAROL}\\]\\.\\.\\.${IP}\\[${MOON}\\]`),
      { next: l(`IKE\\] sending DELETE for IKE_SA home\\[${n}\\]`) },
      { next: l('ENC\\] generating INFORMATIONAL request \\d+ \\[ D \\]') },
      sent,
      received,
      { next: l('ENC\\] parsed INFORMATIONAL response \\d+ \\[ \\]') },
      { next: l('IKE\\] IKE_SA deleted') },
    ]);
    // lines the seed does not have at level 1 and that we used to print
    expect(lines.filter((x) => /EAP method succeeded|sending EAP identity|PT-EAP transport/.test(x))).toEqual([]);
  }, 30_000);

  it('unique ids are process-wide as in charon: a second IKE_SA is [n+1], a rekeyed CHILD_SA gets the next {m}', async () => {
    const a = await run();
    const first = await a.ike.connect();
    const b = await run({ name: 'office' });
    const second = await b.ike.connect();
    expect(second.uniqueId).toBeGreaterThan(first.uniqueId);
    expect(second.child!.uniqueId).toBeGreaterThan(first.child!.uniqueId!);
    expect(b.lines).toContain(`00[IKE] initiating IKE_SA office[${second.uniqueId}] to 127.0.0.1`);
    const before = second.child!.uniqueId!;
    const rekeyed = await b.ike.rekeyChildSa();
    expect(rekeyed.uniqueId).toBeGreaterThan(before);
    expect(b.ike.childSa?.uniqueId).toBe(rekeyed.uniqueId);
    expect(b.lines).toContain(`00[IKE] CHILD_SA office{${rekeyed.uniqueId}} established with SPIs ${toHex(rekeyed.spiIn)}_i ${toHex(rekeyed.spiOut)}_o and TS 127.0.0.1/32 === 10.1.0.0/28 `);
  }, 30_000);
});

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
