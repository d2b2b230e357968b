/**
 * TPMS_PCR_SELECTION and TPML_PCR_SELECTION (Part 2 §10.6.2, §10.9.7): per hash bank a bit map of selected PCRs,
 * PCR n at bit (n mod 8) of octet n/8.
 */
import { Reader, Writer } from '@tncjs/common';
import { algName, digestSize, parseHashAlg } from '../constants.js';
import { decodeFail } from './tpm2b.js';

/** One bank and the PCRs selected in it (ascending). */
export interface PcrSelection {
  /** TPM_ALG_ID of the bank (`TPM_ALG.SHA256`). */
  hash: number;
  /** Selected PCR indices, ascending. */
  pcrs: number[];
  /** Octets of the bit map; default: enough for the highest PCR, at least 3 (PCR_SELECT_MIN). */
  sizeofSelect?: number;
}

/** HASH_COUNT bound on banks in one list, and the largest bit map a decoder accepts (256 PCRs). */
export const MAX_PCR_BANKS = 16;
export const MAX_SIZEOF_SELECT = 32;

export function writePcrSelection(w: Writer, s: PcrSelection): void {
  const highest = s.pcrs.reduce((m, p) => Math.max(m, p), -1);
  const size = s.sizeofSelect ?? Math.max(3, (highest >> 3) + 1);
  if (highest >= size * 8) throw new RangeError(`PCR ${highest} does not fit a ${size}-octet selection`);
  const map = new Uint8Array(size);
  for (const p of s.pcrs) {
    if (!Number.isInteger(p) || p < 0) throw new RangeError(`invalid PCR index ${p}`);
    map[p >> 3] |= 1 << (p & 7);
  }
  w.u16(s.hash).u8(size).bytes(map);
}

export function readPcrSelection(r: Reader): PcrSelection {
  const hash = r.u16('TPMS_PCR_SELECTION.hash');
  const size = r.u8('TPMS_PCR_SELECTION.sizeofSelect');
  if (size > MAX_SIZEOF_SELECT) decodeFail(r, `sizeofSelect ${size} exceeds ${MAX_SIZEOF_SELECT}`);
  const map = r.borrow(size, 'TPMS_PCR_SELECTION.pcrSelect');
  const pcrs: number[] = [];
  for (let i = 0; i < size * 8; i++) if (map[i >> 3] & (1 << (i & 7))) pcrs.push(i);
  return { hash, pcrs, sizeofSelect: size };
}

export function writePcrSelectionList(w: Writer, list: readonly PcrSelection[]): void {
  w.u32(list.length);
  for (const s of list) writePcrSelection(w, s);
}

export function readPcrSelectionList(r: Reader): PcrSelection[] {
  const n = r.u32('TPML_PCR_SELECTION.count');
  if (n > MAX_PCR_BANKS) decodeFail(r, `TPML_PCR_SELECTION count ${n} exceeds ${MAX_PCR_BANKS}`);
  const out: PcrSelection[] = [];
  for (let i = 0; i < n; i++) out.push(readPcrSelection(r));
  return out;
}

/** Marshalled TPML_PCR_SELECTION. */
export function encodePcrSelectionList(list: readonly PcrSelection[]): Uint8Array {
  const w = new Writer(64);
  writePcrSelectionList(w, list);
  return w.finish();
}

export function decodePcrSelectionList(b: Uint8Array): PcrSelection[] {
  const r = new Reader(b);
  const v = readPcrSelectionList(r);
  r.end('TPML_PCR_SELECTION');
  return v;
}

/**
 * Parse tpm2-tools' PCR selection syntax: `sha256:0,1,2+sha1:all`, `sha256:0-7`. Banks are kept in the order given.
 * @throws TypeError on syntax errors or unknown banks
 */
export function parsePcrSelection(spec: string, pcrCount = 24): PcrSelection[] {
  const out: PcrSelection[] = [];
  for (const part of spec.split('+').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_-]+):(.+)$/i.exec(part);
    if (!m) throw new TypeError(`invalid PCR selection '${part}' (expected <bank>:<pcrs>, e.g. sha256:0,1,2)`);
    const hash = parseHashAlg(m[1]);
    const pcrs = new Set<number>();
    for (const item of m[2].split(',').map((s) => s.trim())) {
      if (item === 'all') {
        for (let i = 0; i < pcrCount; i++) pcrs.add(i);
        continue;
      }
      const range = /^(\d+)(?:-(\d+))?$/.exec(item) ?? /^0x([0-9a-f]+)()$/i.exec(item);
      if (!range) throw new TypeError(`invalid PCR index '${item}'`);
      const lo = item.startsWith('0x') ? Number.parseInt(range[1], 16) : Number(range[1]);
      const hi = range[2] ? Number(range[2]) : lo;
      if (hi < lo || hi >= 256) throw new TypeError(`invalid PCR range '${item}'`);
      for (let i = lo; i <= hi; i++) pcrs.add(i);
    }
    out.push({ hash, pcrs: [...pcrs].sort((a, b) => a - b) });
  }
  if (out.length === 0) throw new TypeError('empty PCR selection');
  return out;
}

/** tpm2-tools form of a selection list: `sha256:0,1,2+sha1:16`. */
export function formatPcrSelection(list: readonly PcrSelection[]): string {
  return list.map((s) => `${algName(s.hash)}:${s.pcrs.join(',')}`).join('+');
}

/** Remove `done` from `want` (bank by bank); banks that end up empty are dropped. */
export function subtractPcrSelection(want: readonly PcrSelection[], done: readonly PcrSelection[]): PcrSelection[] {
  const out: PcrSelection[] = [];
  for (const s of want) {
    const got = new Set(done.filter((d) => d.hash === s.hash).flatMap((d) => d.pcrs));
    const rest = s.pcrs.filter((p) => !got.has(p));
    if (rest.length) out.push({ hash: s.hash, pcrs: rest, sizeofSelect: s.sizeofSelect });
  }
  return out;
}

/** True when a bank's digest size is known (so its PCR values can be checked for length). */
export function isKnownBank(hash: number): boolean {
  return digestSize(hash) > 0;
}
