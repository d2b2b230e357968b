/** The default attribute registry: IETF (RFC 5792), ITA-HSR and TCG IF-M segmentation, plus all TCG names. */
import { PEN } from '@tncjs/common';
import { AttributeRegistry } from './registry.js';
import { AttributeRequest } from './ietf/attribute-request.js';
import { ProductInformation } from './ietf/product-information.js';
import { NumericVersion } from './ietf/numeric-version.js';
import { StringVersion } from './ietf/string-version.js';
import { OperationalStatus } from './ietf/operational-status.js';
import { PortFilter } from './ietf/port-filter.js';
import { InstalledPackages } from './ietf/installed-packages.js';
import { PaTncError } from './ietf/pa-tnc-error.js';
import { AssessmentResult } from './ietf/assessment-result.js';
import { RemediationInstructions } from './ietf/remediation-instructions.js';
import { ForwardingEnabled } from './ietf/forwarding-enabled.js';
import { FactoryDefaultPasswordEnabled } from './ietf/factory-default-password-enabled.js';
import * as ita from './ita/attributes.js';
import * as seg from './tcg/segmentation.js';
import { TCG_ATTRIBUTE_NAMES } from './tcg/names.js';

export const IETF_ATTRIBUTES = [
  AttributeRequest,
  ProductInformation,
  NumericVersion,
  StringVersion,
  OperationalStatus,
  PortFilter,
  InstalledPackages,
  PaTncError,
  AssessmentResult,
  RemediationInstructions,
  ForwardingEnabled,
  FactoryDefaultPasswordEnabled,
];

export const ITA_ATTRIBUTES = [
  ita.ItaCommand,
  ita.ItaDummy,
  ita.ItaGetSettings,
  ita.ItaSettings,
  ita.ItaStartAngel,
  ita.ItaStopAngel,
  ita.ItaDeviceId,
  ita.ItaGetSymlinks,
  ita.ItaSymlinks,
];

export const TCG_SEGMENTATION_ATTRIBUTES = [
  seg.MaxAttributeSizeRequest,
  seg.MaxAttributeSizeResponse,
  seg.AttributeSegmentEnvelope,
  seg.NextSegmentRequest,
  seg.CancelSegmentExchange,
];

/** A new registry with every attribute this package implements. */
export function createAttributeRegistry(): AttributeRegistry {
  return new AttributeRegistry()
    .registerNames(PEN.IETF, { 0: 'IETF/Testing' })
    .registerNames(PEN.ITA, ita.ITA_ATTRIBUTE_NAMES)
    .registerNames(PEN.TCG, TCG_ATTRIBUTE_NAMES)
    .register(...IETF_ATTRIBUTES, ...ITA_ATTRIBUTES, ...TCG_SEGMENTATION_ATTRIBUTES);
}

let shared: AttributeRegistry | undefined;

/** The process-wide default registry (created on first use); @tncjs/pts registers its attributes here. */
export function defaultAttributeRegistry(): AttributeRegistry {
  return (shared ??= createAttributeRegistry());
}
