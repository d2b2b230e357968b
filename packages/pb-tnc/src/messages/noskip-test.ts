/**
 * ITA-HSR PB-Noskip-Test (vendor 0x00902a, type 0): an empty message sent with NOSKIP to check that the peer answers
 * an unknown mandatory message with PB-Error 'Unsupported Mandatory Message' (strongSwan's tnccs-20.tests knob).
 * Receivers that do not implement it must treat it as unknown, so it is not in the default registry.
 */
import { PEN, struct } from '@tncjs/common';
import { defineMessage } from '../message.js';

export const PbNoskipTest = defineMessage({
  vendorId: PEN.ITA,
  type: 0,
  name: 'ITA-HSR/PB-Noskip-Test',
  noskip: true,
  body: struct({}),
});
