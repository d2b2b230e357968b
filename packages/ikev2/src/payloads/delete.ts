/** Delete payload (RFC 7296 §3.11). */
import { Reader, Writer } from '@tncjs/common';
import { IkeDecodeError } from '../errors.js';

export interface DeletePayload {
  type: 42;
  critical?: boolean;
  protocol: number;
  spiSize: number;
  spis: Uint8Array[];
}

export function encodeDelete(w: Writer, p: DeletePayload): void {
  w.u8(p.protocol).u8(p.spiSize).u16(p.spis.length);
  for (const s of p.spis) {
    if (s.byteLength !== p.spiSize) throw new RangeError(`SPI of ${s.byteLength} bytes in a delete of SPI size ${p.spiSize}`);
    w.bytes(s);
  }
}

export function decodeDelete(r: Reader): DeletePayload {
  const protocol = r.u8('delete protocol');
  const spiSize = r.u8('delete SPI size');
  const at = r.offset;
  const count = r.u16('delete SPI count');
  if (spiSize === 0 && count !== 0) throw new IkeDecodeError('SPI count without SPI size', at);
  r.need(spiSize * count, 'SPIs');
  const spis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) spis.push(r.bytes(spiSize));
  r.end('delete payload');
  return { type: 42, protocol, spiSize, spis };
}
