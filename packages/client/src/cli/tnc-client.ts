/**
 * The `tnc-client` command: `up <conn>` (swanctl.conf-style file), `connect --host …` (flags), `down <conn>` and
 * `status [<conn>]`. The network stack is injected (`StartSession`), so the command is tested with a fake session and
 * the lead wires the real one. `runTncClient` never throws and never exits the process: it returns the exit code.
 */
import { existsSync } from 'node:fs';
import { Logger, isTncjsError } from '@tncjs/common';
import { ConfigError, isConfigError } from '../config/errors.js';
import { CONNECT_OPTIONS, SESSION_OPTIONS, clientConfigFromArgs, kernelFromArgs, logLevelsFromArgs, parseArgs, ttlsFragmentSizeFromArgs, type OptionSpec, type ParsedArgs } from '../config/flags.js';
import { checkConfigFiles, loadClientConfig } from '../config/swanctl.js';
import type { ClientConfig } from '../config/types.js';
import { checkConnectionName } from '../config/values.js';
import { ControlError, controlRequest, listConnections, listenControl, runDir, socketPath } from './control.js';
import { createProgress } from './progress.js';
import type { Outcome, Session, StartSession } from './session.js';
import { DEFAULT_CONFIG, HELPS, HELP_MAIN, TNC_CLIENT_USAGE } from './tnc-client-help.js';

/** Exit codes of tnc-client. */
export const TncClientExit = {
  ALLOWED: 0,
  /** Connection failure, interrupted setup, control socket unreachable, or a bug. */
  ERROR: 1,
  /** Bad command line or configuration. */
  USAGE: 2,
  ISOLATED: 3,
  DENIED: 4,
} as const;

const OUTCOME_EXIT: Record<Outcome, number> = { allowed: TncClientExit.ALLOWED, isolated: TncClientExit.ISOLATED, denied: TncClientExit.DENIED };
const OUTCOME_TEXT: Record<Outcome, string> = {
  allowed: 'access allowed',
  isolated: 'access isolated (remediation network only)',
  denied: 'access denied',
};

export interface TncClientIo {
  stdout: (s: string) => void;
  /** Receives whole lines (and, on a terminal, the progress indicator). */
  stderr: (s: string) => void;
  /** Whether standard error is a terminal (draws the progress indicator). */
  stderrIsTTY?: boolean;
  columns?: number;
}

/** Where SIGINT/SIGTERM come from (default: the process). */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', fn: () => void): unknown;
}

export interface TncClientDeps {
  /** The network stack. */
  startSession: StartSession;
  /** Environment (TNC_EAP_PASSWORD, TNC_CLIENT_RUNDIR, TNC_CLIENT_CONF, TNC_CLIENT_SECRETS); default process.env. */
  env?: Record<string, string | undefined>;
  signals?: SignalSource;
  /** How long close() may take before giving up (default 10 s). */
  closeTimeoutMs?: number;
  /** How long `down` waits for the connection to be gone (default 15 s). */
  downTimeoutMs?: number;
}

/**
 * Run `tnc-client argv` (the arguments after the program name).
 * @returns 0 allowed, 1 error, 2 usage/configuration error, 3 isolated, 4 denied
 */
export async function runTncClient(argv: readonly string[], io: TncClientIo, deps: TncClientDeps): Promise<number> {
  const env = deps.env ?? process.env;
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr(`tnc-client: missing command\n${TNC_CLIENT_USAGE}\n`);
        return TncClientExit.USAGE;
      case '-h':
      case '--help':
        io.stdout(HELP_MAIN);
        return TncClientExit.ALLOWED;
      case 'help': {
        const page = rest[0] === undefined ? HELP_MAIN : HELPS[rest[0]];
        if (!page) throw new ConfigError('ERR_CONFIG_FLAG', `no help for '${printable(rest[0])}' (commands: up, connect, down, status)`);
        io.stdout(page);
        return TncClientExit.ALLOWED;
      }
      case 'up':
      case 'connect': {
        const specs = command === 'up' ? [...SESSION_OPTIONS, { name: 'config', value: true }, { name: 'secrets', value: true }] : CONNECT_OPTIONS;
        const a = parseArgs(rest, specs);
        if (a.options.has('help')) {
          io.stdout(HELPS[command]);
          return TncClientExit.ALLOWED;
        }
        const { config, warnings } = command === 'up' ? configFromFile(a, env) : clientConfigFromArgs(a, env);
        checkConfigFiles(config);
        return await holdSession(config, warnings, a, io, deps, env);
      }
      case 'down':
      case 'status':
        return await controlCommand(command, rest, io, deps, env);
      default:
        throw new ConfigError('ERR_CONFIG_FLAG', `unknown command '${printable(command)}' (up, connect, down, status, help)`);
    }
  } catch (e) {
    return fail(e, io, argv.includes('--json'));
  }
}

function configFromFile(a: ParsedArgs, env: Record<string, string | undefined>): { config: ClientConfig; warnings: string[] } {
  if (a.positional.length !== 1) {
    throw new ConfigError('ERR_CONFIG_FLAG', a.positional.length ? `unexpected argument '${printable(a.positional[1])}'` : 'missing connection name (tnc-client up <conn>)');
  }
  const name = a.positional[0];
  const bad = checkConnectionName(name);
  if (bad) throw new ConfigError('ERR_CONFIG_FLAG', bad);
  const configFile = (a.options.get('config') as string | undefined) ?? env.TNC_CLIENT_CONF ?? DEFAULT_CONFIG;
  const secretsFile = (a.options.get('secrets') as string | undefined) ?? env.TNC_CLIENT_SECRETS;
  const r = loadClientConfig(name, { configFile, secretsFile, env });
  // command-line options override the file
  r.config.log = logLevelsFromArgs(a, r.config.log);
  const kernel = kernelFromArgs(a);
  if (kernel !== undefined) r.config.kernel = kernel;
  const fragment = ttlsFragmentSizeFromArgs(a);
  if (fragment !== undefined) r.config.tnc.ttlsFragmentSize = fragment;
  return r;
}

/** Connect, report, hold the session until asked to stop, close. */
async function holdSession(cfg: ClientConfig, warnings: string[], a: ParsedArgs, io: TncClientIo, deps: TncClientDeps, env: Record<string, string | undefined>): Promise<number> {
  const json = a.options.has('json');
  const once = a.options.has('once');
  const progress = createProgress({ enabled: !json && io.stderrIsTTY === true, write: io.stderr, columns: io.columns });
  // a log line ends a progress line being drawn (the indicator is redrawn below it on the next report)
  const log = new Logger({ defaultLevel: cfg.log.defaultLevel ?? 1, levels: cfg.log.levels, json, sink: (line) => (progress.finish(), io.stderr(line + '\n')) });
  for (const w of warnings) log.log('CFG', 1, w);
  const reveal = cfg.log.defaultLevel === 4 || Object.values(cfg.log.levels).includes(4);
  const emit = (event: Record<string, unknown>, text: string): void => io.stdout(json ? JSON.stringify(event) + '\n' : text + '\n');
  const signals = deps.signals ?? process;
  const closeTimeout = deps.closeTimeoutMs ?? 10_000;

  const started = new Date();
  let state: 'connecting' | 'established' | 'closing' = 'connecting';
  let session: Session | undefined;
  const abort = new AbortController();
  let stopReason: string | undefined;
  let wake!: (reason: string) => void;
  const stopped = new Promise<string>((res) => (wake = res));
  let forceExit!: () => void;
  const forced = new Promise<'forced'>((res) => (forceExit = () => res('forced')));
  const stop = (reason: string): void => {
    if (stopReason === undefined) {
      stopReason = reason;
      log.log('DMN', 1, reason.startsWith('SIG') ? `signal of type ${reason} received. Shutting down` : `${reason} requested, closing connection '${cfg.name}'`);
      abort.abort(new Error(`stopped by ${reason}`));
      wake(reason);
    } else if (reason.startsWith('SIG')) {
      log.log('DMN', 0, `second ${reason}: exiting without waiting for the DELETE to complete`);
      forceExit();
    }
  };
  const onSigint = (): void => stop('SIGINT');
  const onSigterm = (): void => stop('SIGTERM');

  const statusObject = (): Record<string, unknown> => ({
    connection: cfg.name,
    pid: process.pid,
    state,
    outcome: session?.outcome,
    since: started.toISOString(),
    remote: cfg.remote.address,
    identity: cfg.identity,
    eapIdentity: cfg.eapIdentity,
    remoteIdentity: cfg.remoteIdentity ?? '%any',
    session: session ? redact(safeStatus(session), reveal) : undefined,
  });

  const dir = runDir(env);
  const control = await listenControl(dir, cfg.name, { status: statusObject, down: () => stop('down') });
  signals.on('SIGINT', onSigint);
  signals.on('SIGTERM', onSigterm);
  try {
    log.log('CFG', 1, `initiating connection '${cfg.name}' to ${cfg.remote.address} as '${cfg.identity}'`);
    const pending = deps.startSession(cfg, log, { progress: progress.update, signal: abort.signal });
    pending.catch(() => {}); // handled below; a rejection after an abort must not become unhandled
    const first = await Promise.race([pending.then((s) => ({ s })), stopped.then((reason) => ({ reason }))]);
    progress.finish();
    if ('reason' in first) {
      // stopped while connecting: close whatever still comes up, but do not wait for it forever
      void pending.then((s) => s.close()).catch(() => {});
      emit({ event: 'aborted', connection: cfg.name, reason: first.reason }, `connection '${cfg.name}' aborted (${first.reason}) before the assessment finished`);
      return TncClientExit.ERROR;
    }
    session = first.s;
    state = 'established';
    const outcome = session.outcome;
    if (!(outcome in OUTCOME_EXIT)) throw new TypeError(`the session reported an unknown outcome ${JSON.stringify(outcome)}`);
    emit(
      { event: 'established', connection: cfg.name, remote: cfg.remote.address, outcome },
      `connection '${cfg.name}' established with ${cfg.remote.address}: ${OUTCOME_TEXT[outcome]}`,
    );
    const code = OUTCOME_EXIT[outcome];
    let reason: string;
    if (outcome === 'denied') reason = 'access denied';
    else if (once) reason = '--once';
    else {
      const peerClosed = session.closed ? session.closed.then(() => 'closed by the gateway', () => 'closed by the gateway') : new Promise<string>(() => {});
      reason = await Promise.race([stopped, peerClosed]);
    }
    state = 'closing';
    const result = await Promise.race([
      session.close().then(() => 'closed' as const, (e: unknown) => e),
      new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), closeTimeout).unref()),
      forced,
    ]);
    if (result !== 'closed') {
      const why = result === 'timeout' ? `close did not finish within ${closeTimeout} ms` : result === 'forced' ? 'interrupted while closing' : `close failed: ${message(result)}`;
      log.log('IKE', 0, why);
      emit({ event: 'closed', connection: cfg.name, reason, outcome, error: why }, `connection '${cfg.name}' closed (${reason}); ${why}`);
      return TncClientExit.ERROR;
    }
    emit({ event: 'closed', connection: cfg.name, reason, outcome }, `connection '${cfg.name}' closed (${reason})`);
    return code;
  } catch (e) {
    progress.finish();
    if (stopReason !== undefined && abort.signal.aborted && !session) {
      emit({ event: 'aborted', connection: cfg.name, reason: stopReason }, `connection '${cfg.name}' aborted (${stopReason})`);
      return TncClientExit.ERROR;
    }
    return fail(e, io, json, `connection '${cfg.name}' failed: `);
  } finally {
    signals.off('SIGINT', onSigint);
    signals.off('SIGTERM', onSigterm);
    await control.close();
  }
}

function safeStatus(s: Session): unknown {
  try {
    return s.status();
  } catch (e) {
    return { error: `status() failed: ${message(e)}` };
  }
}

/** `down` and `status` over the control socket. */
async function controlCommand(command: 'down' | 'status', rest: readonly string[], io: TncClientIo, deps: TncClientDeps, env: Record<string, string | undefined>): Promise<number> {
  const specs: OptionSpec[] = [{ name: 'json', value: false }, { name: 'help', value: false, short: 'h' }];
  if (command === 'down') specs.push({ name: 'timeout', value: true });
  const a = parseArgs(rest, specs);
  if (a.options.has('help')) {
    io.stdout(HELPS[command]);
    return TncClientExit.ALLOWED;
  }
  const json = a.options.has('json');
  if (a.positional.length > 1) throw new ConfigError('ERR_CONFIG_FLAG', `unexpected argument '${printable(a.positional[1])}'`);
  const name = a.positional[0];
  if (name !== undefined) {
    const bad = checkConnectionName(name);
    if (bad) throw new ConfigError('ERR_CONFIG_FLAG', bad);
  }
  const dir = runDir(env);
  if (command === 'down') {
    if (name === undefined) throw new ConfigError('ERR_CONFIG_FLAG', 'missing connection name (tnc-client down <conn>)');
    const t = a.options.get('timeout') as string | undefined;
    if (t !== undefined && !(Number(t) > 0 && Number(t) <= 3600)) throw new ConfigError('ERR_CONFIG_FLAG', `--timeout ${printable(t)}: expected seconds, 1..3600`);
    const timeoutMs = t !== undefined ? Number(t) * 1000 : (deps.downTimeoutMs ?? 15_000);
    const r = await controlRequest(dir, name, { cmd: 'down' });
    if (!r.ok) throw new ControlError('ERR_CONTROL', `connection '${name}' refused down: ${r.error}`);
    const path = socketPath(dir, name);
    const deadline = Date.now() + timeoutMs;
    while (existsSync(path) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    if (existsSync(path)) throw new ControlError('ERR_CONTROL', `connection '${name}' did not close within ${timeoutMs / 1000} s`);
    io.stdout(json ? JSON.stringify({ connection: name, down: true }) + '\n' : `connection '${name}' closed\n`);
    return TncClientExit.ALLOWED;
  }
  // status
  if (name !== undefined) {
    const s = await statusOf(dir, name);
    io.stdout(json ? JSON.stringify(s) + '\n' : formatStatus(s));
    return TncClientExit.ALLOWED;
  }
  const all: Record<string, unknown>[] = [];
  for (const conn of listConnections(dir)) {
    try {
      all.push(await statusOf(dir, conn));
    } catch (e) {
      if (!(e instanceof ControlError && e.code === 'ERR_NOT_RUNNING')) throw e; // a stale socket is skipped
    }
  }
  if (json) io.stdout(JSON.stringify({ connections: all }) + '\n');
  else io.stdout(all.length ? all.map(formatStatus).join('') : 'no connections up\n');
  return TncClientExit.ALLOWED;
}

async function statusOf(dir: string, name: string): Promise<Record<string, unknown>> {
  const r = await controlRequest(dir, name, { cmd: 'status' });
  if (!r.ok) throw new ControlError('ERR_CONTROL', `connection '${name}': ${r.error}`);
  return (r.status ?? {}) as Record<string, unknown>;
}

function formatStatus(s: Record<string, unknown>): string {
  const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '-');
  const head = `${str(s.connection)}: ${str(s.state)}${s.outcome ? `, ${OUTCOME_TEXT[s.outcome as Outcome] ?? str(s.outcome)}` : ''}, since ${str(s.since)}, pid ${str(s.pid)}\n`;
  const lines = [`  gateway ${str(s.remote)} (${str(s.remoteIdentity)}), identity ${str(s.identity)}, EAP identity ${str(s.eapIdentity)}`];
  if (s.session && typeof s.session === 'object') for (const [k, v] of Object.entries(s.session)) lines.push(`  ${k}: ${str(v)}`);
  return head + lines.join('\n') + '\n';
}

const SECRET_KEY = /password|passwd|passphrase|secret|^msk$|psk|private|keymat|^sk_|^sk(d|ai|ar|ei|er|pi|pr)$/i;

/**
 * A JSON-safe copy of a session's status with secret-looking values replaced by `<redacted>` (kept when `reveal`):
 * byte arrays become `<N bytes>` (hex when revealed), depth and size are bounded, functions dropped.
 */
export function redact(v: unknown, reveal: boolean, depth = 0, key = ''): unknown {
  if (!reveal && key && SECRET_KEY.test(key)) return '<redacted>';
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return reveal ? Buffer.from(v).toString('hex') : `<${v.byteLength} bytes>`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object') return undefined;
  if (depth >= 8) return '<…>';
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return redact((v as { toJSON(): unknown }).toJSON(), reveal, depth + 1, '');
  if (Array.isArray(v)) return v.slice(0, 1000).map((x) => redact(x, reveal, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v).slice(0, 1000)) {
    const r = redact(x, reveal, depth + 1, k);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

function fail(e: unknown, io: TncClientIo, json: boolean, prefix = ''): number {
  let code: number;
  let text: string;
  let errCode: string;
  if (isConfigError(e)) {
    code = TncClientExit.USAGE;
    text = e.message;
    errCode = e.code;
  } else if (isTncjsError(e)) {
    code = TncClientExit.ERROR;
    text = prefix + e.message;
    errCode = e.code;
  } else {
    code = TncClientExit.ERROR;
    text = `${prefix}${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    errCode = 'ERR_INTERNAL';
  }
  text = oneLine(text);
  io.stderr(`tnc-client: ${text}\n`);
  if (code === TncClientExit.USAGE && isConfigError(e) && e.code === 'ERR_CONFIG_FLAG') io.stderr(`${TNC_CLIENT_USAGE}\n`);
  if (json) io.stdout(JSON.stringify({ event: 'error', code: errCode, message: text }) + '\n');
  return code;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function printable(s: string | undefined): string {
  return oneLine(String(s)).slice(0, 60);
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 499)}…` : flat;
}
