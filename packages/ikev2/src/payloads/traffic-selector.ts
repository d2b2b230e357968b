/** Traffic Selector payloads TSi / TSr (RFC 7296 §3.13). */
import { Reader, Writer, equalBytes } from '@tncjs/common';
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
  if (m[1].split('.').some((o) => Number(o) > 255)) throw new TypeError(`invalid IPv4 address in ${cidr}`);
  const ip = m[1].split('.').map(Number).reduce((a, b) => ((a << 8) | b) >>> 0, 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const lo = (ip & mask) >>> 0;
  const hi = (lo | (~mask >>> 0)) >>> 0;
  const b = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  return { tsType: TsType.IPV4_ADDR_RANGE, ipProtocol, startPort, endPort, start: b(lo), end: b(hi) };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * RFC 7296 §2.9 narrowing: the parts of the `proposed` selectors that lie inside the `allowed` ones (address range,
 * port range and IP protocol intersected pairwise; protocol 0 is any). The result is a subset of `proposed` — what a
 * responder may answer with; empty means TS_UNACCEPTABLE.
 * @example narrowTrafficSelectors([selectorFromCidr('0.0.0.0/0')], [selectorFromCidr('10.1.0.0/28')]) // 10.1.0.0/28
 */
export function narrowTrafficSelectors(proposed: readonly TrafficSelector[], allowed: readonly TrafficSelector[]): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const p of proposed) {
    for (const a of allowed) {
      if (p.tsType !== a.tsType || p.start.byteLength !== a.start.byteLength) continue;
      if (p.ipProtocol !== 0 && a.ipProtocol !== 0 && p.ipProtocol !== a.ipProtocol) continue;
      const startPort = Math.max(p.startPort, a.startPort);
      const endPort = Math.min(p.endPort, a.endPort);
      if (startPort > endPort) continue;
      const start = compareBytes(p.start, a.start) >= 0 ? p.start : a.start;
      const end = compareBytes(p.end, a.end) <= 0 ? p.end : a.end;
      if (compareBytes(start, end) > 0) continue;
      const ts: TrafficSelector = { tsType: p.tsType, ipProtocol: p.ipProtocol || a.ipProtocol, startPort, endPort, start: start.slice(), end: end.slice() };
      if (!out.some((o) => o.tsType === ts.tsType && o.ipProtocol === ts.ipProtocol && o.startPort === ts.startPort && o.endPort === ts.endPort && equalBytes(o.start, ts.start) && equalBytes(o.end, ts.end))) out.push(ts);
    }
  }
  return out;
}

/** Whether an IPv4 address (dotted quad) lies inside one of `selectors` (addresses only; protocol and ports ignored). */
export function selectorsContain(selectors: readonly TrafficSelector[], address: string): boolean {
  const a = selectorFromCidr(`${address}/32`).start;
  return selectors.some((s) => s.start.byteLength === 4 && compareBytes(s.start, a) <= 0 && compareBytes(a, s.end) <= 0);
}
