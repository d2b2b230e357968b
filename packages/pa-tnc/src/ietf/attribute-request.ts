/** RFC 5792 §4.2.1 Attribute Request: a list of (vendor, type) pairs the sender asks for. */
import { PEN, struct, reserved, u24, u32, list } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';

export const AttributeRequest = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.ATTRIBUTE_REQUEST,
  name: 'IETF/Attribute Request',
  body: struct({
    requests: list(struct({ _r: reserved(1), vendorId: u24, type: u32 }), 'rest'),
  }),
});
