/** RFC 5793 §4.6 PB-Assessment-Result: the overall assessment (TNC_IMV_EVALUATION_RESULT values). */
import { PEN, struct, enumOf } from '@tncjs/common';
import { defineMessage } from '../message.js';
import { IetfMsg } from './names.js';
import { DecodeError } from '@tncjs/common';

export const ASSESSMENT_RESULT_NAMES: Readonly<Record<number, string>> = {
  0: 'compliant',
  1: 'non-compliant minor',
  2: 'non-compliant major',
  3: 'error',
  4: "don't know",
};

export const PbAssessmentResult = defineMessage({
  vendorId: PEN.IETF,
  type: IetfMsg.ASSESSMENT_RESULT,
  name: 'IETF/PB-Assessment-Result',
  noskip: true,
  resultOnly: true,
  body: struct({ result: enumOf(32, ASSESSMENT_RESULT_NAMES) }),
  validate: (v, at) => {
    if (v.result > 4) throw new DecodeError(`invalid assessment result (${v.result})`, at, { code: 'ERR_VALUE' });
  },
});
