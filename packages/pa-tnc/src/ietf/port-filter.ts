/** RFC 5792 §4.2.6 Port Filter: entries of (blocked flag, IP protocol, port). */
import { PEN, struct, flagsOf, u8, u16, list } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';

export const PortFilter = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.PORT_FILTER,
  name: 'IETF/Port Filter',
  body: struct({
    entries: list(struct({ flags: flagsOf(8, { blocked: 0x01 }), protocol: u8, port: u16 }), 'rest'),
  }),
});
