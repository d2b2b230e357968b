/**
 * The (flags, vendor ID, type, length) element shared by PB-TNC messages (RFC 5793 §4.2) and PA-TNC attributes
 * (RFC 5792 §4.1): 1 byte flags (0x80 NOSKIP), 24-bit vendor, 32-bit type, 32-bit length counting the 12-byte header.
 * One reader and one writer for both; each layer supplies its own errors.
 */
import { Writer, type Reader } from './bytes.js';
import { DecodeError, isTncjsError } from './errors.js';
import type { Codec } from './codec.js';
import type { VendorTypeDef, VendorTypeRegistry } from './registry.js';

export const VENDOR_TLV_HEADER_SIZE = 12;
export const NOSKIP = 0x80;

/** A registered type that decodes its value. */
export interface TypedDef<T = unknown> extends VendorTypeDef {
  readonly body: Codec<T>;
  validate?(value: T, valueOffset: number): void;
}

/** A decoded element: `type` is undefined when the registry does not know it (then `value` is the raw bytes). */
export interface VendorTlv<T = unknown, D extends TypedDef<T> = TypedDef<T>> {
  readonly vendorId: number;
  readonly typeId: number;
  readonly noskip: boolean;
  readonly type?: D;
  readonly value: T;
}

/** How a layer turns failures into its own protocol errors. */
export interface VendorTlvErrors {
  /** Malformed header, length or value: PB-Error / PA-TNC Error "Invalid Parameter". */
  invalid(message: string, offset: number, cause?: unknown): Error;
  /** Unknown type with NOSKIP set. */
  unsupported(message: string, offset: number, info: { noskip: boolean; vendorId: number; typeId: number }): Error;
}

export function writeVendorTlv(w: Writer, e: VendorTlv<unknown, TypedDef<any>>): void {
  const start = w.length;
  w.u8(e.noskip ? NOSKIP : 0).u24(e.vendorId).u32(e.typeId);
  const setLength = w.placeholderU32();
  if (e.type) e.type.body.encode(w, e.value);
  else w.bytes(e.value as Uint8Array);
  setLength(w.length - start);
}

/** Bytes of one element on its own. */
export function encodeVendorTlv(e: VendorTlv<unknown, TypedDef<any>>): Uint8Array {
  const w = new Writer(64);
  writeVendorTlv(w, e);
  return w.finish();
}

/**
 * Decode the element at the reader's position; unknown types without NOSKIP are kept raw (with NOSKIP too when
 * `keepUnknownNoskip`, for inspection tools that must show everything).
 */
export function readVendorTlv<D extends TypedDef<any>>(
  r: Reader,
  registry: VendorTypeRegistry<D>,
  errors: VendorTlvErrors,
  options: { keepUnknownNoskip?: boolean } = {},
): VendorTlv<unknown, D> {
  const start = r.offset;
  if (r.remaining < VENDOR_TLV_HEADER_SIZE) throw errors.invalid(`insufficient bytes (${r.remaining}) for header`, start);
  const flags = r.u8();
  const vendorId = r.u24();
  const typeId = r.u32();
  const length = r.u32();
  const noskip = (flags & NOSKIP) !== 0;
  if (length < VENDOR_TLV_HEADER_SIZE || length - VENDOR_TLV_HEADER_SIZE > r.remaining) {
    throw errors.invalid(`invalid length ${length} of ${registry.nameOf(vendorId, typeId)}`, start + 8);
  }
  const valueOffset = r.offset;
  const value = r.sub(length - VENDOR_TLV_HEADER_SIZE);
  const type = registry.get(vendorId, typeId);
  if (!type) {
    if (noskip && !options.keepUnknownNoskip) throw errors.unsupported(`unsupported ${registry.nameOf(vendorId, typeId)} with NOSKIP flag`, start, { noskip, vendorId, typeId });
    return { vendorId, typeId, noskip, value: value.rest() };
  }
  try {
    const v = type.body.decode(value);
    value.end(type.name);
    type.validate?.(v, valueOffset);
    return { vendorId, typeId, noskip, type, value: v };
  } catch (e) {
    if (!isTncjsError(e) || e.code === 'ERR_PA_TNC' || e.code === 'ERR_PB_TNC') throw e;
    const offset = e instanceof DecodeError ? e.offset : valueOffset;
    throw errors.invalid(`invalid ${type.name}: ${e instanceof DecodeError ? e.reason : e.message}`, offset, e);
  }
}
