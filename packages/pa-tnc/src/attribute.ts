/**
 * RFC 5792 §4.1 PA-TNC attribute header and the typed attribute model.
 *
 *   0                   1                   2                   3
 *   |     Flags     |          PA-TNC Attribute Vendor ID           |
 *   |                     PA-TNC Attribute Type                     |
 *   |                    PA-TNC Attribute Length                    |
 *   |                 Attribute Value (Variable Length)             |
 *
 * Flags: bit 0 (0x80) NOSKIP. Length counts the 12-byte header.
 */
import { formatVendorType, VENDOR_TLV_HEADER_SIZE, NOSKIP, type Codec, type Json, type TypedDef, type VendorTlv } from '@tncjs/common';

export const ATTRIBUTE_HEADER_SIZE = VENDOR_TLV_HEADER_SIZE;
export const NOSKIP_FLAG = NOSKIP;

/** Definition of one attribute type: its (vendor, type), strongSwan's name and the codec of its value. */
export interface AttributeType<T = unknown> extends TypedDef<T> {
  /** Name as strongSwan prints it, e.g. `IETF/Product Information`. */
  readonly name: string;
  /** Create an attribute of this type. */
  create(value: T, options?: { noskip?: boolean }): PaTncAttribute<T>;
  /** Type guard: is `a` an attribute of this type (decoded, not raw)? */
  is(a: PaTncAttribute<any>): a is PaTncAttribute<T>;
}

/** One attribute. `type` is undefined for attributes kept raw (unknown to the registry); their value is the bytes. */
export type PaTncAttribute<T = unknown> = VendorTlv<T, AttributeType<T>>;

/** An attribute the registry does not know: vendor, type and value bytes, kept so it can be forwarded or re-encoded. */
export type RawAttribute = PaTncAttribute<Uint8Array> & { readonly type?: undefined };

export function rawAttribute(vendorId: number, typeId: number, value: Uint8Array, noskip = false): RawAttribute {
  return { vendorId, typeId, noskip, value };
}

/** Define an attribute type. One call per wire structure, in the file named after it. */
export function defineAttribute<T>(def: {
  vendorId: number;
  type: number;
  name: string;
  body: Codec<T>;
  validate?: (value: T, valueOffset: number) => void;
}): AttributeType<T> {
  const t: AttributeType<T> = {
    ...def,
    create: (value, options) => ({ vendorId: def.vendorId, typeId: def.type, noskip: options?.noskip ?? false, type: t, value }),
    is: (a): a is PaTncAttribute<T> => a.type === (t as AttributeType<any>),
  };
  return t;
}

/** Log/JSON label of an attribute: `'IETF/Product Information' 0x000000/0x00000002`. */
export function describeAttributeType(name: string, vendorId: number, typeId: number): string {
  return `'${name}' ${formatVendorType(vendorId, typeId)}`;
}

export type { Json, Codec };
