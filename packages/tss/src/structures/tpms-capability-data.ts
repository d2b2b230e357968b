/**
 * TPMS_CAPABILITY_DATA (Part 2 §10.10.2) and its lists: TPML_ALG_PROPERTY, TPML_HANDLE, TPML_CCA, TPML_CC,
 * TPML_PCR_SELECTION, TPML_TAGGED_TPM_PROPERTY, TPML_TAGGED_PCR_PROPERTY, TPML_ECC_CURVE (§10.9).
 */
import { Reader } from '@tncjs/common';
import { TPM_CAP } from '../constants.js';
import { decodeFail } from './tpm2b.js';
import { readPcrSelectionList, readPcrSelection, type PcrSelection } from './tpml-pcr-selection.js';

export type CapabilityData =
  | { capability: typeof TPM_CAP.ALGS; algorithms: { alg: number; attributes: number }[] }
  | { capability: typeof TPM_CAP.HANDLES; handles: number[] }
  | { capability: typeof TPM_CAP.COMMANDS; commands: number[] }
  | { capability: typeof TPM_CAP.PP_COMMANDS | typeof TPM_CAP.AUDIT_COMMANDS; commandCodes: number[] }
  | { capability: typeof TPM_CAP.PCRS; pcrs: PcrSelection[] }
  | { capability: typeof TPM_CAP.TPM_PROPERTIES; properties: { property: number; value: number }[] }
  | { capability: typeof TPM_CAP.PCR_PROPERTIES; pcrProperties: { tag: number; pcrs: number[] }[] }
  | { capability: typeof TPM_CAP.ECC_CURVES; curves: number[] };

/** Bound on list lengths a decoder accepts (MAX_CAP_BUFFER is 1024 bytes on every TPM we know). */
const MAX_CAP_ITEMS = 1024;

function count(r: Reader, what: string): number {
  const n = r.u32(`${what}.count`);
  if (n > MAX_CAP_ITEMS) decodeFail(r, `${what} count ${n} exceeds ${MAX_CAP_ITEMS}`);
  return n;
}

export function readCapabilityData(r: Reader): CapabilityData {
  const capability = r.u32('TPMS_CAPABILITY_DATA.capability');
  switch (capability) {
    case TPM_CAP.ALGS: {
      const n = count(r, 'TPML_ALG_PROPERTY');
      const algorithms = [];
      for (let i = 0; i < n; i++) algorithms.push({ alg: r.u16('alg'), attributes: r.u32('algProperties') });
      return { capability, algorithms };
    }
    case TPM_CAP.HANDLES: {
      const n = count(r, 'TPML_HANDLE');
      const handles = [];
      for (let i = 0; i < n; i++) handles.push(r.u32('handle'));
      return { capability, handles };
    }
    case TPM_CAP.COMMANDS: {
      const n = count(r, 'TPML_CCA');
      const commands = [];
      for (let i = 0; i < n; i++) commands.push(r.u32('TPMA_CC'));
      return { capability, commands };
    }
    case TPM_CAP.PP_COMMANDS:
    case TPM_CAP.AUDIT_COMMANDS: {
      const n = count(r, 'TPML_CC');
      const commandCodes = [];
      for (let i = 0; i < n; i++) commandCodes.push(r.u32('TPM_CC'));
      return { capability, commandCodes };
    }
    case TPM_CAP.PCRS:
      return { capability, pcrs: readPcrSelectionList(r) };
    case TPM_CAP.TPM_PROPERTIES: {
      const n = count(r, 'TPML_TAGGED_TPM_PROPERTY');
      const properties = [];
      for (let i = 0; i < n; i++) properties.push({ property: r.u32('property'), value: r.u32('value') });
      return { capability, properties };
    }
    case TPM_CAP.PCR_PROPERTIES: {
      const n = count(r, 'TPML_TAGGED_PCR_PROPERTY');
      const pcrProperties = [];
      for (let i = 0; i < n; i++) {
        const tag = r.u32('TPMS_TAGGED_PCR_SELECT.tag');
        // same layout as TPMS_PCR_SELECTION with a 32-bit tag instead of the hash: read the bit map through it
        const sel = readPcrSelection(withHashPrefix(r));
        pcrProperties.push({ tag, pcrs: sel.pcrs });
      }
      return { capability, pcrProperties };
    }
    case TPM_CAP.ECC_CURVES: {
      const n = count(r, 'TPML_ECC_CURVE');
      const curves = [];
      for (let i = 0; i < n; i++) curves.push(r.u16('TPM_ECC_CURVE'));
      return { capability, curves };
    }
    default:
      return decodeFail(r, `unsupported capability ${capability}`);
  }
}

/** A reader view that yields a dummy 16-bit hash before the rest of `r` (to reuse the bit-map parser). */
function withHashPrefix(r: Reader): Reader {
  const size = r.u8('TPMS_TAGGED_PCR_SELECT.sizeofSelect');
  if (size > 32) decodeFail(r, `sizeofSelect ${size} exceeds 32`);
  const map = r.borrow(size, 'TPMS_TAGGED_PCR_SELECT.pcrSelect');
  const buf = new Uint8Array(3 + size);
  buf[2] = size;
  buf.set(map, 3);
  return new Reader(buf);
}

export { readPcrSelectionList };
