/** The PB-TNC side of the shared suites: messages (RFC 5793 §4.2) inside batches (§4.1). */
import { expect } from '@jest/globals';
import {
  BatchType,
  PbErrorCode,
  PbTncDecodeError,
  createMessageRegistry,
  decodeBatch,
  encodeBatch,
  type MessageRegistry,
  type MessageType,
  type PbTncMessage,
} from '@tncjs/pb-tnc';
import type { VendorTlvLayer } from './compliance.js';

/** The batch a sender would carry this type in: RESULT-only types from the server in RESULT, the rest in CDATA. */
export function batchKindFor(def: MessageType<any>): { fromServer: boolean; type: BatchType } {
  return def.resultOnly ? { fromServer: true, type: BatchType.RESULT } : { fromServer: false, type: BatchType.CDATA };
}

/** NOSKIP values RFC 5793 §4.3 (and strongSwan) accept for a type: PB-Experimental must not have it. */
export function pbNoskipAccepted(def: MessageType<any>): boolean[] {
  if (def.noskipRule === 'set') return [true];
  if (def.noskipRule === 'clear') return [false];
  return def.vendorId === 0 && def.type === 0 ? [false] : [false, true];
}

export const pbTncLayer: VendorTlvLayer<MessageType<any>> = {
  element: 'PB-TNC message',
  errorName: 'PbTncDecodeError',
  isTypedError: (e): e is PbTncDecodeError => e instanceof PbTncDecodeError,
  errorCodeString: 'ERR_PB_TNC',
  invalidParameter: PbErrorCode.INVALID_PARAMETER,
  unsupported: PbErrorCode.UNSUPPORTED_MANDATORY_MSG,
  headerSize: 8,
  containerHasLength: true,
  registry: createMessageRegistry,
  noskipAccepted: pbNoskipAccepted,
  encode: (def, elements) => encodeBatch({ ...batchKindFor(def), messages: elements as ReadonlyArray<PbTncMessage<unknown> | Uint8Array> }),
  decode: (bytes, registry, options) => decodeBatch(bytes, { registry: registry as MessageRegistry, ...options }).messages,
  checkUnsupported: (e) => {
    // RFC 5793 §4.9: an unsupported mandatory message is answered with a fatal PB-Error
    expect((e as PbTncDecodeError).fatal).toBe(true);
  },
};
