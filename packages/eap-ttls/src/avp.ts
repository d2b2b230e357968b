/**
 * RFC 5281 §10.1 Diameter AVPs as EAP-TTLS carries them in the TLS tunnel:
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                           AVP Code                            |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |V M r r r r r r|                  AVP Length                   |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                        Vendor-ID (opt)                        |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |    Data ...  (padded to a multiple of 4 bytes; the padding is not counted in AVP Length)
 *
 * The tunneled stream may split or join AVPs across TLS records: `AvpStream` reassembles them (bounded).
 */
import { Reader, Writer, concatBytes } from '@tncjs/common';
import { TtlsDecodeError, TtlsError, TtlsErrorCode } from './errors.js';

export const AvpFlag = { VENDOR: 0x80, MANDATORY: 0x40 } as const;
export const AVP_HEADER_SIZE = 8;
export const AVP_VENDOR_HEADER_SIZE = 12;
/** AVP Length is 24 bits. */
export const AVP_MAX_LENGTH = 0xffffff;

/** RADIUS/Diameter attribute codes EAP-TTLS uses (RFC 5281 §11, RFC 2865, RFC 3579). */
export const AvpCode = {
  USER_NAME: 1,
  USER_PASSWORD: 2,
  CHAP_PASSWORD: 3,
  REPLY_MESSAGE: 18,
  CHAP_CHALLENGE: 60,
  EAP_MESSAGE: 79,
} as const;

export const AVP_CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'User-Name',
  2: 'User-Password',
  3: 'CHAP-Password',
  18: 'Reply-Message',
  60: 'CHAP-Challenge',
  79: 'EAP-Message',
};

export interface Avp {
  code: number;
  /** M flag: the receiver must understand this AVP or fail. */
  mandatory: boolean;
  /** Present iff the V flag is set. */
  vendorId?: number;
  /** Reserved flag bits as received (zero when sent). */
  reserved?: number;
  data: Uint8Array;
}

const pad4 = (n: number): number => (4 - (n & 3)) & 3;

/** Encode one AVP with padding. @throws RangeError when the AVP exceeds 2^24 − 1 bytes */
export function encodeAvp(a: Avp, w = new Writer(AVP_VENDOR_HEADER_SIZE + a.data.byteLength + 3)): Writer {
  const header = a.vendorId !== undefined ? AVP_VENDOR_HEADER_SIZE : AVP_HEADER_SIZE;
  const len = header + a.data.byteLength;
  if (len > AVP_MAX_LENGTH) throw new RangeError(`AVP of ${len} bytes exceeds ${AVP_MAX_LENGTH}`);
  w.u32(a.code);
  w.u8((a.vendorId !== undefined ? AvpFlag.VENDOR : 0) | (a.mandatory ? AvpFlag.MANDATORY : 0) | ((a.reserved ?? 0) & 0x3f));
  w.u24(len);
  if (a.vendorId !== undefined) w.u32(a.vendorId);
  w.bytes(a.data);
  w.zeros(pad4(len));
  return w;
}

export function encodeAvps(list: readonly Avp[]): Uint8Array {
  const w = new Writer();
  for (const a of list) encodeAvp(a, w);
  return w.finish();
}

/** The EAP-Message AVP (code 79, M flag set as strongSwan and FreeRADIUS send it) carrying an EAP packet. */
export function eapMessageAvp(eapPacket: Uint8Array): Uint8Array {
  return encodeAvp({ code: AvpCode.EAP_MESSAGE, mandatory: true, data: eapPacket }).finish();
}

/** Read one AVP (with its padding, which may be missing only at the very end of the input). */
export function readAvp(r: Reader): Avp {
  const start = r.offset;
  const code = r.u32('AVP Code');
  const flags = r.u8('AVP flags');
  const len = r.u24('AVP Length');
  const vendor = (flags & AvpFlag.VENDOR) !== 0;
  const header = vendor ? AVP_VENDOR_HEADER_SIZE : AVP_HEADER_SIZE;
  if (len < header) throw new TtlsDecodeError(`AVP Length ${len} smaller than its ${header}-byte header`, start + 5);
  const a: Avp = { code, mandatory: (flags & AvpFlag.MANDATORY) !== 0, data: new Uint8Array(0) };
  if (flags & 0x3f) a.reserved = flags & 0x3f;
  if (vendor) a.vendorId = r.u32('AVP Vendor-ID');
  if (len - header > r.remaining) throw new TtlsDecodeError(`AVP Length ${len} exceeds the ${r.remaining + header} bytes available`, start + 5);
  a.data = r.bytes(len - header, 'AVP data');
  r.skip(Math.min(pad4(len), r.remaining), 'AVP padding');
  return a;
}

/** Decode a sequence of AVPs filling `bytes`. @throws TtlsDecodeError on any malformed AVP */
export function decodeAvps(bytes: Uint8Array, base = 0): Avp[] {
  const r = new Reader(bytes, base);
  const out: Avp[] = [];
  try {
    while (r.remaining > 0) out.push(readAvp(r));
  } catch (e) {
    if (e instanceof TtlsDecodeError) throw e;
    const x = e as { reason?: string; offset?: number };
    throw new TtlsDecodeError(x.reason ?? String(e), x.offset ?? base, { cause: e });
  }
  return out;
}

export function describeAvp(a: Avp): string {
  return `${AVP_CODE_NAMES[a.code] ?? `AVP ${a.code}`}${a.vendorId !== undefined ? ` (vendor ${a.vendorId})` : ''}`;
}

/**
 * Reassembles AVPs from tunneled application data that TLS may deliver in arbitrary pieces (strongSwan's
 * eap_ttls_avp.c does the same). Buffered bytes are bounded by `maxAvpSize` (default: an EAP-Message AVP holding
 * the largest EAP packet, 65,535 + 12 + 3 bytes).
 */
export class AvpStream {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private consumed = 0;

  constructor(readonly maxAvpSize = 0xffff + AVP_VENDOR_HEADER_SIZE + 3) {}

  /**
   * Add application data; returns the AVPs completed by it.
   * @throws TtlsDecodeError for a malformed AVP header, TtlsError (ERR_TTLS_FRAGMENT) above `maxAvpSize`
   */
  push(data: Uint8Array): Avp[] {
    if (data.byteLength) {
      this.chunks.push(data.slice());
      this.size += data.byteLength;
    }
    const out: Avp[] = [];
    while (this.size >= AVP_HEADER_SIZE) {
      const buf = this.chunks.length === 1 ? this.chunks[0] : concatBytes(this.chunks);
      this.chunks = [buf];
      const len = ((buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0;
      const header = buf[4] & AvpFlag.VENDOR ? AVP_VENDOR_HEADER_SIZE : AVP_HEADER_SIZE;
      if (len < header) throw new TtlsDecodeError(`AVP Length ${len} smaller than its ${header}-byte header`, this.consumed + 5);
      const total = len + pad4(len);
      if (total > this.maxAvpSize) throw new TtlsError(TtlsErrorCode.FRAGMENT, `AVP of ${len} bytes exceeds maximum of ${this.maxAvpSize} bytes`);
      if (this.size < total) break;
      out.push(readAvp(new Reader(buf.subarray(0, total), this.consumed)));
      this.chunks = total < buf.byteLength ? [buf.subarray(total)] : [];
      this.size -= total;
      this.consumed += total;
    }
    return out;
  }

  /** Bytes of an incomplete AVP still buffered. */
  get buffered(): number {
    return this.size;
  }
}
