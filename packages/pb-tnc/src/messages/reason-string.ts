/** RFC 5793 §4.11 PB-Reason-String: a human-readable reason (u32-length UTF-8) with its language code (u8-length). */
import { PEN, struct, utf8 } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { IetfMsg } from './names.js';

export const PbReasonString = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.REASON_STRING,
  name: 'IETF/PB-Reason-String',
  noskip: false,
  resultOnly: true,
  body: struct({ reason: utf8({ prefix: 32 }), languageCode: utf8({ prefix: 8 }) }),
});
