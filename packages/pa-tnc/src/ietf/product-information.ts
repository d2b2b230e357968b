/** RFC 5792 §4.2.2 Product Information: vendor (PEN), product ID and product name. */
import { PEN, struct, u16, u24, utf8 } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';
import { rejectNul } from '../validate.js';
import { DecodeError } from '@tncjs/common';

export const ProductInformation = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.PRODUCT_INFORMATION,
  name: 'IETF/Product Information',
  body: struct({ productVendorId: u24, productId: u16, productName: utf8('rest') }),
  validate: (v, at) => {
    if (v.productVendorId === 0 && v.productId !== 0) throw new DecodeError('IETF product ID must be 0 for vendor IETF', at + 3, { code: 'ERR_VALUE' });
    rejectNul(v.productName, at + 5, 'product name');
  },
});
