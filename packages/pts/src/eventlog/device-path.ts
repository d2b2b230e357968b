/**
 * EFI_DEVICE_PATH_PROTOCOL (UEFI 2.10 §10.3) to text, in the spelling efivar's `efidp_format_device_path` uses (the
 * one tpm2-tools' `tpm2_eventlog` prints): `PciRoot(0x0)/Pci(0x3,0x0)/SCSI(1,0)/HD(15,GPT,<guid>,0x2800,0x35000)/File(\EFI\ubuntu\shimx64.efi)`.
 *
 * Never throws: a node that is malformed (length below 4 or past the end) ends the text with `Invalid(<hex>)`; a node
 * tncjs does not know is printed as `Path(type,subtype,<hex>)` (UEFI §10.6.1.6).
 */
import { toHex } from '@tncjs/common';
import { formatGuid } from './guid.js';
import { u16le, u32le } from './le-reader.js';

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

function u64le(b: Uint8Array, at: number): bigint {
  return BigInt(u32le(b, at)) | (BigInt(u32le(b, at + 4)) << 32n);
}

function utf16z(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    const c = b[i] | (b[i + 1] << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function asciiz(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
  return s;
}

function eisaId(id: number): string {
  // EISA PNP ID: compressed vendor in the low 16 bits (0x41d0 = "PNP"), product number in the high 16 bits.
  if ((id & 0xffff) === 0x41d0) return `PNP${(id >>> 16).toString(16).toUpperCase().padStart(4, '0')}`;
  return hex(id);
}

const BBS_TYPES: Record<number, string> = { 1: 'Floppy', 2: 'HD', 3: 'CDROM', 4: 'PCMCIA', 5: 'USB', 6: 'Network' };

/** Text of one node (`type`, `subtype`, node data without the 4-byte header). */
function nodeText(type: number, sub: number, d: Uint8Array): string | undefined {
  const need = (n: number) => d.length >= n;
  switch (type) {
    case 0x01: // Hardware
      if (sub === 0x01 && need(2)) return `Pci(${hex(d[1])},${hex(d[0])})`;
      if (sub === 0x03 && need(20)) return `MemoryMapped(${hex(u32le(d, 0))},${hex(u64le(d, 4))},${hex(u64le(d, 12))})`;
      if (sub === 0x04 && need(16)) return `VenHw(${formatGuid(d)}${d.length > 16 ? ',' + toHex(d.subarray(16)) : ''})`;
      if (sub === 0x05 && need(4)) return `Ctrl(${hex(u32le(d, 0))})`;
      return undefined;
    case 0x02: // ACPI
      if (sub === 0x01 && need(8)) {
        const hid = u32le(d, 0);
        const uid = u32le(d, 4);
        const pnp = eisaId(hid);
        if (pnp === 'PNP0A03') return `PciRoot(${hex(uid)})`;
        if (pnp === 'PNP0A08') return `PcieRoot(${hex(uid)})`;
        return `Acpi(${pnp},${hex(uid)})`;
      }
      if (sub === 0x03 && need(4)) return `AcpiAdr(${hex(u32le(d, 0))})`;
      return undefined;
    case 0x03: // Messaging
      switch (sub) {
        case 0x01:
          return need(4) ? `Ata(${d[0]},${d[1]},${u16le(d, 2)})` : undefined;
        case 0x02:
          return need(4) ? `SCSI(${u16le(d, 0)},${u16le(d, 2)})` : undefined;
        case 0x05:
          return need(2) ? `USB(${d[0]},${d[1]})` : undefined;
        case 0x0a:
          return need(16) ? `VenMsg(${formatGuid(d)}${d.length > 16 ? ',' + toHex(d.subarray(16)) : ''})` : undefined;
        case 0x0b: {
          if (!need(33)) return undefined;
          const ifType = d[32];
          const len = ifType === 0 || ifType === 1 ? 6 : 32;
          return `MAC(${toHex(d.subarray(0, len))},${ifType})`;
        }
        case 0x0c: {
          if (!need(15)) return undefined;
          const ip = (at: number) => `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;
          const parts = [ip(4), String(u16le(d, 12)), d[14] ? 'Static' : 'DHCP', ip(0)];
          if (need(23)) parts.push(ip(15), ip(19));
          return `IPv4(${parts.join(',')})`;
        }
        case 0x11:
          return need(1) ? `Unit(${d[0]})` : undefined;
        case 0x12:
          return need(6) ? `Sata(${u16le(d, 0)},${u16le(d, 2)},${u16le(d, 4)})` : undefined;
        case 0x17: {
          if (!need(12)) return undefined;
          const eui = Array.from(d.subarray(4, 12), (x) => x.toString(16).padStart(2, '0').toUpperCase()).join('-');
          return `NVMe(${hex(u32le(d, 0))},${eui})`;
        }
        case 0x18:
          return `Uri(${asciiz(d)})`;
        default:
          return undefined;
      }
    case 0x04: // Media
      switch (sub) {
        case 0x01: {
          if (!need(38)) return undefined;
          const num = u32le(d, 0);
          const start = hex(u64le(d, 4));
          const size = hex(u64le(d, 12));
          const fmt = d[36];
          const sigType = d[37];
          if (sigType === 0x02) return `HD(${num},GPT,${formatGuid(d, 20)},${start},${size})`;
          if (sigType === 0x01) return `HD(${num},MBR,${hex(u32le(d, 20))},${start},${size})`;
          return `HD(${num},${fmt},0,${start},${size})`;
        }
        case 0x02:
          return need(20) ? `CDROM(${hex(u32le(d, 0))},${hex(u64le(d, 4))},${hex(u64le(d, 12))})` : undefined;
        case 0x03:
          return need(16) ? `VenMedia(${formatGuid(d)}${d.length > 16 ? ',' + toHex(d.subarray(16)) : ''})` : undefined;
        case 0x04:
          return `File(${utf16z(d)})`;
        case 0x05:
          return need(16) ? `Media(${formatGuid(d)})` : undefined;
        case 0x06:
          return need(16) ? `FvFile(${formatGuid(d)})` : undefined;
        case 0x07:
          return need(16) ? `FvVol(${formatGuid(d)})` : undefined;
        case 0x08:
          return need(20) ? `Offset(${hex(u64le(d, 4))},${hex(u64le(d, 12))})` : undefined;
        default:
          return undefined;
      }
    case 0x05: // BIOS Boot Specification
      if (sub === 0x01 && need(4)) {
        const devType = u16le(d, 0);
        return `BBS(${BBS_TYPES[devType] ?? hex(devType)},${asciiz(d.subarray(4))},${hex(u16le(d, 2))})`;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The text form of a device path (a sequence of nodes ending with End Entire; End Instance prints as `,`).
 * @example devicePathToText(bytes) // 'PciRoot(0x0)/Pci(0x1,0x3)/Pci(0x0,0x0)/HD(1,GPT,…)/File(\EFI\redhat\shimx64.efi)'
 */
export function devicePathToText(b: Uint8Array): string {
  let out = '';
  let at = 0;
  let sep = '';
  while (at < b.length) {
    if (b.length - at < 4) {
      out += `${sep}Invalid(${toHex(b.subarray(at))})`;
      break;
    }
    const type = b[at];
    const sub = b[at + 1];
    const len = u16le(b, at + 2);
    if (len < 4 || at + len > b.length) {
      out += `${sep}Invalid(${toHex(b.subarray(at, Math.min(b.length, at + 64)))})`;
      break;
    }
    if (type === 0x7f) {
      if (sub === 0xff) break;
      if (sub === 0x01) {
        out += ',';
        sep = '';
        at += len;
        continue;
      }
    }
    const data = b.subarray(at + 4, at + len);
    out += sep + (nodeText(type, sub, data) ?? `Path(${type},${sub},${toHex(data)})`);
    sep = '/';
    at += len;
  }
  return out;
}
