/**
 * Build TCG event logs (SHA-1 format or crypto-agile): for tests, simulators and tools that re-serialise a log. The
 * digests are computed from the event data unless given (a real log's digests often cover data other than the event,
 * e.g. a PE image; pass them explicitly then).
 */
import { encodeUtf8, Writer } from '@tncjs/common';
import { digest, hashAlgorithmByName, type HashAlgorithm } from './algorithms.js';
import { EventType } from './event-types.js';

/** Little-endian fields written through the common (big-endian) `Writer`. */
export function le16(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`u16 out of range: ${v}`);
  return new Uint8Array([v & 0xff, v >>> 8]);
}

export function le32(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
}

export function le64(v: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}

/** One event to write. */
export interface EventSpec {
  pcrIndex: number;
  eventType: number;
  data: Uint8Array;
  /** Digests by bank name; each bank not given is computed as H(data). */
  digests?: Record<string, Uint8Array>;
}

export interface EventLogWriterOptions {
  /** `sha1` (TCG_PCR_EVENT) or `crypto-agile` (Spec ID event, then TCG_PCR_EVENT2). Default crypto-agile. */
  format?: 'sha1' | 'crypto-agile';
  /** Banks of a crypto-agile log (default sha1 + sha256), or algorithm entries with explicit ids and sizes. */
  banks?: readonly (string | { algorithmId: number; digestSize: number })[];
  /** Spec ID fields. */
  specErrata?: number;
  vendorInfo?: Uint8Array;
  /** Write an EV_NO_ACTION `StartupLocality` event with this locality right after the Spec ID event. */
  startupLocality?: number;
}

/** The EV_NO_ACTION StartupLocality data: `StartupLocality\0` + locality. */
export function startupLocalityData(locality: number): Uint8Array {
  const b = new Uint8Array(17);
  b.set(encodeUtf8('StartupLocality'));
  b[16] = locality;
  return b;
}

/**
 * Write a TCG event log.
 * @throws TypeError for an unknown bank name; RangeError for out-of-range fields
 * @example encodeEventLog([{ pcrIndex: 0, eventType: EventType.EV_S_CRTM_VERSION, data }], { banks: ['sha256'] })
 */
export function encodeEventLog(events: readonly EventSpec[], options: EventLogWriterOptions = {}): Uint8Array {
  const w = new Writer(1024);
  const format = options.format ?? 'crypto-agile';
  const banks = (options.banks ?? ['sha1', 'sha256']).map((b) => {
    if (typeof b !== 'string') return { id: b.algorithmId, size: b.digestSize, alg: undefined as HashAlgorithm | undefined, name: '' };
    const alg = hashAlgorithmByName(b);
    if (!alg) throw new TypeError(`unknown bank '${b}'`);
    return { id: alg.id, size: alg.size, alg, name: alg.name };
  });
  const sha1 = hashAlgorithmByName('sha1')!;
  const sha1Event = (pcr: number, type: number, d: Uint8Array, data: Uint8Array) => {
    w.bytes(le32(pcr)).bytes(le32(type)).bytes(d).bytes(le32(data.length)).bytes(data);
  };
  const all: EventSpec[] = [];
  if (options.startupLocality !== undefined) {
    all.push({ pcrIndex: 0, eventType: EventType.EV_NO_ACTION, data: startupLocalityData(options.startupLocality) });
  }
  all.push(...events);
  if (format === 'sha1') {
    for (const e of all) {
      const d = e.eventType === EventType.EV_NO_ACTION ? new Uint8Array(20) : (e.digests?.sha1 ?? digest(sha1, e.data));
      sha1Event(e.pcrIndex, e.eventType, d, e.data);
    }
    return w.finish();
  }
  const spec = new Writer(64);
  spec.bytes(encodeUtf8('Spec ID Event03\0'));
  spec.bytes(le32(0)).u8(0).u8(2).u8(options.specErrata ?? 0).u8(2);
  spec.bytes(le32(banks.length));
  for (const b of banks) spec.bytes(le16(b.id)).bytes(le16(b.size));
  const vendor = options.vendorInfo ?? new Uint8Array(0);
  spec.u8(vendor.length).bytes(vendor);
  sha1Event(0, EventType.EV_NO_ACTION, new Uint8Array(20), spec.finish());
  for (const e of all) {
    w.bytes(le32(e.pcrIndex)).bytes(le32(e.eventType)).bytes(le32(banks.length));
    for (const b of banks) {
      let d = e.digests?.[b.name];
      if (!d) d = e.eventType === EventType.EV_NO_ACTION || !b.alg ? new Uint8Array(b.size) : digest(b.alg, e.data);
      w.bytes(le16(b.id)).bytes(d);
    }
    w.bytes(le32(e.data.length)).bytes(e.data);
  }
  return w.finish();
}
