/**
 * TCG IF-M Segmentation attributes (TCG Attribute Segmentation / strongSwan libimcv/tcg/seg), vendor 0x005597:
 * Max Attribute Size Request/Response (0x21/0x22: max attribute size, max segment size; 0xffffffff = no limit),
 * Attribute Segment Envelope (0x23: flags MORE 0x80 / START 0x40, 24-bit base attribute ID, segment bytes),
 * Next Segment Request (0x24: flags, strongSwan's cancel flag is 0x01, base attribute ID),
 * Cancel Segment Exchange (0x25: reserved, base attribute ID).
 */
import { PEN, struct, u24, u32, bytes, flagsOf, reserved } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';

export const TcgSegAttr = {
  MAX_ATTR_SIZE_REQUEST: 0x21,
  MAX_ATTR_SIZE_RESPONSE: 0x22,
  ATTR_SEGMENT_ENVELOPE: 0x23,
  NEXT_SEGMENT_REQUEST: 0x24,
  CANCEL_SEGMENT_EXCHANGE: 0x25,
} as const;

/** 0xffffffff: no limit / no segmentation. */
export const SEG_NO_LIMIT = 0xffffffff;

const sizes = struct({ maxAttributeSize: u32, maxSegmentSize: u32 });

export const MaxAttributeSizeRequest = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgSegAttr.MAX_ATTR_SIZE_REQUEST,
  name: 'TCG/Max Attribute Size Request',
  body: sizes,
});

export const MaxAttributeSizeResponse = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgSegAttr.MAX_ATTR_SIZE_RESPONSE,
  name: 'TCG/Max Attribute Size Response',
  body: sizes,
});

export const SEGMENT_ENVELOPE_HEADER_SIZE = 4;

export const AttributeSegmentEnvelope = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgSegAttr.ATTR_SEGMENT_ENVELOPE,
  name: 'TCG/Attribute Segment Envelope',
  body: struct({ flags: flagsOf(8, { more: 0x80, start: 0x40 }), baseAttributeId: u24, segment: bytes('rest') }),
});

export const NextSegmentRequest = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgSegAttr.NEXT_SEGMENT_REQUEST,
  name: 'TCG/Next Segment Request',
  body: struct({ flags: flagsOf(8, { cancel: 0x01 }), baseAttributeId: u24 }),
});

export const CancelSegmentExchange = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgSegAttr.CANCEL_SEGMENT_EXCHANGE,
  name: 'TCG/Cancel Segment Exchange',
  body: struct({ _r: reserved(1), baseAttributeId: u24 }),
});
