/**
 * Interop against a real strongSwan 5.9.8 gateway ("moon", /work/shared/peers/strongswan): our initiator runs from the
 * BUILT package inside the carol namespace (`ip netns exec tnc-carol node initiator-client.mjs`), moon's log is the
 * independent witness. Run through `bash scripts/interop-ikev2.sh` (builds, starts moon, always tears it down).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKit, logMark, logSince as moonLogSince } from '../../../../test-support/strongswan-kit.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
const client = join(here, 'initiator-client.mjs');
let env: Record<string, string> = {};
let ca = '';

interface Result {
  ok: boolean;
  error?: { code: string; message: string; notify?: number };
  spiI?: string;
  spiR?: string;
  proposal?: string;
  exchanges?: string[];
  retransmits?: number;
  child?: { proposal: string; spiIn: string; spiOut: string; udpEncapsulation: boolean };
  rekeys?: { child?: { spiIn: string; spiOut: string; proposal: string }; ike?: { spiI: string; spiR: string }; ping?: { src: string; seq: number; checksumOk: boolean } }[];
  events?: { type: string; [k: string]: unknown }[];
  tunnel?: { rekeys: number; outSpi: string };
  delete?: { acknowledged: boolean };
  ping?: { sent: number; replies: { src: string; dst: string; seq: number; checksumOk: boolean; data: string }[]; outSeq: number };
  transport: { sent: number; received: number; sendDropped: number; receiveDropped: number };
  ms: number;
}

function run(opts: Record<string, unknown>): Result {
  const o = { gateway: env.MOON_TTLS_IP, identity: env.CAROL_ID, password: env.CAROL_PASSWORD, ca, retransmit: { timeout: 1000, base: 1.8, tries: 3 }, ...opts };
  const r = spawnSync('ip', ['netns', 'exec', env.TNC_PEER_CAROL_NS, process.execPath, client, JSON.stringify(o)], { encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) throw new Error(`client failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
}

const mark = () => logMark(env);
const logSince = (m: number) => moonLogSince(env, m);

beforeAll(() => {
  env = startKit();
  // trust exactly moon's CA (the kit's pki directory also holds moon's own certificate)
  ca = mkdtempSync(join(tmpdir(), 'ikev2-ca-'));
  copyFileSync(env.CA_CERT_PEM, join(ca, 'caCert.pem'));
  if (!existsSync(join(repo, 'packages/ikev2/dist/index.js'))) throw new Error('build @tncjs/ikev2 first (scripts/interop-ikev2.sh does)');
}, 600_000);

describe('moon (strongSwan 5.9.8), gateway "ttls": EAP-only authentication through EAP-TTLS + EAP-MD5', () => {
  it('(a) IKE_SA and CHILD_SA established; moon logs the EAP-TTLS/MD5 success and both SAs', () => {
    const m = mark();
    const r = run({});
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.exchanges![0]).toBe('generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]');
    expect(r.exchanges).toContain('generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) ]');
    expect(r.exchanges).toContain('parsed IKE_AUTH response 1 [ IDr EAP/REQ/TTLS ]');
    expect(r.exchanges!.some((l) => /parsed IKE_AUTH response \d+ \[ EAP\/SUCC \]/.test(l))).toBe(true);
    expect(r.exchanges!.some((l) => /parsed IKE_AUTH response \d+ \[ AUTH SA TSi TSr \]/.test(l))).toBe(true);
    expect(r.child).toMatchObject({ udpEncapsulation: true });
    const log = logSince(m);
    expect(log).toMatch(/parsed IKE_AUTH request 1 \[ IDi N\(INIT_CONTACT\) SA TSi TSr N\(MULT_AUTH\) N\(EAP_ONLY\) \]/);
    expect(log).toMatch(/generating IKE_AUTH response 1 \[ IDr EAP\/REQ\/TTLS \]/);
    expect(log).toContain("EAP_TTLS phase2 authentication of 'carol@strongswan.org' with EAP_MD5 successful");
    expect(log).toContain('EAP method EAP_TTLS succeeded, MSK established');
    expect(log).toContain("authentication of 'carol@strongswan.org' with EAP successful");
    expect(log).toMatch(/IKE_SA ttls\[\d+\] established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.254\[carol@strongswan\.org\]/);
    // moon's inbound SPI is our outbound one and vice versa
    expect(log).toMatch(new RegExp(`CHILD_SA ttls\\{\\d+\\} established with SPIs ${r.child!.spiOut}_i ${r.child!.spiIn}_o and TS 10\\.1\\.0\\.0/28 === 192\\.168\\.0\\.254/32`));
  });

  it('(b) DELETE on shutdown: acknowledged, moon logs the IKE_SA deleted and no longer lists it', () => {
    const m = mark();
    const r = run({});
    expect(r.ok).toBe(true);
    expect(r.delete).toEqual({ acknowledged: true });
    expect(r.exchanges!.slice(-2)).toEqual([expect.stringMatching(/^generating INFORMATIONAL request \d+ \[ D \]$/), expect.stringMatching(/^parsed INFORMATIONAL response \d+ \[ \]$/)]);
    const log = logSince(m);
    const id = /IKE_SA ttls\[(\d+)\] established/.exec(log)![1];
    expect(log).toContain(`received DELETE for IKE_SA ttls[${id}]`);
    expect(log).toMatch(new RegExp(`deleting IKE_SA ttls\\[${id}\\] between 192\\.168\\.0\\.1`));
    expect(log).toMatch(/generating INFORMATIONAL response \d+ \[ \]/);
    const sas = execFileSync('swanctl', ['--list-sas'], { env: { ...process.env, STRONGSWAN_CONF: env.MOON_STRONGSWAN_CONF }, encoding: 'utf8' });
    expect(sas).not.toContain(r.spiI!);
  });

  it('(c) 30 % loss in each direction (our transport drop settings) still completes', () => {
    const r = run({ sendDrop: 0.3, receiveDrop: 0.3, retransmit: { timeout: 250, base: 1.4, tries: 14, maxTimeout: 2000 } });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.transport.sendDropped + r.transport.receiveDropped).toBeGreaterThan(0);
    expect(r.child).toBeDefined();
  }, 120_000);

  it('(c) dead gateway: clear ERR_IKE_TIMEOUT after the configured retransmits', () => {
    const r = run({ gateway: '192.168.0.77', retransmit: { timeout: 100, base: 1.8, tries: 2 } });
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'ERR_IKE_TIMEOUT' });
    expect(r.error!.message).toMatch(/no response from 192\.168\.0\.77: giving up after 2 retransmits/);
  });

  it('wrong password: EAP fails, ERR_IKE_EAP, moon logs EAP_TTLS failed', () => {
    const m = mark();
    const r = run({ password: 'wrong-password' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'ERR_IKE_EAP' });
    expect(logSince(m)).toMatch(/EAP method EAP_TTLS failed for peer carol@strongswan\.org/);
  });

  it('INVALID_KE_PAYLOAD: offering MODP_2048 + ECP_256 with a MODP_2048 KE, moon asks for ECP_256 and we retry', () => {
    const m = mark();
    const r = run({ ikeGroups: [14, 19] });
    expect(r.ok).toBe(true);
    expect(r.exchanges).toContain('parsed IKE_SA_INIT response 0 [ N(INVAL_KE) ]');
    expect(r.proposal).toMatch(/ECP_256$/);
    expect(logSince(m)).toContain('DH group MODP_2048 unacceptable, requesting ECP_256');
  });

  it('IDr sent: moon.strongswan.org matches the connection', () => {
    const r = run({ remoteIdentity: 'moon.strongswan.org' });
    expect(r.ok).toBe(true);
    expect(r.exchanges).toContain('generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) ]');
  });

  it('RFC 7383: our requests fragmented (fragmentSize 300), moon reassembles them', () => {
    const m = mark();
    const r = run({ fragmentSize: 300 });
    expect(r.ok).toBe(true);
    const log = logSince(m);
    expect(log).toMatch(/received fragment #1 of [2-9], waiting for complete IKE message/);
    expect(log).toMatch(/received fragment #\d of \d, reassembled fragmented IKE message/);
    expect(log).toMatch(/IKE_SA ttls\[\d+\] established/);
  });

  it.each(['gcm', 'cbc'])('(d) userspace ESP (%s) over UDP 4500: ICMP echo 192.168.0.254 → 10.1.0.1 comes back decrypted', (esp) => {
    const r = run({ esp, ping: 3 });
    expect(r.error).toBeUndefined();
    expect(r.child!.proposal).toBe(esp === 'gcm' ? 'ESP:AES_GCM_16_128/NO_EXT_SEQ' : 'ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ');
    expect(r.ping!.outSeq).toBe(3);
    expect(r.ping!.replies).toEqual([1, 2, 3].map((seq) => ({ src: '10.1.0.1', dst: '192.168.0.254', seq, checksumOk: true, data: `tncjs ping ${seq}` })));
  });
});

describe('moon, gateway "pubkey-md5": certificate-authenticated gateway + EAP-MD5 (RFC 7296 §2.16)', () => {
  it("(e) moon's RSA signature AUTH (RFC 7427, SHA-256) verified against its CA, EAP-MD5, AUTH from SK_p, CHILD_SA and ping", () => {
    const m = mark();
    const r = run({ gateway: env.MOON_PUBKEY_IP, method: 'md5', ping: 1 });
    expect(r.error).toBeUndefined();
    expect(r.exchanges).toEqual(expect.arrayContaining([
      'generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) ]',
      'generating IKE_AUTH request 1 [ IDi CERTREQ N(INIT_CONTACT) SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) ]',
      'parsed IKE_AUTH response 1 [ IDr CERT AUTH EAP/REQ/ID ]',
      'parsed IKE_AUTH response 2 [ EAP/REQ/MD5 ]',
      'parsed IKE_AUTH response 3 [ EAP/SUCC ]',
      'parsed IKE_AUTH response 4 [ AUTH SA TSi TSr ]',
    ]));
    expect(r.ping!.replies).toHaveLength(1);
    const log = logSince(m);
    // RFC 7383 in the other direction: moon fragments its 1392-byte response, we reassemble it
    expect(log).toMatch(/splitting IKE message \(\d+ bytes\) into 2 fragments/);
    expect(log).toContain('EAP method EAP_MD5 succeeded, no MSK established');
    expect(log).toMatch(/IKE_SA pubkey-md5\[\d+\] established between 192\.168\.0\.2\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.254\[carol@strongswan\.org\]/);
    expect(log).toMatch(/CHILD_SA pubkey-md5\{\d+\} established/);
  });

  it('(e) a gateway certificate from an untrusted CA is refused (ERR_IKE_AUTH)', () => {
    const other = mkdtempSync(join(tmpdir(), 'ikev2-other-ca-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(other, 'key.pem'), '-out', join(other, 'caCert.pem'), '-subj', '/CN=Other CA', '-days', '2'], { stdio: 'ignore' });
    execFileSync('rm', [join(other, 'key.pem')]);
    const r = run({ gateway: env.MOON_PUBKEY_IP, method: 'md5', ca: other });
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'ERR_IKE_AUTH' });
    expect(r.error!.message).toMatch(/certificate of 'moon\.strongswan\.org' not accepted/);
  });
});

describe('moon: rekeying and liveness initiated by us (RFC 7296 §1.3, §2.8, §1.4)', () => {
  it('CHILD_SA rekeyed twice (CREATE_CHILD_SA with REKEY_SA, then DELETE of the old one); ESP carries on through the new SAs', () => {
    const m = mark();
    const r = run({ rekeyChild: 2, pingAfterRekey: true });
    expect(r.error).toBeUndefined();
    expect(r.rekeys).toHaveLength(2);
    expect(r.exchanges).toEqual(expect.arrayContaining([
      'generating CREATE_CHILD_SA request 8 [ N(REKEY_SA) SA No TSi TSr ]',
      'parsed CREATE_CHILD_SA response 8 [ SA No TSi TSr ]',
      'generating INFORMATIONAL request 9 [ D ]',
      'parsed INFORMATIONAL response 9 [ D ]',
    ]));
    for (const [i, k] of r.rekeys!.entries()) expect(k.ping).toEqual({ src: '10.1.0.1', seq: 100 + i, checksumOk: true });
    expect(r.tunnel).toEqual({ rekeys: 2, outSpi: r.rekeys![1].child!.spiOut });
    const log = logSince(m);
    // moon's view: each new CHILD_SA established with our SPIs, each old one closed on our DELETE
    for (const k of r.rekeys!) expect(log).toMatch(new RegExp(`CHILD_SA ttls\\{\\d+\\} established with SPIs ${k.child!.spiOut}_i ${k.child!.spiIn}_o and TS 10\\.1\\.0\\.0/28 === 192\\.168\\.0\\.254/32`));
    expect(log).toMatch(new RegExp(`closing CHILD_SA ttls\\{\\d+\\} with SPIs ${r.child!.spiOut}_i \\(\\d+ bytes\\) ${r.child!.spiIn}_o`));
    expect(log).toMatch(/parsed CREATE_CHILD_SA request 8 \[ N\(REKEY_SA\) SA No TSi TSr \]/);
    expect(log).toMatch(/generating CREATE_CHILD_SA response 8 \[ SA No TSi TSr \]/);
  });

  it('IKE_SA rekeyed (new SPIs, SKEYSEED from SK_d); the CHILD_SA, a CHILD_SA rekey on the new IKE_SA, DPD and the final DELETE work', () => {
    const m = mark();
    const r = run({ rekeyIke: 1, rekeyChild: 0, dpd: 1, pingAfterRekey: true });
    expect(r.error).toBeUndefined();
    const ike = r.rekeys![0].ike!;
    expect(ike.spiI).not.toBe(r.spiI);
    expect(r.rekeys![0].ping).toEqual({ src: '10.1.0.1', seq: 200, checksumOk: true });
    expect(r.exchanges).toEqual(expect.arrayContaining([
      'generating CREATE_CHILD_SA request 8 [ SA No KE ]',
      'parsed CREATE_CHILD_SA response 8 [ SA No KE ]',
      'generating INFORMATIONAL request 9 [ D ]',
      'generating INFORMATIONAL request 0 [ ]', // DPD on the new IKE_SA: message IDs restarted at 0
      'parsed INFORMATIONAL response 0 [ ]',
      'generating INFORMATIONAL request 1 [ D ]',
      'parsed INFORMATIONAL response 1 [ ]',
    ]));
    expect(r.delete).toEqual({ acknowledged: true });
    const log = logSince(m);
    const id = /IKE_SA ttls\[(\d+)\] established/.exec(log)![1];
    expect(log).toMatch(/IKE_SA ttls\[\d+\] rekeyed between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.254\[carol@strongswan\.org\]/);
    expect(log).toContain(`received DELETE for IKE_SA ttls[${id}]`);
    expect(log).toMatch(/parsed INFORMATIONAL request 0 \[ \]/);
    // the new IKE_SA (other SPIs) was deleted at the end
    expect(log).toMatch(new RegExp(`deleting IKE_SA ttls\\[(?!${id}\\])\\d+\\] between 192\\.168\\.0\\.1`));
  });

  it('CHILD_SA rekey with PFS (x25519): moon (esp_proposals = default, no DH group) answers NO_PROPOSAL_CHOSEN → ERR_IKE_NOTIFY', () => {
    const m = mark();
    const r = run({ rekeyChild: 1, pfs: [31] });
    expect(r.error).toMatchObject({ code: 'ERR_IKE_NOTIFY', notify: 14 });
    expect(r.exchanges).toContain('generating CREATE_CHILD_SA request 8 [ N(REKEY_SA) SA No KE TSi TSr ]');
    const log = logSince(m);
    expect(log).toContain('no acceptable KEY_EXCHANGE_METHOD found');
    expect(log).toMatch(/generating CREATE_CHILD_SA response 8 \[ N\(NO_PROP\) \]/);
  });
});
