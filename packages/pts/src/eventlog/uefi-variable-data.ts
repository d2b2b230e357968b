/**
 * UEFI_VARIABLE_DATA (PFP §10.3.3): VariableName (EFI_GUID), UnicodeNameLength u64, VariableDataLength u64,
 * UnicodeName (UTF-16LE, no terminator), VariableData. The event data of EV_EFI_VARIABLE_DRIVER_CONFIG,
 * EV_EFI_VARIABLE_BOOT, EV_EFI_VARIABLE_BOOT2, EV_EFI_VARIABLE_AUTHORITY and the SPDM device policy/authority events.
 *
 * The variable content is decoded for the variables PFP names: the Secure Boot state booleans, BootOrder, Boot####
 * (EFI_LOAD_OPTION), and the signature databases PK/KEK/db/dbx/dbt/dbr (EFI_SIGNATURE_LIST).
 */
import { DecodeError, toHex } from '@tncjs/common';
import { devicePathToText } from './device-path.js';
import { formatGuid, guidName } from './guid.js';
import { LeReader } from './le-reader.js';

/** One EFI_SIGNATURE_DATA: owner and the signature (an X.509 certificate or a hash). */
export interface EfiSignatureData {
  owner: string;
  data: Uint8Array;
}

/** One EFI_SIGNATURE_LIST. */
export interface EfiSignatureList {
  signatureType: string;
  signatureTypeName?: string;
  signatureHeader: Uint8Array;
  signatures: EfiSignatureData[];
}

/** EFI_LOAD_OPTION (UEFI §3.1.3): the value of a Boot#### variable. */
export interface EfiLoadOption {
  attributes: number;
  description: string;
  filePathListLength: number;
  devicePath: string;
  optionalData: Uint8Array;
}

/** What the variable's content decodes to, by variable. */
export type UefiVariableContent =
  | { kind: 'boolean'; enabled: boolean }
  | { kind: 'BootOrder'; bootOrder: number[] }
  | { kind: 'EFI_LOAD_OPTION'; loadOption: EfiLoadOption }
  | { kind: 'EFI_SIGNATURE_LIST'; signatureLists: EfiSignatureList[] }
  | { kind: 'EFI_SIGNATURE_DATA'; signature: EfiSignatureData };

export interface UefiVariableData {
  variableName: string;
  variableNameLabel?: string;
  unicodeName: string;
  variableData: Uint8Array;
  /** The content decoded, when the variable is one PFP defines and its content is well-formed. */
  content?: UefiVariableContent;
}

function utf16le(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b[i] | (b[i + 1] << 8));
  return s;
}

const IMAGE_SECURITY_DATABASE = 'd719b2cb-3d3a-4596-a3bc-dad00e67656f';
const BOOLEAN_VARS = new Set(['SecureBoot', 'AuditMode', 'DeployedMode', 'SetupMode', 'MokSBState', 'MokSBStateRT']);
const SIGNATURE_DBS = new Set(['PK', 'KEK', 'db', 'dbx', 'dbt', 'dbr', 'MokList', 'MokListRT', 'MokListX', 'MokListXRT']);

/** EFI_SIGNATURE_LIST array (UEFI §32.4.1). */
export function decodeSignatureLists(data: Uint8Array, base = 0): EfiSignatureList[] {
  const r = new LeReader(data, base);
  const lists: EfiSignatureList[] = [];
  while (r.remaining > 0) {
    const start = r.offset;
    const signatureType = formatGuid(r.borrow(16, 'SignatureType'));
    const listSize = r.u32('SignatureListSize');
    const headerSize = r.u32('SignatureHeaderSize');
    const sigSize = r.u32('SignatureSize');
    if (listSize < 28 || listSize - 28 > r.remaining) {
      throw new DecodeError(`SignatureListSize ${listSize} does not fit`, start + 16, { code: 'ERR_LENGTH' });
    }
    const body = r.sub(listSize - 28, 'signature list');
    const signatureHeader = body.borrow(headerSize, 'SignatureHeader');
    if (sigSize < 16) throw new DecodeError(`SignatureSize ${sigSize} below 16`, start + 24, { code: 'ERR_LENGTH' });
    if (body.remaining % sigSize !== 0) {
      throw new DecodeError(`signature list of ${body.remaining} bytes is not a multiple of SignatureSize ${sigSize}`, body.offset, { code: 'ERR_LENGTH' });
    }
    const signatures: EfiSignatureData[] = [];
    while (body.remaining > 0) {
      const owner = formatGuid(body.borrow(16, 'SignatureOwner'));
      signatures.push({ owner, data: body.borrow(sigSize - 16, 'SignatureData') });
    }
    lists.push({ signatureType, signatureTypeName: guidName(signatureType), signatureHeader, signatures });
  }
  return lists;
}

/** EFI_LOAD_OPTION. */
export function decodeLoadOption(data: Uint8Array, base = 0): EfiLoadOption {
  const r = new LeReader(data, base);
  const attributes = r.u32('Attributes');
  const filePathListLength = r.u16('FilePathListLength');
  let description = '';
  for (;;) {
    const c = r.u16('Description');
    if (c === 0) break;
    description += String.fromCharCode(c);
  }
  const devicePath = devicePathToText(r.borrow(filePathListLength, 'FilePathList'));
  return { attributes, description, filePathListLength, devicePath, optionalData: r.rest() };
}

function decodeContent(name: string, guid: string, data: Uint8Array, base: number): UefiVariableContent | undefined {
  if (BOOLEAN_VARS.has(name)) return data.length === 1 ? { kind: 'boolean', enabled: data[0] !== 0 } : undefined;
  if (name === 'BootOrder' && data.length % 2 === 0) {
    const r = new LeReader(data, base);
    const bootOrder: number[] = [];
    while (r.remaining) bootOrder.push(r.u16());
    return { kind: 'BootOrder', bootOrder };
  }
  if (/^Boot[0-9A-Fa-f]{4}$/.test(name)) return { kind: 'EFI_LOAD_OPTION', loadOption: decodeLoadOption(data, base) };
  if (SIGNATURE_DBS.has(name) && guid !== '605dab50-e046-4300-abb6-3dd810dd8b23') {
    return { kind: 'EFI_SIGNATURE_LIST', signatureLists: decodeSignatureLists(data, base) };
  }
  return undefined;
}

/**
 * Decode UEFI_VARIABLE_DATA. For EV_EFI_VARIABLE_AUTHORITY pass `authority: true`: the content is then one
 * EFI_SIGNATURE_DATA (the certificate that verified an image) when it has that shape.
 * @throws DecodeError when the structure does not fit the event data (the content itself never throws: content that
 *   does not decode is left undecoded)
 */
export function decodeUefiVariableData(data: Uint8Array, base = 0, authority = false): UefiVariableData {
  const r = new LeReader(data, base);
  const variableName = formatGuid(r.borrow(16, 'VariableName'));
  const nameLen = r.u64Length(2, 'UnicodeNameLength');
  const dataLenAt = r.offset;
  const dataLen = r.u64('VariableDataLength');
  const unicodeName = utf16le(r.borrow(nameLen * 2, 'UnicodeName'));
  if (dataLen > BigInt(r.remaining)) {
    throw new DecodeError(`VariableDataLength ${dataLen} exceeds the ${r.remaining} remaining bytes`, dataLenAt, { code: 'ERR_LENGTH' });
  }
  const dataAt = r.offset;
  const variableData = r.borrow(Number(dataLen), 'VariableData');
  let content: UefiVariableContent | undefined;
  try {
    if (authority) {
      // PFP §10.4.4: the authority event of an image verified through db carries the EFI_SIGNATURE_DATA that matched;
      // shim's authority events (vendor cert "Shim", MokList entries, SbatLevel) carry raw data.
      if (variableName === IMAGE_SECURITY_DATABASE && variableData.length >= 16) {
        content = { kind: 'EFI_SIGNATURE_DATA', signature: { owner: formatGuid(variableData), data: variableData.subarray(16) } };
      }
    } else {
      content = decodeContent(unicodeName, variableName, variableData, dataAt);
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    content = undefined;
  }
  return { variableName, variableNameLabel: guidName(variableName), unicodeName, variableData, ...(content ? { content } : {}) };
}

/** A short hex preview of long data (first 32 bytes), for text output. */
export function previewHex(b: Uint8Array, max = 32): string {
  return b.length <= max ? toHex(b) : `${toHex(b.subarray(0, max))}… (${b.length} bytes)`;
}
