/**
 * `tnc-gateway` configuration: flags and the JSON file become GatewayOptions; every bad input is a GatewayError
 * (ERR_GATEWAY_CONFIG) naming what is wrong; `--help` documents every flag.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_HELP, GatewayError, parseGatewayArgs, loadGatewayConfig } from '../src/index.js';
import { parseSecrets } from '../src/config.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tncjs-gw-config-'));
  writeFileSync(join(dir, 'moon.pem'), '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
  writeFileSync(join(dir, 'moon.key'), '-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n');
  writeFileSync(join(dir, 'secrets'), '# comment\ncarol@strongswan.org : EAP "Ar3etTnp"\ndave@strongswan.org : W7R0g3do\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = () => ['--identity', 'moon.strongswan.org', '--cert', join(dir, 'moon.pem'), '--key', join(dir, 'moon.key'), '--secrets', join(dir, 'secrets')];
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    return `${(e as GatewayError).code}: ${(e as Error).message}`;
  }
  throw new Error('expected a GatewayError');
};

test('flags → options (secrets file, traffic selectors, ports, debug levels)', () => {
  const r = parseGatewayArgs([...base(), '--listen', '192.168.0.1', '--ike-port', '500', '--natt-port', '4500', '--ts', '10.1.0.0/28', '--ts', '10.2.0.0/16', '--debug', 'ike 2, tnc 3', '--isolate', 'deny', '--metadata-path', '/etc/tnc_config']);
  expect(r.options).toMatchObject({
    identity: 'moon.strongswan.org', address: '192.168.0.1', ikePort: 500, nattPort: 4500, localTs: ['10.1.0.0/28', '10.2.0.0/16'], isolate: 'deny',
    secrets: { 'carol@strongswan.org': 'Ar3etTnp', 'dave@strongswan.org': 'W7R0g3do' },
    imvs: { attestation: { metadataPath: '/etc/tnc_config' } },
  });
  expect(r.options.certificate).toBeInstanceOf(Uint8Array);
  expect(r.log).toEqual({ levels: { IKE: 2, TNC: 3 }, json: false });
});

test('client-side and quarantine traffic selectors, EAP round bound: flags and file keys; bad values refused', () => {
  const r = parseGatewayArgs([...base(), '--ts', '10.1.0.0/28', '--remote-ts', 'dynamic', '--isolated-ts', '10.1.0.8/29', '--isolated-ts', '10.3.0.0/24', '--max-eap-rounds', '20000']);
  expect(r.options).toMatchObject({ localTs: ['10.1.0.0/28'], remoteTs: ['dynamic'], isolatedTs: ['10.1.0.8/29', '10.3.0.0/24'], maxEapRounds: 20000 });
  expect(parseGatewayArgs([...base(), '--cookie-threshold', '0']).options.cookieThreshold).toBe(0);
  expect(code(() => parseGatewayArgs([...base(), '--cookie-threshold', '-1']))).toMatch(/--cookie-threshold needs a value|--cookie-threshold needs a number/);
  const f = join(dir, 'ts.json');
  writeFileSync(f, JSON.stringify({ remoteTs: ['192.168.0.0/24'], isolatedTs: ['10.9.0.0/16'], maxEapRounds: 500 }));
  expect(parseGatewayArgs([...base(), '--config', f]).options).toMatchObject({ remoteTs: ['192.168.0.0/24'], isolatedTs: ['10.9.0.0/16'], maxEapRounds: 500 });
  expect(code(() => parseGatewayArgs([...base(), '--isolated-ts', '10.1.0.300/29']))).toMatch(/ERR_GATEWAY_CONFIG: traffic selector '10\.1\.0\.300\/29' is not an IPv4 CIDR/);
  expect(code(() => parseGatewayArgs([...base(), '--remote-ts', 'dyn']))).toMatch(/traffic selector 'dyn' is not an IPv4 CIDR/);
  expect(code(() => parseGatewayArgs([...base(), '--max-eap-rounds', '0']))).toMatch(/--max-eap-rounds needs a positive integer, got '0'/);
  writeFileSync(f, JSON.stringify({ isolatedTs: '10.9.0.0/16' }));
  expect(code(() => parseGatewayArgs([...base(), '--config', f]))).toMatch(/configuration 'isolatedTs' must be a list of CIDR strings/);
  writeFileSync(f, JSON.stringify({ maxEapRounds: 0 }));
  expect(code(() => parseGatewayArgs([...base(), '--config', f]))).toMatch(/'maxEapRounds' must be at least 1/);
});

test('JSON file with relative paths (resolved against the file), flags override it', () => {
  writeFileSync(join(dir, 'gw.json'), JSON.stringify({ identity: 'moon.strongswan.org', cert: 'moon.pem', key: 'moon.key', secrets: { 'carol@strongswan.org': 'x' }, ts: ['10.1.0.0/28'], json: true }));
  const r = parseGatewayArgs(['--config', join(dir, 'gw.json'), '--identity', 'gw.example.org']);
  expect(r.options).toMatchObject({ identity: 'gw.example.org', localTs: ['10.1.0.0/28'], secrets: { 'carol@strongswan.org': 'x' } });
  expect(r.log.json).toBe(true);
});

test('bad input: typed errors that say what is wrong', () => {
  expect(code(() => parseGatewayArgs(['--bogus']))).toMatch(/ERR_GATEWAY_CONFIG: unknown option '--bogus'/);
  expect(code(() => parseGatewayArgs(['--identity']))).toMatch(/--identity needs a value/);
  expect(code(() => parseGatewayArgs([...base(), '--ike-port', '70000']))).toMatch(/--ike-port needs a number/);
  expect(code(() => parseGatewayArgs([...base(), '--ts', '10.1.0.0/33']))).toMatch(/not an IPv4 CIDR/);
  expect(code(() => parseGatewayArgs([...base(), '--isolate', 'maybe']))).toMatch(/allow or deny/);
  expect(code(() => parseGatewayArgs([...base(), '--debug', 'xyz 9']))).toMatch(/--debug/);
  expect(code(() => parseGatewayArgs(['--cert', 'a', '--key', 'b']))).toMatch(/no identity/);
  expect(code(() => parseGatewayArgs(['--identity', 'm', '--cert', join(dir, 'nope.pem'), '--key', join(dir, 'moon.key'), '--secrets', join(dir, 'secrets')]))).toMatch(/cannot read certificate .*ENOENT/);
  expect(code(() => parseGatewayArgs(['--identity', 'm', '--cert', join(dir, 'moon.pem'), '--key', join(dir, 'moon.key')]))).toMatch(/no EAP secrets/);
  writeFileSync(join(dir, 'bad.json'), '{ "identity": 5 }');
  expect(code(() => loadGatewayConfig(join(dir, 'bad.json')))).toMatch(/'identity' must be a string/);
  writeFileSync(join(dir, 'bad2.json'), '{ "idnetity": "x" }');
  expect(code(() => loadGatewayConfig(join(dir, 'bad2.json')))).toMatch(/unknown configuration key 'idnetity'/);
  writeFileSync(join(dir, 'bad3.json'), '{ nope');
  expect(code(() => loadGatewayConfig(join(dir, 'bad3.json')))).toMatch(/not valid JSON/);
  expect(code(() => parseSecrets('carol@strongswan.org\n'))).toMatch(/line 1: expected "identity : password"/);
});

test('--help lists every flag the parser knows', () => {
  expect(parseGatewayArgs(['--help']).help).toBe(true);
  for (const f of ['--config', '--identity', '--cert', '--key', '--secrets', '--listen', '--ike-port', '--natt-port', '--ts', '--tnc-config', '--store', '--metadata-path', '--isolate', '--debug', '--json']) expect(GATEWAY_HELP).toContain(f);
});
