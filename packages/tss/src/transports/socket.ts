/**
 * A TPM over a stream socket (TCP or Unix domain): swtpm's `--server type=tcp` / `type=unixio` data channel, which
 * carries raw TPM 2.0 commands and responses. One connection, opened on first use and reopened after any error; one
 * exchange at a time. Responses are framed by their size field; bytes that arrive when no command is pending, a size
 * field out of range, a response longer than announced, an early close or silence past the deadline end the
 * connection and raise a typed error, never a hang.
 */
import { createConnection, type Socket } from 'node:net';
import { concatBytes } from '@tncjs/common';
import { TpmDecodeError, TpmTransportError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, responseSizeOf, type TpmTransport, type TransmitOptions } from './transport.js';

export type SocketEndpoint = { host: string; port: number } | { path: string };

export function endpointString(e: SocketEndpoint): string {
  return 'path' in e ? e.path : `${e.host}:${e.port}`;
}

interface Pending {
  chunks: Uint8Array[];
  have: number;
  want?: number;
  resolve(b: Uint8Array): void;
  reject(e: unknown): void;
}

/** Open a stream connection with a deadline; errors name the transport. */
export function connectSocket(endpoint: SocketEndpoint, description: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = 'path' in endpoint ? createConnection({ path: endpoint.path }) : createConnection({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new TpmTransportError('ERR_TPM_UNREACHABLE', description, `cannot connect to ${endpointString(endpoint)}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      if (!('path' in endpoint)) sock.setNoDelay(true);
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      const hint = e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? ' (is swtpm running?)' : '';
      reject(new TpmTransportError('ERR_TPM_UNREACHABLE', description, `cannot connect to ${endpointString(endpoint)}: ${e.code ?? e.message}${hint}`, { cause: e }));
    });
  });
}

export class SocketTransport implements TpmTransport {
  private socket?: Socket;
  private pending?: Pending;
  private busy = false;

  constructor(
    readonly endpoint: SocketEndpoint,
    readonly description: string,
    private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
    private readonly connectTimeoutMs = 5_000,
  ) {}

  async transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    if (this.busy) throw new TpmTransportError('ERR_TPM_TRANSPORT', this.description, 'another command is already in flight on this connection');
    this.busy = true;
    try {
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      const deadline = Date.now() + timeoutMs;
      const sock = this.socket ?? (await this.open(Math.min(this.connectTimeoutMs, timeoutMs)));
      return await this.exchange(sock, command, Math.max(1, deadline - Date.now()), timeoutMs);
    } finally {
      this.busy = false;
    }
  }

  private async open(timeoutMs: number): Promise<Socket> {
    const sock = await connectSocket(this.endpoint, this.description, timeoutMs);
    sock.on('data', (d: Buffer) => this.onData(sock, d));
    sock.on('close', () => this.onClose(sock));
    sock.on('error', (e) => this.onError(sock, e));
    this.socket = sock;
    return sock;
  }

  private exchange(sock: Socket, command: Uint8Array, remainingMs: number, timeoutMs: number): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.pending;
        const got = p ? `${p.have}${p.want !== undefined ? ` of ${p.want}` : ''}` : '0';
        this.fail(sock, new TpmTransportError('ERR_TPM_TIMEOUT', this.description, `no complete response within ${timeoutMs} ms (received ${got} bytes)`));
      }, remainingMs);
      this.pending = {
        chunks: [],
        have: 0,
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      sock.write(command);
    });
  }

  private onData(sock: Socket, d: Buffer): void {
    const p = this.pending;
    if (!p) {
      // a response nobody asked for: the stream is out of step
      this.drop(sock);
      return;
    }
    p.chunks.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    p.have += d.byteLength;
    try {
      if (p.want === undefined && p.have >= 6) {
        p.chunks = [concatBytes(p.chunks)];
        p.want = responseSizeOf(p.chunks[0]);
      }
      if (p.want !== undefined && p.have > p.want) {
        throw new TpmDecodeError(`${p.have - p.want} bytes beyond the announced response size ${p.want}`, p.want);
      }
    } catch (e) {
      this.fail(sock, e);
      return;
    }
    if (p.want !== undefined && p.have === p.want) {
      this.pending = undefined;
      p.resolve(concatBytes(p.chunks));
    }
  }

  private onClose(sock: Socket): void {
    const p = this.pending;
    if (p) {
      const got = `${p.have}${p.want !== undefined ? ` of ${p.want}` : ''}`;
      this.fail(sock, new TpmTransportError('ERR_TPM_CLOSED', this.description, `connection closed after ${got} response bytes`));
    } else this.drop(sock);
  }

  private onError(sock: Socket, e: Error): void {
    this.fail(sock, new TpmTransportError('ERR_TPM_TRANSPORT', this.description, e.message, { cause: e }));
  }

  private fail(sock: Socket, e: unknown): void {
    const p = this.pending;
    this.pending = undefined;
    this.drop(sock);
    p?.reject(e);
  }

  private drop(sock: Socket): void {
    if (this.socket === sock) this.socket = undefined;
    sock.destroy();
  }

  async close(): Promise<void> {
    const sock = this.socket;
    this.socket = undefined;
    if (!sock) return;
    await new Promise<void>((resolve) => {
      if (sock.destroyed) return resolve();
      sock.once('close', () => resolve());
      sock.end();
      setTimeout(() => {
        sock.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}
