/** RFC 5792 §4.2.12 Factory Default Password Enabled. */
import { PEN, struct, enumOf } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';
import { rejectAbove } from '../validate.js';

export const FactoryDefaultPasswordEnabled = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.FACTORY_DEFAULT_PWD_ENABLED,
  name: 'IETF/Factory Default Password Enabled',
  body: struct({ status: enumOf(32, { 0: 'disabled', 1: 'enabled' }) }),
  validate: (v, at) => rejectAbove(v.status, 1, at, 'non-boolean value'),
});
