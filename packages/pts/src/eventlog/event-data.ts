/**
 * Event data decoded by event type, where the TCG PC Client PFP (and UEFI) define its structure. Decoding never
 * throws by default: data that does not match its type's structure comes back as `{ kind: 'Raw', error }`, so one odd
 * firmware event (tpm2-tools' "SecureBoot data len is 0") does not hide the rest of the log.
 */
import { decodeUtf8, DecodeError, toHex } from '@tncjs/common';
import { EventLogError } from './errors.js';
import { EventType } from './event-types.js';
import { decodeStartupLocalityEvent, noActionSignature } from './no-action-event.js';
import { decodeSpecIdEvent, isLegacySpecIdEvent, isSpecIdEvent03, specIdEventToJson, type SpecIdEvent } from './spec-id-event.js';
import { decodeTaggedEvent, type TaggedEvent } from './tagged-event.js';
import type { TcgEvent } from './tcg-pcr-event.js';
import { decodeUefiGptData, type UefiGptData } from './uefi-gpt-data.js';
import { decodeUefiHandoffTablePointers, decodeUefiHandoffTablePointers2, type UefiHandoffTablePointers } from './uefi-handoff-tables.js';
import { decodeUefiImageLoadEvent, type UefiImageLoadEvent } from './uefi-image-load-event.js';
import {
  decodeUefiPlatformFirmwareBlob,
  decodeUefiPlatformFirmwareBlob2,
  type UefiPlatformFirmwareBlob,
} from './uefi-platform-firmware-blob.js';
import { decodeUefiVariableData, type UefiVariableData } from './uefi-variable-data.js';

/** Decoded event data, by structure. */
export type EventData =
  | { kind: 'SpecIdEvent'; specId: SpecIdEvent }
  | { kind: 'StartupLocality'; startupLocality: number }
  | { kind: 'NoAction'; signature?: string; data: Uint8Array }
  | { kind: 'String'; string: string; encoding: 'ascii' | 'utf-8' | 'utf-16le' }
  | { kind: 'Separator'; value: number }
  | ({ kind: 'UefiVariableData' } & UefiVariableData)
  | ({ kind: 'UefiImageLoadEvent' } & UefiImageLoadEvent)
  | ({ kind: 'UefiPlatformFirmwareBlob' } & UefiPlatformFirmwareBlob)
  | ({ kind: 'UefiHandoffTablePointers' } & UefiHandoffTablePointers)
  | ({ kind: 'UefiGptData' } & UefiGptData)
  | ({ kind: 'TaggedEvent' } & TaggedEvent)
  | { kind: 'Raw'; data: Uint8Array; error?: string };

function stripNuls(b: Uint8Array, unit: 1 | 2): Uint8Array {
  let end = b.length;
  while (end >= unit && b[end - 1] === 0 && (unit === 1 || b[end - 2] === 0)) end -= unit;
  return b.subarray(0, end);
}

/**
 * Event text as firmware writes it: UTF-16LE when every second byte is zero (S-CRTM versions, systemd-boot's
 * EV_IPL command lines), otherwise UTF-8 (or Latin-1 when not valid UTF-8). Trailing NULs are removed.
 */
export function decodeEventText(data: Uint8Array): { string: string; encoding: 'ascii' | 'utf-8' | 'utf-16le' } {
  if (data.length >= 2 && data.length % 2 === 0) {
    let utf16 = true;
    let nonzero = false;
    for (let i = 0; i < data.length; i += 2) {
      if (data[i + 1] !== 0) {
        utf16 = false;
        break;
      }
      if (data[i] !== 0) nonzero = true;
    }
    if (utf16 && nonzero) {
      const b = stripNuls(data, 2);
      const units: number[] = [];
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) {
        units.push(b[i] | (b[i + 1] << 8));
        if (units.length === 4096) s += String.fromCharCode(...units.splice(0));
      }
      return { string: s + String.fromCharCode(...units), encoding: 'utf-16le' };
    }
  }
  const b = stripNuls(data, 1);
  let ascii = true;
  for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) ascii = false;
  if (ascii) return { string: latin1(b), encoding: 'ascii' };
  try {
    return { string: decodeUtf8(b), encoding: 'utf-8' };
  } catch {
    return { string: latin1(b), encoding: 'ascii' };
  }
}

/** Bytes as Latin-1 code points, in slices (no spread of a large array onto the stack). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

function dataOffset(ev: TcgEvent): number {
  return ev.offset + ev.size - ev.data.length;
}

function decodeStrict(ev: TcgEvent): EventData {
  const d = ev.data;
  const at = dataOffset(ev);
  switch (ev.eventType) {
    case EventType.EV_NO_ACTION: {
      if (isSpecIdEvent03(d) || isLegacySpecIdEvent(d)) return { kind: 'SpecIdEvent', specId: decodeSpecIdEvent(d, at) };
      const signature = noActionSignature(d);
      if (signature === 'StartupLocality') return { kind: 'StartupLocality', startupLocality: decodeStartupLocalityEvent(d, at).startupLocality };
      return { kind: 'NoAction', ...(signature ? { signature } : {}), data: d };
    }
    case EventType.EV_SEPARATOR:
      if (d.length === 4) return { kind: 'Separator', value: (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0 };
      return { kind: 'Raw', data: d };
    case EventType.EV_ACTION:
    case EventType.EV_EFI_ACTION:
    case EventType.EV_EFI_HCRTM_EVENT:
    case EventType.EV_S_CRTM_VERSION:
    case EventType.EV_IPL:
    case EventType.EV_OMIT_BOOT_DEVICE_EVENTS:
    case EventType.EV_COMPACT_HASH:
      return { kind: 'String', ...decodeEventText(d) };
    case EventType.EV_POST_CODE:
    case EventType.EV_S_CRTM_CONTENTS:
    case EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB:
      // PFP: a UEFI_PLATFORM_FIRMWARE_BLOB, or (EV_POST_CODE) a string such as "ACPI DATA" / "SMM CODE".
      if (d.length === 16) return { kind: 'UefiPlatformFirmwareBlob', ...decodeUefiPlatformFirmwareBlob(d, at) };
      if (ev.eventType === EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB) return { kind: 'UefiPlatformFirmwareBlob', ...decodeUefiPlatformFirmwareBlob(d, at) };
      return { kind: 'String', ...decodeEventText(d) };
    case EventType.EV_POST_CODE2:
    case EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2:
      return { kind: 'UefiPlatformFirmwareBlob', ...decodeUefiPlatformFirmwareBlob2(d, at) };
    case EventType.EV_EVENT_TAG:
      return { kind: 'TaggedEvent', ...decodeTaggedEvent(d, at) };
    case EventType.EV_EFI_VARIABLE_DRIVER_CONFIG:
    case EventType.EV_EFI_VARIABLE_BOOT:
    case EventType.EV_EFI_VARIABLE_BOOT2:
    case EventType.EV_EFI_SPDM_DEVICE_POLICY:
      return { kind: 'UefiVariableData', ...decodeUefiVariableData(d, at) };
    case EventType.EV_EFI_VARIABLE_AUTHORITY:
    case EventType.EV_EFI_SPDM_DEVICE_AUTHORITY:
      return { kind: 'UefiVariableData', ...decodeUefiVariableData(d, at, true) };
    case EventType.EV_EFI_BOOT_SERVICES_APPLICATION:
    case EventType.EV_EFI_BOOT_SERVICES_DRIVER:
    case EventType.EV_EFI_RUNTIME_SERVICES_DRIVER:
      return { kind: 'UefiImageLoadEvent', ...decodeUefiImageLoadEvent(d, at) };
    case EventType.EV_EFI_GPT_EVENT:
    case EventType.EV_EFI_GPT_EVENT2:
      return { kind: 'UefiGptData', ...decodeUefiGptData(d, at) };
    case EventType.EV_EFI_HANDOFF_TABLES:
      return { kind: 'UefiHandoffTablePointers', ...decodeUefiHandoffTablePointers(d, at) };
    case EventType.EV_EFI_HANDOFF_TABLES2:
      return { kind: 'UefiHandoffTablePointers', ...decodeUefiHandoffTablePointers2(d, at) };
    default:
      return { kind: 'Raw', data: d };
  }
}

export interface DecodeEventDataOptions {
  /** Throw `EventLogError` (`ERR_EVENT_DATA`) for data that does not match its type's structure (default false). */
  strict?: boolean;
}

/**
 * Decode an event's data by its type.
 * @throws EventLogError (`ERR_EVENT_DATA`) only with `strict: true`; otherwise malformed data is returned as `Raw`
 *   with the reason and offset in `error`
 */
export function decodeEventData(ev: TcgEvent, options: DecodeEventDataOptions = {}): EventData {
  try {
    return decodeStrict(ev);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    if (options.strict) throw new EventLogError(`malformed event data: ${e.reason}`, e.offset, ev.index, 'ERR_EVENT_DATA', { cause: e });
    return { kind: 'Raw', data: ev.data, error: e.message };
  }
}

/** A JSON-friendly copy: bigints as `0x…` strings, byte arrays as hex, Spec ID events in tpm2-tools' field names. */
export function eventDataToJson(d: EventData): Record<string, unknown> {
  if (d.kind === 'SpecIdEvent') return { kind: d.kind, ...specIdEventToJson(d.specId) };
  return jsonify(d) as Record<string, unknown>;
}

/** Recursively convert bigints to `0x…` and Uint8Arrays to hex; drop undefined. */
export function jsonify(v: unknown): unknown {
  if (typeof v === 'bigint') return `0x${v.toString(16)}`;
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(jsonify);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = jsonify(x);
    return out;
  }
  return v;
}

