/** RFC 5792 §4.2.7 Installed Packages: a counted list of (name, version), u8-length strings. */
import { PEN, struct, reserved, list, utf8 } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';

export const InstalledPackages = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.INSTALLED_PACKAGES,
  name: 'IETF/Installed Packages',
  body: struct({
    _r: reserved(2),
    packages: list(struct({ name: utf8({ prefix: 8 }), version: utf8({ prefix: 8 }) }), { prefix: 16 }),
  }),
});
