/** IANA Private Enterprise Numbers used as vendor IDs in PB-TNC and PA-TNC, with the names strongSwan prints. */
export const PEN = {
  IETF: 0x000000,
  IBM: 0x000002,
  MICROSOFT: 0x000137,
  REDHAT: 0x000908,
  ALTIGA: 0x000c04,
  PALO_ALTO: 0x00630f,
  TCG: 0x005597,
  OTHER: 0x008068,
  ITA: 0x00902a,
  FHH: 0x0080ab,
  RESERVED: 0xffffff,
} as const;

const NAMES: Record<number, string> = {
  [PEN.IETF]: 'IETF',
  [PEN.IBM]: 'IBM',
  [PEN.MICROSOFT]: 'Microsoft',
  [PEN.REDHAT]: 'Red Hat',
  [PEN.ALTIGA]: 'Altiga',
  [PEN.PALO_ALTO]: 'Palo Alto Networks',
  [PEN.TCG]: 'TCG',
  [PEN.OTHER]: 'Other',
  [PEN.ITA]: 'ITA-HSR',
  [PEN.FHH]: 'FHH',
  [PEN.RESERVED]: 'Reserved',
};

/** The vendor name strongSwan prints (`ITA-HSR`), or the number in hex (`0x00abcd`). */
export function penName(vendorId: number): string {
  return NAMES[vendorId] ?? `0x${vendorId.toString(16).padStart(6, '0')}`;
}

/** `0x005597/0x00000001` as strongSwan prints (vendor, type) pairs. */
export function formatVendorType(vendorId: number, type: number): string {
  return `0x${vendorId.toString(16).padStart(6, '0')}/0x${type.toString(16).padStart(8, '0')}`;
}
