/** RFC 5792 §4.2.9 Assessment Result. */
import { PEN, struct, enumOf } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { IetfAttr } from './names.js';

/** TNC_IMV_EVALUATION_RESULT values; names as strongSwan prints them ("assessment result is 'compliant'"). */
export const EvaluationResult = {
  COMPLIANT: 0,
  NONCOMPLIANT_MINOR: 1,
  NONCOMPLIANT_MAJOR: 2,
  ERROR: 3,
  DONT_KNOW: 4,
} as const;

export const EVALUATION_RESULT_NAMES: Readonly<Record<number, string>> = {
  0: 'compliant',
  1: 'non-compliant minor',
  2: 'non-compliant major',
  3: 'error',
  4: "don't know",
};

export const AssessmentResult = defineAttribute({
  vendorId: PEN.IETF,
  type: IetfAttr.ASSESSMENT_RESULT,
  name: 'IETF/Assessment Result',
  body: struct({ result: enumOf(32, EVALUATION_RESULT_NAMES) }),
});
