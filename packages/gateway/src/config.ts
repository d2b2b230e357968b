/**
 * `tnc-gateway` configuration: a small JSON file and/or flags, turned into `GatewayOptions`. Paths are read here
 * (certificate, key, secrets file); flags override the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseLevels, type Level, type Subsystem } from '@tncjs/common';
import type { GatewayOptions } from './gateway.js';
import { GatewayError, GatewayErrorCode } from './errors.js';

export const GATEWAY_HELP = `Usage: tnc-gateway [--config FILE] [options]

Runs a TNC gateway in the foreground: IKEv2 responder (EAP-only), EAP-TTLS with inner EAP-MD5 and PT-EAP, and a TNC
server with the Attestation and OS IMVs. Logs strongSwan-style lines on stdout; stops on SIGINT/SIGTERM.

Options (flags override the config file):
  --config FILE        JSON file (keys below in camelCase: identity, cert, key, secrets, secretsFile, listen,
                       ikePort, nattPort, ts, remoteTs, isolatedTs, tncConfig, store, metadataPath, maxBatchSize,
                       ttlsFragmentSize, maxEapRounds, cookieThreshold, isolate, debug, json)
  --identity ID        our IKE identity and TLS name (e.g. moon.strongswan.org)
  --cert FILE          EAP-TTLS server certificate (PEM or DER)
  --key FILE           its private key (PEM or DER)
  --secrets FILE       EAP-MD5 secrets, one "identity : password" per line (# comments)
  --listen ADDR        address to bind (default 0.0.0.0)
  --ike-port N         IKE port (default 500); --natt-port N: NAT-T port (default 4500)
  --ts CIDR            our traffic selector (TSr), repeatable (default 0.0.0.0/0), e.g. 10.1.0.0/28
  --remote-ts CIDR     the clients' side we accept (TSi), repeatable, or "dynamic" (the client's IKE address/32);
                       default any
  --isolated-ts CIDR   our traffic selector for Quarantined clients (a remediation network), repeatable;
                       default --ts
  --tnc-config FILE    strongSwan tnc_config with IMV lines (default: Attestation and OS IMVs built in)
  --store FILE         Attestation IMV reference store (JSON; default in memory)
  --metadata-path PATH file whose metadata the Attestation IMV asks for (default /etc/tnc_config)
  --isolate allow|deny whether Quarantined clients get their IKE_SA (default allow)
  --max-eap-rounds N   bound on the EAP-TTLS packets of one client (default 10000)
  --cookie-threshold N half-open IKE_SAs from which on clients must return a COOKIE first (RFC 7296 §2.6;
                       default 30, 0 = always)
  --debug SPEC         log levels, charon style: "2" or "ike 2, tnc 3" (secrets only at level 4)
  --json               one JSON object per log line
  -h, --help           this text

Exit codes: 0 stopped by a signal, 1 configuration or start-up error.`;

export interface GatewayCliResult {
  help?: boolean;
  options: Omit<GatewayOptions, 'logger'>;
  log: { defaultLevel?: Level; levels: Partial<Record<Subsystem, Level>>; json: boolean };
}

interface FileConfig {
  identity?: string;
  cert?: string;
  key?: string;
  secrets?: Record<string, string>;
  secretsFile?: string;
  listen?: string;
  ikePort?: number;
  nattPort?: number;
  ts?: string[];
  remoteTs?: string[];
  isolatedTs?: string[];
  maxEapRounds?: number;
  cookieThreshold?: number;
  tncConfig?: string;
  store?: string;
  metadataPath?: string;
  maxBatchSize?: number;
  ttlsFragmentSize?: number;
  isolate?: 'allow' | 'deny';
  debug?: string;
  json?: boolean;
}

const bad = (msg: string): never => {
  throw new GatewayError(GatewayErrorCode.CONFIG, msg);
};

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    return bad(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Parse an ipsec.secrets-like file: `identity : password` or `identity : EAP "password"` per line. */
export function parseSecrets(text: string, source = 'secrets'): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const m = /^(\S+)\s*:\s*(?:EAP\s+)?"?([^"]*)"?$/.exec(line);
    if (!m || !m[2]) bad(`${source} line ${i + 1}: expected "identity : password"`);
    out[m![1]] = m![2];
  });
  return out;
}

/** Read and check a JSON configuration file. @throws GatewayError ERR_GATEWAY_CONFIG */
export function loadGatewayConfig(path: string): FileConfig {
  let c: unknown;
  try {
    c = JSON.parse(read(path, 'configuration file').toString('utf8'));
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    bad(`configuration file '${path}' is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) bad(`configuration file '${path}' must hold a JSON object`);
  const o = c as Record<string, unknown>;
  const base = dirname(resolve(path));
  const str = ['identity', 'cert', 'key', 'secretsFile', 'listen', 'tncConfig', 'store', 'metadataPath', 'debug', 'isolate'];
  const num = ['ikePort', 'nattPort', 'maxBatchSize', 'ttlsFragmentSize', 'maxEapRounds', 'cookieThreshold'];
  const lists = ['ts', 'remoteTs', 'isolatedTs'];
  for (const k of Object.keys(o)) {
    if (str.includes(k) && typeof o[k] !== 'string') bad(`configuration '${k}' must be a string`);
    else if (num.includes(k) && !Number.isInteger(o[k])) bad(`configuration '${k}' must be an integer`);
    else if (lists.includes(k) && !(Array.isArray(o[k]) && (o[k] as unknown[]).every((x) => typeof x === 'string'))) bad(`configuration '${k}' must be a list of CIDR strings`);
    else if (k === 'secrets' && (typeof o.secrets !== 'object' || o.secrets === null || Object.values(o.secrets).some((v) => typeof v !== 'string'))) bad(`configuration 'secrets' must map identities to passwords`);
    else if (k === 'json' && typeof o.json !== 'boolean') bad(`configuration 'json' must be true or false`);
    else if (![...str, ...num, ...lists, 'secrets', 'json'].includes(k)) bad(`unknown configuration key '${k}'`);
  }
  for (const k of ['cert', 'key', 'secretsFile', 'tncConfig', 'store']) if (typeof o[k] === 'string') o[k] = resolve(base, o[k] as string);
  return o as FileConfig;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parse `tnc-gateway` arguments (after the program name) into gateway options.
 * @throws GatewayError ERR_GATEWAY_CONFIG for unknown flags, missing values or unreadable files
 */
export function parseGatewayArgs(argv: readonly string[]): GatewayCliResult {
  const flags: FileConfig = {};
  const ts: string[] = [];
  const remoteTs: string[] = [];
  const isolatedTs: string[] = [];
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : bad(`${a} needs a value`));
    const int = () => {
      const v = value();
      const n = Number(v);
      return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : bad(`${a} needs a number from 0 to 65535, got '${v}'`);
    };
    switch (a) {
      case '-h': case '--help': return { help: true, options: undefined as never, log: { levels: {}, json: false } };
      case '--config': configPath = value(); break;
      case '--identity': flags.identity = value(); break;
      case '--cert': flags.cert = resolve(value()); break;
      case '--key': flags.key = resolve(value()); break;
      case '--secrets': flags.secretsFile = resolve(value()); break;
      case '--listen': flags.listen = value(); break;
      case '--ike-port': flags.ikePort = int(); break;
      case '--natt-port': flags.nattPort = int(); break;
      case '--ts': ts.push(value()); break;
      case '--remote-ts': remoteTs.push(value()); break;
      case '--isolated-ts': isolatedTs.push(value()); break;
      case '--cookie-threshold': flags.cookieThreshold = int(); break;
      case '--max-eap-rounds': { const v = value(); const n = Number(v); flags.maxEapRounds = Number.isInteger(n) && n >= 1 ? n : bad(`--max-eap-rounds needs a positive integer, got '${v}'`); break; }
      case '--tnc-config': flags.tncConfig = resolve(value()); break;
      case '--store': flags.store = resolve(value()); break;
      case '--metadata-path': flags.metadataPath = value(); break;
      case '--isolate': { const v = value(); flags.isolate = v === 'allow' || v === 'deny' ? v : bad(`--isolate must be allow or deny, got '${v}'`); break; }
      case '--debug': flags.debug = value(); break;
      case '--json': flags.json = true; break;
      default: bad(`unknown option '${a}' (see --help)`);
    }
  }
  if (ts.length) flags.ts = ts;
  if (remoteTs.length) flags.remoteTs = remoteTs;
  if (isolatedTs.length) flags.isolatedTs = isolatedTs;
  const c: FileConfig = { ...(configPath ? loadGatewayConfig(configPath) : {}), ...flags };
  if (!c.identity) bad('no identity: give --identity or "identity" in the configuration file');
  if (!c.cert || !c.key) bad('no certificate/key: give --cert and --key');
  if (c.maxEapRounds !== undefined && c.maxEapRounds < 1) bad(`configuration 'maxEapRounds' must be at least 1`);
  if (c.cookieThreshold !== undefined && c.cookieThreshold < 0) bad(`configuration 'cookieThreshold' must not be negative`);
  for (const t of [...(c.ts ?? []), ...(c.isolatedTs ?? []), ...(c.remoteTs ?? []).filter((x) => x !== 'dynamic')]) {
    const m = CIDR.exec(t);
    if (!m || m.slice(1, 5).some((x) => Number(x) > 255) || Number(m[5]) > 32) bad(`traffic selector '${t}' is not an IPv4 CIDR`);
  }
  const secrets = { ...(c.secretsFile ? parseSecrets(read(c.secretsFile, 'secrets file').toString('utf8'), c.secretsFile) : {}), ...(c.secrets ?? {}) };
  if (Object.keys(secrets).length === 0) bad('no EAP secrets: give --secrets FILE or "secrets" in the configuration file');
  let levels: ReturnType<typeof parseLevels> = { levels: {} };
  if (c.debug) {
    try {
      levels = parseLevels(c.debug);
    } catch (e) {
      bad(`--debug: ${(e as Error).message}`);
    }
  }
  return {
    options: {
      identity: c.identity!,
      certificate: new Uint8Array(read(c.cert!, 'certificate')),
      key: new Uint8Array(read(c.key!, 'private key')),
      secrets,
      address: c.listen,
      ikePort: c.ikePort,
      nattPort: c.nattPort,
      localTs: c.ts,
      remoteTs: c.remoteTs,
      isolatedTs: c.isolatedTs,
      maxEapRounds: c.maxEapRounds,
      cookieThreshold: c.cookieThreshold,
      maxBatchSize: c.maxBatchSize,
      ttlsFragmentSize: c.ttlsFragmentSize,
      isolate: c.isolate,
      imvs: { tncConfig: c.tncConfig, attestation: { ...(c.store ? { storePath: c.store } : {}), ...(c.metadataPath ? { metadataPath: c.metadataPath } : {}) } },
    },
    log: { ...levels, json: c.json ?? false },
  };
}
