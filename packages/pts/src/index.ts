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
