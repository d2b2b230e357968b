/** Attestation Identity Key (0x0e000000): flags (0x80 = bare public key), then DER SubjectPublicKeyInfo or X.509 certificate. */
import { PEN, struct, flagsOf, bytes, DecodeError } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { TcgPtsAttr } from './names.js';

export const AttestationIdentityKey = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.AIK,
  name: 'TCG/Attestation Identity Key',
  body: struct({ flags: flagsOf(8, { publicKey: 0x80 }), aik: bytes('rest') }),
  validate: (v, at) => {
    if (v.aik.byteLength < 3) throw new DecodeError('insufficient data for Attestation Identity Key', at, { code: 'ERR_VALUE' });
  },
});
