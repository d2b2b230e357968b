/** RFC 5792 §4.2.3 Numeric Version: major, minor, build, service pack major/minor. */
import { PEN, struct, u16, u32 } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';

export const NumericVersion = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.NUMERIC_VERSION,
  name: 'IETF/Numeric Version',
  body: struct({ major: u32, minor: u32, build: u32, servicePackMajor: u16, servicePackMinor: u16 }),
});
