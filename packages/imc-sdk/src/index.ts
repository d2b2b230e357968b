/**
 * @tncjs/imc-sdk — the IF-IMC 1.3 / IF-IMV 1.3 APIs in TypeScript, the TNC client and server managers on a PB-TNC
 * connection, tnc_config loading, and the OS and Attestation IMCs/IMVs.
 * @packageDocumentation
 */
export * from './types.js';
export type { Imc, ImcConnection, ImcFactory } from './imc.js';
export type { Imv, ImvConnection, ImvFactory, ImvVerdict } from './imv.js';
export { TncClient, TncClientConnection, type TncClientOptions } from './tnc-client.js';
export { TncServer, TncServerConnection, type TncServerOptions } from './tnc-server.js';
export { combineRecommendations, type CombinedDecision } from './recommendation.js';
export { parseTncConfig, loadTncConfig, TncConfigError, BUILTIN_IMCS, BUILTIN_IMVS, type TncConfigEntry, type LoadOptions } from './tnc-config.js';
export { imcvAttributeRegistry, processPaTncMessage, logAssessment } from './pa-tnc-messages.js';
export { OsImc, createOsImc, type OsImcOptions, type OsMeasurements } from './imcs/os-imc.js';
export { parseOsRelease, parseBootTime, parseDpkgStatus, numericVersion, DEFAULT_OS_SOURCES, type OsInfoSources } from './imcs/os-info.js';
export { AttestationImc, createAttestationImc, type AttestationImcOptions } from './imcs/attestation-imc.js';
export { OsImv, createOsImv, type OsImvOptions } from './imvs/os-imv.js';
export { AttestationImv, createAttestationImv, type AttestationImvOptions } from './imvs/attestation-imv.js';
