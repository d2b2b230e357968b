/**
 * TPM Version Information (0x09000000): the TPM's version blob. TPM 1.2: TPM_CAP_VERSION_INFO. TPM 2.0 (strongSwan's
 * 16-byte form): tag 0x0200, reserved, startup locality, TPM2_PT_REVISION, TPM2_PT_YEAR, TPM2_PT_MANUFACTURER.
 */
import { PEN, struct, bytes, Reader, DecodeError } from '@tncjs/common';
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

export interface Tpm2VersionInfo {
  tpmVersion: '2.0';
  locality: number;
  revision: number;
  year: number;
  manufacturer: string;
}

export interface Tpm12VersionInfo {
  tpmVersion: '1.2';
  major: number;
  minor: number;
  revMajor: number;
  revMinor: number;
  specLevel: number;
  errataRev: number;
  vendor: string;
}

function vendorString(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Interpret a version blob (TPM 2.0 tag 0x0200, TPM 1.2 TPM_CAP_VERSION_INFO tag 0x0030). */
export function parseTpmVersionInfo(b: Uint8Array): Tpm2VersionInfo | Tpm12VersionInfo | undefined {
  const r = new Reader(b);
  if (b.byteLength < 2) return undefined;
  const tag = r.u16();
  if (tag === 0x0200 && b.byteLength >= 16) {
    r.skip(1);
    const locality = r.u8();
    return { tpmVersion: '2.0', locality, revision: r.u32(), year: r.u32(), manufacturer: vendorString(r.bytes(4)) };
  }
  if (tag === 0x0030 && b.byteLength >= 13) {
    return {
      tpmVersion: '1.2',
      major: r.u8(),
      minor: r.u8(),
      revMajor: r.u8(),
      revMinor: r.u8(),
      specLevel: r.u16(),
      errataRev: r.u8(),
      vendor: vendorString(r.bytes(4)),
    };
  }
  return undefined;
}

/** The TPM 2.0 blob strongSwan sends. */
export function tpm2VersionInfoBlob(v: { locality: number; revision: number; year: number; manufacturer: string }): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0x0200);
  out[3] = v.locality;
  dv.setUint32(4, v.revision);
  dv.setUint32(8, v.year);
  for (let i = 0; i < 4 && i < v.manufacturer.length; i++) out[12 + i] = v.manufacturer.charCodeAt(i);
  return out;
}

/** strongSwan's IMV line: `Version Information: TPM 2.0 rev. 1.64 2021 IBM - startup locality: 3`. */
export function describeTpmVersionInfo(b: Uint8Array): string {
  const v = parseTpmVersionInfo(b);
  if (!v) return b.byteLength >= 2 && b[0] === 0x02 ? 'Version Information: TPM 2.0' : 'Version Information: unknown';
  if (v.tpmVersion === '2.0') {
    return `Version Information: TPM 2.0 rev. ${(v.revision / 100).toFixed(2)} ${v.year} ${v.manufacturer} - startup locality: ${v.locality}`;
  }
  return `Version Information: TPM 1.2 rev. ${v.major}.${v.minor}.${v.revMajor}.${v.revMinor} ${v.vendor}`;
}
