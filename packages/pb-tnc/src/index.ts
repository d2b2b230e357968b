/**
 * @tncjs/pb-tnc — RFC 5793 PB-TNC: batches, messages, the state machine and a connection for both roles.
 * @packageDocumentation
 */
export {
  BatchType,
  BATCH_TYPE_NAMES,
  BATCH_HEADER_SIZE,
  PB_TNC_VERSION,
  batchTypeName,
  encodeBatch,
  decodeBatch,
  encodeMessage,
  peekBatchHeader,
  type PbTncBatch,
  type BatchDecodeOptions,
} from './batch.js';
export {
  MessageRegistry,
  defineMessage,
  rawMessage,
  describeMessageType,
  MESSAGE_HEADER_SIZE,
  NOSKIP_FLAG,
  type MessageType,
  type PbTncMessage,
} from './message.js';
export { PbErrorCode, PB_ERROR_CODE_NAMES, PbTncDecodeError } from './errors.js';
export { createMessageRegistry, defaultMessageRegistry } from './registry.js';
export { PbTncState, PB_TNC_STATE_NAMES, PbTncStateMachine, nextState, type Role } from './state-machine.js';
export {
  PbTncConnection,
  DEFAULT_MAX_BATCH_SIZE,
  PB_PA_OVERHEAD,
  type PaMessage,
  type PbTncHandler,
  type PbTncResult,
  type PbTncConnectionOptions,
} from './connection.js';
export { PA_SUBTYPE_NAMES, PaSubtype, paSubtypeName, describePaSubtype } from './pa-subtypes.js';
export { IetfMsg } from './messages/names.js';
export { PbExperimental } from './messages/experimental.js';
export { PbPa, ANY_ID } from './messages/pa.js';
export { PbAssessmentResult, ASSESSMENT_RESULT_NAMES } from './messages/assessment-result.js';
export { PbAccessRecommendation, AccessRecommendation, ACCESS_RECOMMENDATION_NAMES } from './messages/access-recommendation.js';
export {
  PbRemediationParameters,
  remediationParameters,
  RemediationType,
  REMEDIATION_TYPE_NAMES,
  type RemediationParameters,
} from './messages/remediation-parameters.js';
export { PbError, type PbErrorValue } from './messages/error.js';
export { PbLanguagePreference, acceptLanguage } from './messages/language-preference.js';
export { PbReasonString } from './messages/reason-string.js';
export { PbPdpReferral, PdpIdentifierType } from './messages/pdp-referral.js';
export { PbMutualCapability } from './messages/mutual-capability.js';
export { PbNoskipTest } from './messages/noskip-test.js';
