/** Part 3 §30 Capability Commands: TPM2_GetCapability, with paging and the properties tpm2_getcap and strongSwan read. */
import { Writer } from '@tncjs/common';
import { TPM_CAP, TPM_CC, TPM_PT, PT_FIXED, TPMA_MODES } from '../constants.js';
import { readCapabilityData, type CapabilityData } from '../structures/tpms-capability-data.js';
import type { PcrSelection } from '../structures/tpml-pcr-selection.js';
import type { Tpm } from '../tpm.js';
import { parseParams } from '../parse.js';

export async function getCapability(tpm: Tpm, capability: number, property: number, propertyCount: number): Promise<{ moreData: boolean; data: CapabilityData }> {
  const res = await tpm.execute({ commandCode: TPM_CC.GetCapability, params: new Writer(12).u32(capability).u32(property >>> 0).u32(propertyCount).finish() });
  return parseParams(res, 'TPM2_GetCapability', (r) => {
    const moreData = r.u8('moreData') !== 0;
    return { moreData, data: readCapabilityData(r) };
  });
}

/** Every tagged TPM property from `first` to `last` (default: all fixed and variable properties), following moreData. */
export async function getProperties(tpm: Tpm, first = PT_FIXED, last = 0x2ff): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let next = first;
  for (let guard = 0; guard < 64 && next <= last; guard++) {
    const { moreData, data } = await getCapability(tpm, TPM_CAP.TPM_PROPERTIES, next, 127);
    if (data.capability !== TPM_CAP.TPM_PROPERTIES) break;
    let advanced = false;
    for (const p of data.properties) {
      if (p.property < next || p.property > last) continue;
      out.set(p.property, p.value);
      next = p.property + 1;
      advanced = true;
    }
    if (!moreData || !advanced) break;
  }
  return out;
}

/** Allocated PCR banks (TPM_CAP_PCRS): per bank the PCRs it holds. */
export async function getPcrBanks(tpm: Tpm): Promise<PcrSelection[]> {
  const { data } = await getCapability(tpm, TPM_CAP.PCRS, 0, 1);
  if (data.capability !== TPM_CAP.PCRS) return [];
  return data.pcrs;
}

export async function getAlgorithms(tpm: Tpm): Promise<{ alg: number; attributes: number }[]> {
  const out: { alg: number; attributes: number }[] = [];
  let next = 0;
  for (let guard = 0; guard < 32; guard++) {
    const { moreData, data } = await getCapability(tpm, TPM_CAP.ALGS, next, 127);
    if (data.capability !== TPM_CAP.ALGS || data.algorithms.length === 0) break;
    out.push(...data.algorithms);
    next = data.algorithms[data.algorithms.length - 1].alg + 1;
    if (!moreData) break;
  }
  return out;
}

export async function getEccCurves(tpm: Tpm): Promise<number[]> {
  const { data } = await getCapability(tpm, TPM_CAP.ECC_CURVES, 0, 64);
  return data.capability === TPM_CAP.ECC_CURVES ? data.curves : [];
}

/** Handles from `first` within the same handle type (e.g. every persistent object, every NV index). */
export async function getHandles(tpm: Tpm, first: number): Promise<number[]> {
  const type = first >>> 24;
  const out: number[] = [];
  let next = first >>> 0;
  for (let guard = 0; guard < 64; guard++) {
    const { moreData, data } = await getCapability(tpm, TPM_CAP.HANDLES, next, 254);
    if (data.capability !== TPM_CAP.HANDLES || data.handles.length === 0) break;
    const mine = data.handles.filter((h) => h >>> 24 === type && h >= next);
    out.push(...mine);
    if (!moreData || mine.length < data.handles.length || mine.length === 0) break;
    next = mine[mine.length - 1] + 1;
  }
  return out;
}

/** A 32-bit property as its 4 ASCII characters, NULs dropped (TPM_PT_MANUFACTURER "IBM\0" → "IBM"). */
export function propertyString(v: number | undefined): string {
  if (v === undefined) return '';
  let s = '';
  for (const shift of [24, 16, 8, 0]) {
    const c = (v >>> shift) & 0xff;
    if (c !== 0) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return s;
}

/** The vendor string as strongSwan builds it: the four properties' bytes, up to the first NUL. */
export function vendorString(props: Map<number, number>): string {
  let s = '';
  for (const p of [TPM_PT.VENDOR_STRING_1, TPM_PT.VENDOR_STRING_2, TPM_PT.VENDOR_STRING_3, TPM_PT.VENDOR_STRING_4]) {
    const v = props.get(p) ?? 0;
    for (const shift of [24, 16, 8, 0]) {
      const c = (v >>> shift) & 0xff;
      if (c === 0) return s;
      s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
    }
  }
  return s;
}

export interface TpmInfo {
  /** "2.0" */
  family: string;
  level: number;
  /** Spec revision × 100 (164 = 1.64). */
  revision: number;
  dayOfYear: number;
  year: number;
  /** TPM_PT_MANUFACTURER as text ("IBM", "IFX", "INTC", "NTC", "STM"). */
  manufacturer: string;
  manufacturerId: number;
  /** TPM_PT_VENDOR_STRING_1..4 ("SW   TPM"). */
  vendorString: string;
  vendorTpmType: number;
  /** TPM_PT_FIRMWARE_VERSION_1 and _2. */
  firmwareVersion: [number, number];
  /** 64-bit firmware version as in TPMS_ATTEST.firmwareVersion. */
  firmwareVersion64: bigint;
  /** TPMA_MODES FIPS_140_2. */
  fips1402: boolean;
  pcrCount: number;
  pcrBanks: PcrSelection[];
  maxCommandSize: number;
  maxResponseSize: number;
  nvBufferMax: number;
  /** Every property read (fixed and variable). */
  properties: Map<number, number>;
}

/** Manufacturer, vendor strings, firmware version, spec revision, PCR banks and allocation. */
export async function getInfo(tpm: Tpm): Promise<TpmInfo> {
  const props = await getProperties(tpm);
  const g = (p: number) => props.get(p) ?? 0;
  const fw1 = g(TPM_PT.FIRMWARE_VERSION_1);
  const fw2 = g(TPM_PT.FIRMWARE_VERSION_2);
  return {
    family: propertyString(props.get(TPM_PT.FAMILY_INDICATOR)),
    level: g(TPM_PT.LEVEL),
    revision: g(TPM_PT.REVISION),
    dayOfYear: g(TPM_PT.DAY_OF_YEAR),
    year: g(TPM_PT.YEAR),
    manufacturer: propertyString(props.get(TPM_PT.MANUFACTURER)),
    manufacturerId: g(TPM_PT.MANUFACTURER),
    vendorString: vendorString(props),
    vendorTpmType: g(TPM_PT.VENDOR_TPM_TYPE),
    firmwareVersion: [fw1, fw2],
    firmwareVersion64: (BigInt(fw1) << 32n) | BigInt(fw2),
    fips1402: (g(TPM_PT.MODES) & TPMA_MODES.FIPS_140_2) !== 0,
    pcrCount: g(TPM_PT.PCR_COUNT),
    pcrBanks: await getPcrBanks(tpm),
    maxCommandSize: g(TPM_PT.MAX_COMMAND_SIZE),
    maxResponseSize: g(TPM_PT.MAX_RESPONSE_SIZE),
    nvBufferMax: g(TPM_PT.NV_BUFFER_MAX),
    properties: props,
  };
}
