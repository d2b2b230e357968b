/**
 * The three PTS requests whose value is 4 reserved bytes: Get TPM Version Information (0x08000000), Get Attestation
 * Identity Key (0x0d000000), Generate Attestation Evidence (0x00200000).
 */
import { PEN, struct, reserved } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { TcgPtsAttr } from './names.js';

export const GetTpmVersionInformation = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.GET_TPM_VERSION_INFO,
  name: 'TCG/Get TPM Version Information',
  body: struct({ _r: reserved(4) }),
});

export const GetAttestationIdentityKey = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.GET_AIK,
  name: 'TCG/Get Attestation Identity Key',
  body: struct({ _r: reserved(4) }),
});

export const GenerateAttestationEvidence = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.GEN_ATTEST_EVID,
  name: 'TCG/Generate Attestation Evidence',
  body: struct({ _r: reserved(4) }),
});
