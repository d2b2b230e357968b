/** RFC 5792 §4.2.5 Operational Status: status, result of last use, time of last use (RFC 3339 string, 20 bytes). */
import { PEN, struct, enumOf, reserved, utf8 } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';
import { rejectAbove } from '../validate.js';
import { DecodeError } from '@tncjs/common';

export const OperationalStatusValue = { UNKNOWN: 0, NOT_INSTALLED: 1, INSTALLED: 2, OPERATIONAL: 3 } as const;
export const OperationalResult = { UNKNOWN: 0, SUCCESSFUL: 1, ERRORED: 2, UNSUCCESSFUL: 3 } as const;

export const OperationalStatus = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.OPERATIONAL_STATUS,
  name: 'IETF/Operational Status',
  body: struct({
    status: enumOf(8, { 0: 'unknown', 1: 'not installed', 2: 'installed', 3: 'operational' }),
    result: enumOf(8, { 0: 'unknown', 1: 'successful', 2: 'errored', 3: 'unsuccessful' }),
    _r: reserved(2),
    lastUse: utf8(20),
  }),
  validate: (v, at) => {
    rejectAbove(v.status, 3, at, 'operational status');
    rejectAbove(v.result, 3, at + 1, 'operational result');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v.lastUse)) throw new DecodeError('invalid last use time stamp', at + 4, { code: 'ERR_VALUE' });
  },
});

/** RFC 3339 UTC time as the attribute wants it: `2014-12-15T10:45:10Z` (20 characters). */
export function lastUseString(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
