/** Registers the TCG PTS attributes into a PA-TNC attribute registry (strongSwan: "added TCG attributes"). */
import { defaultAttributeRegistry, type AttributeRegistry, type AttributeType } from '@tncjs/pa-tnc';
import { RequestPtsProtocolCapabilities, PtsProtocolCapabilities } from './proto-caps.js';
import { DhNonceParametersRequest, DhNonceParametersResponse, DhNonceFinish } from './dh-nonce.js';
import { PtsMeasurementAlgorithmRequest, PtsMeasurementAlgorithm } from './meas-algo.js';
import { GetTpmVersionInformation, GetAttestationIdentityKey, GenerateAttestationEvidence } from './simple-requests.js';
import { TpmVersionInformation } from './tpm-version-information.js';
import { AttestationIdentityKey } from './attestation-identity-key.js';
import { RequestFunctionalComponentEvidence } from './request-functional-component-evidence.js';
import { SimpleComponentEvidence } from './simple-component-evidence.js';
import { SimpleEvidenceFinal } from './simple-evidence-final.js';
import { RequestFileMetadata, UnixStyleFileMetadata } from './file-metadata.js';
import { RequestFileMeasurement, FileMeasurement } from './file-measurement.js';

export const PTS_ATTRIBUTES: AttributeType<any>[] = [
  RequestPtsProtocolCapabilities,
  PtsProtocolCapabilities,
  DhNonceParametersRequest,
  DhNonceParametersResponse,
  DhNonceFinish,
  PtsMeasurementAlgorithmRequest,
  PtsMeasurementAlgorithm,
  GetTpmVersionInformation,
  TpmVersionInformation,
  GetAttestationIdentityKey,
  AttestationIdentityKey,
  RequestFunctionalComponentEvidence,
  GenerateAttestationEvidence,
  SimpleComponentEvidence,
  SimpleEvidenceFinal,
  RequestFileMetadata,
  UnixStyleFileMetadata,
  RequestFileMeasurement,
  FileMeasurement,
];

/** Add the PTS attributes to `registry` (default: the process-wide PA-TNC registry). */
export function registerPtsAttributes(registry: AttributeRegistry = defaultAttributeRegistry()): AttributeRegistry {
  return registry.register(...PTS_ATTRIBUTES);
}
