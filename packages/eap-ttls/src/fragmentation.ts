/**
 * RFC 5281 §9.2.2 fragmentation: split an outgoing TLS message into EAP-TTLS packets of at most `fragmentSize`
 * bytes (the whole EAP packet, as strongSwan counts), and reassemble incoming fragments through a chunk list with a
 * bounded maximum (strongSwan's 4 × (16384 + 2048) = 73,728 bytes per TLS message by default).
 */
import { concatBytes } from '@tncjs/common';
import { TtlsError, TtlsErrorCode } from './errors.js';
import { TTLS_HEADER_SIZE, TTLS_LENGTH_FIELD_SIZE, type TtlsData } from './header.js';

/** strongSwan's TLS_MAX_MESSAGE_LEN: the largest TLS message it reassembles. */
export const DEFAULT_MAX_TLS_MESSAGE_SIZE = 4 * (16384 + 2048);
/**
 * Our default EAP packet size for outgoing fragments: large, but an EAP-TTLS packet plus IKE overhead (IKE header,
 * encrypted payload with IV/padding/ICV, EAP payload header: < 100 bytes) stays well under the 10,000-byte IKE
 * message limit of a stock strongSwan gateway.
 */
export const DEFAULT_FRAGMENT_SIZE = 8000;
/** What strongSwan sends (eap-ttls.fragment_size default). */
export const STRONGSWAN_FRAGMENT_SIZE = 1024;
/** Smallest fragment size we accept as configuration (EAP-TTLS header, length field and some data). */
export const MIN_FRAGMENT_SIZE = 64;

export interface FragmentOptions {
  /** Maximum EAP packet size in bytes (Infinity: never fragment, up to the 65,535-byte EAP limit). */
  fragmentSize: number;
  /** Include the TLS Message Length in unfragmented packets too (strongSwan does; RFC 5281 says first fragment only). */
  includeLength: boolean;
  version: number;
}

/** Split `message` into the Type-Data of successive EAP-TTLS packets. */
export function fragmentTlsMessage(message: Uint8Array, o: FragmentOptions): TtlsData[] {
  const eapMax = Math.min(o.fragmentSize, 0xffff);
  if (!(eapMax >= MIN_FRAGMENT_SIZE)) throw new RangeError(`fragment size ${o.fragmentSize} below ${MIN_FRAGMENT_SIZE}`);
  const total = message.byteLength;
  const room = eapMax - TTLS_HEADER_SIZE;
  if (total + (o.includeLength ? TTLS_LENGTH_FIELD_SIZE : 0) <= room) {
    return [{ length: o.includeLength, more: false, start: false, version: o.version, tlsMessageLength: o.includeLength ? total : undefined, data: message }];
  }
  const out: TtlsData[] = [];
  let at = 0;
  const firstRoom = room - TTLS_LENGTH_FIELD_SIZE;
  out.push({ length: true, more: true, start: false, version: o.version, tlsMessageLength: total, data: message.subarray(0, firstRoom) });
  at = firstRoom;
  while (at < total) {
    const n = Math.min(room, total - at);
    out.push({ length: false, more: at + n < total, start: false, version: o.version, data: message.subarray(at, at + n) });
    at += n;
  }
  return out;
}

/** Reassembles one TLS message at a time from EAP-TTLS fragments. */
export class TtlsReassembler {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private expected: number | undefined;

  constructor(readonly maxMessageSize = DEFAULT_MAX_TLS_MESSAGE_SIZE) {}

  /** True while fragments of a message are pending. */
  get pending(): boolean {
    return this.chunks.length > 0;
  }

  /**
   * Add one fragment. Returns the complete message when `more` is clear, else `undefined` (acknowledge it).
   * @throws TtlsError (ERR_TTLS_FRAGMENT) when the announced or accumulated size exceeds the maximum, fragments
   *   disagree with the announced TLS Message Length, or the announced length changes mid-message
   */
  add(d: TtlsData): Uint8Array | undefined {
    if (d.length) {
      const n = d.tlsMessageLength ?? 0;
      if (n > this.maxMessageSize) this.fail(`TLS message length of ${n} bytes exceeds maximum of ${this.maxMessageSize} bytes`);
      if (this.expected !== undefined && this.chunks.length > 0 && n !== this.expected) this.fail(`TLS Message Length changed from ${this.expected} to ${n} within a message`);
      if (this.chunks.length === 0) this.expected = n;
    }
    this.size += d.data.byteLength;
    if (this.size > this.maxMessageSize) this.fail(`reassembled TLS message exceeds maximum of ${this.maxMessageSize} bytes`);
    if (this.expected !== undefined && this.size > this.expected) this.fail(`fragments carry more than the announced ${this.expected} bytes`);
    if (d.data.byteLength) this.chunks.push(d.data.slice());
    if (d.more) {
      if (d.data.byteLength === 0) this.fail('empty fragment with more-fragments flag');
      return undefined;
    }
    if (this.expected !== undefined && this.size !== this.expected) this.fail(`reassembled ${this.size} bytes, announced ${this.expected}`);
    const message = concatBytes(this.chunks);
    this.reset();
    return message;
  }

  reset(): void {
    this.chunks = [];
    this.size = 0;
    this.expected = undefined;
  }

  private fail(message: string): never {
    this.reset();
    throw new TtlsError(TtlsErrorCode.FRAGMENT, message);
  }
}
