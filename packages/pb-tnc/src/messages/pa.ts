/**
 * RFC 5793 §4.5 PB-PA: carries one PA message (in practice a PA-TNC message, RFC 5792) between an IMC and an IMV.
 *
 *   |     Flags     |               PA Message Vendor ID            |
 *   |                           PA Subtype                          |
 *   |  Posture Collector Identifier | Posture Validator Identifier  |
 *   |                 PA Message Body (Variable Length)             |
 *
 * Flags: 0x80 EXCL (deliver only to the named collector/validator). Identifier 0xffff means "any".
 */
import { PEN, struct, flagsOf, u16, u24, u32, bytes } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { IetfMsg } from './names.js';
import { DecodeError } from '@tncjs/common';

/** Posture collector/validator ID meaning "not addressed to one in particular". */
export const ANY_ID = 0xffff;

export const PbPa = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.PA,
  name: 'IETF/PB-PA',
  noskip: true,
  body: struct({
    flags: flagsOf(8, { excl: 0x80 }),
    paVendorId: u24,
    paSubtype: u32,
    collectorId: u16,
    validatorId: u16,
    body: bytes('rest'),
  }),
  validate: (v, at) => {
    if (v.paVendorId === 0xffffff) throw new DecodeError('PA Vendor ID 0xffffff is reserved', at + 1, { code: 'ERR_VALUE' });
    if (v.paSubtype === 0xffffffff) throw new DecodeError('PA Subtype 0xffffffff is reserved', at + 4, { code: 'ERR_VALUE' });
  },
});
