/**
 * TCG PB-PDP-Referral (TCG 0x005597, type 1; TNC IF-TNCCS 2.0 "PDP Referral"): tells the client where a PT-TLS PDP listens.
 *
 *   |   Reserved    |           PDP Identifier Vendor ID            |
 *   |                      PDP Identifier Type                      |
 *   |                 PDP Identifier (Variable Length)              |
 *
 * TCG identifier types 0 FQDN, 1 IPv4, 2 IPv6: reserved u8, protocol u8 (0 = PT-TLS), port u16, then the FQDN
 * bytes or the 4/16-byte address.
 */
import { PEN, struct, reserved, u8, u16, u24, enumOf, bytes } from '@tncjs/common';
import { defineMessage } from '../message.js';

export const PdpIdentifierType = { FQDN: 0, IPV4: 1, IPV6: 2 } as const;

export const PbPdpReferral = defineMessage({
  vendorId: PEN.TCG,
  type: 1,
  name: 'TCG/PB-PDP-Referral',
  noskip: false,
  body: struct({
    _r: reserved(1),
    identifierVendorId: u24,
    identifierType: enumOf(32, { 0: 'PDP FQDN ID', 1: 'PDP IPv4 ID', 2: 'PDP IPv6 ID' }),
    _r2: reserved(1),
    protocol: u8,
    port: u16,
    identifier: bytes('rest'),
  }),
});
