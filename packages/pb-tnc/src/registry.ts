/** The default PB-TNC message registry: IETF messages of RFC 5793 plus the TCG/ITA-HSR messages strongSwan speaks. */
import { PEN } from '@tncjs/common';
import { MessageRegistry } from './message.js';
import { PbExperimental } from './messages/experimental.js';
import { PbPa } from './messages/pa.js';
import { PbAssessmentResult } from './messages/assessment-result.js';
import { PbAccessRecommendation } from './messages/access-recommendation.js';
import { PbRemediationParameters } from './messages/remediation-parameters.js';
import { PbError } from './messages/error.js';
import { PbLanguagePreference } from './messages/language-preference.js';
import { PbReasonString } from './messages/reason-string.js';
import { PbPdpReferral } from './messages/pdp-referral.js';
import { PbMutualCapability } from './messages/mutual-capability.js';

/** A new registry with every PB-TNC message type tncjs implements. */
export function createMessageRegistry(): MessageRegistry {
  return new MessageRegistry()
    .register(
      PbExperimental,
      PbPa,
      PbAssessmentResult,
      PbAccessRecommendation,
      PbRemediationParameters,
      PbError,
      PbLanguagePreference,
      PbReasonString,
      PbPdpReferral,
      PbMutualCapability,
    )
    .registerNames(PEN.ITA, { 0: 'ITA-HSR/PB-Noskip-Test' });
}

let shared: MessageRegistry | undefined;

/** The process-wide default registry (created on first use). */
export function defaultMessageRegistry(): MessageRegistry {
  return (shared ??= createMessageRegistry());
}
