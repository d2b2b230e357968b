/**
 * EFI_GUID (UEFI 2.x §2.3.1): Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4 8 bytes, printed in registry format.
 */
import { toHex } from '@tncjs/common';
import { u16le, u32le } from './le-reader.js';

/** `8be4df61-93ca-11d2-aa0d-00e098032b8c` from the 16 bytes at `at`. */
export function formatGuid(b: Uint8Array, at = 0): string {
  const d1 = u32le(b, at).toString(16).padStart(8, '0');
  const d2 = u16le(b, at + 4).toString(16).padStart(4, '0');
  const d3 = u16le(b, at + 6).toString(16).padStart(4, '0');
  const d4 = toHex(b.subarray(at + 8, at + 10));
  const d5 = toHex(b.subarray(at + 10, at + 16));
  return `${d1}-${d2}-${d3}-${d4}-${d5}`;
}

/** Well-known GUIDs of event-log content (UEFI spec, shim, EDK II), for readable output. */
export const KNOWN_GUIDS: Readonly<Record<string, string>> = {
  '8be4df61-93ca-11d2-aa0d-00e098032b8c': 'EFI_GLOBAL_VARIABLE',
  'd719b2cb-3d3a-4596-a3bc-dad00e67656f': 'EFI_IMAGE_SECURITY_DATABASE',
  '605dab50-e046-4300-abb6-3dd810dd8b23': 'SHIM_LOCK',
  'a5c059a1-94e4-4aa7-87b5-ab155c2bf072': 'EFI_CERT_X509',
  'c1c41626-504c-4092-aca9-41f936934328': 'EFI_CERT_SHA256',
  '3c5766e8-269c-4e34-aa14-ed776e85b3b6': 'EFI_CERT_RSA2048',
  '826ca512-cf10-4ac9-b187-be01496631bd': 'EFI_CERT_SHA1',
  '0b6e5233-a65c-44c9-9407-d9ab83bfc8bd': 'EFI_CERT_SHA224',
  'ff3e5307-9fd0-48c9-85f1-8ad56c701e01': 'EFI_CERT_SHA384',
  '093e0fae-a6c4-4f50-9f1b-d41e2b89c19a': 'EFI_CERT_SHA512',
  '3bd2a492-96c0-4079-b420-fcf98ef103ed': 'EFI_CERT_X509_SHA256',
  '7076876e-80c2-4ee6-aad2-28b349a6865b': 'EFI_CERT_X509_SHA384',
  '446dbf63-2502-4cda-bcfa-2465d2b0fe9d': 'EFI_CERT_X509_SHA512',
  'eb9d2d30-2d88-11d3-9a16-0090273fc14d': 'ACPI_TABLE',
  '8868e871-e4f1-11d3-bc22-0080c73c8881': 'EFI_ACPI_20_TABLE',
  'eb9d2d31-2d88-11d3-9a16-0090273fc14d': 'SMBIOS_TABLE',
  'f2fd1544-9794-4a2c-992e-e5bbcf20e394': 'SMBIOS3_TABLE',
  '77fa9abd-0359-4d32-bd60-28f4e78f784b': 'MICROSOFT_SIGNATURE_OWNER',
};

/** The well-known name of `guid`, if any. */
export function guidName(guid: string): string | undefined {
  return KNOWN_GUIDS[guid];
}
