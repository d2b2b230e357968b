/** The PA-TNC side of the shared suites: attributes (RFC 5792 §4.1) inside PA-TNC messages (§4). */
import { expect } from '@jest/globals';
import {
  PaTncDecodeError,
  PaTncErrorCode,
  createAttributeRegistry,
  decodePaTncMessage,
  encodePaTncMessage,
  type AttributeRegistry,
  type AttributeType,
  type PaTncAttribute,
} from '@tncjs/pa-tnc';
import type { VendorTlvLayer } from './compliance.js';

/** Message identifier of the PA-TNC messages the suites build. */
export const TEST_MESSAGE_ID = 0x5a5a0001;

export const paTncLayer: VendorTlvLayer<AttributeType<any>> = {
  element: 'PA-TNC attribute',
  errorName: 'PaTncDecodeError',
  isTypedError: (e): e is PaTncDecodeError => e instanceof PaTncDecodeError,
  errorCodeString: 'ERR_PA_TNC',
  invalidParameter: PaTncErrorCode.INVALID_PARAMETER,
  unsupported: PaTncErrorCode.ATTR_TYPE_NOT_SUPPORTED,
  headerSize: 8,
  containerHasLength: false,
  registry: createAttributeRegistry,
  noskipAccepted: () => [false, true],
  encode: (_def, elements) => encodePaTncMessage({ identifier: TEST_MESSAGE_ID, attributes: elements as ReadonlyArray<PaTncAttribute<unknown> | Uint8Array> }),
  decode: (bytes, registry, options) => decodePaTncMessage(bytes, { registry: registry as AttributeRegistry, ...options }).attributes,
  checkUnsupported: (e, info) => {
    // RFC 5792 §4.2.8: the PA-TNC Error names the offending attribute and copies the message header
    const err = e as PaTncDecodeError;
    expect(err.details.attribute).toEqual(info);
    expect(err.header).toHaveLength(8);
    expect(new DataView(err.header.buffer, err.header.byteOffset).getUint32(4)).toBe(TEST_MESSAGE_ID);
  },
};
