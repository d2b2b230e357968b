/**
 * The control socket of a running `tnc-client up|connect`: a Unix socket `<rundir>/<connection>.sock` (rundir
 * `$TNC_CLIENT_RUNDIR`, else /run/tnc-client, created 0700), mode 0600, speaking JSON lines:
 *
 * ```
 * → {"cmd":"status"}          ← {"ok":true,"status":{…}}
 * → {"cmd":"down"}            ← {"ok":true}            (then the process closes the session and exits)
 * → anything else             ← {"ok":false,"error":"…"}
 * ```
 *
 * One request per connection; requests are capped at 4 KiB and answered within the client's timeout.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { TncjsError } from '@tncjs/common';

export const DEFAULT_RUNDIR = '/run/tnc-client';
export const RUNDIR_ENV = 'TNC_CLIENT_RUNDIR';
const MAX_REQUEST = 4096;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

/** A control-socket failure: `ERR_NOT_RUNNING` (nobody listens), `ERR_ALREADY_UP`, `ERR_CONTROL` (anything else). */
export class ControlError extends TncjsError {
  constructor(code: 'ERR_NOT_RUNNING' | 'ERR_ALREADY_UP' | 'ERR_CONTROL', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export type ControlRequest = { cmd: 'status' } | { cmd: 'down' };
export type ControlResponse = { ok: true; status?: unknown } | { ok: false; error: string };

export function runDir(env: Record<string, string | undefined>): string {
  return env[RUNDIR_ENV] || DEFAULT_RUNDIR;
}

export function socketPath(dir: string, connection: string): string {
  return join(dir, `${connection}.sock`);
}

export interface ControlHandlers {
  status(): unknown;
  down(): void;
}

/**
 * Listen on the connection's socket. A stale socket (nobody answers) is replaced; a live one means the connection is
 * already up.
 * @throws ControlError `ERR_ALREADY_UP`, `ERR_CONTROL`
 */
export async function listenControl(dir: string, connection: string, handlers: ControlHandlers): Promise<{ path: string; close(): Promise<void> }> {
  const path = socketPath(dir, connection);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) throw new ControlError('ERR_CONTROL', `control socket path '${path}' is longer than ${MAX_SOCKET_PATH} bytes: set ${RUNDIR_ENV} to a shorter directory`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new ControlError('ERR_CONTROL', `cannot create ${dir}: ${(e as Error).message} (run as root, or set ${RUNDIR_ENV})`, { cause: e });
  }
  const mode = lstatSync(dir).mode;
  if (mode & 0o022) throw new ControlError('ERR_CONTROL', `${dir} is writable by others (mode ${(mode & 0o777).toString(8)}): make it 0700, or set ${RUNDIR_ENV}`);
  if (exists(path)) {
    if (await answers(path)) throw new ControlError('ERR_ALREADY_UP', `connection '${connection}' is already up (control socket ${path} answers); 'tnc-client down ${connection}' first`);
    try {
      unlinkSync(path);
    } catch (e) {
      throw new ControlError('ERR_CONTROL', `cannot remove stale control socket ${path}: ${(e as Error).message}`, { cause: e });
    }
  }
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.setTimeout(5000, () => sock.destroy());
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0 && buf.length <= MAX_REQUEST) return;
      sock.removeAllListeners('data');
      const reply = (r: ControlResponse, after?: () => void): void => {
        sock.end(JSON.stringify(r) + '\n', after);
      };
      if (nl < 0 || nl > MAX_REQUEST) return reply({ ok: false, error: 'request too long' });
      let req: unknown;
      try {
        req = JSON.parse(buf.slice(0, nl));
      } catch {
        return reply({ ok: false, error: 'request is not JSON' });
      }
      const cmd = typeof req === 'object' && req !== null ? (req as { cmd?: unknown }).cmd : undefined;
      try {
        if (cmd === 'status') reply({ ok: true, status: handlers.status() });
        else if (cmd === 'down') reply({ ok: true }, () => handlers.down());
        else reply({ ok: false, error: `unknown command ${JSON.stringify(cmd)?.slice(0, 40) ?? 'undefined'} (status or down)` });
      } catch (e) {
        reply({ ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    });
  });
  await new Promise<void>((res, rej) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      rej(new ControlError(e.code === 'EADDRINUSE' ? 'ERR_ALREADY_UP' : 'ERR_CONTROL', `cannot listen on ${path}: ${e.message}`, { cause: e })),
    );
    server.listen(path, () => res());
  });
  // the directory is 0700 already; the socket itself is 0600 (only its owner, normally root, may control it)
  chmodSync(path, 0o600);
  server.on('error', () => {});
  return {
    path,
    close: () => closeServer(server, sockets, path),
  };
}

function closeServer(server: Server, sockets: Set<Socket>, path: string): Promise<void> {
  return new Promise((res) => {
    for (const s of sockets) s.end();
    server.close(() => res());
    // sockets that linger are destroyed; close() waits for them
    setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, 1000).unref();
    try {
      // net removes the socket file on close; make sure when it did not
      if (exists(path)) unlinkSync(path);
    } catch {
      /* already gone */
    }
  });
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function answers(path: string): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

/**
 * Send one request to the connection's socket and return the response.
 * @throws ControlError `ERR_NOT_RUNNING` (no socket or nobody listening), `ERR_CONTROL` (bad answer, timeout)
 */
export function controlRequest(dir: string, connection: string, req: ControlRequest, timeoutMs = 5000): Promise<ControlResponse> {
  const path = socketPath(dir, connection);
  return new Promise((res, rej) => {
    const s = createConnection(path);
    let buf = '';
    let settled = false;
    const done = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      f();
    };
    const timer = setTimeout(() => done(() => rej(new ControlError('ERR_CONTROL', `no answer from ${path} within ${timeoutMs} ms`))), timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => s.write(JSON.stringify(req) + '\n'));
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 1 << 20) done(() => rej(new ControlError('ERR_CONTROL', `answer from ${path} is too long`)));
    });
    s.on('end', () => {
      const line = buf.split('\n')[0];
      try {
        const r = JSON.parse(line) as ControlResponse;
        if (typeof r !== 'object' || r === null || typeof r.ok !== 'boolean') throw new Error('not a response');
        done(() => res(r));
      } catch {
        done(() => rej(new ControlError('ERR_CONTROL', `unintelligible answer from ${path}`)));
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      const notRunning = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
      done(() =>
        rej(
          notRunning
            ? new ControlError('ERR_NOT_RUNNING', `connection '${connection}' is not up (no tnc-client listening on ${path})`, { cause: e })
            : new ControlError('ERR_CONTROL', `cannot reach ${path}: ${e.message}${e.code === 'EACCES' ? ' (the socket is 0600: run as its owner)' : ''}`, { cause: e }),
        ),
      );
    });
  });
}

/** Connection names with a socket in `dir` (sorted). */
export function listConnections(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.sock'))
      .map((f) => f.slice(0, -'.sock'.length))
      .sort();
  } catch {
    return [];
  }
}
