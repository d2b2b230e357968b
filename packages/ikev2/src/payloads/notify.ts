/** Notify payload (RFC 7296 §3.10). */
import { Reader, Writer } from '@tncjs/common';
import { NOTIFY_SHORT_NAMES } from '../constants.js';

export interface NotifyPayload {
  type: 41;
  critical?: boolean;
  protocol: number;
  spi: Uint8Array;
  notifyType: number;
  data: Uint8Array;
}

export function encodeNotify(w: Writer, p: NotifyPayload): void {
  w.u8(p.protocol).u8(p.spi.byteLength).u16(p.notifyType).bytes(p.spi).bytes(p.data);
}

export function decodeNotify(r: Reader): NotifyPayload {
  const protocol = r.u8('notify protocol');
  const spiSize = r.u8('notify SPI size');
  const notifyType = r.u16('notify type');
  const spi = r.bytes(spiSize, 'notify SPI');
  return { type: 41, protocol, spi, notifyType, data: r.rest() };
}

/** A notify without SPI (the common case). */
export function notify(notifyType: number, data: Uint8Array = new Uint8Array(0), protocol = 0): NotifyPayload {
  return { type: 41, protocol, spi: new Uint8Array(0), notifyType, data };
}

/** Error notifies are 1..16383 (RFC 7296 §3.10.1). */
export const isErrorNotify = (t: number): boolean => t > 0 && t < 16384;

/** `N(INIT_CONTACT)`, or `N(UNKNOWN:12345)` as strongSwan prints unknown types. */
export function describeNotify(p: NotifyPayload): string {
  return `N(${NOTIFY_SHORT_NAMES[p.notifyType] ?? `UNKNOWN:${p.notifyType}`})`;
}
