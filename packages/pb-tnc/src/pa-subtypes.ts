/** PA message types (PA vendor, PA subtype) as strongSwan names them: `'IETF/Operating System' 0x000000/0x00000001`. */
import { PEN, penName, formatVendorType } from '@tncjs/common';

export const PA_SUBTYPE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [PEN.IETF]: {
    0: 'Testing',
    1: 'Operating System',
    2: 'Anti-Virus',
    3: 'Anti-Spyware',
    4: 'Anti-Malware',
    5: 'Firewall',
    6: 'IDPS',
    7: 'VPN',
    8: 'NEA Client',
    9: 'SWIMA',
    0xff: 'ANY',
  },
  [PEN.TCG]: { 1: 'PTS', 2: 'SCAP', 3: 'SWID', 0xff: 'ANY' },
  [PEN.ITA]: { 1: 'Test', 2: 'Echo', 0xff: 'ANY' },
  [PEN.FHH]: { 0x30: 'HostScanner', 0x31: 'Dummy', 0x33: 'PlatformID', 0x34: 'Attestation', 0x41: 'ClamAV', 0xff: 'ANY' },
};

export const PaSubtype = {
  IETF_OPERATING_SYSTEM: { vendorId: PEN.IETF, subtype: 1 },
  TCG_PTS: { vendorId: PEN.TCG, subtype: 1 },
} as const;

/** `IETF/Operating System`, or `IETF/(42)` for an unnamed subtype. */
export function paSubtypeName(vendorId: number, subtype: number): string {
  return `${penName(vendorId)}/${PA_SUBTYPE_NAMES[vendorId]?.[subtype] ?? `(${subtype})`}`;
}

/** `'IETF/Operating System' 0x000000/0x00000001` as strongSwan logs PA message types. */
export function describePaSubtype(vendorId: number, subtype: number): string {
  return `'${paSubtypeName(vendorId, subtype)}' ${formatVendorType(vendorId, subtype)}`;
}
