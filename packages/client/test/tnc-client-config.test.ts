/**
 * tnc-client configuration: swanctl.conf-style files (strongSwan settings syntax), the flags form, and the mapping to
 * the network stack's options. Every malformed input gives a ConfigError with a code and, for files, the line.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { isTncjsError } from '@tncjs/common';
import {
  ConfigError,
  clientConfigFromArgs,
  clientConfigFromSettings,
  CONNECT_OPTIONS,
  loadClientConfig,
  parseArgs,
  parseSettings,
  Secret,
  toConnectOptions,
  PASSWORD_ON_ARGV,
  type ClientConfig,
} from '../src/config/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/tnc-client/', import.meta.url));
const CONF = join(FIXTURES, 'swanctl.conf');
const SECRETS = join(FIXTURES, 'secrets.conf');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tnc-client-config-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The ConfigError `fn` throws (fails the test when it throws nothing or something else). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(isTncjsError(e)).toBe(true);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const fromText = (text: string, secrets?: string, name = 'home', env?: Record<string, string>) =>
  clientConfigFromSettings(parseSettings(text, { file: 'test.conf' }), secrets === undefined ? undefined : parseSettings(secrets, { file: 'test.secrets' }), name, {
    baseDir: '/etc/tnc-client',
    env,
  });

const MINIMAL = `connections { home {
  remote_addrs = 192.168.0.1
  local { auth = eap-ttls
    id = carol@strongswan.org }
  remote { cacerts = /etc/ca.pem }
} }
secrets { eap-carol { id = carol@strongswan.org
  secret = Ar3etTnp } }
`;

describe('swanctl.conf: the carol connection', () => {
  test('every field of the fixture, paths resolved against the file and the x509ca directory', () => {
    const { config, warnings } = loadClientConfig('home', { configFile: CONF, secretsFile: SECRETS });
    expect({ ...config, eapPassword: config.eapPassword.reveal() }).toEqual({
      name: 'home',
      source: 'file',
      configFile: CONF,
      remote: { address: '192.168.0.1' },
      localAddress: '192.168.0.254',
      remoteIdentity: 'moon.strongswan.org',
      identity: 'carol@strongswan.org',
      eapIdentity: 'carol@strongswan.org',
      eapPassword: 'Ar3etTnp',
      eapMethod: 'ttls',
      gatewayAuth: 'eap',
      caCertificates: [join(FIXTURES, 'x509ca/strongswanCert.pem'), join(FIXTURES, 'x509ca')],
      proposals: ['aes128-sha256-x25519'],
      child: { name: 'home', localTs: ['dynamic'], remoteTs: ['10.1.0.0/16'], espProposals: ['aes128gcm16-x25519'] },
      tnc: {
        tpm: 'swtpm:tcp://127.0.0.1:2321',
        aik: { handle: 0x81010003 },
        biosLog: '/var/lib/tnc/binary_bios_measurements',
        imaLog: '/var/lib/tnc/ima measurements',
        imcConfig: join(FIXTURES, 'tnc_config'),
      },
      kernel: 'auto',
      log: { levels: {} },
    });
    // the fixture's secrets file is world-readable in git: the loader says so
    expect(warnings.some((w) => w.includes('secrets.conf: readable by'))).toBe(true);
  });

  test('remote_port and remote_natt_port (file), --remote-port and --remote-natt-port (flags)', () => {
    const flags = (argv: string[]) => clientConfigFromArgs(parseArgs(argv, CONNECT_OPTIONS), { TNC_EAP_PASSWORD: 'x' }).config;
    expect(fromText(MINIMAL).config.remote).toEqual({ address: '192.168.0.1' });
    const conn = MINIMAL.replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.1\n remote_port = 5000\n remote_natt_port = 5001');
    expect(fromText(conn).config.remote).toEqual({ address: '192.168.0.1', port: 5000, nattPort: 5001 });
    const bad = configError(() => fromText(MINIMAL.replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.1\n remote_port = 70000')));
    expect(bad).toMatchObject({ code: 'ERR_CONFIG_VALUE', line: 3 });
    expect(bad.message).toMatch(/remote_port '70000': expected a UDP port/);
    expect(flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--remote-port', '4000', '--remote-natt-port', '4001']).remote).toEqual({ address: '10.0.0.1', port: 4000, nattPort: 4001 });
    expect(configError(() => flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--remote-port', '0'])).code).toBe('ERR_CONFIG_FLAG');
  });

  test('kernel = yes/no/auto, and ttls_fragment_size in tnc { }, overridden by the connection', () => {
    expect(fromText(MINIMAL).config.kernel).toBe('auto');
    expect(fromText(MINIMAL + 'tnc {\n kernel = yes\n}\n').config.kernel).toBe(true);
    expect(fromText(MINIMAL + 'tnc {\n kernel = no\n}\n').config.kernel).toBe(false);
    expect(fromText(MINIMAL + 'tnc {\n kernel = auto\n}\n').config.kernel).toBe('auto');
    expect(fromText(MINIMAL).config.tnc.ttlsFragmentSize).toBeUndefined();
    expect(fromText(MINIMAL + 'tnc {\n ttls_fragment_size = 1024\n}\n').config.tnc.ttlsFragmentSize).toBe(1024);
    const conn = MINIMAL.replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.1\n ttls_fragment_size = 4000');
    expect(fromText(conn + 'tnc {\n ttls_fragment_size = 1024\n}\n').config.tnc.ttlsFragmentSize).toBe(4000);
  });

  test('the password never shows: JSON, template strings, util.inspect; reveal() gives it', () => {
    const { config } = loadClientConfig('home', { configFile: CONF, secretsFile: SECRETS });
    expect(JSON.stringify(config)).not.toContain('Ar3etTnp');
    expect(`${config.eapPassword}`).toBe('<redacted>');
    expect(inspect(config, { depth: 5 })).not.toContain('Ar3etTnp');
    expect(config.eapPassword.reveal()).toBe('Ar3etTnp');
    const s = new Secret('x');
    s.dispose();
    expect(() => s.reveal()).toThrow(TypeError);
  });

  test('secrets: matching id chosen over others; a wildcard entry; TNC_EAP_PASSWORD as fallback; 0x and 0s encodings', () => {
    expect(fromText(MINIMAL).config.eapPassword.reveal()).toBe('Ar3etTnp');
    const noSecrets = MINIMAL.replace(/secrets[\s\S]*$/, '');
    expect(fromText(noSecrets, 'secrets { eap-any { secret = wild } }').config.eapPassword.reveal()).toBe('wild');
    expect(fromText(noSecrets, 'secrets { eap-x { id-1 = a@b\n id-2 = carol@strongswan.org\n secret = "two ids" } }').config.eapPassword.reveal()).toBe('two ids');
    expect(fromText(noSecrets, 'secrets { eap-x { id = carol@strongswan.org\n secret = 0x417233 } }').config.eapPassword.reveal()).toBe('Ar3');
    expect(fromText(noSecrets, 'secrets { eap-x { id = carol@strongswan.org\n secret = 0sQXIzZXRUbnA= } }').config.eapPassword.reveal()).toBe('Ar3etTnp');
    expect(fromText(noSecrets, undefined, 'home', { TNC_EAP_PASSWORD: 'fromenv' }).config.eapPassword.reveal()).toBe('fromenv');
    const e = configError(() => fromText(noSecrets, 'secrets { eap-dave { id = dave@strongswan.org\n secret = x } }'));
    expect(e.code).toBe('ERR_CONFIG_VALUE');
    expect(e.message).toContain("no EAP secret for 'carol@strongswan.org'");
    expect(e.message).toContain('TNC_EAP_PASSWORD');
  });

  test('eap_id, %any, local/remote rounds, eap-md5 with a certificate gateway', () => {
    const c = fromText(MINIMAL.replace('id = carol@strongswan.org }', 'id = carol@strongswan.org\n eap_id = carol }').replace('remote {', 'remote { id = %any\n'), undefined, 'home', {
      TNC_EAP_PASSWORD: 'p',
    }).config;
    expect(c.eapIdentity).toBe('carol');
    expect(c.remoteIdentity).toBeUndefined();
    const md5 = fromText(MINIMAL.replace('auth = eap-ttls', 'auth = eap-md5')).config;
    expect([md5.eapMethod, md5.gatewayAuth]).toEqual(['md5', 'pubkey']);
  });

  test('include with a wildcard, relative to the including file; sections merge, the last value wins', () => {
    const dir = join(tmp, 'inc');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'conf.d'), { recursive: true });
    writeFileSync(join(dir, 'main.conf'), 'include conf.d/*.conf\nconnections { home { remote_addrs = 10.0.0.9 } }\n');
    writeFileSync(join(dir, 'conf.d', 'a.conf'), MINIMAL);
    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'connections { home { proposals = aes256-sha384-ecp384 } }\n');
    const { config } = loadClientConfig('home', { configFile: join(dir, 'main.conf') });
    expect(config.remote.address).toBe('10.0.0.9');
    expect(config.proposals).toEqual(['aes256-sha384-ecp384']);
    // a file that includes itself stops at the include depth limit with a typed error
    writeFileSync(join(dir, 'loop.conf'), 'include loop.conf\n');
    const e = configError(() => loadClientConfig('home', { configFile: join(dir, 'loop.conf') }));
    expect(e.code).toBe('ERR_CONFIG_SYNTAX');
    expect(e.message).toMatch(/loop\.conf:1: includes nested deeper than 8/);
    const missing = configError(() => loadClientConfig('home', { configFile: join(dir, 'nope.conf') }));
    expect(missing.code).toBe('ERR_CONFIG_FILE');
    expect(missing.message).toContain('no such file');
  });

  test('unknown settings are warnings with their line', () => {
    const { warnings } = fromText(MINIMAL.replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.1\n  mobike = no\n  rekey_time = 1h'));
    expect(warnings).toEqual([
      'test.conf:3: connections.home.mobike is not used by tnc-client, ignored',
      'test.conf:4: connections.home.rekey_time is not used by tnc-client, ignored',
    ]);
  });
});

describe('swanctl.conf: malformed files give ERR_CONFIG_SYNTAX / ERR_CONFIG_VALUE with the line', () => {
  const cases: [string, string, string, number, RegExp][] = [
    ['unbalanced }', 'connections {\n}\n}\n', 'ERR_CONFIG_SYNTAX', 3, /unexpected '}'/],
    ['missing }', 'connections {\n home {\n', 'ERR_CONFIG_SYNTAX', 3, /missing '}' for section 'home' opened at line 2/],
    ['unterminated string', 'a {\n b = "abc\n\n', 'ERR_CONFIG_SYNTAX', 2, /unterminated quoted string/],
    ['name without = or {', 'connections {\n home\n}\n', 'ERR_CONFIG_SYNTAX', 3, /expected '=' or '\{' after 'home'/],
    ['garbage after a quoted value', 'a = "x" y\n', 'ERR_CONFIG_SYNTAX', 1, /after the value/],
    ['section reference', 'connections {\n home : base {\n }\n}\n', 'ERR_CONFIG_SYNTAX', 2, /section references/],
    ['stray =', '= 3\n', 'ERR_CONFIG_SYNTAX', 1, /unexpected '='/],
    ['no connections', 'tnc { }\n', 'ERR_CONFIG_VALUE', 0, /no 'connections' section/],
    ['unknown connection', 'connections {\n other { }\n}\n', 'ERR_CONFIG_VALUE', 1, /no connection 'home' \(defined: other\)/],
    ['IKEv1', MINIMAL.replace('remote_addrs', 'version = 1\n  remote_addrs'), 'ERR_CONFIG_VALUE', 2, /IKEv2 only/],
    ['no remote_addrs', MINIMAL.replace('remote_addrs = 192.168.0.1', ''), 'ERR_CONFIG_VALUE', 1, /remote_addrs is missing/],
    ['%any gateway', MINIMAL.replace('192.168.0.1', '%any'), 'ERR_CONFIG_VALUE', 2, /concrete address/],
    ['IPv6 gateway', MINIMAL.replace('192.168.0.1', 'fec0::1'), 'ERR_CONFIG_VALUE', 2, /IPv4 only/],
    ['psk auth', MINIMAL.replace('auth = eap-ttls', 'auth = psk'), 'ERR_CONFIG_VALUE', 3, /EAP only/],
    ['no local id', MINIMAL.replace('id = carol@strongswan.org }', '}'), 'ERR_CONFIG_VALUE', 3, /id is missing/],
    ['md5 to an EAP-only gateway', MINIMAL.replace('auth = eap-ttls', 'auth = eap-md5').replace('remote {', 'remote { auth = eap-ttls\n'), 'ERR_CONFIG_VALUE', 5, /RFC 5998/],
    ['bad traffic selector', MINIMAL.replace('remote {', 'children { c { remote_ts = 10.1.0.0/33 } }\n  remote {'), 'ERR_CONFIG_VALUE', 5, /prefix length 33/],
    ['two children', MINIMAL.replace('remote {', 'children { a { }\n b { } }\n  remote {'), 'ERR_CONFIG_VALUE', 6, /creates one CHILD_SA/],
    ['bad proposal', MINIMAL.replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.1\n proposals = aes128-sha256;'), 'ERR_CONFIG_VALUE', 3, /strongSwan syntax/],
    ['incomplete proposal', MINIMAL.replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.1\n proposals = aes128 sha256'), 'ERR_CONFIG_VALUE', 3, /'aes128': no integrity algorithm/],
    ['unimplemented IKE algorithm', MINIMAL.replace('remote_addrs = 192.168.0.1', 'remote_addrs = 192.168.0.1\n proposals = chacha20poly1305-prfsha256-x25519'), 'ERR_CONFIG_VALUE', 3, /'chacha20poly1305' is a strongSwan algorithm that tnc-client does not implement/],
    ['unknown ESP algorithm', MINIMAL.replace('remote {', 'children { c { esp_proposals = aes128-sha257 } }\n  remote {'), 'ERR_CONFIG_VALUE', 5, /'sha257' is not a strongSwan algorithm keyword/],
    ['bad TPM', MINIMAL + 'tnc {\n tpm = tabrmd:\n}\n', 'ERR_CONFIG_VALUE', 10, /not supported by tncjs/],
    ['AIK handle out of range', MINIMAL + 'tnc {\n tpm = device:/dev/tpmrm0\n aik_handle = 0x1\n}\n', 'ERR_CONFIG_VALUE', 11, /persistent handle/],
    ['AIK handle and key', MINIMAL + 'tnc {\n tpm = device\n aik_handle = 0x81010003\n aik_key = a.blob\n}\n', 'ERR_CONFIG_VALUE', 12, /both set/],
    ['AIK without TPM', MINIMAL + 'tnc {\n aik_handle = 0x81010003\n}\n', 'ERR_CONFIG_VALUE', 10, /no TPM/],
    ['bad log spec', MINIMAL + 'tnc {\n log = tnc 9\n}\n', 'ERR_CONFIG_VALUE', 10, /log level 9 out of range/],
    ['kernel maybe', MINIMAL + 'tnc {\n kernel = maybe\n}\n', 'ERR_CONFIG_VALUE', 10, /yes, no or auto/],
    ['TTLS fragment size too small', MINIMAL + 'tnc {\n ttls_fragment_size = 63\n}\n', 'ERR_CONFIG_VALUE', 10, /64\.\.65535/],
    ['no CA', MINIMAL.replace('remote { cacerts = /etc/ca.pem }', ''), 'ERR_CONFIG_VALUE', 1, /no CA certificate/],
    ['empty secret', MINIMAL.replace('secret = Ar3etTnp', 'secret ='), 'ERR_CONFIG_VALUE', 8, /secret is empty/],
  ];
  test.each(cases)('%s', (_name, text, code, line, reason) => {
    const e = configError(() => fromText(text));
    expect(e.code).toBe(code);
    expect(e.line ?? 0).toBe(line);
    expect(e.message).toMatch(reason);
    if (line) expect(e.message.startsWith(`test.conf:${line}: `)).toBe(true);
  });
});

describe('the flags form (charon-cmd style)', () => {
  const flags = (argv: string[], env: Record<string, string> = { TNC_EAP_PASSWORD: 'Ar3etTnp' }) => clientConfigFromArgs(parseArgs(argv, CONNECT_OPTIONS), env).config;
  const CARL = [
    '--host', '192.168.0.1', '--local-address', '192.168.0.254', '--identity', 'carol@strongswan.org', '--remote-identity', 'moon.strongswan.org',
    '--cacert', join(FIXTURES, 'x509ca/strongswanCert.pem'), '--cacert', join(FIXTURES, 'x509ca'), '--ike-proposal', 'aes128-sha256-x25519',
    '--esp-proposal', 'aes128gcm16-x25519', '--remote-ts', '10.1.0.0/16', '--tpm', 'swtpm:tcp://127.0.0.1:2321', '--aik-handle', '0x81010003',
    '--bios-log', '/var/lib/tnc/binary_bios_measurements', '--ima-log=/var/lib/tnc/ima measurements', '--imc-config', join(FIXTURES, 'tnc_config'), '--name', 'home',
  ];

  test('the same ClientConfig as the swanctl.conf fixture (apart from source and file)', () => {
    const fromFile = loadClientConfig('home', { configFile: CONF, secretsFile: SECRETS }).config;
    const fromFlags = flags(CARL);
    const plain = (c: ClientConfig) => ({ ...c, eapPassword: c.eapPassword.reveal(), source: undefined, configFile: undefined });
    expect(plain(fromFlags)).toEqual(plain(fromFile));
    expect(fromFlags.source).toBe('flags');
  });

  test('defaults: securityfs logs, kernel auto, dynamic TS, EAP-TTLS to an EAP-only gateway, name connect', () => {
    const c = flags(['--host', 'gw.example.org', '--identity', 'carol', '--cacert', '/etc/ca.pem']);
    expect(c).toMatchObject({
      name: 'connect',
      remote: { address: 'gw.example.org' },
      eapIdentity: 'carol',
      eapMethod: 'ttls',
      gatewayAuth: 'eap',
      kernel: 'auto',
      child: { localTs: ['dynamic'], remoteTs: ['dynamic'] },
      tnc: { biosLog: '/sys/kernel/security/tpm0/binary_bios_measurements', imaLog: '/sys/kernel/security/ima/binary_runtime_measurements' },
      log: { levels: {} },
    });
    const d = flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--no-kernel', '--debug', '2', '--log', 'ike=3,tnc=4', '--log', 'pts 1']);
    expect(d.kernel).toBe(false);
    expect(flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--kernel']).kernel).toBe(true);
    expect(configError(() => flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--kernel', '--no-kernel'])).message).toMatch(/both given/);
    expect(flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--ttls-fragment-size', '1024']).tnc.ttlsFragmentSize).toBe(1024);
    expect(configError(() => flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--ttls-fragment-size', '70000'])).message).toMatch(/64\.\.65535/);
    expect(d.log).toEqual({ defaultLevel: 2, levels: { IKE: 3, TNC: 4, PTS: 1 } });
  });

  test('the password comes from a file (one line) or TNC_EAP_PASSWORD', () => {
    const file = join(tmp, 'pw');
    writeFileSync(file, 'fromfile\n');
    chmodSync(file, 0o600);
    expect(flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--eap-password-file', file], {}).eapPassword.reveal()).toBe('fromfile');
    const e = configError(() => flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c'], {}));
    expect(e.message).toContain('TNC_EAP_PASSWORD');
    const missing = configError(() => flags(['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--eap-password-file', join(tmp, 'none')], {}));
    expect(missing.code).toBe('ERR_CONFIG_FILE');
  });

  test.each([['--eap-password', 'hunter2'], ['--password=hunter2'], ['--secret', 'hunter2'], ['--eap-secret=hunter2']])('%s on argv is refused, without echoing it', (...argv) => {
    const e = configError(() => parseArgs(['--host', '10.0.0.1', ...argv], CONNECT_OPTIONS));
    expect(e.code).toBe('ERR_CONFIG_FLAG');
    expect(e.message).toBe(PASSWORD_ON_ARGV);
    expect(e.message).toContain('ps');
    expect(e.message).not.toContain('hunter2');
  });

  test.each([
    [['--identity', 'c', '--cacert', '/c'], /--host is missing/],
    [['--host', '10.0.0.1', '--cacert', '/c'], /--identity is missing/],
    [['--host', '10.0.0.1', '--identity', 'c'], /--cacert is missing/],
    [['--host', '::1', '--identity', 'c', '--cacert', '/c'], /IPv4 only/],
    [['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--tpm', 'mssim'], /not supported/],
    [['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--aik-handle', '0x81010003'], /no --tpm/],
    [['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--remote-ts', '10.1.0.0/16[tcp/80]'], /protocol\/port/],
    [['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--debug', '7'], /--debug 7/],
    [['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--log', 'xyz=2'], /unknown log subsystem/],
    [['--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c', '--auth', 'eap-md5', '--remote-auth', 'eap-ttls'], /RFC 5998/],
    [['--host', '10.0.0.1', '--host', '10.0.0.2'], /given twice/],
    [['--host'], /needs a value/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['--name', '../etc', '--host', '10.0.0.1', '--identity', 'c', '--cacert', '/c'], /connection name/],
  ])('%j → ERR_CONFIG_FLAG', (argv, reason) => {
    const e = configError(() => flags(argv));
    expect(e.code).toBe('ERR_CONFIG_FLAG');
    expect(e.message).toMatch(reason);
  });
});

describe('toConnectOptions: ClientConfig → the stack options', () => {
  test('every field, dynamic selectors dropped, lists copied, the password revealed only here', () => {
    const { config } = loadClientConfig('home', { configFile: CONF, secretsFile: SECRETS });
    const o = toConnectOptions(config);
    expect(o).toEqual({
      remote: { address: '192.168.0.1' },
      localAddress: '192.168.0.254',
      remoteIdentity: 'moon.strongswan.org',
      identity: 'carol@strongswan.org',
      eapIdentity: 'carol@strongswan.org',
      eapPassword: 'Ar3etTnp',
      eapMethod: 'ttls',
      gatewayAuth: 'eap',
      caCertificates: [join(FIXTURES, 'x509ca/strongswanCert.pem'), join(FIXTURES, 'x509ca')],
      proposals: { ike: ['aes128-sha256-x25519'], esp: ['aes128gcm16-x25519'] },
      tsi: undefined,
      tsr: ['10.1.0.0/16'],
      tpm: 'swtpm:tcp://127.0.0.1:2321',
      aik: { handle: 0x81010003 },
      biosLog: '/var/lib/tnc/binary_bios_measurements',
      imaLog: '/var/lib/tnc/ima measurements',
      imcConfig: join(FIXTURES, 'tnc_config'),
      ttlsFragmentSize: undefined,
      name: 'home',
      childName: 'home',
      kernel: 'auto',
      logLevels: { levels: {} },
    });
    o.caCertificates.push('/x');
    o.proposals.ike!.push('y');
    expect(config.caCertificates).toHaveLength(2);
    expect(config.proposals).toEqual(['aes128-sha256-x25519']);
  });
});

describe('the shipped examples', () => {
  const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

  test('examples/swanctl.conf + secrets.conf give the carol connection', () => {
    const { config, warnings } = loadClientConfig('home', { configFile: join(EXAMPLES, 'swanctl.conf'), secretsFile: join(EXAMPLES, 'secrets.conf') });
    expect(config).toMatchObject({
      remote: { address: '192.168.0.1' },
      identity: 'carol@strongswan.org',
      remoteIdentity: 'moon.strongswan.org',
      caCertificates: [join(EXAMPLES, 'x509ca/strongswanCert.pem')],
      child: { remoteTs: ['10.1.0.0/16'] },
      tnc: { tpm: 'device:/dev/tpmrm0', aik: { handle: 0x81010003 } },
      log: { levels: { TNC: 1, PTS: 1 } },
    });
    expect(warnings.filter((w) => !w.includes('readable by'))).toEqual([]);
  });

  test('tnc-client@.service: ExecStart is a valid tnc-client up command line', async () => {
    const { readFileSync } = await import('node:fs');
    const unit = readFileSync(join(EXAMPLES, 'tnc-client@.service'), 'utf8');
    const exec = /^ExecStart=\/usr\/bin\/tnc-client (.*)$/m.exec(unit);
    expect(exec).not.toBeNull();
    const argv = exec![1].replace('%i', 'home').split(/\s+/);
    const { SESSION_OPTIONS } = await import('../src/config/flags.js');
    const a = parseArgs(argv.slice(1), [...SESSION_OPTIONS, { name: 'config', value: true }, { name: 'secrets', value: true }]);
    expect(argv[0]).toBe('up');
    expect(a.positional).toEqual(['home']);
    expect(a.options.get('config')).toBe('/etc/tnc-client/swanctl.conf');
    expect(unit).toMatch(/^Environment=TNC_CLIENT_RUNDIR=\/run\/tnc-client$/m);
    expect(unit).toMatch(/^RuntimeDirectoryPreserve=yes$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });
});
