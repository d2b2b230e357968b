/**
 * Interop with a real EAP-TTLS peer independent of IKEv2: wpa_supplicant's `eapol_test` (Debian package
 * `eapoltest`, installed by scripts/test.sh) as the client against our EAP-TTLS server role behind a tiny RADIUS
 * front end on 127.0.0.1. eapol_test checks our server certificate against the CA file and the expected name,
 * runs TTLS with phase 2 EAP-MD5 (answering our piggybacked inner Identity request), and compares its MSK with the
 * MS-MPPE keys we return in Access-Accept ("MPPE keys OK: 1  mismatch: 0"): an independent check of our MSK.
 * A missing binary fails the test (never skips).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@tncjs/common';
import { EapAuthenticator, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { ttlsServerFactory } from '../src/index.js';
import { makePki, type TestPki } from './support/pki.js';
import { RadiusEapServer } from './support/radius.js';

const EAPOL_TEST = 'eapol_test';
let pki: TestPki;
let dir: string;

beforeAll(async () => {
  const probe = spawnSync(EAPOL_TEST, ['-v'], { encoding: 'utf8' });
  if (probe.error) throw new Error(`'${EAPOL_TEST}' not found: install the Debian package 'eapoltest' (scripts/test.sh does) — ${probe.error.message}`);
  pki = await makePki();
  dir = mkdtempSync(join(tmpdir(), 'tncjs-eapol-'));
  writeFileSync(join(dir, 'ca.pem'), pki.ca.pem);
  writeFileSync(join(dir, 'other-ca.pem'), pki.otherCa.pem);
}, 30_000);

afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  out: string;
  radius: RadiusEapServer;
  lines: string[];
}

async function run(opts: { tls13?: boolean; password?: string; caFile?: string; match?: string; fragmentSize?: number; tls13Keys?: 'rfc9427' | 'strongswan' }): Promise<Run> {
  const lines: string[] = [];
  const log = new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) });
  const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp' });
  const radius = new RadiusEapServer({
    secret: 'testing123',
    createAuthenticator: (identity, next) =>
      new EapAuthenticator({
        requestIdentity: false,
        identity,
        initialIdentifier: next,
        logger: log,
        methods: [
          ttlsServerFactory({
            cert: pki.moon.pem,
            key: pki.leafKey.pem,
            fragmentSize: opts.fragmentSize ?? 1024,
            maxVersion: opts.tls13 ? 'TLSv1.3' : 'TLSv1.2',
            minVersion: 'TLSv1.2',
            tls13Keys: opts.tls13Keys,
            phase2: { methods: [md5Factory(secrets)] },
          }),
        ],
      }),
  });
  const port = await radius.listen();
  const conf = join(dir, `eapol-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(
    conf,
    `network={
  ssid="tncjs"
  key_mgmt=WPA-EAP
  eap=TTLS
  identity="carol@strongswan.org"
  password="${opts.password ?? 'Ar3etTnp'}"
  ca_cert="${opts.caFile ?? join(dir, 'ca.pem')}"
  domain_match="${opts.match ?? 'moon.strongswan.org'}"
  phase1="tls_disable_tlsv1_3=${opts.tls13 ? 0 : 1}"
  phase2="autheap=MD5"
}
`,
  );
  const child = spawn(EAPOL_TEST, ['-c', conf, '-a', '127.0.0.1', '-p', String(port), '-s', 'testing123', '-r0', '-t', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await radius.close();
  return { code, out, radius, lines };
}

test('eapol_test (wpa_supplicant 2.10) completes EAP-TTLS/TLS 1.2 + inner EAP-MD5 against our server; MSK matches', async () => {
  const r = await run({});
  expect(r.radius.errors).toEqual([]);
  if (r.code !== 0) throw new Error(`eapol_test failed (${r.code}):\n${r.out.split('\n').slice(-40).join('\n')}\n--- server:\n${r.lines.join('\n')}`);
  expect(r.out).toContain('MPPE keys OK: 1  mismatch: 0');
  expect(r.out).toMatch(/SUCCESS\s*$/);
  expect(r.radius.outcomes).toEqual([expect.objectContaining({ outcome: 'success' })]);
  expect(r.lines.some((l) => /negotiated TLS 1.2 using suite TLS_ECDHE_RSA_WITH_AES_(128|256)_GCM_SHA(256|384)/.test(l))).toBe(true);
  expect(r.lines).toContainEqual(expect.stringContaining('received tunneled EAP-TTLS AVP [EAP/RES/MD5]'));
  // eapol_test acknowledged our 1,024-byte fragments
  expect(r.out).toMatch(/SSL: Need \d+ bytes more input data|EAP-TTLS: Received packet\(len=1024\)|decapsulated EAP packet \(code=1 id=\d+ len=1024\)/);
}, 30_000);

test('eapol_test over TLS 1.3: our RFC 9427 MSK matches wpa_supplicant 2.10, the strongSwan-compatible derivation does not', async () => {
  const std = await run({ tls13: true });
  expect(std.radius.outcomes[0]?.outcome).toBe('success');
  expect(std.lines).toContainEqual(expect.stringContaining('negotiated TLS 1.3'));
  if (std.code !== 0) throw new Error(`eapol_test failed (${std.code}):\n${std.out.split('\n').slice(-40).join('\n')}`);
  expect(std.out).toContain('MPPE keys OK: 1  mismatch: 0');
  const compat = await run({ tls13: true, tls13Keys: 'strongswan' });
  expect(compat.lines).toContainEqual(expect.stringContaining('negotiated TLS 1.3'));
  expect(compat.out).toContain('MPPE keys OK: 0  mismatch: 1');
}, 40_000);

test('eapol_test with a wrong MD5 password gets Access-Reject (EAP-Failure)', async () => {
  const r = await run({ password: 'wrong' });
  expect(r.code).not.toBe(0);
  expect(r.radius.outcomes).toEqual([{ outcome: 'failure' }]);
  expect(r.lines).toContainEqual(expect.stringContaining('EAP-MD5 verification failed'));
  expect(r.out).toContain('EAP: Received EAP-Failure');
}, 30_000);

test('eapol_test rejects our server certificate when it trusts another CA', async () => {
  const r = await run({ caFile: join(dir, 'other-ca.pem') });
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/unable to get local issuer certificate|certificate verify failed|unknown ca/i);
  expect(r.radius.outcomes.filter((o) => o.outcome === 'success')).toEqual([]);
}, 30_000);
