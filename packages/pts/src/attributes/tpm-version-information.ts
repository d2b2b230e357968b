/**
 * TPM Version Information (0x09000000): the TPM's version blob. TPM 1.2: TPM_CAP_VERSION_INFO. TPM 2.0 (strongSwan's
 * 16-byte form): tag 0x0200, reserved, startup locality, TPM2_PT_REVISION, TPM2_PT_YEAR, TPM2_PT_MANUFACTURER.
 */
import { PEN, struct, bytes, DecodeError } from '@tncjs/common';
import { parseVersionInfo, propertyString, type VersionInfo } from '@tncjs/tss';
import { defineAttribute } from '@tncjs/pa-tnc';
import { TcgPtsAttr } from './names.js';

export const TpmVersionInformation = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.TPM_VERSION_INFO,
  name: 'TCG/TPM Version Information',
  body: struct({ versionInfo: bytes('rest') }),
  validate: (v, at) => {
    if (v.versionInfo.byteLength < 4) throw new DecodeError('insufficient data for TPM Version Information', at, { code: 'ERR_VALUE' });
  },
});

/** strongSwan's IMV line: `Version Information: TPM 2.0 rev. 1.64 2021 IBM - startup locality: 3`. */
export function describeTpmVersionInfo(b: Uint8Array): string {
  let v: VersionInfo;
  try {
    v = parseVersionInfo(b);
  } catch {
    return b.byteLength >= 2 && b[0] === 0x02 ? 'Version Information: TPM 2.0' : 'Version Information: unknown';
  }
  if (v.kind === 'tpm2') {
    return `Version Information: TPM 2.0 rev. ${(v.revision / 100).toFixed(2)} ${v.year} ${propertyString(v.vendor)} - startup locality: ${v.locality}`;
  }
  return `Version Information: TPM 1.2 rev. ${v.major}.${v.minor}.${v.revMajor}.${v.revMinor} ${v.vendorId.replace(/\0.*$/, '')}`;
}

/** The startup locality a TPM 2.0 version blob announces (0 when it is not a TPM 2.0 blob). */
export function versionInfoLocality(b: Uint8Array): number {
  try {
    const v = parseVersionInfo(b);
    return v.kind === 'tpm2' ? v.locality : 0;
  } catch {
    return 0;
  }
}
