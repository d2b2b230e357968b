/** RFC 5793 §4.4 PB-Experimental: opaque contents, for testing only. */
import { PEN, struct, bytes } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { IetfMsg } from './names.js';

export const PbExperimental = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.EXPERIMENTAL,
  name: 'IETF/PB-Experimental',
  noskip: false,
  noskipRule: 'any',
  body: struct({ data: bytes('rest') }),
});
