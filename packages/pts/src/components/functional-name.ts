/**
 * PTS functional component names (TCG PTS §3.9.2): a namespace (vendor), a 2-bit family (binary enumeration = 0),
 * a 6-bit qualifier (K kernel 0x20, S sub-component 0x10, type in the low 4 bits) and a 32-bit name.
 * Printed as strongSwan does: `ITA-HSR functional component 'Linux IMA' [K.] 'Trusted Platform'`.
 */
import { PEN, penName, struct, u24, u8, u32 } from '@tncjs/common';

export const ItaComponent = { IGNORE: 0, TGRUB: 1, TBOOT: 2, IMA: 3 } as const;
export const TcgComponent = { IGNORE: 0, CRTM: 1, BIOS: 2, PLATFORM_EXT: 3, BOARD: 4, INIT_LOADER: 5, OPT_ROMS: 6 } as const;

export const COMPONENT_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [PEN.ITA]: { 0: 'Ignore', 1: 'Trusted GRUB Boot Loader', 2: 'Trusted Boot', 3: 'Linux IMA' },
  [PEN.TCG]: { 0: 'Ignore', 1: 'CRTM', 2: 'BIOS', 3: 'Platform Extensions', 4: 'Motherboard Firmware', 5: 'Initial Program Loader', 6: 'Option ROMs' },
};

export const QualifierType = {
  UNKNOWN: 0,
  TRUSTED_PLATFORM: 1,
  OPERATING_SYSTEM: 2,
  GUI: 3,
  APPLICATION: 4,
  NETWORKING: 5,
  LIBRARY: 6,
  TNC_DEFINED: 7,
  ALL_MATCHING: 15,
} as const;

export const QUALIFIER_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Trusted Platform',
  2: 'Operating System',
  3: 'Graphical User Interface',
  4: 'Application',
  5: 'Networking',
  6: 'Library',
  7: 'TNC Defined Component',
  15: 'All Matching Components',
};

export const QUALIFIER_KERNEL = 0x20;
export const QUALIFIER_SUB_COMPONENT = 0x10;

/** Wire form: vendor u24, family+qualifier u8 (family must be 0), name u32. */
export const functionalName = struct({ vendorId: u24, qualifier: u8, name: u32 });
export type FunctionalName = ReturnType<typeof functionalName.decode>;

export function componentName(vendorId: number, name: number, qualifier: number): FunctionalName {
  return { vendorId, name, qualifier };
}

/** `ITA-HSR functional component 'Linux IMA' [K.] 'Trusted Platform'` (label prefixes as strongSwan's). */
export function describeComponent(c: FunctionalName, label = ''): string {
  const names = COMPONENT_NAMES[c.vendorId];
  if (!names) return `${label}0x${c.vendorId.toString(16).padStart(6, '0')} functional component 0x${c.name.toString(16).padStart(8, '0')} 0x${c.qualifier.toString(16).padStart(2, '0')}`;
  const q = c.qualifier & 0x3f;
  const flags = `${q & QUALIFIER_KERNEL ? 'K' : '.'}${q & QUALIFIER_SUB_COMPONENT ? 'S' : '.'}`;
  return `${label}${penName(c.vendorId)} functional component '${names[c.name] ?? `(${c.name})`}' [${flags}] '${QUALIFIER_TYPE_NAMES[q & 0x0f] ?? `(${q & 0x0f})`}'`;
}

/** strongSwan's equality: same namespace and name, qualifiers equal or either unknown (0). */
export function sameComponent(a: FunctionalName, b: FunctionalName): boolean {
  return a.vendorId === b.vendorId && a.name === b.name && (a.qualifier === b.qualifier || (a.qualifier & 0x3f) === 0 || (b.qualifier & 0x3f) === 0);
}

/** The two components of the seed: Linux IMA [K.] Trusted Platform (BIOS log) and [K.] Operating System (IMA log). */
export const LINUX_IMA_BIOS = componentName(PEN.ITA, ItaComponent.IMA, QUALIFIER_KERNEL | QualifierType.TRUSTED_PLATFORM);
export const LINUX_IMA_RUNTIME = componentName(PEN.ITA, ItaComponent.IMA, QUALIFIER_KERNEL | QualifierType.OPERATING_SYSTEM);
