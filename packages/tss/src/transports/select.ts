/**
 * Choosing a TPM the way tpm2-tools chooses its TCTI: an explicit option, else the environment (TNCJS_TPM, then
 * tpm2-tools' TPM2TOOLS_TCTI, then TCTI), else /dev/tpmrm0 and then /dev/tpm0.
 *
 * Accepted forms:
 *
 * | form | meaning |
 * |---|---|
 * | `device` / `device:/dev/tpmrm0` / `device:path=/dev/tpm0` | kernel character device (default: tpmrm0, then tpm0) |
 * | `swtpm:tcp://127.0.0.1:2321` | swtpm socket, control channel on port + 1 |
 * | `swtpm:tcp://127.0.0.1:2321?ctrl=2330` / `?ctrl=10.0.0.2:2330` | … with the control channel elsewhere |
 * | `swtpm:unix:///run/swtpm.sock` | swtpm Unix socket, control channel `/run/swtpm.sock.ctrl` |
 * | `swtpm:unix:///run/swtpm.sock?ctrl=/run/ctrl.sock` | … with the control channel elsewhere |
 * | `swtpm`, `swtpm:port=2321`, `swtpm:host=127.0.0.1,port=2321`, `swtpm:path=/run/swtpm.sock` | tpm2-tss swtpm TCTI syntax |
 */
import { DEFAULT_DEVICES, DeviceTransport, openDevice } from './device.js';
import { SwtpmTransport } from './swtpm.js';
import type { SocketEndpoint } from './socket.js';
import type { TpmTransport } from './transport.js';

export type TpmSpec = { kind: 'device'; paths: string[] } | { kind: 'swtpm'; data: SocketEndpoint; ctrl?: SocketEndpoint };

/** Environment variables consulted, in order. */
export const TPM_ENV_VARS = ['TNCJS_TPM', 'TPM2TOOLS_TCTI', 'TCTI'] as const;

const DEFAULT_SWTPM = { host: '127.0.0.1', port: 2321 } as const;

function port(s: string, what: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 65535) throw new TypeError(`invalid ${what} '${s}'`);
  return n;
}

/** new URL() with our own TypeError (the WHATWG one is ERR_INVALID_URL from another realm under some test runners). */
function url(s: string): URL {
  try {
    return new URL(s);
  } catch {
    throw new TypeError(`invalid address '${s}'`);
  }
}

function ctrlFrom(spec: string, data: SocketEndpoint): SocketEndpoint {
  if (/^\d+$/.test(spec)) return { host: 'host' in data ? data.host : '127.0.0.1', port: port(spec, 'control port') };
  if (spec.startsWith('unix://')) return { path: spec.slice('unix://'.length) };
  if (spec.startsWith('/')) return { path: spec };
  const u = url(spec.includes('://') ? spec : `tcp://${spec}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: port(u.port, 'control port') };
}

function defaultCtrl(data: SocketEndpoint): SocketEndpoint {
  return 'path' in data ? { path: `${data.path}.ctrl` } : { host: data.host, port: data.port + 1 };
}

/**
 * Parse a TPM specification (see the module comment for the forms).
 * @throws TypeError on syntax errors and on TCTIs this stack does not speak (tabrmd, mssim, libtpms)
 */
export function parseTpmSpec(specIn: string): TpmSpec {
  const spec = specIn.trim();
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).toLowerCase();
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  switch (kind) {
    case 'device': {
      if (!rest) return { kind: 'device', paths: [...DEFAULT_DEVICES] };
      const path = rest.startsWith('path=') ? rest.slice(5) : rest;
      if (!path.startsWith('/')) throw new TypeError(`invalid device path '${path}'`);
      return { kind: 'device', paths: [path] };
    }
    case 'swtpm': {
      if (!rest) return { kind: 'swtpm', data: DEFAULT_SWTPM, ctrl: defaultCtrl(DEFAULT_SWTPM) };
      if (rest.startsWith('tcp://') || rest.startsWith('unix://')) {
        const q = rest.indexOf('?');
        const main = q < 0 ? rest : rest.slice(0, q);
        const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
        let data: SocketEndpoint;
        if (main.startsWith('unix://')) {
          const path = main.slice('unix://'.length);
          if (!path.startsWith('/')) throw new TypeError(`invalid unix socket path '${path}' (use unix:///absolute/path)`);
          data = { path };
        } else {
          const u = url(main);
          if (!u.port) throw new TypeError(`missing port in '${main}'`);
          data = { host: u.hostname.replace(/^\[|\]$/g, ''), port: port(u.port, 'port') };
        }
        const c = params.get('ctrl');
        return { kind: 'swtpm', data, ctrl: c ? ctrlFrom(c, data) : defaultCtrl(data) };
      }
      // tpm2-tss TCTI configuration: key=value pairs separated by commas
      const kv: Record<string, string> = {};
      for (const part of rest.split(',').map((s) => s.trim()).filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq < 0) throw new TypeError(`invalid swtpm TCTI option '${part}' (expected host=…, port=… or path=…)`);
        kv[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
      }
      for (const k of Object.keys(kv)) if (!['host', 'port', 'path'].includes(k)) throw new TypeError(`unknown swtpm TCTI option '${k}'`);
      const data: SocketEndpoint = kv.path ? { path: kv.path } : { host: kv.host ?? DEFAULT_SWTPM.host, port: kv.port ? port(kv.port, 'port') : DEFAULT_SWTPM.port };
      return { kind: 'swtpm', data, ctrl: defaultCtrl(data) };
    }
    case 'tabrmd':
    case 'mssim':
    case 'libtpms':
    case 'cmd':
      throw new TypeError(`the '${kind}' TCTI is not supported by tncjs: use device:/dev/tpmrm0 or swtpm:tcp://host:port`);
    default:
      throw new TypeError(`invalid TPM specification '${spec}' (expected device:/dev/tpmrm0, swtpm:tcp://127.0.0.1:2321 or swtpm:unix:///path)`);
  }
}

/** The specification in effect: `explicit`, else the first set environment variable, else undefined (default devices). */
export function resolveTpmSpec(explicit?: string, env: Record<string, string | undefined> = process.env): { spec?: string; source: string } {
  if (explicit) return { spec: explicit, source: 'option' };
  for (const v of TPM_ENV_VARS) {
    const s = env[v];
    if (s && s.trim()) return { spec: s.trim(), source: v };
  }
  return { source: 'default' };
}

export interface OpenTransportOptions {
  /** Per-command deadline in milliseconds. */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
}

/**
 * A transport for `spec` (or the environment, or the default devices). Devices are opened now (so a missing device is
 * reported here, naming every path tried); sockets connect on the first command.
 * @throws TypeError for an invalid specification, TpmTransportError when no device opens
 */
export async function openTransport(spec?: string, options: OpenTransportOptions = {}): Promise<TpmTransport> {
  const resolved = resolveTpmSpec(spec, options.env);
  const parsed: TpmSpec = resolved.spec ? parseTpmSpec(resolved.spec) : { kind: 'device', paths: [...DEFAULT_DEVICES] };
  if (parsed.kind === 'device') {
    if (parsed.paths.length === 1) {
      const t = new DeviceTransport(parsed.paths[0], options.timeoutMs);
      await t.open();
      return t;
    }
    return openDevice(parsed.paths, options.timeoutMs);
  }
  return new SwtpmTransport(parsed.data, parsed.ctrl, { timeoutMs: options.timeoutMs });
}
