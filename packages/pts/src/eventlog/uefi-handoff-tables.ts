/**
 * UEFI_HANDOFF_TABLE_POINTERS (PFP §10.3.3: NumberOfTables u64, then EFI_CONFIGURATION_TABLE entries of VendorGuid and
 * a u64 VendorTable pointer), the data of EV_EFI_HANDOFF_TABLES; and UEFI_HANDOFF_TABLE_POINTERS2 (PFP 1.05+:
 * TableDescriptionSize u8 and TableDescription first), the data of EV_EFI_HANDOFF_TABLES2.
 */
import { formatGuid, guidName } from './guid.js';
import { LeReader } from './le-reader.js';

export interface UefiConfigurationTable {
  vendorGuid: string;
  vendorGuidName?: string;
  vendorTable: bigint;
}

export interface UefiHandoffTablePointers {
  /** Only in the POINTERS2 structure. */
  tableDescription?: string;
  tables: UefiConfigurationTable[];
}

function tables(r: LeReader): UefiConfigurationTable[] {
  const n = r.u64Length(24, 'NumberOfTables');
  const out: UefiConfigurationTable[] = [];
  for (let i = 0; i < n; i++) {
    const vendorGuid = formatGuid(r.borrow(16, 'VendorGuid'));
    out.push({ vendorGuid, vendorGuidName: guidName(vendorGuid), vendorTable: r.u64('VendorTable') });
  }
  return out;
}

/** @throws DecodeError when the table array does not fit */
export function decodeUefiHandoffTablePointers(data: Uint8Array, base = 0): UefiHandoffTablePointers {
  const r = new LeReader(data, base);
  const out = { tables: tables(r) };
  r.end('UEFI_HANDOFF_TABLE_POINTERS');
  return out;
}

/** @throws DecodeError when the description or the table array does not fit */
export function decodeUefiHandoffTablePointers2(data: Uint8Array, base = 0): UefiHandoffTablePointers {
  const r = new LeReader(data, base);
  const desc = r.borrow(r.u8('TableDescriptionSize'), 'TableDescription');
  let tableDescription = '';
  for (let i = 0; i < desc.length && desc[i] !== 0; i++) tableDescription += String.fromCharCode(desc[i]);
  const out = { tableDescription, tables: tables(r) };
  r.end('UEFI_HANDOFF_TABLE_POINTERS2');
  return out;
}
