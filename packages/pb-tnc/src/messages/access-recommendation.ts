/** RFC 5793 §4.7 PB-Access-Recommendation. */
import { PEN, struct, reserved, enumOf } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { IetfMsg } from './names.js';
import { DecodeError } from '@tncjs/common';

export const AccessRecommendation = { ALLOWED: 1, DENIED: 2, ISOLATED: 3 } as const;

/** Names as strongSwan prints them: "PB-TNC access recommendation is 'Access Allowed'". */
export const ACCESS_RECOMMENDATION_NAMES: Readonly<Record<number, string>> = {
  1: 'Access Allowed',
  2: 'Access Denied',
  3: 'Quarantined',
};

export const PbAccessRecommendation = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.ACCESS_RECOMMENDATION,
  name: 'IETF/PB-Access-Recommendation',
  noskip: false,
  resultOnly: true,
  body: struct({ _r: reserved(2), recommendation: enumOf(16, ACCESS_RECOMMENDATION_NAMES) }),
  validate: (v, at) => {
    if (v.recommendation < 1 || v.recommendation > 3) {
      throw new DecodeError(`invalid access recommendation code (${v.recommendation})`, at + 2, { code: 'ERR_VALUE' });
    }
  },
});
