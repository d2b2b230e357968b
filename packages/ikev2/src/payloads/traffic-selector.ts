/** Traffic Selector payloads TSi / TSr (RFC 7296 §3.13). */
import { Reader, Writer } from '@tncjs/common';
import { IkeDecodeError } from '../errors.js';
import { TsType } from '../constants.js';

export interface TrafficSelector {
  tsType: number;
  /** IP protocol, 0 = any. */
  ipProtocol: number;
  startPort: number;
  endPort: number;
  start: Uint8Array;
  end: Uint8Array;
}
export interface TrafficSelectorPayload {
  type: 44 | 45;
  critical?: boolean;
  selectors: TrafficSelector[];
}

export const MAX_SELECTORS = 255;

export function encodeTrafficSelector(w: Writer, p: TrafficSelectorPayload): void {
  w.u8(p.selectors.length).zeros(3);
  for (const s of p.selectors) {
    if (s.start.byteLength !== s.end.byteLength) throw new RangeError('traffic selector start and end differ in size');
    w.u8(s.tsType).u8(s.ipProtocol).u16(8 + 2 * s.start.byteLength).u16(s.startPort).u16(s.endPort).bytes(s.start).bytes(s.end);
  }
}

export function decodeTrafficSelector(r: Reader, type: 44 | 45): TrafficSelectorPayload {
  const count = r.u8('TS count');
  r.skip(3, 'TS reserved');
  const selectors: TrafficSelector[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    const tsType = r.u8('TS type');
    const ipProtocol = r.u8('IP protocol');
    const len = r.u16('selector length');
    const addr = tsType === TsType.IPV4_ADDR_RANGE ? 4 : tsType === TsType.IPV6_ADDR_RANGE ? 16 : -1;
    if (addr < 0) {
      if (len < 4) throw new IkeDecodeError(`selector length ${len} too short`, at + 2);
      r.skip(len - 4, 'unknown selector');
      continue;
    }
    if (len !== 8 + 2 * addr) throw new IkeDecodeError(`selector length ${len}, expected ${8 + 2 * addr}`, at + 2);
    selectors.push({ tsType, ipProtocol, startPort: r.u16(), endPort: r.u16(), start: r.bytes(addr), end: r.bytes(addr) });
  }
  r.end('TS payload');
  return { type, selectors };
}

function formatAddr(a: Uint8Array): string {
  if (a.byteLength === 4) return Array.from(a).join('.');
  const parts: string[] = [];
  for (let i = 0; i < a.byteLength; i += 2) parts.push(((a[i] << 8) | a[i + 1]).toString(16));
  return parts.join(':');
}

/** strongSwan notation: `10.1.0.0/28` when the range is a prefix, else `10.1.0.1..10.1.0.5`; ports/protocol appended. */
export function describeSelector(s: TrafficSelector): string {
  let prefix = -1;
  const bits = s.start.byteLength * 8;
  for (let p = 0; p <= bits; p++) {
    let ok = true;
    for (let b = 0; b < bits && ok; b++) {
      const sb = (s.start[b >> 3] >> (7 - (b & 7))) & 1;
      const eb = (s.end[b >> 3] >> (7 - (b & 7))) & 1;
      ok = b < p ? sb === eb : sb === 0 && eb === 1;
    }
    if (ok) { prefix = p; break; }
  }
  const net = prefix >= 0 ? `${formatAddr(s.start)}/${prefix}` : `${formatAddr(s.start)}..${formatAddr(s.end)}`;
  const any = s.ipProtocol === 0 && s.startPort === 0 && s.endPort === 0xffff;
  return any ? net : `${net}[${s.ipProtocol}/${s.startPort === s.endPort ? s.startPort : `${s.startPort}-${s.endPort}`}]`;
}

/** A selector from CIDR notation, e.g. `10.1.0.0/28` or `192.168.0.254/32` (IPv4). */
export function selectorFromCidr(cidr: string, ipProtocol = 0, startPort = 0, endPort = 0xffff): TrafficSelector {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(cidr);
  if (!m) throw new TypeError(`invalid IPv4 CIDR ${cidr}`);
  const prefix = m[2] === undefined ? 32 : Number(m[2]);
  if (prefix > 32) throw new TypeError(`invalid prefix in ${cidr}`);
  const ip = m[1].split('.').map(Number).reduce((a, b) => ((a << 8) | b) >>> 0, 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const lo = (ip & mask) >>> 0;
  const hi = (lo | (~mask >>> 0)) >>> 0;
  const b = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  return { tsType: TsType.IPV4_ADDR_RANGE, ipProtocol, startPort, endPort, start: b(lo), end: b(hi) };
}
