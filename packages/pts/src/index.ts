/**
 * @tncjs/pts — TCG Platform Trust Services: the PTS PA-TNC attributes (registered into @tncjs/pa-tnc's registry), DH
 * nonce negotiation and the secret assessment value, functional component names.
 * @packageDocumentation
 */
export { TcgPtsAttr } from './attributes/names.js';
export * from './attributes/meas-algo.js';
export * from './attributes/proto-caps.js';
export * from './attributes/dh-nonce.js';
export * from './attributes/simple-requests.js';
export * from './attributes/tpm-version-information.js';
export * from './attributes/attestation-identity-key.js';
export * from './attributes/request-functional-component-evidence.js';
export * from './attributes/simple-component-evidence.js';
export * from './attributes/simple-evidence-final.js';
export * from './attributes/file-metadata.js';
export * from './attributes/file-measurement.js';
export { PTS_ATTRIBUTES, registerPtsAttributes } from './attributes/registry.js';
export * from './dh/groups.js';
export * from './dh/assessment-secret.js';
export * from './components/functional-name.js';
export { ShadowPcrs, PcrError, PCR_COUNT } from './verifier/shadow-pcrs.js';
export { tpm2QuoteInfo, tpm12QuoteInfo, tpm12CompositeHash, expectedPcrDigest, verifyQuoteSignature, parsePcrSelect, QuoteError } from './verifier/quote-info.js';
export { imaNgTemplateHash, imaTemplateHash, splitPolicyUri } from './verifier/ima-template.js';
export { MemoryReferenceStore, FileReferenceStore, type ReferenceStore, type BiosReference } from './verifier/reference-store.js';
export { EvidenceVerifier, hexColons, type VerifierOptions, type VerificationReport, type EvidenceFinding } from './verifier/evidence-verifier.js';
export * from './eventlog/index.js';
export * from './ima/index.js';
export { PtsCollector, CollectorError, type CollectorOptions } from './collector/pts-collector.js';
export { tssAttestationTpm, splitQuoteInfo, signatureBytes, type AttestationTpm, type QuoteOutput } from './collector/attestation-tpm.js';
