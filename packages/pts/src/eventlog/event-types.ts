/**
 * TCG PC Client Platform Firmware Profile (PFP) event types (PFP 1.05/1.06 §10.4.1, Table 9 "Events"), with the names
 * strongSwan's `pts_ima_bios_list.c` and the TCG spec give them.
 */

/** Event type values (PFP Table 9). */
export const EventType = {
  EV_PREBOOT_CERT: 0x00000000,
  EV_POST_CODE: 0x00000001,
  EV_UNUSED: 0x00000002,
  EV_NO_ACTION: 0x00000003,
  EV_SEPARATOR: 0x00000004,
  EV_ACTION: 0x00000005,
  EV_EVENT_TAG: 0x00000006,
  EV_S_CRTM_CONTENTS: 0x00000007,
  EV_S_CRTM_VERSION: 0x00000008,
  EV_CPU_MICROCODE: 0x00000009,
  EV_PLATFORM_CONFIG_FLAGS: 0x0000000a,
  EV_TABLE_OF_DEVICES: 0x0000000b,
  EV_COMPACT_HASH: 0x0000000c,
  EV_IPL: 0x0000000d,
  EV_IPL_PARTITION_DATA: 0x0000000e,
  EV_NONHOST_CODE: 0x0000000f,
  EV_NONHOST_CONFIG: 0x00000010,
  EV_NONHOST_INFO: 0x00000011,
  EV_OMIT_BOOT_DEVICE_EVENTS: 0x00000012,
  EV_POST_CODE2: 0x00000013,
  EV_EFI_EVENT_BASE: 0x80000000,
  EV_EFI_VARIABLE_DRIVER_CONFIG: 0x80000001,
  EV_EFI_VARIABLE_BOOT: 0x80000002,
  EV_EFI_BOOT_SERVICES_APPLICATION: 0x80000003,
  EV_EFI_BOOT_SERVICES_DRIVER: 0x80000004,
  EV_EFI_RUNTIME_SERVICES_DRIVER: 0x80000005,
  EV_EFI_GPT_EVENT: 0x80000006,
  EV_EFI_ACTION: 0x80000007,
  EV_EFI_PLATFORM_FIRMWARE_BLOB: 0x80000008,
  EV_EFI_HANDOFF_TABLES: 0x80000009,
  EV_EFI_PLATFORM_FIRMWARE_BLOB2: 0x8000000a,
  EV_EFI_HANDOFF_TABLES2: 0x8000000b,
  EV_EFI_VARIABLE_BOOT2: 0x8000000c,
  EV_EFI_GPT_EVENT2: 0x8000000d,
  EV_EFI_HCRTM_EVENT: 0x80000010,
  EV_EFI_VARIABLE_AUTHORITY: 0x800000e0,
  EV_EFI_SPDM_FIRMWARE_BLOB: 0x800000e1,
  EV_EFI_SPDM_FIRMWARE_CONFIG: 0x800000e2,
  EV_EFI_SPDM_DEVICE_POLICY: 0x800000e3,
  EV_EFI_SPDM_DEVICE_AUTHORITY: 0x800000e4,
} as const;

export type EventTypeSymbol = keyof typeof EventType;

/** strongSwan's names (pts_ima_bios_list.c `event_type_names`), extended with the PFP 1.05/1.06 additions. */
const NAMES: Record<number, string> = {
  [EventType.EV_PREBOOT_CERT]: 'Preboot Cert',
  [EventType.EV_POST_CODE]: 'POST Code',
  [EventType.EV_UNUSED]: 'Unused',
  [EventType.EV_NO_ACTION]: 'No Action',
  [EventType.EV_SEPARATOR]: 'Separator',
  [EventType.EV_ACTION]: 'Action',
  [EventType.EV_EVENT_TAG]: 'Event Tag',
  [EventType.EV_S_CRTM_CONTENTS]: 'S-CRTM Contents',
  [EventType.EV_S_CRTM_VERSION]: 'S-CRTM Version',
  [EventType.EV_CPU_MICROCODE]: 'CPU Microcode',
  [EventType.EV_PLATFORM_CONFIG_FLAGS]: 'Platform Config Flags',
  [EventType.EV_TABLE_OF_DEVICES]: 'Table of Devices',
  [EventType.EV_COMPACT_HASH]: 'Compact Hash',
  [EventType.EV_IPL]: 'IPL',
  [EventType.EV_IPL_PARTITION_DATA]: 'IPL Partition Data',
  [EventType.EV_NONHOST_CODE]: 'Nonhost Code',
  [EventType.EV_NONHOST_CONFIG]: 'Nonhost Config',
  [EventType.EV_NONHOST_INFO]: 'Nonhost Info',
  [EventType.EV_OMIT_BOOT_DEVICE_EVENTS]: 'Omit Boot Device Events',
  [EventType.EV_POST_CODE2]: 'POST Code2',
  [EventType.EV_EFI_EVENT_BASE]: 'EFI Event Base',
  [EventType.EV_EFI_VARIABLE_DRIVER_CONFIG]: 'EFI Variable Driver Config',
  [EventType.EV_EFI_VARIABLE_BOOT]: 'EFI Variable Boot',
  [EventType.EV_EFI_BOOT_SERVICES_APPLICATION]: 'EFI Boot Services Application',
  [EventType.EV_EFI_BOOT_SERVICES_DRIVER]: 'EFI Boot Services Driver',
  [EventType.EV_EFI_RUNTIME_SERVICES_DRIVER]: 'EFI Runtime Services Driver',
  [EventType.EV_EFI_GPT_EVENT]: 'EFI GPT Event',
  [EventType.EV_EFI_ACTION]: 'EFI Action',
  [EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB]: 'EFI Platform Firmware Blob',
  [EventType.EV_EFI_HANDOFF_TABLES]: 'EFI Handoff Tables',
  [EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2]: 'EFI Platform Firmware Blob2',
  [EventType.EV_EFI_HANDOFF_TABLES2]: 'EFI Handoff Tables2',
  [EventType.EV_EFI_VARIABLE_BOOT2]: 'EFI Variable Boot2',
  [EventType.EV_EFI_GPT_EVENT2]: 'EFI GPT Event2',
  [EventType.EV_EFI_HCRTM_EVENT]: 'EFI H-CRTM Event',
  [EventType.EV_EFI_VARIABLE_AUTHORITY]: 'EFI Variable Authority',
  [EventType.EV_EFI_SPDM_FIRMWARE_BLOB]: 'EFI SPDM Firmware Blob',
  [EventType.EV_EFI_SPDM_FIRMWARE_CONFIG]: 'EFI SPDM Firmware Config',
  [EventType.EV_EFI_SPDM_DEVICE_POLICY]: 'EFI SPDM Device Policy',
  [EventType.EV_EFI_SPDM_DEVICE_AUTHORITY]: 'EFI SPDM Device Authority',
};

const SYMBOLS = new Map<number, EventTypeSymbol>(
  (Object.entries(EventType) as [EventTypeSymbol, number][]).map(([k, v]) => [v, k]),
);

/** strongSwan-style name: `S-CRTM Version`, `EFI Variable Boot`; `Unknown (0x…)` for a value outside the table. */
export function eventTypeName(type: number): string {
  return NAMES[type] ?? `Unknown (0x${(type >>> 0).toString(16).padStart(8, '0')})`;
}

/** TCG symbol: `EV_S_CRTM_VERSION`; `EV_UNKNOWN_0x…` for a value outside the table (tpm2-tools prints the hex). */
export function eventTypeSymbol(type: number): string {
  return SYMBOLS.get(type) ?? `EV_UNKNOWN_0x${(type >>> 0).toString(16).padStart(8, '0')}`;
}

/** True when `type` is in PFP Table 9. */
export function isKnownEventType(type: number): boolean {
  return SYMBOLS.has(type);
}
