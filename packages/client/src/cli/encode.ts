/**
 * `tncjs encode`: the JSON form that `tncjs decode` prints (json-model.ts) back to PB-TNC batch or PA-TNC message
 * bytes. Pure functions; every error is a `TypeError` (or a `RangeError` from the writer) naming the JSON path of the
 * offending field, e.g. `batch.messages[0].value.languagePreference: expected string, got 5`.
 *
 * Values go through each type's `body.fromJSON`; `raw` hex is written as it is, for any type, so malformed values can
 * be built on purpose. A PB-PA message with `paMessage` gets its body encoded from it (`value.body` is then ignored).
 * Lengths are always recomputed. Header fields that the codecs do not model (the batch's version byte) are written as
 * given, so a decoded batch encodes back to the same bytes.
 */
import { encodeVendorTlv, fromHex, PEN, type TypedDef, type VendorTlv } from '@tncjs/common';
import {
  encodeBatch,
  defaultMessageRegistry,
  describeMessageType,
  BATCH_TYPE_NAMES,
  PB_TNC_VERSION,
  IetfMsg,
  type BatchType,
} from '@tncjs/pb-tnc';
import { encodePaTncMessage, defaultAttributeRegistry, describeAttributeType, PA_TNC_VERSION } from '@tncjs/pa-tnc';
import type { RegistryOptions } from './decode.js';

/**
 * Encode a PB-TNC batch from its JSON form.
 * @throws TypeError naming the JSON path of a field that does not fit
 * @example
 * toHex(encodeBatchFromJson({ version: 2, direction: 'client', type: 'CLOSE', messages: [] })) // '0200000600000008'
 */
export function encodeBatchFromJson(json: unknown, options: RegistryOptions = {}): Uint8Array {
  const path = 'batch';
  const o = object(json, path);
  const version = o.version === undefined ? PB_TNC_VERSION : uint(o.version, `${path}.version`, 0xff);
  if (o.direction !== 'client' && o.direction !== 'server') throw expected(`${path}.direction`, '"client" or "server"', o.direction);
  const type = batchType(o.type, `${path}.type`);
  const messages = array(o.messages, `${path}.messages`).map((m, i) => messageBytes(m, `${path}.messages[${i}]`, options));
  return encodeBatch({ fromServer: o.direction === 'server', type, messages, version });
}

/**
 * Encode a PA-TNC message from its JSON form.
 * @throws TypeError naming the JSON path of a field that does not fit
 */
export function encodePaMessageFromJson(json: unknown, options: RegistryOptions = {}): Uint8Array {
  return paMessageBytes(json, 'message', options);
}

function paMessageBytes(json: unknown, path: string, options: RegistryOptions): Uint8Array {
  const registry = options.attributeRegistry ?? defaultAttributeRegistry();
  const o = object(json, path);
  const version = o.version === undefined ? PA_TNC_VERSION : uint(o.version, `${path}.version`, 0xff);
  const identifier = messageIdentifier(o.identifier, `${path}.identifier`);
  const attributes = array(o.attributes, `${path}.attributes`).map((a, i) => {
    const at = `${path}.attributes[${i}]`;
    const tlv = element(a, at, {
      get: (v, t) => registry.get(v, t),
      describe: (v, t) => describeAttributeType(registry.nameOf(v, t), v, t),
    });
    return withPath(at, () => encodeVendorTlv(tlv));
  });
  return encodePaTncMessage({ version, identifier, attributes });
}

/** One PB-TNC message; a PB-PA message with `paMessage` gets its PA message body encoded from it. */
function messageBytes(json: unknown, path: string, options: RegistryOptions): Uint8Array {
  const registry = options.messageRegistry ?? defaultMessageRegistry();
  const o = object(json, path);
  let paBody: Uint8Array | undefined;
  if (o.paMessage !== undefined) {
    if (o.vendorId !== PEN.IETF || o.type !== IetfMsg.PA || o.raw !== undefined) {
      throw new TypeError(`${path}.paMessage: only an IETF/PB-PA message given by "value" can carry a paMessage`);
    }
    paBody = paMessageBytes(o.paMessage, `${path}.paMessage`, options);
  }
  // PB-PA with paMessage: the PB-PA header fields come from `value`, the body from `paMessage`.
  const paValue = (type: TypedDef<unknown>) => {
    const header = type.body.fromJSON({ ...object(o.value, `${path}.value`), body: '' }, `${path}.value`) as object;
    return { ...header, body: paBody };
  };
  const tlv = element(o, path, {
    get: (v, t) => registry.get(v, t),
    describe: (v, t) => describeMessageType(registry, v, t),
    value: paBody && paValue,
  });
  return withPath(path, () => encodeVendorTlv(tlv));
}

interface ElementHooks {
  get(vendorId: number, typeId: number): TypedDef<unknown> | undefined;
  describe(vendorId: number, typeId: number): string;
  /** Builds the value instead of `type.body.fromJSON(o.value)`. */
  value?: (type: TypedDef<unknown>) => unknown;
}

/** The (flags, vendor, type, value) element shared by PB-TNC messages and PA-TNC attributes. */
function element(json: unknown, path: string, hooks: ElementHooks): VendorTlv<unknown, TypedDef<any>> {
  const o = object(json, path);
  const vendorId = uint(o.vendorId, `${path}.vendorId`, 0xffffff);
  const typeId = uint(o.type, `${path}.type`, 0xffffffff);
  if (o.noskip !== undefined && typeof o.noskip !== 'boolean') throw expected(`${path}.noskip`, 'boolean', o.noskip);
  const noskip = o.noskip as boolean | undefined;
  if (o.raw !== undefined) {
    if (o.value !== undefined) throw new TypeError(`${path}: give either "value" or "raw", not both`);
    return { vendorId, typeId, noskip: noskip ?? false, value: hex(o.raw, `${path}.raw`) };
  }
  const type = hooks.get(vendorId, typeId);
  if (!type) throw new TypeError(`${path}: ${hooks.describe(vendorId, typeId)} has no codec here; give its value as "raw" hex`);
  const value = withPath(`${path}.value`, () => (hooks.value ? hooks.value(type) : type.body.fromJSON(o.value, `${path}.value`)));
  const defaultNoskip = (type as { noskip?: boolean }).noskip ?? false;
  return { vendorId, typeId, noskip: noskip ?? defaultNoskip, type, value };
}

function batchType(j: unknown, path: string): BatchType {
  if (typeof j === 'string') {
    const found = Object.entries(BATCH_TYPE_NAMES).find(([, name]) => name === j);
    if (!found) throw expected(path, `one of ${Object.values(BATCH_TYPE_NAMES).join(', ')}`, j);
    return Number(found[0]) as BatchType;
  }
  // B-Type is 4 bits; numbers outside the named types are allowed to build test batches.
  return uint(j, path, 0x0f) as BatchType;
}

function messageIdentifier(j: unknown, path: string): number {
  if (typeof j === 'string' && /^0x[0-9a-fA-F]{1,8}$/.test(j)) return parseInt(j.slice(2), 16);
  if (typeof j === 'number') return uint(j, path, 0xffffffff);
  throw expected(path, '"0x" and up to 8 hex digits, or an integer', j);
}

function expected(path: string, want: string, got: unknown): TypeError {
  return new TypeError(`${path}: expected ${want}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
}

function object(j: unknown, path: string): Record<string, unknown> {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw expected(path, 'object', j);
  return j as Record<string, unknown>;
}

function array(j: unknown, path: string): unknown[] {
  if (!Array.isArray(j)) throw expected(path, 'array', j);
  return j;
}

function uint(j: unknown, path: string, max: number): number {
  if (typeof j !== 'number' || !Number.isInteger(j) || j < 0 || j > max) throw expected(path, `integer 0..${max}`, j);
  return j;
}

function hex(j: unknown, path: string): Uint8Array {
  if (typeof j === 'string') {
    try {
      return fromHex(j);
    } catch {
      // fall through
    }
  }
  throw expected(path, 'hex string', j);
}

/** Run `f`; a TypeError/RangeError that does not name a JSON path yet gets `path` in front. */
function withPath<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if ((e instanceof TypeError || e instanceof RangeError) && !e.message.startsWith(path)) {
      const E = e instanceof TypeError ? TypeError : RangeError;
      throw new E(`${path}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
