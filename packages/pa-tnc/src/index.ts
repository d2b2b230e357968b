/**
 * @tncjs/pa-tnc — RFC 5792 PA-TNC messages and attributes (IETF, ITA-HSR, TCG IF-M segmentation), the attribute
 * registry other packages extend, a size-bounded message builder and segmentation contracts.
 * @packageDocumentation
 */
export {
  defineAttribute,
  rawAttribute,
  describeAttributeType,
  ATTRIBUTE_HEADER_SIZE,
  NOSKIP_FLAG,
  type AttributeType,
  type PaTncAttribute,
  type RawAttribute,
} from './attribute.js';
export { AttributeRegistry } from './registry.js';
export {
  createAttributeRegistry,
  defaultAttributeRegistry,
  IETF_ATTRIBUTES,
  ITA_ATTRIBUTES,
  TCG_SEGMENTATION_ATTRIBUTES,
} from './registry-default.js';
export {
  encodePaTncMessage,
  decodePaTncMessage,
  encodeAttribute,
  PA_TNC_VERSION,
  MESSAGE_HEADER_SIZE,
  type PaTncMessage,
  type DecodeOptions,
} from './message.js';
export { PaTncDecodeError, PaTncErrorCode, type UnsupportedAttributeInfo } from './errors.js';
export { PaTncMessageBuilder, randomMessageId, type BuilderOptions } from './builder.js';
export { IetfAttr } from './ietf/names.js';
export { AttributeRequest } from './ietf/attribute-request.js';
export { ProductInformation } from './ietf/product-information.js';
export { NumericVersion } from './ietf/numeric-version.js';
export { StringVersion } from './ietf/string-version.js';
export { OperationalStatus, OperationalStatusValue, OperationalResult, lastUseString } from './ietf/operational-status.js';
export { PortFilter } from './ietf/port-filter.js';
export { InstalledPackages } from './ietf/installed-packages.js';
export { PaTncError, PA_TNC_ERROR_NAMES, paTncErrorName, paTncErrorFor, type PaTncErrorValue } from './ietf/pa-tnc-error.js';
export { AssessmentResult, EvaluationResult, EVALUATION_RESULT_NAMES } from './ietf/assessment-result.js';
export { RemediationInstructions } from './ietf/remediation-instructions.js';
export { ForwardingEnabled, ForwardingStatus } from './ietf/forwarding-enabled.js';
export { FactoryDefaultPasswordEnabled } from './ietf/factory-default-password-enabled.js';
export * from './ita/attributes.js';
export * from './tcg/segmentation.js';
export { TCG_ATTRIBUTE_NAMES } from './tcg/names.js';
export {
  SegmentationContract,
  answerContractRequest,
  contractResponse,
  describeLimits,
  IMC_SEGMENT_OVERHEAD,
  IMV_SEGMENT_OVERHEAD,
} from './tcg/segmentation-contract.js';
