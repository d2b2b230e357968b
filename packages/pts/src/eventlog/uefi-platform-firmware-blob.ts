/**
 * UEFI_PLATFORM_FIRMWARE_BLOB (PFP §10.3.3: BlobBase u64, BlobLength u64), the data of EV_EFI_PLATFORM_FIRMWARE_BLOB,
 * EV_S_CRTM_CONTENTS and, on firmware that logs a region, EV_POST_CODE; and UEFI_PLATFORM_FIRMWARE_BLOB2 (PFP 1.05+:
 * BlobDescriptionSize u8, BlobDescription, BlobBase, BlobLength), the data of EV_EFI_PLATFORM_FIRMWARE_BLOB2 and
 * EV_POST_CODE2.
 */
import { LeReader } from './le-reader.js';

export interface UefiPlatformFirmwareBlob {
  /** Only in the BLOB2 structure. */
  blobDescription?: string;
  blobBase: bigint;
  blobLength: bigint;
}

/** @throws DecodeError unless the data is exactly 16 bytes */
export function decodeUefiPlatformFirmwareBlob(data: Uint8Array, base = 0): UefiPlatformFirmwareBlob {
  const r = new LeReader(data, base);
  const blobBase = r.u64('BlobBase');
  const blobLength = r.u64('BlobLength');
  r.end('UEFI_PLATFORM_FIRMWARE_BLOB');
  return { blobBase, blobLength };
}

/** @throws DecodeError when the description or the fields do not fit */
export function decodeUefiPlatformFirmwareBlob2(data: Uint8Array, base = 0): UefiPlatformFirmwareBlob {
  const r = new LeReader(data, base);
  const n = r.u8('BlobDescriptionSize');
  const desc = r.borrow(n, 'BlobDescription');
  let blobDescription = '';
  for (let i = 0; i < desc.length && desc[i] !== 0; i++) blobDescription += String.fromCharCode(desc[i]);
  const blobBase = r.u64('BlobBase');
  const blobLength = r.u64('BlobLength');
  r.end('UEFI_PLATFORM_FIRMWARE_BLOB2');
  return { blobDescription, blobBase, blobLength };
}
