/** Minimal IPv4/ICMP helpers for the tunnel data path (building and checking an ICMP echo). */
import { Writer } from '@tncjs/common';

/** RFC 1071 Internet checksum. */
export function internetChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.byteLength; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (b.byteLength & 1) sum += b[b.byteLength - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const addr = (s: string) => Uint8Array.from(s.split('.').map(Number));

/** An IPv4 ICMP echo request from `src` to `dst`. */
export function icmpEchoRequest(src: string, dst: string, id: number, seq: number, data: Uint8Array): Uint8Array {
  const icmp = new Writer();
  icmp.u8(8).u8(0).u16(0).u16(id).u16(seq).bytes(data);
  const ib = icmp.finish();
  new DataView(ib.buffer).setUint16(2, internetChecksum(ib));
  const ip = new Writer();
  ip.u8(0x45).u8(0).u16(20 + ib.byteLength).u16(id).u16(0x4000).u8(64).u8(1).u16(0).bytes(addr(src)).bytes(addr(dst));
  const hb = ip.finish();
  new DataView(hb.buffer).setUint16(10, internetChecksum(hb));
  const out = new Uint8Array(hb.byteLength + ib.byteLength);
  out.set(hb);
  out.set(ib, hb.byteLength);
  return out;
}

export interface Ipv4Icmp {
  src: string;
  dst: string;
  type: number;
  id: number;
  seq: number;
  data: Uint8Array;
  checksumOk: boolean;
}

/** Parse an IPv4 ICMP echo (request or reply); undefined for anything else. */
export function parseIcmpEcho(p: Uint8Array): Ipv4Icmp | undefined {
  if (p.byteLength < 28 || p[0] >> 4 !== 4 || p[9] !== 1) return undefined;
  const ihl = (p[0] & 15) * 4;
  const total = (p[2] << 8) | p[3];
  if (total > p.byteLength || ihl + 8 > total) return undefined;
  const icmp = p.subarray(ihl, total);
  const fmt = (o: number) => Array.from(p.subarray(o, o + 4)).join('.');
  return {
    src: fmt(12), dst: fmt(16), type: icmp[0], id: (icmp[4] << 8) | icmp[5], seq: (icmp[6] << 8) | icmp[7],
    data: icmp.slice(8), checksumOk: internetChecksum(p.subarray(0, ihl)) === 0 && internetChecksum(icmp) === 0,
  };
}

/** The echo reply to an IPv4 ICMP echo request (addresses swapped, type 0, checksums recomputed). */
export function icmpEchoReply(request: Uint8Array): Uint8Array | undefined {
  const e = parseIcmpEcho(request);
  if (!e || e.type !== 8) return undefined;
  const r = icmpEchoRequest(e.dst, e.src, e.id, e.seq, e.data);
  const ihl = 20;
  r[ihl] = 0;
  r[ihl + 2] = 0;
  r[ihl + 3] = 0;
  const sum = internetChecksum(r.subarray(ihl));
  r[ihl + 2] = sum >> 8;
  r[ihl + 3] = sum & 255;
  return r;
}
