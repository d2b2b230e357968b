/**
 * RFC 5793 §4.8 PB-Remediation-Parameters, and the remediation parameters codec it shares with the PA-TNC
 * Remediation Instructions attribute (RFC 5792 §4.2.10).
 *
 *   |   Reserved    |       Remediation Parameters Vendor ID        |
 *   |                  Remediation Parameters Type                  |
 *   |           Remediation Parameters (Variable Length)            |
 *
 * IETF type 1 (Remediation-URI): the URI. IETF type 2 (Remediation-String): u32 length + string, u8 length +
 * language code. Other vendors/types are kept as bytes.
 */
import { PEN, custom, toHex, fromHex, isHex, decodeUtf8, encodeUtf8, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { IetfMsg } from './names.js';

export const RemediationType = { URI: 1, STRING: 2 } as const;
export const REMEDIATION_TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'Remediation-URI', 2: 'Remediation-String' };

export type RemediationParameters =
  | { vendorId: 0; type: 1; uri: string }
  | { vendorId: 0; type: 2; string: string; languageCode: string }
  | { vendorId: number; type: number; parameters: Uint8Array };

function isUri(v: RemediationParameters): v is { vendorId: 0; type: 1; uri: string } {
  return v.vendorId === PEN.IETF && v.type === RemediationType.URI && 'uri' in v;
}
function isString(v: RemediationParameters): v is { vendorId: 0; type: 2; string: string; languageCode: string } {
  return v.vendorId === PEN.IETF && v.type === RemediationType.STRING && 'string' in v;
}

function encode(w: Writer, v: RemediationParameters): void {
  w.u8(0).u24(v.vendorId).u32(v.type);
  if (isUri(v)) w.bytes(encodeUtf8(v.uri));
  else if (isString(v)) {
    const s = encodeUtf8(v.string);
    const l = encodeUtf8(v.languageCode);
    w.u32(s.byteLength).bytes(s).u8(l.byteLength).bytes(l);
  } else w.bytes((v as { parameters: Uint8Array }).parameters);
}

function decode(r: Reader): RemediationParameters {
  r.skip(1, 'reserved');
  const vendorId = r.u24('remediation parameters vendor');
  const type = r.u32('remediation parameters type');
  if (vendorId === PEN.IETF && type === RemediationType.URI) {
    const at = r.offset;
    return { vendorId: 0, type: 1, uri: decodeUtf8(r.borrow(r.remaining), at) };
  }
  if (vendorId === PEN.IETF && type === RemediationType.STRING) {
    const n = r.u32('remediation string length');
    let at = r.offset;
    const string = decodeUtf8(r.borrow(n, 'remediation string'), at);
    const m = r.u8('language code length');
    at = r.offset;
    const languageCode = decodeUtf8(r.borrow(m, 'language code'), at);
    return { vendorId: 0, type: 2, string, languageCode };
  }
  return { vendorId, type, parameters: r.rest() };
}

function toJSON(v: RemediationParameters): Json {
  const base: Record<string, Json> = { vendorId: v.vendorId, type: v.vendorId === PEN.IETF ? (REMEDIATION_TYPE_NAMES[v.type] ?? v.type) : v.type };
  if (isUri(v)) return { ...base, uri: v.uri };
  if (isString(v)) return { ...base, string: v.string, languageCode: v.languageCode };
  return { ...base, parameters: toHex((v as { parameters: Uint8Array }).parameters) };
}

function fromJSON(j: unknown, path: string): RemediationParameters {
  if (typeof j !== 'object' || j === null) throw new TypeError(`${path}: expected object`);
  const o = j as Record<string, unknown>;
  const vendorId = Number(o.vendorId ?? 0);
  let type = o.type;
  if (typeof type === 'string') type = Number(Object.entries(REMEDIATION_TYPE_NAMES).find(([, n]) => n === type)?.[0]);
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffff) throw new TypeError(`${path}.vendorId: expected integer`);
  if (typeof type !== 'number' || !Number.isInteger(type)) throw new TypeError(`${path}.type: expected integer or type name`);
  if (vendorId === 0 && type === 1 && typeof o.uri === 'string') return { vendorId: 0, type: 1, uri: o.uri };
  if (vendorId === 0 && type === 2 && typeof o.string === 'string') return { vendorId: 0, type: 2, string: o.string, languageCode: String(o.languageCode ?? '') };
  if (typeof o.parameters !== 'string' || !isHex(o.parameters)) throw new TypeError(`${path}.parameters: expected hex string`);
  return { vendorId, type, parameters: fromHex(o.parameters) };
}

/** The remediation parameters codec (also used by the PA-TNC Remediation Instructions attribute). */
export const remediationParameters = custom<RemediationParameters>('RemediationParameters', { encode, decode, toJSON, fromJSON });

export const PbRemediationParameters = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.REMEDIATION_PARAMETERS,
  name: 'IETF/PB-Remediation-Parameters',
  noskip: false,
  resultOnly: true,
  body: remediationParameters,
});
