/**
 * TPM version information in the form PTS carries it (TCG PTS "TPM Version Information" attribute, IF-M PTS §3.11).
 *
 * TPM 1.2: TPM_CAP_VERSION_INFO (TPM 1.2 Part 2 §21.6) as TrouSerS returns it, which strongSwan logs as
 *   `TPM Version Info: Chip Version: 1.2.3.19, Spec Level: 2, Errata Rev: 2, Vendor ID: IFX`.
 *
 * TPM 2.0: there is no such structure. strongSwan's TSS 2.0 backend (`src/libtpmtss/tpm_tss_tss2_v2.c`,
 * get_algs_capability(), read from strongSwan's source) builds a 16-byte blob from the fixed TPM properties and
 * returns it from get_version_info():
 *
 *     0                   1                   2                   3
 *    +-------------------------------+---------------+---------------+
 *    |  TPM 2.0 Version_Info Tag     |   Reserved    |   Locality    |   tag 0x0200, reserved 0, locality 3
 *    +-------------------------------+---------------+---------------+   (0 for INTC rev 1.16 2016 firmware)
 *    |                  Revision (TPM_PT_REVISION)                   |
 *    |                  Year (TPM_PT_YEAR)                           |
 *    |                  Vendor (TPM_PT_MANUFACTURER)                 |
 *    +---------------------------------------------------------------+
 *
 * and logs, at level 2 in the PTS subsystem, `TPM 2.0 - manufacturer: IBM (SW   TPM) rev: 01.64 2021 ` (printf
 * `%s manufacturer: %s (%s) rev: %05.2f %u %s`, the last field "FIPS 140-2", "FIPS 186-4" or empty). A real
 * strongSwan 6.0.6 client on swtpm sent exactly `02000003 000000a4 000007e5 49424d00` (test-vectors/strongswan).
 */
import { DecodeError, Reader, Writer } from '@tncjs/common';
import { TPM_PT } from './constants.js';
import { vendorString } from './commands/capability.js';

export const TPM2_VERSION_INFO_TAG = 0x0200;
export const TPM2_DEFAULT_LOCALITY = 3;
/** TPM_TAG_CAP_VERSION_INFO (TPM 1.2). */
export const TPM12_VERSION_INFO_TAG = 0x0030;

export interface Tpm2VersionInfo {
  kind: 'tpm2';
  locality: number;
  /** TPM_PT_REVISION (spec revision × 100). */
  revision: number;
  year: number;
  /** TPM_PT_MANUFACTURER. */
  vendor: number;
}

export interface Tpm12VersionInfo {
  kind: 'tpm12';
  major: number;
  minor: number;
  revMajor: number;
  revMinor: number;
  specLevel: number;
  errataRev: number;
  /** 4 characters, e.g. "IFX\0". */
  vendorId: string;
  vendorSpecific: Uint8Array;
}

export type VersionInfo = Tpm2VersionInfo | Tpm12VersionInfo;

/** The locality strongSwan puts in the blob: 0 for Intel PTT firmware of spec 1.16 (2016), else 3. */
export function strongswanLocality(manufacturer: number, revision: number, year: number): number {
  return cString(manufacturer) === 'INTC' && revision === 116 && year === 2016 ? 0 : TPM2_DEFAULT_LOCALITY;
}

/** strongSwan's 16-byte TPM 2.0 version info from the fixed properties. */
export function tpm2VersionInfo(props: { revision: number; year: number; manufacturer: number; locality?: number }): Uint8Array {
  const locality = props.locality ?? strongswanLocality(props.manufacturer, props.revision, props.year);
  return new Writer(16).u16(TPM2_VERSION_INFO_TAG).u8(0).u8(locality).u32(props.revision >>> 0).u32(props.year >>> 0).u32(props.manufacturer >>> 0).finish();
}

/** The version info from a property map (as `getProperties()` returns it). */
export function tpm2VersionInfoFromProperties(props: Map<number, number>): Uint8Array {
  return tpm2VersionInfo({ revision: props.get(TPM_PT.REVISION) ?? 0, year: props.get(TPM_PT.YEAR) ?? 0, manufacturer: props.get(TPM_PT.MANUFACTURER) ?? 0 });
}

/** A 32-bit property as a C string: its bytes up to the first NUL (strongSwan prints `manufacturer` with %s). */
function cString(v: number): string {
  let s = '';
  for (const shift of [24, 16, 8, 0]) {
    const c = (v >>> shift) & 0xff;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** printf("%05.2f") of revision/100 as strongSwan prints it. */
function revisionString(revision: number): string {
  return (revision / 100).toFixed(2).padStart(5, '0');
}

/**
 * strongSwan's log line for a TPM 2.0 (tpm_tss_tss2_v2.c, DBG2 PTS):
 * `TPM 2.0 - manufacturer: IBM (SW   TPM) rev: 01.64 2021 `.
 */
export function strongswanTpm2InfoLine(props: Map<number, number>, fips: '' | 'FIPS 140-2' | 'FIPS 186-4' = ''): string {
  return `TPM 2.0 - manufacturer: ${cString(props.get(TPM_PT.MANUFACTURER) ?? 0)} (${vendorString(props)}) rev: ${revisionString(props.get(TPM_PT.REVISION) ?? 0)} ${props.get(TPM_PT.YEAR) ?? 0} ${fips}`;
}

/** Parse either version info form. @throws DecodeError for anything else */
export function parseVersionInfo(b: Uint8Array): VersionInfo {
  const r = new Reader(b);
  const tag = r.u16('version info tag');
  if (tag === TPM2_VERSION_INFO_TAG) {
    r.u8('reserved');
    const locality = r.u8('locality');
    const v: Tpm2VersionInfo = { kind: 'tpm2', locality, revision: r.u32('revision'), year: r.u32('year'), vendor: r.u32('vendor') };
    r.end('TPM 2.0 version info');
    return v;
  }
  if (tag === TPM12_VERSION_INFO_TAG) {
    const v: Tpm12VersionInfo = {
      kind: 'tpm12',
      major: r.u8('major'),
      minor: r.u8('minor'),
      revMajor: r.u8('revMajor'),
      revMinor: r.u8('revMinor'),
      specLevel: r.u16('specLevel'),
      errataRev: r.u8('errataRev'),
      vendorId: String.fromCharCode(...r.bytes(4, 'tpmVendorID')),
      vendorSpecific: new Uint8Array(0),
    };
    if (r.remaining >= 2) v.vendorSpecific = r.bytes(r.u16('vendorSpecificSize'), 'vendorSpecific');
    return v;
  }
  throw new DecodeError(`unknown version info tag 0x${tag.toString(16).padStart(4, '0')}`, 0, { code: 'ERR_TPM_DECODE' });
}

/** Encode a TPM 1.2 TPM_CAP_VERSION_INFO (for tests and fixtures). */
export function tpm12VersionInfo(v: Omit<Tpm12VersionInfo, 'kind'>): Uint8Array {
  const w = new Writer(16 + v.vendorSpecific.length);
  w.u16(TPM12_VERSION_INFO_TAG).u8(v.major).u8(v.minor).u8(v.revMajor).u8(v.revMinor).u16(v.specLevel).u8(v.errataRev);
  const id = v.vendorId.padEnd(4, '\0').slice(0, 4);
  for (let i = 0; i < 4; i++) w.u8(id.charCodeAt(i) & 0xff);
  w.u16(v.vendorSpecific.length).bytes(v.vendorSpecific);
  return w.finish();
}

/**
 * The line strongSwan logs for version info: for TPM 1.2
 * `TPM Version Info: Chip Version: 1.2.3.19, Spec Level: 2, Errata Rev: 2, Vendor ID: IFX`; for TPM 2.0 the
 * manufacturer line of the TSS 2.0 backend (vendor string unknown from the blob alone, so it is given separately).
 */
export function formatVersionInfo(info: VersionInfo, vendorStr = ''): string {
  if (info.kind === 'tpm12') {
    const id = info.vendorId.split('\0')[0];
    return `TPM Version Info: Chip Version: ${info.major}.${info.minor}.${info.revMajor}.${info.revMinor}, Spec Level: ${info.specLevel}, Errata Rev: ${info.errataRev}, Vendor ID: ${id}`;
  }
  return `TPM 2.0 - manufacturer: ${cString(info.vendor)} (${vendorStr}) rev: ${revisionString(info.revision)} ${info.year} `;
}
