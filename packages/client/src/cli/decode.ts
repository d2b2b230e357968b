/**
 * `tncjs decode`: PB-TNC batches and PA-TNC messages to their JSON form (see json-model.ts). Pure functions over
 * bytes; inspection mode: no direction check, unknown NOSKIP types are kept raw instead of being refused.
 */
import { Reader, toHex, isTncjsError, encodeVendorTlv, PEN, type Json, type TypedDef, type VendorTlv, type VendorTypeRegistry } from '@tncjs/common';
import {
  decodeBatch,
  peekBatchHeader,
  batchTypeName,
  defaultMessageRegistry,
  describePaSubtype,
  IetfMsg,
  BATCH_HEADER_SIZE,
  type MessageRegistry,
} from '@tncjs/pb-tnc';
import { decodePaTncMessage, defaultAttributeRegistry, MESSAGE_HEADER_SIZE as PA_TNC_HEADER_SIZE, type AttributeRegistry } from '@tncjs/pa-tnc';
import type { AttributeJson, BatchJson, MessageJson, PaMessageJson } from './json-model.js';

/** Registries to decode with (default: the process-wide default registries, extended by e.g. @tncjs/pts). */
export interface RegistryOptions {
  messageRegistry?: MessageRegistry;
  attributeRegistry?: AttributeRegistry;
}

/** The PB-PA value as PbPa's codec decodes it (RFC 5793 §4.5). */
interface PbPaValue {
  paVendorId: number;
  paSubtype: number;
  body: Uint8Array;
}

/**
 * Decode a PB-TNC batch to JSON.
 * @throws PbTncDecodeError (a DecodeError with the offset) when the batch is malformed
 * @example
 * decodeBatchToJson(fromHex('0200000600000008'))
 * // { version: 2, direction: 'client', type: 'CLOSE', length: 8, messages: [] }
 */
export function decodeBatchToJson(bytes: Uint8Array, options: RegistryOptions = {}): BatchJson {
  const messageRegistry = options.messageRegistry ?? defaultMessageRegistry();
  const batch = decodeBatch(bytes, { registry: messageRegistry, keepUnknownNoskip: true });
  const header = peekBatchHeader(bytes);
  const lengths = elementLengths(bytes, BATCH_HEADER_SIZE, batch.messages.length);
  return {
    version: header.version,
    direction: batch.fromServer ? 'server' : 'client',
    type: batchTypeName(batch.type),
    length: header.length,
    messages: batch.messages.map((m, i) => {
      const json: MessageJson = { ...elementJson(m, messageRegistry, lengths[i]) };
      if (m.type && m.vendorId === PEN.IETF && m.typeId === IetfMsg.PA) Object.assign(json, paJson(m.value as PbPaValue, options));
      return json;
    }),
  };
}

/**
 * Decode a PA-TNC message to JSON.
 * @throws PaTncDecodeError (a DecodeError with the offset) when the message is malformed
 */
export function decodePaMessageToJson(bytes: Uint8Array, options: RegistryOptions = {}): PaMessageJson {
  const registry = options.attributeRegistry ?? defaultAttributeRegistry();
  const m = decodePaTncMessage(bytes, { registry, keepUnknownNoskip: true });
  const lengths = elementLengths(bytes, PA_TNC_HEADER_SIZE, m.attributes.length);
  return {
    version: m.version,
    identifier: `0x${m.identifier.toString(16).padStart(8, '0')}`,
    attributes: m.attributes.map((a, i) => elementJson(a, registry, lengths[i]) as AttributeJson),
  };
}

/** The PA part of a PB-PA message: its type's name and the body as a PA-TNC message, or why it is not one. */
function paJson(v: PbPaValue, options: RegistryOptions): Pick<MessageJson, 'paType' | 'paMessage' | 'paMessageError'> {
  const paType = describePaSubtype(v.paVendorId, v.paSubtype);
  try {
    return { paType, paMessage: decodePaMessageToJson(v.body, options) };
  } catch (e) {
    if (!isTncjsError(e)) throw e;
    return { paType, paMessageError: e.message };
  }
}

/** Header fields and value of one PB-TNC message or PA-TNC attribute (the same (flags, vendor, type, length) TLV). */
function elementJson(
  e: VendorTlv<unknown, TypedDef<any>>,
  registry: Pick<VendorTypeRegistry<TypedDef<any>>, 'nameOf'>,
  length: number | undefined,
): MessageJson | AttributeJson {
  const head = {
    name: registry.nameOf(e.vendorId, e.typeId),
    vendorId: e.vendorId,
    type: e.typeId,
    noskip: e.noskip,
    length: length ?? encodedLength(e),
  };
  if (!e.type) return { ...head, raw: toHex(e.value as Uint8Array) };
  return { ...head, value: e.type.body.toJSON(e.value) as Json };
}

/**
 * The Length fields of the TLVs from `start` to the end, as sent. The decoded model does not keep them; the input was
 * already validated by the decoder, so this walk cannot fail, and it is only trusted when it finds `expected` TLVs.
 */
function elementLengths(bytes: Uint8Array, start: number, expected: number): (number | undefined)[] {
  const out: number[] = [];
  try {
    const r = new Reader(bytes);
    r.skip(start);
    while (r.remaining > 0) {
      r.skip(8);
      const n = r.u32();
      out.push(n);
      r.skip(n - 12);
    }
  } catch {
    return [];
  }
  return out.length === expected ? out : [];
}

/** Length of the element as this library encodes it (fallback only; equal to the sent length for canonical input). */
function encodedLength(e: VendorTlv<unknown, TypedDef<any>>): number {
  return encodeVendorTlv(e).byteLength;
}
