export { Reader, Writer, toHex, fromHex, isHex, equalBytes, concatBytes, decodeUtf8, encodeUtf8, utf8ByteLength } from './bytes.js';
export { TncjsError, DecodeError, isTncjsError } from './errors.js';
export {
  Logger,
  SUBSYSTEMS,
  formatTime,
  hexdump,
  parseLevels,
  getLogger,
  setLogger,
  type Subsystem,
  type Level,
  type LogRecord,
  type LoggerOptions,
} from './logger.js';
export {
  u8,
  u16,
  u24,
  u32,
  u64,
  enumOf,
  flagsOf,
  bytes,
  utf8,
  reserved,
  struct,
  list,
  custom,
  encodeWith,
  decodeWith,
  type Codec,
  type CodecKind,
  type Infer,
  type Json,
  type LengthSpec,
} from './codec.js';
export { PEN, penName, formatVendorType } from './pen.js';
export { VendorTypeRegistry, type VendorTypeDef } from './registry.js';
export {
  readVendorTlv,
  writeVendorTlv,
  encodeVendorTlv,
  VENDOR_TLV_HEADER_SIZE,
  NOSKIP,
  type TypedDef,
  type VendorTlv,
  type VendorTlvErrors,
} from './vendor-tlv.js';
