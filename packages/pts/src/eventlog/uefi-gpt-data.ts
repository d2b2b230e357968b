/**
 * UEFI_GPT_DATA (PFP §10.3.3): the EFI_PARTITION_TABLE_HEADER (UEFI §5.3.2, 92 bytes), NumberOfPartitions u64, and
 * that many EFI_PARTITION_ENTRY structures of SizeOfPartitionEntry bytes each. The data of EV_EFI_GPT_EVENT and
 * EV_EFI_GPT_EVENT2.
 */
import { DecodeError } from '@tncjs/common';
import { formatGuid } from './guid.js';
import { LeReader } from './le-reader.js';

export interface EfiPartitionEntry {
  partitionTypeGuid: string;
  uniquePartitionGuid: string;
  startingLba: bigint;
  endingLba: bigint;
  attributes: bigint;
  partitionName: string;
}

export interface UefiGptData {
  signature: string;
  revision: number;
  headerSize: number;
  myLba: bigint;
  alternateLba: bigint;
  firstUsableLba: bigint;
  lastUsableLba: bigint;
  diskGuid: string;
  partitionEntryLba: bigint;
  numberOfPartitionEntries: number;
  sizeOfPartitionEntry: number;
  partitions: EfiPartitionEntry[];
}

/** @throws DecodeError when the header or the partition array does not fit, or an entry is below 128 bytes */
export function decodeUefiGptData(data: Uint8Array, base = 0): UefiGptData {
  const r = new LeReader(data, base);
  const sig = r.borrow(8, 'Signature');
  const signature = String.fromCharCode(sig[0], sig[1], sig[2], sig[3], sig[4], sig[5], sig[6], sig[7]);
  const revision = r.u32('Revision');
  const headerSize = r.u32('HeaderSize');
  r.skip(8, 'HeaderCRC32/Reserved');
  const myLba = r.u64('MyLBA');
  const alternateLba = r.u64('AlternateLBA');
  const firstUsableLba = r.u64('FirstUsableLBA');
  const lastUsableLba = r.u64('LastUsableLBA');
  const diskGuid = formatGuid(r.borrow(16, 'DiskGUID'));
  const partitionEntryLba = r.u64('PartitionEntryLBA');
  const numberOfPartitionEntries = r.u32('NumberOfPartitionEntries');
  const sizeAt = r.offset;
  const sizeOfPartitionEntry = r.u32('SizeOfPartitionEntry');
  r.skip(4, 'PartitionEntryArrayCRC32');
  if (sizeOfPartitionEntry < 128) {
    throw new DecodeError(`SizeOfPartitionEntry ${sizeOfPartitionEntry} below 128`, sizeAt, { code: 'ERR_LENGTH' });
  }
  const n = r.u64Length(sizeOfPartitionEntry, 'NumberOfPartitions');
  const partitions: EfiPartitionEntry[] = [];
  for (let i = 0; i < n; i++) {
    const e = r.sub(sizeOfPartitionEntry, 'EFI_PARTITION_ENTRY');
    const partitionTypeGuid = formatGuid(e.borrow(16));
    const uniquePartitionGuid = formatGuid(e.borrow(16));
    const startingLba = e.u64();
    const endingLba = e.u64();
    const attributes = e.u64();
    const nameBytes = e.borrow(72);
    let partitionName = '';
    for (let k = 0; k + 1 < nameBytes.length; k += 2) {
      const c = nameBytes[k] | (nameBytes[k + 1] << 8);
      if (c === 0) break;
      partitionName += String.fromCharCode(c);
    }
    partitions.push({ partitionTypeGuid, uniquePartitionGuid, startingLba, endingLba, attributes, partitionName });
  }
  return {
    signature, revision, headerSize, myLba, alternateLba, firstUsableLba, lastUsableLba, diskGuid, partitionEntryLba,
    numberOfPartitionEntries, sizeOfPartitionEntry, partitions,
  };
}
