/**
 * The flags form (like strongSwan's charon-cmd): `tnc-client connect --host 192.168.0.1 --identity carol@… …` gives
 * the same ClientConfig as a swanctl.conf connection. Also the small option parser every tnc-client command uses.
 *
 * A password is never taken from the command line: every local user can read a process's arguments (`ps`,
 * /proc/<pid>/cmdline). It comes from `--eap-password-file FILE` or the `TNC_EAP_PASSWORD` environment variable.
 */
import { resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { Secret } from './secret.js';
import { PASSWORD_ENV, levelsOf, looseMode, readText } from './swanctl.js';
import { DEFAULT_BIOS_LOG, DEFAULT_IMA_LOG, type AikConfig, type ClientConfig, type LogLevels } from './types.js';
import {
  checkConnectionName,
  checkHost,
  checkIdentity,
  checkLocalAddress,
  checkEspProposal,
  checkIkeProposal,
  checkTpm,
  checkTrafficSelector,
  parseAikHandle,
  parsePort,
  parseTtlsFragmentSize,
  splitList,
} from './values.js';

/** One option: `--name VALUE` (or `--name=VALUE`) when `value`, else a switch; `repeat` collects every occurrence. */
export interface OptionSpec {
  name: string;
  value: boolean;
  repeat?: boolean;
  /** One-letter alias (`-h`). */
  short?: string;
}

/** Parsed options: switches are `true`, single values strings, repeatable ones string arrays. */
export interface ParsedArgs {
  options: Map<string, string | string[] | true>;
  positional: string[];
}

/** Options that would put a secret on the command line: refused, with the reason. */
const PASSWORD_OPTIONS = new Set(['eap-password', 'password', 'secret', 'eap-secret', 'psk', 'pass']);

export const PASSWORD_ON_ARGV =
  'refusing a password on the command line: every user of this machine can read it (ps, /proc/<pid>/cmdline, shell history); ' +
  `put it into a file readable only by you and give --eap-password-file FILE, or set ${PASSWORD_ENV}`;

const flagError = (reason: string): ConfigError => new ConfigError('ERR_CONFIG_FLAG', reason);

/**
 * Parse `argv` against `specs`. `--` ends the options.
 * @throws ConfigError `ERR_CONFIG_FLAG` for an unknown option, a missing value, a repeated single option, or a
 *   password option (the value is never echoed)
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const options = new Map<string, string | string[] | true>();
  const positional: string[] = [];
  let i = 0;
  let onlyPositional = false;
  while (i < argv.length) {
    const arg = String(argv[i++]);
    if (onlyPositional || arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositional = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const s = byShort.get(arg.slice(1));
      if (!s) throw flagError(`unknown option '${printableArg(arg)}'`);
      name = s.name;
    }
    if (PASSWORD_OPTIONS.has(name)) throw flagError(PASSWORD_ON_ARGV);
    const spec = byName.get(name);
    if (!spec) throw flagError(`unknown option '--${printableArg(name)}'`);
    let value: string | true = true;
    if (spec.value) {
      if (inline !== undefined) value = inline;
      else if (i < argv.length) value = String(argv[i++]);
      else throw flagError(`option --${name} needs a value`);
    } else if (inline !== undefined) throw flagError(`option --${name} takes no value`);
    if (spec.repeat) {
      const have = options.get(name);
      options.set(name, [...(Array.isArray(have) ? have : []), value as string]);
    } else {
      if (options.has(name)) throw flagError(`option --${name} given twice`);
      options.set(name, value);
    }
  }
  return { options, positional };
}

function printableArg(s: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

/** Options shared by `up` and `connect`. */
export const SESSION_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', value: false },
  { name: 'once', value: false },
  { name: 'no-kernel', value: false },
  { name: 'kernel', value: false },
  { name: 'ttls-fragment-size', value: true },
  { name: 'debug', value: true },
  { name: 'log', value: true, repeat: true },
  { name: 'help', value: false, short: 'h' },
];

/** The options of `tnc-client connect` (charon-cmd's names where it has one). */
export const CONNECT_OPTIONS: readonly OptionSpec[] = [
  ...SESSION_OPTIONS,
  { name: 'name', value: true },
  { name: 'host', value: true },
  { name: 'local-address', value: true },
  { name: 'remote-identity', value: true },
  { name: 'remote-port', value: true },
  { name: 'remote-natt-port', value: true },
  { name: 'identity', value: true },
  { name: 'eap-identity', value: true },
  { name: 'eap-password-file', value: true },
  { name: 'auth', value: true },
  { name: 'remote-auth', value: true },
  { name: 'cacert', value: true, repeat: true },
  { name: 'tpm', value: true },
  { name: 'aik-handle', value: true },
  { name: 'aik-key', value: true },
  { name: 'bios-log', value: true },
  { name: 'ima-log', value: true },
  { name: 'imc-config', value: true },
  { name: 'remote-ts', value: true, repeat: true },
  { name: 'local-ts', value: true, repeat: true },
  { name: 'ike-proposal', value: true, repeat: true },
  { name: 'esp-proposal', value: true, repeat: true },
];

const one = (a: ParsedArgs, k: string): string | undefined => {
  const v = a.options.get(k);
  return typeof v === 'string' ? v : undefined;
};
const many = (a: ParsedArgs, k: string): string[] => {
  const v = a.options.get(k);
  return Array.isArray(v) ? v.flatMap(splitList) : [];
};
const ok = (problem: string | undefined, flag: string): void => {
  if (problem) throw flagError(`--${flag}: ${problem}`);
};

function remoteOf(a: ParsedArgs, address: string): ClientConfig['remote'] {
  const remote: ClientConfig['remote'] = { address };
  for (const [flag, field] of [['remote-port', 'port'], ['remote-natt-port', 'nattPort']] as const) {
    const v = one(a, flag);
    if (v === undefined) continue;
    const p = parsePort(v, `--${flag}`);
    if (typeof p === 'string') throw flagError(p);
    remote[field] = p;
  }
  return remote;
}

/**
 * `--kernel` (true) / `--no-kernel` (false) / neither (undefined).
 * @throws ConfigError `ERR_CONFIG_FLAG` when both are given
 */
export function kernelFromArgs(a: ParsedArgs): boolean | undefined {
  const on = a.options.has('kernel');
  const off = a.options.has('no-kernel');
  if (on && off) throw flagError('--kernel and --no-kernel both given: give one');
  return on ? true : off ? false : undefined;
}

/**
 * `--ttls-fragment-size N` (undefined when not given).
 * @throws ConfigError `ERR_CONFIG_FLAG`
 */
export function ttlsFragmentSizeFromArgs(a: ParsedArgs): number | undefined {
  const v = one(a, 'ttls-fragment-size');
  if (v === undefined) return undefined;
  const f = parseTtlsFragmentSize(v);
  if (typeof f === 'string') throw flagError(`--ttls-fragment-size: ${f}`);
  return f;
}

/**
 * Log levels from `--debug N` (every subsystem) and `--log ike=2,tnc=3` (repeatable; later wins).
 * @throws ConfigError `ERR_CONFIG_FLAG`
 */
export function logLevelsFromArgs(a: ParsedArgs, base: LogLevels = { levels: {} }): LogLevels {
  const out: LogLevels = { ...base, levels: { ...base.levels } };
  const debug = one(a, 'debug');
  if (debug !== undefined) {
    if (!/^-?\d$/.test(debug) || Number(debug) < -1 || Number(debug) > 4) throw flagError(`--debug ${printableArg(debug)}: expected a level -1..4`);
    out.defaultLevel = Number(debug) as LogLevels['defaultLevel'];
  }
  for (const spec of (a.options.get('log') as string[] | undefined) ?? []) {
    const l = levelsOf(spec);
    if (l.defaultLevel !== undefined) out.defaultLevel = l.defaultLevel;
    Object.assign(out.levels, l.levels);
  }
  return out;
}

/**
 * The ClientConfig of the flags form.
 * @throws ConfigError `ERR_CONFIG_FLAG` (bad or missing flag), `ERR_CONFIG_FILE` (unreadable password file),
 *   `ERR_CONFIG_VALUE` (no password anywhere)
 */
export function clientConfigFromArgs(a: ParsedArgs, env: Record<string, string | undefined> = {}): { config: ClientConfig; warnings: string[] } {
  const warnings: string[] = [];
  if (a.positional.length) throw flagError(`unexpected argument '${printableArg(a.positional[0])}' (connect takes flags only)`);
  const name = one(a, 'name') ?? 'connect';
  ok(checkConnectionName(name), 'name');
  const host = one(a, 'host');
  if (!host) throw flagError('--host is missing (the gateway: an IPv4 address or DNS name)');
  ok(checkHost(host), 'host');
  const localAddress = one(a, 'local-address');
  if (localAddress !== undefined) ok(checkLocalAddress(localAddress), 'local-address');
  const identity = one(a, 'identity');
  if (identity === undefined) throw flagError('--identity is missing (our identity, e.g. carol@strongswan.org)');
  ok(checkIdentity(identity, 'the identity'), 'identity');
  const eapIdentity = one(a, 'eap-identity') ?? identity;
  ok(checkIdentity(eapIdentity, 'the EAP identity'), 'eap-identity');
  const ridRaw = one(a, 'remote-identity');
  const remoteIdentity = ridRaw === undefined || ridRaw === '%any' ? undefined : ridRaw;
  if (remoteIdentity !== undefined) ok(checkIdentity(remoteIdentity, 'the remote identity'), 'remote-identity');

  const auth = (one(a, 'auth') ?? 'eap-ttls').toLowerCase();
  if (auth !== 'eap-ttls' && auth !== 'eap-md5') throw flagError(`--auth ${printableArg(auth)}: expected eap-ttls or eap-md5`);
  const eapMethod = auth === 'eap-md5' ? 'md5' : 'ttls';
  const rauth = (one(a, 'remote-auth') ?? (eapMethod === 'md5' ? 'pubkey' : 'eap-ttls')).toLowerCase();
  if (rauth !== 'eap-ttls' && rauth !== 'pubkey') throw flagError(`--remote-auth ${printableArg(rauth)}: expected eap-ttls or pubkey`);
  const gatewayAuth = rauth === 'pubkey' ? 'pubkey' : 'eap';
  if (gatewayAuth === 'eap' && eapMethod === 'md5') throw flagError('--auth eap-md5 needs --remote-auth pubkey: EAP-MD5 derives no key, so an EAP-only gateway could not authenticate (RFC 5998)');

  const caCertificates = ((a.options.get('cacert') as string[] | undefined) ?? []).map((p) => resolve(p));
  if (!caCertificates.length) throw flagError("--cacert is missing (the CA certificate that signed the gateway's certificate; a file or a directory)");

  const tpm = one(a, 'tpm');
  if (tpm !== undefined) ok(checkTpm(tpm), 'tpm');
  const handle = one(a, 'aik-handle');
  const key = one(a, 'aik-key');
  let aik: AikConfig | undefined;
  if (handle !== undefined && key !== undefined) throw flagError('--aik-handle and --aik-key both given: give one');
  if (handle !== undefined) {
    const h = parseAikHandle(handle);
    if (typeof h === 'string') throw flagError(`--aik-handle: ${h}`);
    aik = { handle: h };
  } else if (key !== undefined) aik = { keyFile: resolve(key) };
  if (aik && tpm === undefined) throw flagError('an AIK is given but no --tpm (device:/dev/tpmrm0 or swtpm:tcp://host:port)');

  const ts = (flag: string): string[] => {
    const list = many(a, flag);
    for (const t of list) ok(checkTrafficSelector(t), flag);
    return list.length ? list : ['dynamic'];
  };
  const proposals = (flag: string): string[] | undefined => {
    const list = many(a, flag);
    for (const p of list) ok(flag === 'ike-proposal' ? checkIkeProposal(p) : checkEspProposal(p), flag);
    return list.length ? list : undefined;
  };

  const eapPassword = passwordFrom(a, env, warnings);
  const path = (flag: string, dflt?: string): string | undefined => {
    const v = one(a, flag);
    if (v === '') throw flagError(`--${flag} is empty`);
    return v === undefined ? dflt : resolve(v);
  };
  const config: ClientConfig = {
    name,
    source: 'flags',
    remote: remoteOf(a, host),
    localAddress,
    remoteIdentity,
    identity,
    eapIdentity,
    eapPassword,
    eapMethod,
    gatewayAuth,
    caCertificates,
    proposals: proposals('ike-proposal'),
    child: { name, localTs: ts('local-ts'), remoteTs: ts('remote-ts'), espProposals: proposals('esp-proposal') },
    tnc: { tpm, aik, biosLog: path('bios-log', DEFAULT_BIOS_LOG)!, imaLog: path('ima-log', DEFAULT_IMA_LOG)!, imcConfig: path('imc-config'), ttlsFragmentSize: ttlsFragmentSizeFromArgs(a) },
    kernel: kernelFromArgs(a) ?? 'auto',
    log: logLevelsFromArgs(a),
  };
  return { config, warnings };
}

/** `--eap-password-file` (one trailing line break dropped), else TNC_EAP_PASSWORD. */
function passwordFrom(a: ParsedArgs, env: Record<string, string | undefined>, warnings: string[]): Secret {
  const file = one(a, 'eap-password-file');
  if (file !== undefined) {
    const text = readText(resolve(file), undefined, 4096).replace(/\r?\n$/, '');
    if (!text) throw new ConfigError('ERR_CONFIG_FILE', `password file '${file}' is empty`);
    if (/[\r\n]/.test(text)) throw new ConfigError('ERR_CONFIG_FILE', `password file '${file}' has more than one line`);
    const loose = looseMode(resolve(file));
    if (loose) warnings.push(`${resolve(file)}: readable by ${loose} (chmod 600 it: it holds a password)`);
    return new Secret(text);
  }
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv) return new Secret(fromEnv);
  throw new ConfigError('ERR_CONFIG_VALUE', `no EAP password: give --eap-password-file FILE or set ${PASSWORD_ENV} (a password on the command line is refused: ps shows it to every user)`);
}
