/**
 * UDP transport for IKE (port 500) and NAT-T (port 4500: IKE with the 4-byte non-ESP marker, ESP-in-UDP with a
 * non-zero SPI, RFC 3948 §2.2). Test settings `sendDrop`, `receiveDrop` (probability 0..1) and `sendDelay` (ms)
 * simulate loss and latency without netem.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Logger, getLogger } from '@tncjs/common';
import { NON_ESP_MARKER_SIZE } from './constants.js';

export interface Endpoint {
  address: string;
  port: number;
}

export interface TransportOptions {
  /** Local address to bind (default 0.0.0.0); also the address put into NAT detection when bound to any. */
  localAddress?: string;
  /** Local IKE port (default 0 = ephemeral; 500 needs root). */
  ikePort?: number;
  /** Local NAT-T port (default 0 = ephemeral). */
  nattPort?: number;
  /** Probability of silently dropping a datagram we send (tests only). */
  sendDrop?: number;
  /** Probability of silently dropping a datagram we receive (tests only). */
  receiveDrop?: number;
  /** Delay every datagram we send by this many ms (tests only). */
  sendDelay?: number;
  /** Random source for the drop decisions (default Math.random). */
  random?: () => number;
  logger?: Logger;
}

export type IkeHandler = (message: Uint8Array, from: Endpoint, natt: boolean) => void;
export type EspHandler = (packet: Uint8Array, from: Endpoint) => void;

/** Two UDP sockets: IKE and NAT-T. */
export class UdpTransport {
  private ike?: Socket;
  private natt?: Socket;
  private readonly log: Logger;
  private onIke: IkeHandler = () => {};
  private onEsp: EspHandler = () => {};
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /**
   * Counters for status output and benchmarks: datagrams, and UDP payload bytes (IKE messages including the non-ESP
   * marker on port 4500; ESP packets counted separately in `espBytes*`).
   */
  readonly stats = { sent: 0, received: 0, sendDropped: 0, receiveDropped: 0, bytesSent: 0, bytesReceived: 0, espBytesSent: 0, espBytesReceived: 0 };

  constructor(private readonly options: TransportOptions = {}) {
    this.log = options.logger ?? getLogger();
  }

  /** Bind both sockets. */
  async open(): Promise<void> {
    const bind = (port: number, natt: boolean) =>
      new Promise<Socket>((resolve, reject) => {
        const s = createSocket({ type: 'udp4', reuseAddr: false });
        s.once('error', reject);
        s.on('message', (msg, rinfo) => this.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { address: rinfo.address, port: rinfo.port }, natt));
        s.bind(port, this.options.localAddress ?? '0.0.0.0', () => {
          s.off('error', reject);
          s.on('error', (e) => this.log.log('NET', 1, `error on UDP socket: ${e.message}`));
          resolve(s);
        });
      });
    this.ike = await bind(this.options.ikePort ?? 0, false);
    this.natt = await bind(this.options.nattPort ?? 0, true);
  }

  /** Local endpoint of the IKE (or NAT-T) socket. */
  local(natt: boolean): Endpoint {
    const s = natt ? this.natt : this.ike;
    if (!s) throw new Error('transport not open');
    const a = s.address();
    return { address: this.options.localAddress ?? a.address, port: a.port };
  }

  setHandlers(ike: IkeHandler, esp?: EspHandler): void {
    this.onIke = ike;
    if (esp) this.onEsp = esp;
  }

  private receive(b: Uint8Array, from: Endpoint, natt: boolean): void {
    if (this.closed) return;
    const rnd = this.options.random ?? Math.random;
    if (this.options.receiveDrop && rnd() < this.options.receiveDrop) {
      this.stats.receiveDropped++;
      this.log.log('NET', 2, `dropping received packet from ${from.address}[${from.port}] (receiveDrop)`);
      return;
    }
    this.stats.received++;
    if (!natt) {
      this.stats.bytesReceived += b.byteLength;
      return this.onIke(b, from, false);
    }
    if (b.byteLength === 1 && b[0] === 0xff) return; // NAT-keepalive (RFC 3948 §2.3)
    if (b.byteLength < NON_ESP_MARKER_SIZE) return;
    if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0) {
      this.stats.bytesReceived += b.byteLength;
      return this.onIke(b.subarray(NON_ESP_MARKER_SIZE), from, true);
    }
    this.stats.espBytesReceived += b.byteLength;
    this.onEsp(b, from);
  }

  /** Send an IKE message (with the non-ESP marker on the NAT-T socket). */
  sendIke(message: Uint8Array, to: Endpoint, natt: boolean): void {
    const data = natt ? concatMarker(message) : message;
    if (this.sendRaw(data, to, natt)) this.stats.bytesSent += data.byteLength;
  }

  /** Send a UDP-encapsulated ESP packet from the NAT-T socket. */
  sendEsp(packet: Uint8Array, to: Endpoint): void {
    if (this.sendRaw(packet, to, true)) this.stats.espBytesSent += packet.byteLength;
  }

  /** @returns whether the datagram was handed to the socket (not dropped by the test setting, transport open) */
  private sendRaw(data: Uint8Array, to: Endpoint, natt: boolean): boolean {
    const s = natt ? this.natt : this.ike;
    if (!s || this.closed) return false;
    const rnd = this.options.random ?? Math.random;
    if (this.options.sendDrop && rnd() < this.options.sendDrop) {
      this.stats.sendDropped++;
      this.log.log('NET', 2, `dropping packet to ${to.address}[${to.port}] (sendDrop)`);
      return false;
    }
    this.stats.sent++;
    const go = () => s.send(data, to.port, to.address, (e) => e && this.log.log('NET', 1, `error writing to socket: ${e.message}`));
    if (this.options.sendDelay) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.closed) go();
      }, this.options.sendDelay);
      this.timers.add(t);
    } else go();
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([this.ike, this.natt].map((s) => s && new Promise<void>((r) => s.close(() => r()))));
  }
}

function concatMarker(m: Uint8Array): Uint8Array {
  const out = new Uint8Array(NON_ESP_MARKER_SIZE + m.byteLength);
  out.set(m, NON_ESP_MARKER_SIZE);
  return out;
}
