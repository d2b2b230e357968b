/**
 * Part 3 §22 Integrity Collection (PCR): TPM2_PCR_Read with paging (a TPM returns at most 8 digests per call and
 * says in pcrSelectionOut which ones), TPM2_PCR_Extend, TPM2_PCR_Event, TPM2_PCR_Reset.
 */
import { createHash } from 'node:crypto';
import { Writer, concatBytes } from '@tncjs/common';
import { TPM_CC, algName, digestSize, nodeHashName } from '../constants.js';
import { TpmDecodeError } from '../errors.js';
import type { AuthRef } from '../sessions/authorization.js';
import { writeTpm2b } from '../structures/tpm2b.js';
import { readDigestList, readDigestValues, writeDigestValues, type TaggedHash } from '../structures/tpml-digest.js';
import {
  parsePcrSelection,
  readPcrSelectionList,
  subtractPcrSelection,
  writePcrSelectionList,
  type PcrSelection,
} from '../structures/tpml-pcr-selection.js';
import type { Tpm } from '../tpm.js';
import { parseParams } from '../parse.js';

/** A selection as tpm2-tools writes it (`sha256:0,1,2+sha1:all`) or as structures. */
export type PcrSelectionInput = string | readonly PcrSelection[];

export function toSelection(s: PcrSelectionInput): PcrSelection[] {
  return typeof s === 'string' ? parsePcrSelection(s) : s.map((x) => ({ ...x, pcrs: [...x.pcrs].sort((a, b) => a - b) }));
}

/** One PCR value. */
export interface PcrValue {
  hash: number;
  pcr: number;
  value: Uint8Array;
}

export interface PcrReadResult {
  /** pcrUpdateCounter of the read (all pages were read with the same counter). */
  updateCounter: number;
  /** Values in the order of the requested selection (bank order, PCRs ascending). */
  values: PcrValue[];
  /** What the TPM did not return (PCRs or banks it does not have). */
  missing: PcrSelection[];
}

async function pcrReadOnce(tpm: Tpm, sel: readonly PcrSelection[]) {
  const w = new Writer(64);
  writePcrSelectionList(w, sel);
  const res = await tpm.execute({ commandCode: TPM_CC.PCR_Read, params: w.finish() });
  return parseParams(res, 'TPM2_PCR_Read', (r) => {
    const updateCounter = r.u32('pcrUpdateCounter');
    const out = readPcrSelectionList(r);
    const digestsAt = r.offset;
    const digests = readDigestList(r);
    const flat = out.flatMap((s) => s.pcrs.map((pcr) => ({ hash: s.hash, pcr })));
    if (flat.length !== digests.length) throw new TpmDecodeError(`pcrSelectionOut selects ${flat.length} PCRs but ${digests.length} values came back`, digestsAt);
    const values = flat.map((f, i) => ({ ...f, value: digests[i] }));
    for (const v of values) {
      const n = digestSize(v.hash);
      if (n && v.value.length !== n) throw new TpmDecodeError(`${algName(v.hash)} PCR ${v.pcr} value is ${v.value.length} bytes`, digestsAt);
    }
    return { updateCounter, out, values };
  });
}

/**
 * Read any selection of any banks. Pages until every PCR is read; starts over (up to 3 times) if a PCR changed
 * between pages, so all values belong to one pcrUpdateCounter.
 */
export async function pcrRead(tpm: Tpm, selection: PcrSelectionInput): Promise<PcrReadResult> {
  const want = toSelection(selection);
  for (let attempt = 0; ; attempt++) {
    let remaining = want.filter((s) => s.pcrs.length > 0);
    const got = new Map<string, Uint8Array>();
    let counter: number | undefined;
    let changed = false;
    while (remaining.length) {
      const page = await pcrReadOnce(tpm, remaining);
      if (counter === undefined) counter = page.updateCounter;
      else if (page.updateCounter !== counter) {
        changed = true;
        break;
      }
      if (page.values.length === 0) break;
      for (const v of page.values) got.set(`${v.hash}:${v.pcr}`, v.value);
      remaining = subtractPcrSelection(remaining, page.out);
    }
    if (changed && attempt < 3) continue;
    const values: PcrValue[] = [];
    for (const s of want) for (const pcr of s.pcrs) {
      const v = got.get(`${s.hash}:${pcr}`);
      if (v) values.push({ hash: s.hash, pcr, value: v });
    }
    return { updateCounter: counter ?? 0, values, missing: subtractPcrSelection(want, values.map((v) => ({ hash: v.hash, pcrs: [v.pcr] }))) };
  }
}

/** Digests to extend with: TPMT_HA list, or `{ sha256: digest }`-style bank map. */
export type ExtendInput = readonly TaggedHash[];

/** TPM2_PCR_Extend. PCR handles are authorized with their (usually empty) authValue. */
export async function pcrExtend(tpm: Tpm, pcr: number, digests: ExtendInput, auth: AuthRef = {}): Promise<void> {
  const w = new Writer(128);
  writeDigestValues(w, digests);
  await tpm.execute({ commandCode: TPM_CC.PCR_Extend, handles: [pcr], auths: [auth], params: w.finish() });
}

/** TPM2_PCR_Event: the TPM hashes `data` (≤ 1024 bytes) with every bank's algorithm and extends. */
export async function pcrEvent(tpm: Tpm, pcr: number, data: Uint8Array, auth: AuthRef = {}): Promise<TaggedHash[]> {
  const w = new Writer(data.length + 2);
  writeTpm2b(w, data);
  const res = await tpm.execute({ commandCode: TPM_CC.PCR_Event, handles: [pcr], auths: [auth], params: w.finish() });
  return parseParams(res, 'TPM2_PCR_Event', readDigestValues);
}

/** TPM2_PCR_Reset (PCR 16 and 23 at locality 0). */
export async function pcrReset(tpm: Tpm, pcr: number, auth: AuthRef = {}): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.PCR_Reset, handles: [pcr], auths: [auth] });
}

/** What a PCR holds after extending `old` with `digest`: H(old ‖ digest). */
export function extendValue(hashAlg: number, old: Uint8Array, digest: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(nodeHashName(hashAlg)).update(old).update(digest).digest());
}

/**
 * The PCR digest of TPMS_QUOTE_INFO: H(values of the selected PCRs, bank by bank in selection order, ascending
 * within a bank), H being the hash of the signing scheme (not of the banks).
 * @throws RangeError when a selected PCR has no value in `values`
 */
export function computePcrDigest(hashAlg: number, selection: readonly PcrSelection[], values: readonly PcrValue[]): Uint8Array {
  const byKey = new Map(values.map((v) => [`${v.hash}:${v.pcr}`, v.value]));
  const parts: Uint8Array[] = [];
  for (const s of selection) for (const pcr of [...s.pcrs].sort((a, b) => a - b)) {
    const v = byKey.get(`${s.hash}:${pcr}`);
    if (!v) throw new RangeError(`no value for ${algName(s.hash)} PCR ${pcr}`);
    parts.push(v);
  }
  return new Uint8Array(createHash(nodeHashName(hashAlg)).update(concatBytes(parts)).digest());
}
