/**
 * RFC 5793 §4.2 PB-TNC message header and the typed message model.
 *
 *   |     Flags     |               PB-TNC Vendor ID                |
 *   |                       PB-TNC Message Type                     |
 *   |                      PB-TNC Message Length                    |
 *   |               PB-TNC Message Value (Variable Length)          |
 *
 * Flags: 0x80 NOSKIP. Length counts the 12-byte header.
 */
import { VendorTypeRegistry, formatVendorType, VENDOR_TLV_HEADER_SIZE, NOSKIP, type Codec, type TypedDef, type VendorTlv } from '@tncjs/common';

export const MESSAGE_HEADER_SIZE = VENDOR_TLV_HEADER_SIZE;
export const NOSKIP_FLAG = NOSKIP;

export interface MessageType<T = unknown> extends TypedDef<T> {
  /** Name as strongSwan prints it, e.g. `IETF/PB-PA`. */
  readonly name: string;
  /** NOSKIP as sent; receivers require exactly this value (RFC 5793 §4.3 table), except where `noskipRule` says 'any'. */
  readonly noskip: boolean;
  readonly noskipRule: 'set' | 'clear' | 'any';
  /** Only valid inside a RESULT batch (Assessment-Result, Access-Recommendation, Remediation-Parameters, Reason-String). */
  readonly resultOnly: boolean;
  create(value: T, options?: { noskip?: boolean }): PbTncMessage<T>;
  is(m: PbTncMessage<any>): m is PbTncMessage<T>;
}

/** One message. `type` is undefined for a message kept raw (unknown type without NOSKIP); its value is the bytes. */
export type PbTncMessage<T = unknown> = VendorTlv<T, MessageType<T>>;

export function defineMessage<T>(def: {
  vendorId: number;
  type: number;
  name: string;
  body: Codec<T>;
  noskip: boolean;
  noskipRule?: 'set' | 'clear' | 'any';
  resultOnly?: boolean;
  validate?: (value: T, valueOffset: number) => void;
}): MessageType<T> {
  const t: MessageType<T> = {
    ...def,
    noskipRule: def.noskipRule ?? (def.noskip ? 'set' : 'clear'),
    resultOnly: def.resultOnly ?? false,
    create: (value, options) => ({ vendorId: def.vendorId, typeId: def.type, noskip: options?.noskip ?? def.noskip, type: t, value }),
    is: (m): m is PbTncMessage<T> => m.type === (t as MessageType<any>),
  };
  return t;
}

export type { Codec };

export function rawMessage(vendorId: number, typeId: number, value: Uint8Array, noskip = false): PbTncMessage<Uint8Array> {
  return { vendorId, typeId, noskip, value };
}

export class MessageRegistry extends VendorTypeRegistry<MessageType<any>> {
  clone(): MessageRegistry {
    return this.copyInto(new MessageRegistry());
  }
}

/** `'IETF/PB-PA' 0x000000/0x00000001`. */
export function describeMessageType(registry: MessageRegistry, vendorId: number, typeId: number): string {
  return `'${registry.nameOf(vendorId, typeId)}' ${formatVendorType(vendorId, typeId)}`;
}
