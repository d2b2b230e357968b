/** RFC 5792 §4.2.4 String Version: product version, internal build number, configuration version (u8-length strings). */
import { PEN, struct, utf8 } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';
import { rejectNul } from '../validate.js';

export const StringVersion = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.STRING_VERSION,
  name: 'IETF/String Version',
  body: struct({
    productVersion: utf8({ prefix: 8 }),
    internalBuild: utf8({ prefix: 8 }),
    configurationVersion: utf8({ prefix: 8 }),
  }),
  validate: (v, at) => {
    rejectNul(v.productVersion, at + 1, 'product version');
    rejectNul(v.internalBuild, at + 2 + Buffer.byteLength(v.productVersion), 'internal build number');
    rejectNul(v.configurationVersion, at + 3 + Buffer.byteLength(v.productVersion) + Buffer.byteLength(v.internalBuild), 'configuration version');
  },
});
