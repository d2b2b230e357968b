/**
 * swanctl.conf → ClientConfig. The connection is read the way strongSwan's swanctl reads it; what tnc-client cannot
 * do is refused with the line that asks for it, what it ignores is reported as a warning (with the line), so a
 * typo does not go unnoticed.
 *
 * ```
 * connections {
 *    home {
 *       remote_addrs = 192.168.0.1
 *       local_addrs  = 192.168.0.254           # optional
 *       proposals    = aes128-sha256-x25519    # optional
 *       local {
 *          auth = eap-ttls                     # eap-ttls (inner EAP-MD5) or eap-md5
 *          id = carol@strongswan.org
 *          eap_id = carol@strongswan.org       # optional, default id
 *       }
 *       remote {
 *          auth = eap-ttls                     # eap-ttls / eap (EAP-only) or pubkey (certificate AUTH)
 *          id = moon.strongswan.org
 *          cacerts = strongswanCert.pem        # relative to the x509ca directory
 *       }
 *       children {
 *          home {
 *             remote_ts = 10.1.0.0/16
 *             esp_proposals = aes128gcm16
 *          }
 *       }
 *       tnc { … }                              # per-connection override of the top-level tnc section
 *    }
 * }
 * tnc {
 *    tpm = swtpm:tcp://127.0.0.1:2321
 *    aik_handle = 0x81010003                   # or aik_key = /etc/pts/aik.blob
 *    bios_log = /sys/kernel/security/tpm0/binary_bios_measurements
 *    ima_log = /sys/kernel/security/ima/binary_runtime_measurements
 *    imc_config = /etc/tnc_config
 *    x509ca = /etc/swanctl/x509ca              # default: x509ca next to the configuration file
 *    kernel = no
 *    log = ike 1, tnc 2
 * }
 * secrets {                                    # here or in the separate secrets file
 *    eap-carol {
 *       id = carol@strongswan.org
 *       secret = Ar3etTnp
 *    }
 * }
 * ```
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseLevels, decodeUtf8 } from '@tncjs/common';
import { ConfigError } from './errors.js';
import { Secret } from './secret.js';
import { parseSettings, type IncludeReader, type SettingsSection, type SettingsValue } from './settings.js';
import {
  DEFAULT_BIOS_LOG,
  DEFAULT_IMA_LOG,
  type AikConfig,
  type ClientConfig,
  type EapMethod,
  type GatewayAuth,
  type KernelMode,
  type LogLevels,
  type TncConfig,
} from './types.js';
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
  parseKernelMode,
  parsePort,
  parseTtlsFragmentSize,
  splitList,
} from './values.js';

/** The environment variable that may hold the EAP password (both forms). */
export const PASSWORD_ENV = 'TNC_EAP_PASSWORD';

export interface FromSettingsOptions {
  /** Directory relative paths are resolved against (the configuration file's); default the working directory. */
  baseDir?: string;
  /** The configuration file name, recorded in the ClientConfig. */
  configFile?: string;
  /** Environment (for TNC_EAP_PASSWORD); default none. */
  env?: Record<string, string | undefined>;
  /** Whether a directory exists (for the default x509ca directory); default: never. */
  isDirectory?: (path: string) => boolean;
}

export interface ConfigResult {
  config: ClientConfig;
  /** Settings that were ignored, each `file:line: text`. */
  warnings: string[];
}

const CONN_KEYS = new Set(['remote_addrs', 'local_addrs', 'remote_port', 'remote_natt_port', 'proposals', 'version', 'ttls_fragment_size']);
const CONN_SECTIONS = new Set(['local', 'remote', 'children', 'tnc']);
const LOCAL_KEYS = new Set(['auth', 'id', 'eap_id']);
const REMOTE_KEYS = new Set(['auth', 'id', 'cacerts']);
const CHILD_KEYS = new Set(['remote_ts', 'local_ts', 'esp_proposals']);
const TNC_KEYS = new Set(['tpm', 'aik_handle', 'aik_key', 'bios_log', 'ima_log', 'imc_config', 'x509ca', 'kernel', 'log', 'ttls_fragment_size']);

const valueError = (reason: string, at?: { file: string; line: number }): ConfigError => new ConfigError('ERR_CONFIG_VALUE', reason, at);

/**
 * Build the ClientConfig of connection `name` from parsed swanctl.conf settings and (optionally) a parsed secrets
 * file. Pure: reads no files (path checks are `checkConfigFiles`).
 * @throws ConfigError `ERR_CONFIG_VALUE` naming the file and line of the offending setting
 */
export function clientConfigFromSettings(conf: SettingsSection, secrets: SettingsSection | undefined, name: string, options: FromSettingsOptions = {}): ConfigResult {
  const warnings: string[] = [];
  const baseDir = options.baseDir ?? process.cwd();
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const rootAt = { file: conf.file, line: 0 };
  const connections = conf.sections.get('connections');
  if (!connections) throw valueError("no 'connections' section", rootAt);
  const conn = connections.sections.get(name);
  if (!conn) {
    const known = [...connections.sections.keys()];
    throw valueError(`no connection '${name}' (${known.length ? `defined: ${known.join(', ')}` : 'no connection is defined'})`, { file: connections.file, line: connections.line });
  }
  const nameProblem = checkConnectionName(name);
  if (nameProblem) throw valueError(nameProblem, at(conn));
  const path = `connections.${name}`;
  warnUnknown(conn, CONN_KEYS, CONN_SECTIONS, path, warnings, /^(local|remote)-/);

  const version = conn.values.get('version');
  if (version && !['0', '2'].includes(version.value)) throw valueError(`version = ${version.value}: tnc-client speaks IKEv2 only`, at(version));

  // addresses
  const remoteAddrs = conn.values.get('remote_addrs');
  if (!remoteAddrs || !splitList(remoteAddrs.value).length) throw valueError(`${path}: remote_addrs is missing (the gateway's address)`, at(conn));
  const remoteAddress = splitList(remoteAddrs.value)[0];
  check(checkHost(remoteAddress), remoteAddrs);
  const remote$ = { address: remoteAddress } as ClientConfig['remote'];
  for (const [key, field] of [['remote_port', 'port'], ['remote_natt_port', 'nattPort']] as const) {
    const v = conn.values.get(key);
    if (!v) continue;
    const p = parsePort(v.value, key);
    if (typeof p === 'string') throw valueError(p, at(v));
    remote$[field] = p;
  }
  let localAddress: string | undefined;
  const localAddrs = conn.values.get('local_addrs');
  if (localAddrs) {
    const first = splitList(localAddrs.value).find((a) => a !== '%any');
    if (first) check(checkLocalAddress(first), localAddrs);
    localAddress = first;
  }
  const proposals = listOf(conn.values.get('proposals'), checkIkeProposal);

  // local and remote authentication rounds (strongSwan allows local-1, local-2 …; one round is supported)
  const local = round(conn, 'local', path);
  warnUnknown(local, LOCAL_KEYS, new Set(), `${path}.${local.name}`, warnings);
  const auth = local.values.get('auth');
  if (!auth) throw valueError(`${path}.local: auth is missing (eap-ttls or eap-md5)`, at(local));
  const eapMethod = eapMethodOf(auth);
  const id = local.values.get('id');
  if (!id || !id.value) throw valueError(`${path}.local: id is missing (our identity, e.g. carol@strongswan.org)`, at(local));
  check(checkIdentity(id.value, 'local.id'), id);
  const eapId = local.values.get('eap_id');
  const eapIdentity = eapId && eapId.value !== '%any' && eapId.value !== '' ? eapId.value : id.value;
  if (eapId) check(checkIdentity(eapIdentity, 'local.eap_id'), eapId);

  const remote = conn.sections.get('remote') ?? [...conn.sections.values()].find((s) => s.name.startsWith('remote-'));
  if (remote) warnUnknown(remote, REMOTE_KEYS, new Set(), `${path}.${remote.name}`, warnings);
  const gatewayAuth = gatewayAuthOf(remote?.values.get('auth'), eapMethod, auth);
  const rid = remote?.values.get('id');
  let remoteIdentity: string | undefined;
  if (rid && rid.value !== '%any' && rid.value !== '') {
    check(checkIdentity(rid.value, 'remote.id'), rid);
    remoteIdentity = rid.value;
  }

  // tnc: the top-level section, overridden by the connection's
  const tncSection = mergedTnc(conf.sections.get('tnc'), conn.sections.get('tnc'));
  for (const s of [conf.sections.get('tnc'), conn.sections.get('tnc')]) if (s) warnUnknown(s, TNC_KEYS, new Set(), s === conn.sections.get('tnc') ? `${path}.tnc` : 'tnc', warnings);
  const tv = (k: string): SettingsValue | undefined => tncSection.get(k);

  // trust anchors: remote.cacerts (relative to the x509ca directory) and the x509ca directory itself
  const x509caSetting = tv('x509ca');
  const x509ca = x509caSetting ? abs(x509caSetting.value) : join(baseDir, 'x509ca');
  const caCertificates: string[] = [];
  const cacerts = remote?.values.get('cacerts');
  if (cacerts) for (const c of splitList(cacerts.value)) caCertificates.push(isAbsolute(c) ? c : join(x509ca, c));
  if (x509caSetting || (options.isDirectory?.(x509ca) ?? false)) caCertificates.push(x509ca);
  if (!caCertificates.length) {
    throw valueError(`${path}: no CA certificate to check the gateway with: set remote.cacerts, or put the CA into ${x509ca}`, at(remote ?? conn));
  }

  // the CHILD_SA
  const children = conn.sections.get('children');
  const childSections = children ? [...children.sections.values()] : [];
  if (childSections.length > 1) {
    throw valueError(`${path}.children: ${childSections.length} children defined, tnc-client creates one CHILD_SA (the one of IKE_AUTH)`, at(childSections[1]));
  }
  if (children) warnUnknown(children, new Set(), new Set(childSections.map((c) => c.name)), `${path}.children`, warnings);
  const childSection = childSections[0];
  if (childSection) warnUnknown(childSection, CHILD_KEYS, new Set(), `${path}.children.${childSection.name}`, warnings);
  const child = {
    name: childSection?.name ?? name,
    localTs: listOf(childSection?.values.get('local_ts'), checkTrafficSelector) ?? ['dynamic'],
    remoteTs: listOf(childSection?.values.get('remote_ts'), checkTrafficSelector) ?? ['dynamic'],
    espProposals: listOf(childSection?.values.get('esp_proposals'), checkEspProposal),
  };

  const tnc = tncOf(tv, abs);
  // ttls_fragment_size: the connection's own setting, else its tnc section's, else the top-level tnc section's
  const fragV = conn.values.get('ttls_fragment_size') ?? tv('ttls_fragment_size');
  if (fragV) {
    const f = parseTtlsFragmentSize(fragV.value);
    if (typeof f === 'string') throw valueError(f, at(fragV));
    tnc.ttlsFragmentSize = f;
  }
  const kernelV = tv('kernel');
  let kernel: KernelMode = 'auto';
  if (kernelV) {
    const b = parseKernelMode(kernelV.value);
    if (b === undefined) throw valueError(`kernel = ${kernelV.value}: expected yes, no or auto`, at(kernelV));
    kernel = b;
  }
  const logV = tv('log');
  const log: LogLevels = logV ? levelsOf(logV.value, at(logV)) : { levels: {} };

  const password = findEapSecret([secrets, conf], eapIdentity, options.env);
  const config: ClientConfig = {
    name,
    source: 'file',
    configFile: options.configFile,
    remote: remote$,
    localAddress,
    remoteIdentity,
    identity: id.value,
    eapIdentity,
    eapPassword: password,
    eapMethod,
    gatewayAuth,
    caCertificates,
    proposals,
    child,
    tnc,
    kernel,
    log,
  };
  return { config, warnings };
}

function at(x: { file: string; line: number }): { file: string; line: number } {
  return { file: x.file, line: x.line };
}

function check(problem: string | undefined, where: SettingsValue): void {
  if (problem) throw valueError(problem, at(where));
}

function listOf(v: SettingsValue | undefined, checker: (s: string) => string | undefined): string[] | undefined {
  if (!v) return undefined;
  const items = splitList(v.value);
  if (!items.length) throw valueError('empty list', at(v));
  for (const i of items) check(checker(i), v);
  return items;
}

function round(conn: SettingsSection, kind: 'local', path: string): SettingsSection {
  const rounds = [...conn.sections.values()].filter((s) => s.name === kind || s.name.startsWith(`${kind}-`));
  if (!rounds.length) throw valueError(`${path}: no '${kind}' section (our authentication: auth = eap-ttls, id = …)`, at(conn));
  if (rounds.length > 1) throw valueError(`${path}: ${rounds.length} ${kind} authentication rounds, tnc-client supports one`, at(rounds[1]));
  return rounds[0];
}

function eapMethodOf(auth: SettingsValue): EapMethod {
  switch (auth.value.toLowerCase()) {
    case 'eap-ttls':
    case 'eap':
      return 'ttls';
    case 'eap-md5':
      return 'md5';
    default:
      throw valueError(`local.auth = ${auth.value}: tnc-client authenticates with EAP only (eap-ttls, or eap-md5 to a certificate gateway)`, at(auth));
  }
}

function gatewayAuthOf(v: SettingsValue | undefined, method: EapMethod, localAuth: SettingsValue): GatewayAuth {
  let g: GatewayAuth;
  if (!v) g = method === 'md5' ? 'pubkey' : 'eap';
  else {
    const s = v.value.toLowerCase();
    if (s === 'pubkey' || s === 'rsa') g = 'pubkey';
    else if (s === 'eap' || s === 'eap-ttls') g = 'eap';
    else throw valueError(`remote.auth = ${v.value}: expected eap-ttls (EAP-only gateway) or pubkey (certificate gateway)`, at(v));
  }
  if (g === 'eap' && method === 'md5') {
    // RFC 5998 §4: EAP-only authentication needs a key-generating method; EAP-MD5 derives no MSK.
    throw valueError('EAP-MD5 derives no key, so the gateway cannot authenticate with EAP only (RFC 5998): use remote.auth = pubkey or local.auth = eap-ttls', at(v ?? localAuth));
  }
  return g;
}

function mergedTnc(top: SettingsSection | undefined, conn: SettingsSection | undefined): Map<string, SettingsValue> {
  return new Map([...(top?.values ?? []), ...(conn?.values ?? [])]);
}

function tncOf(tv: (k: string) => SettingsValue | undefined, abs: (p: string) => string): TncConfig {
  const tpmV = tv('tpm');
  if (tpmV) check(checkTpm(tpmV.value), tpmV);
  const handleV = tv('aik_handle');
  const keyV = tv('aik_key');
  let aik: AikConfig | undefined;
  if (handleV && keyV) throw valueError('aik_handle and aik_key both set: give one', at(keyV));
  if (handleV) {
    const h = parseAikHandle(handleV.value);
    if (typeof h === 'string') throw valueError(h, at(handleV));
    aik = { handle: h };
  } else if (keyV) {
    if (!keyV.value) throw valueError('aik_key is empty', at(keyV));
    aik = { keyFile: abs(keyV.value) };
  }
  if (aik && !tpmV) throw valueError('an AIK is configured but no TPM: set tpm = device:/dev/tpmrm0 or swtpm:tcp://host:port', at(handleV ?? keyV!));
  const path = (k: string, dflt?: string): string | undefined => {
    const v = tv(k);
    if (!v) return dflt;
    if (!v.value) throw valueError(`${k} is empty`, at(v));
    return abs(v.value);
  };
  return { tpm: tpmV?.value, aik, biosLog: path('bios_log', DEFAULT_BIOS_LOG)!, imaLog: path('ima_log', DEFAULT_IMA_LOG)!, imcConfig: path('imc_config') };
}

/** `--log` / `log =` level specification (charon's `ike 2, tnc 3`, or `ike=2,tnc=3`). */
export function levelsOf(spec: string, where?: { file: string; line: number }): LogLevels {
  try {
    const p = parseLevels(spec);
    return p.defaultLevel === undefined ? { levels: p.levels } : { defaultLevel: p.defaultLevel, levels: p.levels };
  } catch (e) {
    const reason = `${e instanceof Error ? e.message : String(e)} (expected e.g. 'ike=2,tnc=3' or a single level -1..4)`;
    throw where ? valueError(reason, where) : new ConfigError('ERR_CONFIG_FLAG', reason);
  }
}

function warnUnknown(s: SettingsSection, keys: Set<string>, sections: Set<string>, path: string, out: string[], sectionPattern?: RegExp): void {
  for (const [k, v] of s.values) if (!keys.has(k)) out.push(`${v.file}:${v.line}: ${path}.${k} is not used by tnc-client, ignored`);
  for (const [k, sub] of s.sections) {
    if (!sections.has(k) && !sectionPattern?.test(k)) out.push(`${sub.file}:${sub.line}: section ${path}.${k} is not used by tnc-client, ignored`);
  }
}

/**
 * The EAP secret for `identity`: a `secrets.eap-*` (or `secrets.eap`) section whose `id` (or `id-*`) matches, else
 * one without any id (matches everyone), else `TNC_EAP_PASSWORD`. Sources are searched in order.
 * @throws ConfigError `ERR_CONFIG_VALUE` when there is none
 */
export function findEapSecret(sources: (SettingsSection | undefined)[], identity: string, env?: Record<string, string | undefined>): Secret {
  let wildcard: SettingsValue | undefined;
  const files: string[] = [];
  for (const src of sources) {
    if (!src) continue;
    files.push(src.file);
    const secrets = src.sections.get('secrets');
    if (!secrets) continue;
    for (const [name, entry] of secrets.sections) {
      if (name !== 'eap' && !name.startsWith('eap-')) continue;
      const secret = entry.values.get('secret');
      if (!secret) throw valueError(`secrets.${name}: no 'secret' value`, at(entry));
      const ids = [...entry.values].filter(([k]) => k === 'id' || k.startsWith('id-')).map(([, v]) => v.value);
      if (ids.includes(identity)) return new Secret(secretValue(secret));
      if (!ids.length && !wildcard) wildcard = secret;
    }
  }
  if (wildcard) return new Secret(secretValue(wildcard));
  const fromEnv = env?.[PASSWORD_ENV];
  if (fromEnv) return new Secret(fromEnv);
  throw new ConfigError(
    'ERR_CONFIG_VALUE',
    `no EAP secret for '${identity}': add secrets { eap-… { id = ${identity}  secret = … } } to ${files.length ? files.join(' or ') : 'the secrets file'}, or set ${PASSWORD_ENV}`,
  );
}

/** strongSwan secret encodings: `0x…` hex, `0s…` base64, else the text itself. The bytes must be UTF-8. */
function secretValue(v: SettingsValue): string {
  const s = v.value;
  if (!s) throw valueError('the EAP secret is empty', at(v));
  let bytes: Uint8Array | undefined;
  if (/^0x[0-9a-f]*$/i.test(s) && s.length % 2 === 0 && s.length > 2) bytes = new Uint8Array(Buffer.from(s.slice(2), 'hex'));
  else if (/^0s[A-Za-z0-9+/]+=*$/.test(s)) bytes = new Uint8Array(Buffer.from(s.slice(2), 'base64'));
  if (!bytes) return s;
  try {
    return decodeUtf8(bytes);
  } catch {
    throw valueError('the EAP secret (0x/0s encoded) is not UTF-8 text', at(v));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// files

/** An IncludeReader over the file system: `*` and `?` in the last path component, sorted; no match is no error. */
export function fileIncludeReader(): IncludeReader {
  return (pattern, where) => {
    const path = isAbsolute(pattern) ? pattern : resolve(dirname(where.file), pattern);
    const dir = dirname(path);
    const last = basename(path);
    let files: string[];
    if (/[*?]/.test(last)) {
      if (/[*?[]/.test(dir)) throw new ConfigError('ERR_CONFIG_SYNTAX', `include '${pattern}': wildcards only in the file name`, where);
      const re = new RegExp(`^${last.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        names = [];
      }
      files = names.filter((n) => re.test(n)).sort().map((n) => join(dir, n));
    } else files = [path];
    return files.map((file) => ({ file, text: readText(file, where) }));
  };
}

/** Read a text file; @throws ConfigError `ERR_CONFIG_FILE` naming the file (and the line that asked for it). */
export function readText(file: string, where?: { file: string; line: number }, maxBytes = 1 << 20): string {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new ConfigError('ERR_CONFIG_FILE', `'${file}' is not a file`, where);
    if (st.size > maxBytes) throw new ConfigError('ERR_CONFIG_FILE', `'${file}' is larger than ${maxBytes} bytes`, where);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError('ERR_CONFIG_FILE', `cannot read '${file}': ${why}`, where, { cause: e });
  }
}

export interface LoadConfigOptions {
  /** The swanctl.conf-style file. */
  configFile: string;
  /** A separate secrets file (its `secrets { }` section); searched before the configuration file's own. */
  secretsFile?: string;
  env?: Record<string, string | undefined>;
}

/**
 * Read the configuration (and secrets) files and build connection `name`.
 * @throws ConfigError (`ERR_CONFIG_FILE`, `ERR_CONFIG_SYNTAX`, `ERR_CONFIG_VALUE`)
 * @example const { config } = loadClientConfig('home', { configFile: '/etc/tnc-client/swanctl.conf' });
 */
export function loadClientConfig(name: string, options: LoadConfigOptions): ConfigResult {
  const include = fileIncludeReader();
  const configFile = resolve(options.configFile);
  const conf = parseSettings(readText(configFile), { file: configFile, include });
  let secrets: SettingsSection | undefined;
  const warnings: string[] = [];
  if (options.secretsFile) {
    const secretsFile = resolve(options.secretsFile);
    secrets = parseSettings(readText(secretsFile), { file: secretsFile, include });
    const loose = looseMode(secretsFile);
    if (loose) warnings.push(`${secretsFile}: readable by ${loose} (chmod 600 it: it holds passwords)`);
  }
  const r = clientConfigFromSettings(conf, secrets, name, {
    baseDir: dirname(configFile),
    configFile,
    env: options.env,
    isDirectory: (p) => existsSync(p) && statSync(p).isDirectory(),
  });
  return { config: r.config, warnings: [...warnings, ...r.warnings] };
}

/** `group and others` / `others` when a secrets file is readable beyond its owner. */
export function looseMode(file: string): string | undefined {
  try {
    const m = statSync(file).mode;
    return m & 0o004 ? 'others' : m & 0o040 ? 'its group' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Check that the files a ClientConfig names exist (CA certificates, AIK key file, imc config; the measurement logs
 * only when a TPM is configured). Run before connecting so the operator gets the config error, not a stack error.
 * @throws ConfigError `ERR_CONFIG_FILE`
 */
export function checkConfigFiles(cfg: ClientConfig, exists: (p: string) => boolean = existsSync): void {
  const need: [string, string][] = cfg.caCertificates.map((p) => [p, 'CA certificate']);
  if (cfg.tnc.aik && 'keyFile' in cfg.tnc.aik) need.push([cfg.tnc.aik.keyFile, 'AIK key file']);
  if (cfg.tnc.imcConfig) need.push([cfg.tnc.imcConfig, 'IMC configuration (tnc_config)']);
  for (const [p, what] of need) if (!exists(p)) throw new ConfigError('ERR_CONFIG_FILE', `${what} '${p}' does not exist`, cfg.configFile ? { file: cfg.configFile } : undefined);
}
