/** RFC 5792 §4.2.10 Remediation Instructions: remediation parameters as in PB-Remediation-Parameters (RFC 5793 §4.8). */
import { PEN } from '@tncjs/common';
import { remediationParameters } from '@tncjs/pb-tnc';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';

export const RemediationInstructions = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.REMEDIATION_INSTRUCTIONS,
  name: 'IETF/Remediation Instructions',
  body: remediationParameters,
});
