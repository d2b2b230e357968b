/**
 * node:tls over an in-memory duplex: the TLS stack is OpenSSL through node:tls (no hand-written TLS); EAP-TTLS only
 * moves its record bytes. `feed()` hands received TLS records to the stack, `settle()` waits until the stack (and any
 * asynchronous work we registered, such as certificate validation) has stopped producing output, `takeOutput()`
 * returns what the stack wants sent.
 */
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { concatBytes } from '@tncjs/common';

/** The transport side of the TLS socket: writes from TLS land in `outbox`, `feed` pushes received bytes. */
class MemoryDuplex extends Duplex {
  readonly outbox: Uint8Array[] = [];
  activity = 0;

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.outbox.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice());
    this.activity++;
    cb();
  }

  override _final(cb: (e?: Error | null) => void): void {
    cb();
  }
}

export type TlsChannelRole = 'client' | 'server';

export class TlsChannel {
  readonly socket: tls.TLSSocket;
  private readonly duplex = new MemoryDuplex();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly app: Uint8Array[] = [];
  /** Set once the handshake completed ('secureConnect' / 'secure'). */
  secure = false;
  /** The first error the TLS socket reported. */
  error: Error | undefined;

  /**
   * @param role client: `tls.connect({ socket })`; server: `new tls.TLSSocket(duplex, { isServer: true })`
   * @param options node:tls options (certificates, versions, ciphers); `rejectUnauthorized` is forced off: the
   *   certificate decision is ours, made with pkijs after the handshake
   */
  constructor(
    readonly role: TlsChannelRole,
    options: tls.ConnectionOptions & tls.TLSSocketOptions,
    onSecure: (channel: TlsChannel) => void,
    keylog?: (line: string) => void,
  ) {
    if (role === 'client') {
      this.socket = tls.connect({ ...options, socket: this.duplex, rejectUnauthorized: false });
      this.socket.on('secureConnect', () => {
        this.secure = true;
        this.duplex.activity++;
        onSecure(this);
      });
    } else {
      this.socket = new tls.TLSSocket(this.duplex, { ...options, isServer: true, rejectUnauthorized: false });
      this.socket.on('secure', () => {
        this.secure = true;
        this.duplex.activity++;
        onSecure(this);
      });
    }
    if (keylog) this.socket.on('keylog', (line: Buffer) => keylog(line.toString('latin1').trim()));
    this.socket.on('data', (d: Buffer) => {
      this.app.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice());
      this.duplex.activity++;
    });
    this.socket.on('error', (e: Error) => {
      this.error ??= e;
      this.duplex.activity++;
    });
  }

  /** Hand received TLS record bytes to the stack. */
  feed(bytes: Uint8Array): void {
    if (bytes.byteLength) this.duplex.push(Buffer.from(bytes));
  }

  /** Send application data through the tunnel. */
  write(data: Uint8Array): void {
    this.socket.write(data);
    this.duplex.activity++;
  }

  /** Let `settle()` wait for this promise too (validation, tunneled method work). */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    this.duplex.activity++;
    void p.finally(() => {
      this.pending.delete(p);
      this.duplex.activity++;
    }).catch(() => undefined);
    return p;
  }

  /**
   * Wait until the TLS stack is quiet: no registered promise pending and no output, data or event for three
   * consecutive turns of the event loop (OpenSSL runs synchronously; node hops through nextTick/setImmediate).
   */
  async settle(maxTurns = 10_000): Promise<void> {
    let last = -1;
    let idle = 0;
    for (let i = 0; i < maxTurns && idle < 3; i++) {
      if (this.pending.size) {
        await Promise.allSettled([...this.pending]);
        idle = 0;
        continue;
      }
      await new Promise<void>((r) => setImmediate(r));
      if (this.duplex.activity !== last) {
        last = this.duplex.activity;
        idle = 0;
      } else idle++;
    }
  }

  /** TLS bytes to send (and clears them). */
  takeOutput(): Uint8Array {
    const out = concatBytes(this.duplex.outbox);
    this.duplex.outbox.length = 0;
    return out;
  }

  /** Decrypted application data received so far (and clears it). */
  takeAppData(): Uint8Array[] {
    return this.app.splice(0);
  }

  /** RFC 5705/8446 exporter. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    const b = context ? this.socket.exportKeyingMaterial(length, label, Buffer.from(context)) : this.socket.exportKeyingMaterial(length, label, undefined as unknown as Buffer);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  destroy(): void {
    this.socket.destroy();
    this.duplex.destroy();
  }
}
