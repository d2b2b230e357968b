/**
 * Request PTS Protocol Capabilities (0x01000000) / PTS Protocol Capabilities (0x02000000): reserved u16, flags u16
 * C 0x10 (current evidence), V 0x08 (verification), D 0x04 (DH nonce), T 0x02 (trusted platform evidence), X 0x01 (XML).
 */
import { PEN, struct, reserved, flagsOf } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { TcgPtsAttr } from './names.js';

export const protoCapsFlags = flagsOf(16, { current: 0x10, verification: 0x08, dhNonce: 0x04, trustedPlatform: 0x02, xml: 0x01 });
export type ProtoCaps = ReturnType<typeof protoCapsFlags.decode>;

/** strongSwan's `CVDTX` string with `.` for unset flags: 0x000e → `.VDT.`. */
export function protoCapsString(c: ProtoCaps): string {
  return `${c.current ? 'C' : '.'}${c.verification ? 'V' : '.'}${c.dhNonce ? 'D' : '.'}${c.trustedPlatform ? 'T' : '.'}${c.xml ? 'X' : '.'}`;
}

export const RequestPtsProtocolCapabilities = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.REQ_PROTO_CAPS,
  name: 'TCG/Request PTS Protocol Capabilities',
  body: struct({ _r: reserved(2), flags: protoCapsFlags }),
});

export const PtsProtocolCapabilities = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.PROTO_CAPS,
  name: 'TCG/PTS Protocol Capabilities',
  body: struct({ _r: reserved(2), flags: protoCapsFlags }),
});
