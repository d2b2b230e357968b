/** TPMS_CREATION_DATA / TPM2B_CREATION_DATA (Part 2 §15.1, §15.2), returned by TPM2_Create and TPM2_CreatePrimary. */
import { Reader } from '@tncjs/common';
import { readTpm2b } from './tpm2b.js';
import { readPcrSelectionList, type PcrSelection } from './tpml-pcr-selection.js';

export interface CreationData {
  pcrSelect: PcrSelection[];
  pcrDigest: Uint8Array;
  locality: number;
  parentNameAlg: number;
  parentName: Uint8Array;
  parentQualifiedName: Uint8Array;
  outsideInfo: Uint8Array;
}

export function readCreationData2b(r: Reader): CreationData {
  const at = r.offset;
  const bytes = readTpm2b(r, 'TPM2B_CREATION_DATA');
  const c = new Reader(bytes, at + 2);
  const out: CreationData = {
    pcrSelect: readPcrSelectionList(c),
    pcrDigest: readTpm2b(c, 'TPMS_CREATION_DATA.pcrDigest', 64),
    locality: c.u8('TPMS_CREATION_DATA.locality'),
    parentNameAlg: c.u16('TPMS_CREATION_DATA.parentNameAlg'),
    parentName: readTpm2b(c, 'TPMS_CREATION_DATA.parentName', 68),
    parentQualifiedName: readTpm2b(c, 'TPMS_CREATION_DATA.parentQualifiedName', 68),
    outsideInfo: readTpm2b(c, 'TPMS_CREATION_DATA.outsideInfo'),
  };
  c.end('TPM2B_CREATION_DATA');
  return out;
}
