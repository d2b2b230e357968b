/** TPMS_CONTEXT (Part 2 §14.5): a saved object or session context, as TPM2_ContextSave returns it. */
import { Reader, Writer } from '@tncjs/common';
import { readTpm2b, writeTpm2b } from './tpm2b.js';

export interface TpmsContext {
  sequence: bigint;
  savedHandle: number;
  hierarchy: number;
  /** TPM2B_CONTEXT_DATA: integrity-protected, encrypted context (opaque). */
  contextBlob: Uint8Array;
}

export function writeContext(w: Writer, c: TpmsContext): void {
  w.u64(c.sequence).u32(c.savedHandle >>> 0).u32(c.hierarchy >>> 0);
  writeTpm2b(w, c.contextBlob);
}

export function readContext(r: Reader): TpmsContext {
  return {
    sequence: r.u64('TPMS_CONTEXT.sequence'),
    savedHandle: r.u32('TPMS_CONTEXT.savedHandle'),
    hierarchy: r.u32('TPMS_CONTEXT.hierarchy'),
    contextBlob: readTpm2b(r, 'TPMS_CONTEXT.contextBlob'),
  };
}

export function encodeContext(c: TpmsContext): Uint8Array {
  const w = new Writer(2048);
  writeContext(w, c);
  return w.finish();
}

export function decodeContext(b: Uint8Array): TpmsContext {
  const r = new Reader(b);
  const c = readContext(r);
  r.end('TPMS_CONTEXT');
  return c;
}
