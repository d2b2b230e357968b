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
export { SqliteAttestationStore, type SqliteAttestationStoreOptions } from './store/sqlite-attestation-store.js';
export {
  isAttestationStore,
  type AttestationStore,
  type DeviceRecord,
  type RegisterAikOptions,
  type FileHash,
  type SessionStart,
  type SessionEnd,
  type SessionRecord,
} from './store/attestation-store.js';
export { AttestationStoreError, type AttestationStoreErrorCode } from './store/errors.js';
export { MIGRATIONS, SCHEMA_VERSION } from './store/schema.js';
export { parseDatabaseUri, formatDatabaseUri, splitFilePath, joinFilePath, type DatabaseLocation } from './store/database-uri.js';
export { importImaLog, importDirectory, imaLogFileHashes, hashFile, type ImaImportResult, type DirectoryImportOptions, type DirectoryImportResult } from './store/reference-import.js';
export { runAttestCli, parseAttestArgs, readSpki, ATTEST_USAGE } from './store/attest-cli.js';
