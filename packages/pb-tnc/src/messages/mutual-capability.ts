/** ITA-HSR PB-Mutual-Capability (vendor 0x00902a, type 1): the mutual PB-TNC protocols a peer supports. */
import { PEN, struct, flagsOf } from '@tncjs/common';
import { defineMessage } from '../message.js';

export const PbMutualCapability = defineMessage({
  vendorId: PEN.ITA,
  type: 1,
  name: 'ITA-HSR/PB-Mutual-Capability',
  noskip: false,
  body: struct({ protocols: flagsOf(32, { halfDuplex: 0x80000000, fullDuplex: 0x40000000 }) }),
});
