/** RFC 5792 §4.2.11 Forwarding Enabled. */
import { PEN, struct, enumOf } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';
import { rejectAbove } from '../validate.js';

export const ForwardingStatus = { DISABLED: 0, ENABLED: 1, UNKNOWN: 2 } as const;

export const ForwardingEnabled = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.FORWARDING_ENABLED,
  name: 'IETF/Forwarding Enabled',
  body: struct({ status: enumOf(32, { 0: 'disabled', 1: 'enabled', 2: 'unknown' }) }),
  validate: (v, at) => rejectAbove(v.status, 2, at, 'forwarding status'),
});
