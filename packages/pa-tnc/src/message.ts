/**
 * RFC 5792 §4 PA-TNC message: an 8-byte header followed by attributes.
 *
 *   |    Version    |                    Reserved                   |
 *   |                       Message Identifier                      |
 *   |                     PA-TNC Attribute(s) ...
 */
import { Reader, Writer, readVendorTlv, writeVendorTlv, encodeVendorTlv } from '@tncjs/common';
import type { PaTncAttribute } from './attribute.js';
import { PaTncDecodeError, PaTncErrorCode } from './errors.js';
import type { AttributeRegistry } from './registry.js';

export const PA_TNC_VERSION = 1;
export const MESSAGE_HEADER_SIZE = 8;

export interface PaTncMessage {
  /** Always 1 for RFC 5792. */
  version: number;
  /** Message identifier (random per message in strongSwan). */
  identifier: number;
  attributes: PaTncAttribute<unknown>[];
}

export interface DecodeOptions {
  registry: AttributeRegistry;
  /** Keep unknown NOSKIP attributes raw instead of failing (inspection tools; a PA-TNC receiver must not). */
  keepUnknownNoskip?: boolean;
}

/** Encode one attribute (header + value). */
export function encodeAttribute(a: PaTncAttribute<unknown>): Uint8Array {
  return encodeVendorTlv(a);
}

/** Encode a whole PA-TNC message. Attributes already encoded (`Uint8Array`) are copied as they are. */
export function encodePaTncMessage(m: {
  identifier: number;
  attributes: ReadonlyArray<PaTncAttribute<unknown> | Uint8Array>;
  version?: number;
}): Uint8Array {
  const w = new Writer(512);
  w.u8(m.version ?? PA_TNC_VERSION).u24(0).u32(m.identifier >>> 0);
  for (const a of m.attributes) {
    if (a instanceof Uint8Array) w.bytes(a);
    else writeVendorTlv(w, a);
  }
  return w.finish();
}

/**
 * Decode a PA-TNC message. Unknown attributes without NOSKIP are kept raw.
 * @throws PaTncDecodeError on anything RFC 5792 says to answer with a PA-TNC Error: wrong version (Version Not
 *   Supported), an unknown attribute with NOSKIP (Attribute Type Not Supported), a malformed header or value (Invalid
 *   Parameter, with the offset of the offending field counted from the start of the message).
 */
export function decodePaTncMessage(bytes: Uint8Array, options: DecodeOptions): PaTncMessage {
  const header = bytes.slice(0, MESSAGE_HEADER_SIZE);
  if (bytes.byteLength < MESSAGE_HEADER_SIZE) {
    throw new PaTncDecodeError(`PA-TNC message too short (${bytes.byteLength} bytes)`, 0, PaTncErrorCode.INVALID_PARAMETER, header);
  }
  const r = new Reader(bytes);
  const version = r.u8();
  r.skip(3);
  const identifier = r.u32();
  if (version !== PA_TNC_VERSION) {
    throw new PaTncDecodeError(`PA-TNC version ${version} not supported`, 0, PaTncErrorCode.VERSION_NOT_SUPPORTED, header);
  }
  const errors = {
    invalid: (msg: string, offset: number, cause?: unknown) =>
      new PaTncDecodeError(`PA-TNC attribute: ${msg}`, offset, PaTncErrorCode.INVALID_PARAMETER, header, { cause }),
    unsupported: (msg: string, offset: number, attribute: { noskip: boolean; vendorId: number; typeId: number }) =>
      new PaTncDecodeError(`PA-TNC attribute: ${msg}`, offset, PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED, header, { attribute }),
  };
  const attributes: PaTncAttribute<unknown>[] = [];
  while (r.remaining > 0) attributes.push(readVendorTlv(r, options.registry, errors, options) as PaTncAttribute<unknown>);
  return { version, identifier, attributes };
}
