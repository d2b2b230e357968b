/**
 * Request Functional Component Evidence (0x00100000): 12-byte entries until the end — flags (TTC 0x80, VER 0x40,
 * CURR 0x20, PCR 0x10), sub-component depth u24, then the functional component name (vendor u24, family+qualifier u8,
 * name u32). The family bits must be 00 (binary enumeration).
 */
import { PEN, struct, list, flagsOf, u24, DecodeError } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { functionalName } from '../components/functional-name.js';
import { TcgPtsAttr } from './names.js';

export const RequestFunctionalComponentEvidence = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.REQ_FUNC_COMP_EVID,
  name: 'TCG/Request Functional Component Evidence',
  body: struct({
    components: list(
      struct({ flags: flagsOf(8, { ttc: 0x80, verify: 0x40, current: 0x20, pcr: 0x10 }), depth: u24, component: functionalName }),
      'rest',
    ),
  }),
  validate: (v, at) => {
    if (v.components.length === 0) throw new DecodeError('insufficient data for Request Functional Component Evidence', at, { code: 'ERR_VALUE' });
    v.components.forEach((c, i) => {
      if (c.component.qualifier & 0xc0) throw new DecodeError('the Functional Name Encoding Family is not Binary Enumeration', at + 12 * i + 7, { code: 'ERR_VALUE' });
    });
  },
});
