/**
 * TPMS_ATTEST (Part 2 §10.12.12): the structure a TPM signs in TPM2_Quote, TPM2_Certify, TPM2_CertifyCreation, …
 * with TPMS_CLOCK_INFO (§10.11.1) and the attested union: TPMS_QUOTE_INFO (§10.12.4), TPMS_CERTIFY_INFO (§10.12.3),
 * TPMS_CREATION_INFO (§10.12.7), TPMS_TIME_ATTEST_INFO (§10.12.2). Other attestation types are kept raw.
 */
import { Reader, Writer } from '@tncjs/common';
import { TPM_ST, TPM_GENERATED_VALUE } from '../constants.js';
import { readTpm2b, writeTpm2b } from './tpm2b.js';
import { readPcrSelectionList, writePcrSelectionList, type PcrSelection } from './tpml-pcr-selection.js';

export interface ClockInfo {
  clock: bigint;
  resetCount: number;
  restartCount: number;
  safe: boolean;
}

export type Attested =
  | { type: typeof TPM_ST.ATTEST_QUOTE; pcrSelect: PcrSelection[]; pcrDigest: Uint8Array }
  | { type: typeof TPM_ST.ATTEST_CERTIFY; name: Uint8Array; qualifiedName: Uint8Array }
  | { type: typeof TPM_ST.ATTEST_CREATION; objectName: Uint8Array; creationHash: Uint8Array }
  | { type: typeof TPM_ST.ATTEST_TIME; time: { time: bigint; clockInfo: ClockInfo }; firmwareVersion: bigint }
  | { type: number; raw: Uint8Array };

export interface TpmsAttest {
  /** TPM_GENERATED_VALUE 0xff544347 for TPM-generated structures. */
  magic: number;
  /** TPM_ST_ATTEST_* */
  type: number;
  qualifiedSigner: Uint8Array;
  extraData: Uint8Array;
  clockInfo: ClockInfo;
  firmwareVersion: bigint;
  attested: Attested;
}

function readClockInfo(r: Reader): ClockInfo {
  return {
    clock: r.u64('TPMS_CLOCK_INFO.clock'),
    resetCount: r.u32('TPMS_CLOCK_INFO.resetCount'),
    restartCount: r.u32('TPMS_CLOCK_INFO.restartCount'),
    safe: r.u8('TPMS_CLOCK_INFO.safe') !== 0,
  };
}

function writeClockInfo(w: Writer, c: ClockInfo): void {
  w.u64(c.clock).u32(c.resetCount >>> 0).u32(c.restartCount >>> 0).u8(c.safe ? 1 : 0);
}

export function readAttest(r: Reader): TpmsAttest {
  const magic = r.u32('TPMS_ATTEST.magic');
  const type = r.u16('TPMS_ATTEST.type');
  const qualifiedSigner = readTpm2b(r, 'TPMS_ATTEST.qualifiedSigner', 68);
  const extraData = readTpm2b(r, 'TPMS_ATTEST.extraData', 64);
  const clockInfo = readClockInfo(r);
  const firmwareVersion = r.u64('TPMS_ATTEST.firmwareVersion');
  let attested: Attested;
  switch (type) {
    case TPM_ST.ATTEST_QUOTE:
      attested = { type, pcrSelect: readPcrSelectionList(r), pcrDigest: readTpm2b(r, 'TPMS_QUOTE_INFO.pcrDigest', 64) };
      break;
    case TPM_ST.ATTEST_CERTIFY:
      attested = { type, name: readTpm2b(r, 'TPMS_CERTIFY_INFO.name', 68), qualifiedName: readTpm2b(r, 'TPMS_CERTIFY_INFO.qualifiedName', 68) };
      break;
    case TPM_ST.ATTEST_CREATION:
      attested = { type, objectName: readTpm2b(r, 'TPMS_CREATION_INFO.objectName', 68), creationHash: readTpm2b(r, 'TPMS_CREATION_INFO.creationHash', 64) };
      break;
    case TPM_ST.ATTEST_TIME: {
      const time = r.u64('TPMS_TIME_INFO.time');
      const ci = readClockInfo(r);
      attested = { type, time: { time, clockInfo: ci }, firmwareVersion: r.u64('TPMS_TIME_ATTEST_INFO.firmwareVersion') };
      break;
    }
    default:
      attested = { type, raw: r.rest() };
  }
  return { magic, type, qualifiedSigner, extraData, clockInfo, firmwareVersion, attested };
}

export function writeAttest(w: Writer, a: TpmsAttest): void {
  w.u32(a.magic >>> 0).u16(a.type);
  writeTpm2b(w, a.qualifiedSigner);
  writeTpm2b(w, a.extraData);
  writeClockInfo(w, a.clockInfo);
  w.u64(a.firmwareVersion);
  const at = a.attested;
  if ('raw' in at) {
    w.bytes(at.raw);
    return;
  }
  switch (at.type) {
    case TPM_ST.ATTEST_QUOTE:
      writePcrSelectionList(w, at.pcrSelect);
      writeTpm2b(w, at.pcrDigest);
      break;
    case TPM_ST.ATTEST_CERTIFY:
      writeTpm2b(w, at.name);
      writeTpm2b(w, at.qualifiedName);
      break;
    case TPM_ST.ATTEST_CREATION:
      writeTpm2b(w, at.objectName);
      writeTpm2b(w, at.creationHash);
      break;
    case TPM_ST.ATTEST_TIME:
      w.u64(at.time.time);
      writeClockInfo(w, at.time.clockInfo);
      w.u64(at.firmwareVersion);
      break;
  }
}

/** Parse a TPMS_ATTEST that fills `b` (the `quoted` of TPM2_Quote, tpm2-tools' `-m` message file). */
export function decodeAttest(b: Uint8Array): TpmsAttest {
  const r = new Reader(b);
  const a = readAttest(r);
  r.end('TPMS_ATTEST');
  return a;
}

export function encodeAttest(a: TpmsAttest): Uint8Array {
  const w = new Writer(256);
  writeAttest(w, a);
  return w.finish();
}

export { TPM_GENERATED_VALUE };
