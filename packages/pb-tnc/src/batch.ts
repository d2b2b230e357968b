/**
 * RFC 5793 §4.1 PB-TNC batch: an 8-byte header followed by PB-TNC messages.
 *
 *   |    Version    |D|               Reserved                | B-Type|
 *   |                         Batch Length                          |
 *
 * Version 2. D (0x80 in byte 1) is set on batches the server sends. Batch Length counts the header.
 */
import { Reader, Writer, readVendorTlv, writeVendorTlv, encodeVendorTlv } from '@tncjs/common';
import type { MessageRegistry, PbTncMessage } from './message.js';
import { PbErrorCode, PbTncDecodeError } from './errors.js';

export const PB_TNC_VERSION = 2;
export const BATCH_HEADER_SIZE = 8;
const DIRECTION_FLAG = 0x80;

export const BatchType = { CDATA: 1, SDATA: 2, RESULT: 3, CRETRY: 4, SRETRY: 5, CLOSE: 6 } as const;
export type BatchType = (typeof BatchType)[keyof typeof BatchType];

export const BATCH_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'CDATA',
  2: 'SDATA',
  3: 'RESULT',
  4: 'CRETRY',
  5: 'SRETRY',
  6: 'CLOSE',
};

export function batchTypeName(t: number): string {
  return BATCH_TYPE_NAMES[t] ?? `type ${t}`;
}

export interface PbTncBatch {
  /** True when the server sent it (D flag). */
  fromServer: boolean;
  type: BatchType;
  messages: PbTncMessage<unknown>[];
}

export interface BatchDecodeOptions {
  registry: MessageRegistry;
  /** When given, the D flag must match (a client only accepts server batches and vice versa). */
  expectFromServer?: boolean;
  /** Keep unknown NOSKIP messages raw instead of failing (inspection tools; a PB-TNC receiver must not). */
  keepUnknownNoskip?: boolean;
}

/** Encode one message on its own (header + value). */
export function encodeMessage(m: PbTncMessage<unknown>): Uint8Array {
  return encodeVendorTlv(m);
}

/** Encode a batch. Messages already encoded (`Uint8Array`) are copied as they are. */
export function encodeBatch(b: {
  fromServer: boolean;
  type: BatchType;
  messages: ReadonlyArray<PbTncMessage<unknown> | Uint8Array>;
  /** Only for tests of peers' version handling: anything but 2 is not PB-TNC. */
  version?: number;
}): Uint8Array {
  const w = new Writer(256);
  w.u8(b.version ?? PB_TNC_VERSION).u8(b.fromServer ? DIRECTION_FLAG : 0).u8(0).u8(b.type);
  const setLength = w.placeholderU32();
  for (const m of b.messages) {
    if (m instanceof Uint8Array) w.bytes(m);
    else writeVendorTlv(w, m);
  }
  setLength(w.length);
  return w.finish();
}

/** Read just the batch header (type, direction, length) without decoding messages. */
export function peekBatchHeader(bytes: Uint8Array): { version: number; fromServer: boolean; type: number; length: number } {
  const r = new Reader(bytes);
  const version = r.u8('batch header');
  const flags = r.u8('batch header');
  r.u8('batch header');
  const type = r.u8('batch header') & 0x0f;
  const length = r.u32('batch length');
  return { version, fromServer: (flags & DIRECTION_FLAG) !== 0, type, length };
}

/**
 * Decode a batch.
 * @throws PbTncDecodeError with the PB-Error code and offset RFC 5793 prescribes: Version Not Supported (fatal),
 *   Invalid Parameter for a bad header, length or message value, Unsupported Mandatory Message for an unknown message
 *   with NOSKIP.
 */
export function decodeBatch(bytes: Uint8Array, options: BatchDecodeOptions): PbTncBatch {
  if (bytes.byteLength < BATCH_HEADER_SIZE) {
    throw new PbTncDecodeError(`PB-TNC batch too short (${bytes.byteLength} bytes)`, 0, PbErrorCode.INVALID_PARAMETER, true);
  }
  const h = peekBatchHeader(bytes);
  if (h.version !== PB_TNC_VERSION) {
    throw new PbTncDecodeError(`unsupported PB-TNC version ${h.version}`, 0, PbErrorCode.VERSION_NOT_SUPPORTED, true, { badVersion: h.version });
  }
  if (options.expectFromServer !== undefined && h.fromServer !== options.expectFromServer) {
    throw new PbTncDecodeError(
      `wrong Directionality flag in PB-TNC batch from ${options.expectFromServer ? 'server' : 'client'}`,
      1,
      PbErrorCode.INVALID_PARAMETER,
      true,
    );
  }
  if (!(h.type in BATCH_TYPE_NAMES)) {
    throw new PbTncDecodeError(`unknown PB-TNC batch type ${h.type}`, 3, PbErrorCode.INVALID_PARAMETER, true);
  }
  if (h.length !== bytes.byteLength) {
    throw new PbTncDecodeError(
      `PB-TNC batch length field (${h.length}) does not match received length (${bytes.byteLength})`,
      4,
      PbErrorCode.INVALID_PARAMETER,
      true,
    );
  }
  const r = new Reader(bytes);
  r.skip(BATCH_HEADER_SIZE);
  const messages: PbTncMessage<unknown>[] = [];
  const errors = {
    invalid: (msg: string, offset: number, cause?: unknown) =>
      new PbTncDecodeError(`PB-TNC message: ${msg}`, offset, PbErrorCode.INVALID_PARAMETER, true, { cause }),
    unsupported: (msg: string, offset: number) =>
      new PbTncDecodeError(`PB-TNC message: ${msg}`, offset, PbErrorCode.UNSUPPORTED_MANDATORY_MSG, true),
  };
  while (r.remaining > 0) {
    const start = r.offset;
    const m = readVendorTlv(r, options.registry, errors, options) as PbTncMessage<unknown>;
    const t = m.type;
    if (t) {
      if (t.noskipRule === 'any' && m.noskip && t.type === 0 && t.vendorId === 0) {
        throw new PbTncDecodeError(`reject ${t.name} message with NOSKIP flag set`, start, PbErrorCode.UNSUPPORTED_MANDATORY_MSG, true);
      }
      if (t.noskipRule !== 'any' && m.noskip !== (t.noskipRule === 'set')) {
        throw new PbTncDecodeError(`${t.name} message must${m.noskip ? ' not' : ''} have NOSKIP flag set`, start, PbErrorCode.INVALID_PARAMETER, true);
      }
      if (t.resultOnly && h.type !== BatchType.RESULT && options.expectFromServer !== undefined) {
        if (options.expectFromServer === false) {
          throw new PbTncDecodeError(`reject ${t.name} message received from a PB-TNC client`, start, PbErrorCode.INVALID_PARAMETER, true);
        }
        continue; // a client ignores RESULT-only messages outside a RESULT batch
      }
    }
    messages.push(m);
  }
  return { fromServer: h.fromServer, type: h.type as BatchType, messages };
}
