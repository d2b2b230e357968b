/**
 * The BUILT `tnc-client` executable as an operator runs it, against Debian's strongSwan 5.9.8 gateway "moon"
 * (/work/shared/peers/strongswan): `ip netns exec tnc-carol node dist/tnc-client.js connect|up …`, moon's log and
 * `swanctl --list-sas` (through the kit's `swanctl_i`) as the independent witnesses. moon runs no TNC assessment
 * (Debian lacks tnccs-20), so the client reports 'access allowed' with no recommendation, as strongSwan's carol comes
 * up. Run through `bash scripts/interop-client.sh` (builds, starts moon, stops it again if it started it).
 *
 * Not covered here: ESP through the tunnel. The command keeps the CHILD_SA in its userspace data path without a TUN
 * device (this machine's kernel has no ESP), so nothing outside the process can send through it; the ikev2 interop
 * tier pings 10.1.0.1 through the same userspace tunnel with the library API.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { killLeftovers, spawnCaptured, type Proc } from '../support/child-process.js';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { kitDir, PEER_DIR, startKit, logMark, logSince as moonLogSince } from '../../../../test-support/strongswan-kit.js';

jest.setTimeout(120_000);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
const kit = kitDir();
const BIN = join(repo, 'packages/client/dist/tnc-client.js');
const peerDir = PEER_DIR;
let env: Record<string, string> = {};
let tmp: string;
let pwFile: string;
let otherCa: string;

afterEach(killLeftovers);

/** `ip netns exec tnc-carol node tnc-client.js …` (ip execs node: a signal to the child reaches tnc-client itself). */
function tncClient(args: string[], extraEnv: Record<string, string> = {}): Proc {
  const e: NodeJS.ProcessEnv = { ...process.env, TNC_CLIENT_RUNDIR: join(tmp, 'run'), ...extraEnv };
  if (!extraEnv.TNC_EAP_PASSWORD) delete e.TNC_EAP_PASSWORD;
  return spawnCaptured('ip', ['netns', 'exec', env.TNC_PEER_CAROL_NS, process.execPath, BIN, ...args], e);
}

/** `tnc-client status|down …` from the host: the control socket is a file, reachable from any network namespace. */
function control(args: string[]): { code: number | null; out: string; err: string } {
  const e: NodeJS.ProcessEnv = { ...process.env, TNC_CLIENT_RUNDIR: join(tmp, 'run') };
  delete e.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [BIN, ...args], { env: e, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function until(cond: () => boolean, what: string, p: Proc, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (p.child.exitCode !== null) throw new Error(`tnc-client exited (${p.child.exitCode}) before ${what}:\n${p.out()}\n${p.err()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${p.out()}\n${p.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** moon's live IKE_SAs, through the kit's helper (its own strongswan.conf and vici socket). */
function moonSas(): string {
  return execFileSync('bash', ['-c', 'source "$1/lib.sh"; swanctl_i moon --list-sas', 'sas', kit], { encoding: 'utf8', env: { ...process.env, TNC_PEER_DIR: peerDir } });
}

const mark = () => logMark(env);
const logSince = (m: number) => moonLogSince(env, m);

/** Our CHILD_SA's SPIs as tnc-client logs them (`SPIs <in>_i <out>_o and TS ...`). */
function ourSpis(err: string, conn: string): { spiIn: string; spiOut: string } {
  const m = new RegExp(`\\[IKE\\] CHILD_SA ${conn}\\{\\d+\\} established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o and TS 192\\.168\\.0\\.254/32 === 10\\.1\\.0\\.0/28`).exec(err);
  if (!m) throw new Error(`no CHILD_SA established line for '${conn}' in:\n${err}`);
  return { spiIn: m[1], spiOut: m[2] };
}

/** moon's IKE_SA unique id for our CHILD_SA (its inbound SPI is our outbound one): the kit may serve other clients at once. */
function moonSa(log: string, gateway: 'ttls' | 'pubkey-md5', s: { spiIn: string; spiOut: string }): string {
  const m = new RegExp(`<${gateway}\\|(\\d+)> CHILD_SA ${gateway}\\{\\d+\\} established with SPIs ${s.spiOut}_i ${s.spiIn}_o and TS 10\\.1\\.0\\.0/28 === 192\\.168\\.0\\.254/32`).exec(log);
  if (!m) throw new Error(`moon logged no CHILD_SA with SPIs ${s.spiOut}_i ${s.spiIn}_o`);
  return m[1];
}

/** The DELETE went out, moon acknowledged it (an empty INFORMATIONAL response), and moon dropped the IKE_SA. */
function expectDeleted(err: string, log: string, gateway: 'ttls' | 'pubkey-md5', id: string, s: { spiOut: string }): void {
  expect(err).toMatch(/\[ENC\] generating INFORMATIONAL request (\d+) \[ D \]\n(?:.*\n)*.*\[ENC\] parsed INFORMATIONAL response \1 \[ \]/);
  expect(err).toContain('[IKE] IKE_SA deleted');
  expect(log).toContain(`<${gateway}|${id}> received DELETE for IKE_SA ${gateway}[${id}]`);
  expect(log).toMatch(new RegExp(`<${gateway}\\|${id}> generating INFORMATIONAL response \\d+ \\[ \\]`));
  expect(moonSas()).not.toContain(s.spiOut);
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('the client interop tier needs root (ip netns); run scripts/interop-client.sh as root');
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (scripts/interop-client.sh does)`);
  env = startKit();
  tmp = mkdtempSync(join(tmpdir(), 'tnc-client-moon-'));
  pwFile = join(tmp, 'password');
  writeFileSync(pwFile, `${env.CAROL_PASSWORD}\n`, { mode: 0o600 });
  // a CA that did not issue moon's certificate
  otherCa = join(tmp, 'otherCa.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(tmp, 'otherCa.key'), '-out', otherCa, '-subj', '/CN=Other CA', '-days', '2'], { stdio: 'ignore' });
  rmSync(join(tmp, 'otherCa.key'));
}, 600_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tnc-client connect → moon "ttls" (EAP-only, EAP-TTLS + EAP-MD5, no TNC)', () => {
  test('(a) IKE_SA and CHILD_SA 192.168.0.254/32 === 10.1.0.0/28 up, access allowed without assessment; SIGINT → DELETE acknowledged, exit 0', async () => {
    const m = mark();
    const p = tncClient([
      'connect', '--name', 'moon', '--host', env.MOON_TTLS_IP, '--remote-identity', env.MOON_ID, '--identity', env.CAROL_ID,
      '--cacert', env.CA_CERT_PEM, '--eap-password-file', pwFile, '--no-kernel',
    ]);
    await until(() => p.out().includes('established'), 'the connection to be established', p);
    const spis = ourSpis(p.err(), 'moon');
    // while it is up, moon lists it
    expect(moonSas()).toContain(spis.spiOut);
    p.child.kill('SIGINT');
    expect(await p.exit).toEqual({ code: 0, signal: null });

    const err = p.err();
    expect(p.out()).toBe("connection 'moon' established with 192.168.0.1: access allowed\nconnection 'moon' closed (SIGINT)\n");
    expect(err).toContain('[ENC] generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) ]');
    expect(err).toContain("[TLS] received TLS server certificate 'C=CH, O=Linux strongSwan, CN=moon.strongswan.org'");
    expect(err).toContain('[IKE] EAP method EAP_TTLS succeeded, MSK established');
    expect(err).toMatch(/\[IKE\] IKE_SA moon\[\d+\] established between 192\.168\.0\.254\[carol@strongswan\.org\]\.\.\.192\.168\.0\.1\[moon\.strongswan\.org\]/);
    expect(err).toContain('[TNC] gateway ran no TNC assessment');
    expect(err).not.toContain('PB-TNC access recommendation is');
    expect(err).toContain('00[DMN] signal of type SIGINT received. Shutting down');
    expect(`${p.out()}${err}`).not.toContain(env.CAROL_PASSWORD);

    const log = logSince(m);
    const id = moonSa(log, 'ttls', spis);
    expect(log).toContain(`<ttls|${id}> EAP_TTLS phase2 authentication of 'carol@strongswan.org' with EAP_MD5 successful`);
    expect(log).toMatch(new RegExp(`<ttls\\|${id}> IKE_SA ttls\\[${id}\\] established between 192\\.168\\.0\\.1\\[moon\\.strongswan\\.org\\]\\.\\.\\.192\\.168\\.0\\.254\\[carol@strongswan\\.org\\]`));
    expectDeleted(err, log, 'ttls', id, spis);
  });

  test('(b) up <conn> from a swanctl.conf-style file (no remote id, IKE aes256-sha384-ecp384, ESP aes128gcm16); status while up; SIGINT → exit 0', async () => {
    const conf = join(tmp, 'swanctl.conf');
    const secrets = join(tmp, 'secrets.conf');
    writeFileSync(
      conf,
      `connections {
   office {
      remote_addrs = ${env.MOON_TTLS_IP}
      proposals = aes256-sha384-ecp384
      local {
         auth = eap-ttls
         id = ${env.CAROL_ID}
      }
      remote {
         auth = eap-ttls
         cacerts = ${env.CA_CERT_PEM}
      }
      children {
         office {
            remote_ts = ${env.MOON_NET}
            esp_proposals = aes128gcm16
         }
      }
   }
}
tnc {
   kernel = no
   ttls_fragment_size = 1024
}
`,
    );
    writeFileSync(secrets, `secrets {\n   eap-carol {\n      id = ${env.CAROL_ID}\n      secret = ${env.CAROL_PASSWORD}\n   }\n}\n`);
    chmodSync(secrets, 0o600);
    const m = mark();
    const p = tncClient(['up', 'office', '--config', conf, '--secrets', secrets]);
    await until(() => p.out().includes('established'), 'the connection to be established', p);
    const spis = ourSpis(p.err(), 'office');
    const st = control(['status', 'office', '--json']);
    expect(st.code).toBe(0);
    const status = JSON.parse(st.out) as Record<string, any>;
    expect(status).toMatchObject({
      connection: 'office', state: 'established', outcome: 'allowed', remote: '192.168.0.1', remoteIdentity: '%any',
      session: { state: 'established', outcome: 'allowed', exitCode: 0, gateway: '192.168.0.1[%any]', child: { tsi: ['192.168.0.254/32'], tsr: ['10.1.0.0/28'], udpEncapsulation: true, spiIn: spis.spiIn, spiOut: spis.spiOut }, kernel: { installed: false } },
    });
    expect(status.session.recommendation).toBeUndefined();
    expect(status.session.assessment).toBeUndefined();
    expect(status.session.ike.proposal).toBe('IKE:AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384');
    expect(status.session.ike.remoteIdentity).toBe('moon.strongswan.org');
    expect(status.session.child.proposal).toBe('ESP:AES_GCM_16_128/NO_EXT_SEQ');
    expect(JSON.stringify(status)).not.toContain(env.CAROL_PASSWORD);
    p.child.kill('SIGINT');
    expect(await p.exit).toEqual({ code: 0, signal: null });

    const err = p.err();
    expect(p.out()).toContain("connection 'office' closed (SIGINT)");
    // no remote id configured: no IDr sent (strongSwan's remote.id = %any)
    expect(err).toContain('[ENC] generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) ]');
    expect(`${p.out()}${err}`).not.toContain(env.CAROL_PASSWORD);
    const log = logSince(m);
    const id = moonSa(log, 'ttls', spis);
    // until IKE_AUTH request 1 is parsed moon knows the IKE_SA by its number only
    expect(log).toMatch(new RegExp(`<${id}> selected proposal: IKE:AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384`));
    expect(log).toMatch(new RegExp(`<${id}> parsed IKE_AUTH request 1 \\[ IDi N\\(INIT_CONTACT\\) SA TSi TSr N\\(MULT_AUTH\\) N\\(EAP_ONLY\\) \\]`));
    expectDeleted(err, log, 'ttls', id, spis);
  });
});

describe('(e) ESP through the userspace tunnel (library API: the command has no TUN device to route into it)', () => {
  test('connectTnc → moon "ttls": allowed without assessment; 3 ICMP echoes 192.168.0.254 → 10.1.0.1 come back decrypted; close() → DELETE acknowledged', () => {
    const m = mark();
    const e: NodeJS.ProcessEnv = { ...process.env };
    delete e.NODE_OPTIONS;
    const r = spawnSync('ip', ['netns', 'exec', env.TNC_PEER_CAROL_NS, process.execPath, join(here, 'moon-esp.mjs'), JSON.stringify({ gateway: env.MOON_TTLS_IP, identity: env.CAROL_ID, password: env.CAROL_PASSWORD, ca: env.CA_CERT_PEM, pings: 3 })], { encoding: 'utf8', env: e, timeout: 60_000 });
    expect(r.status).toBe(0);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, any>;
    expect(res.error).toBeUndefined();
    expect(res).toMatchObject({ outcome: 'allowed', exitCode: 0, child: { tsi: ['192.168.0.254/32'], tsr: ['10.1.0.0/28'], udpEncapsulation: true }, delete: { acknowledged: true } });
    expect(res.recommendation).toBeUndefined();
    expect(res.assessment).toBeUndefined();
    expect(res.outSeq).toBe(3);
    expect(res.replies).toEqual([1, 2, 3].map((seq) => ({ src: '10.1.0.1', dst: '192.168.0.254', seq, checksumOk: true, data: `tnc-client ping ${seq}` })));
    expect(r.stderr).toContain('[TNC] gateway ran no TNC assessment');
    expect(r.stderr).not.toContain(env.CAROL_PASSWORD);
    // the replies came from moon's 10.1.0.1 through moon's CHILD_SA (its inbound SPI is our outbound one)
    const log = logSince(m);
    const id = moonSa(log, 'ttls', res.child);
    expect(log).toContain(`<ttls|${id}> received DELETE for IKE_SA ttls[${id}]`);
  });
});

describe('tnc-client connect → moon "pubkey-md5" (certificate gateway, plain EAP-MD5)', () => {
  test("(c) --auth eap-md5 --remote-auth pubkey: moon's RSA signature verified against the CA, EAP-MD5, CHILD_SA up; `down` closes it, exit 0", async () => {
    const m = mark();
    const p = tncClient(
      ['connect', '--name', 'md5', '--host', env.MOON_PUBKEY_IP, '--identity', env.CAROL_ID, '--cacert', env.CA_CERT_PEM, '--auth', 'eap-md5', '--remote-auth', 'pubkey', '--no-kernel'],
      { TNC_EAP_PASSWORD: env.CAROL_PASSWORD },
    );
    await until(() => p.out().includes('established'), 'the connection to be established', p);
    const spis = ourSpis(p.err(), 'md5');
    expect(moonSas()).toContain(spis.spiOut);
    const down = control(['down', 'md5']);
    expect(down).toMatchObject({ code: 0, out: "connection 'md5' closed\n" });
    expect(await p.exit).toEqual({ code: 0, signal: null });

    const err = p.err();
    expect(p.out()).toBe("connection 'md5' established with 192.168.0.2: access allowed\nconnection 'md5' closed (down)\n");
    expect(err).toContain('[ENC] parsed IKE_AUTH response 1 [ IDr CERT AUTH EAP/REQ/ID ]');
    expect(err).toContain('[CFG]   using trusted ca certificate "C=CH, O=Linux strongSwan, CN=strongSwan Root CA"');
    expect(err).toMatch(/\[IKE\] authentication of 'moon\.strongswan\.org' with RSA_EMSA_PKCS1_SHA(2_)?256 successful/);
    expect(err).toContain('[IKE] server requested EAP_MD5 authentication');
    expect(err).toContain('[IKE] EAP method EAP_MD5 succeeded, no MSK established');
    expect(err).toContain('[TNC] gateway ran no TNC assessment');
    expect(`${p.out()}${err}`).not.toContain(env.CAROL_PASSWORD);
    const log = logSince(m);
    const id = moonSa(log, 'pubkey-md5', spis);
    expect(log).toContain(`<pubkey-md5|${id}> EAP method EAP_MD5 succeeded, no MSK established`);
    expect(log).toMatch(new RegExp(`<pubkey-md5\\|${id}> IKE_SA pubkey-md5\\[${id}\\] established between 192\\.168\\.0\\.2\\[moon\\.strongswan\\.org\\]\\.\\.\\.192\\.168\\.0\\.254\\[carol@strongswan\\.org\\]`));
    expectDeleted(err, log, 'pubkey-md5', id, spis);
  });
});

describe('tnc-client → moon: failures are exit 1 with a clear message, never the password', () => {
  test('(d) wrong password: moon fails EAP-TTLS, exit 1, the message says the gateway rejected our EAP authentication', async () => {
    const bad = join(tmp, 'wrong-password');
    writeFileSync(bad, 'not-the-Password-42\n', { mode: 0o600 });
    const m = mark();
    const p = tncClient(['connect', '--name', 'moon', '--host', env.MOON_TTLS_IP, '--identity', env.CAROL_ID, '--cacert', env.CA_CERT_PEM, '--eap-password-file', bad, '--no-kernel']);
    expect(await p.exit).toEqual({ code: 1, signal: null });
    const all = `${p.out()}${p.err()}`;
    expect(p.err()).toMatch(/tnc-client: connection 'moon' failed: connecting to 192\.168\.0\.1 failed \(ERR_IKE_EAP\): .*received EAP-Failure; the gateway rejected the EAP authentication of 'carol@strongswan\.org' \(wrong password or unknown identity\?\)/);
    expect(p.out()).not.toContain('established');
    expect(all).not.toContain('not-the-Password-42');
    expect(all).not.toContain(env.CAROL_PASSWORD);
    expect(logSince(m)).toContain('EAP method EAP_TTLS failed for peer carol@strongswan.org');
  });

  test("(d) untrusted CA, ttls gateway: moon's TLS certificate is refused inside EAP-TTLS, exit 1", async () => {
    const p = tncClient(['connect', '--name', 'moon', '--host', env.MOON_TTLS_IP, '--identity', env.CAROL_ID, '--cacert', otherCa, '--eap-password-file', pwFile, '--no-kernel']);
    expect(await p.exit).toEqual({ code: 1, signal: null });
    expect(p.err()).toMatch(/tnc-client: connection 'moon' failed: connecting to 192\.168\.0\.1 failed \(ERR_IKE_EAP\): .*certificate 'C=CH, O=Linux strongSwan, CN=moon\.strongswan\.org' is not issued by a trusted CA/);
    expect(p.out()).not.toContain('established');
    expect(`${p.out()}${p.err()}`).not.toContain(env.CAROL_PASSWORD);
  });

  test("(d) untrusted CA, pubkey gateway: moon's IKE certificate is refused before EAP, exit 1", async () => {
    const p = tncClient(['connect', '--name', 'md5', '--host', env.MOON_PUBKEY_IP, '--identity', env.CAROL_ID, '--cacert', otherCa, '--eap-password-file', pwFile, '--auth', 'eap-md5', '--remote-auth', 'pubkey', '--no-kernel']);
    expect(await p.exit).toEqual({ code: 1, signal: null });
    expect(p.err()).toMatch(/tnc-client: connection 'md5' failed: connecting to 192\.168\.0\.2 failed \(ERR_IKE_AUTH\): certificate of 'moon\.strongswan\.org' not accepted: .*not issued by a trusted CA/);
    // refused before EAP: no EAP-MD5 response (which would carry a hash of the password) went out
    expect(p.err()).not.toContain('EAP/RES/MD5');
    expect(p.out()).not.toContain('established');
    expect(`${p.out()}${p.err()}`).not.toContain(env.CAROL_PASSWORD);
  });
});
