/**
 * @tncjs/client — the reference TNC client (to come) and the `tncjs` command-line tool: decode PB-TNC batches and
 * PA-TNC messages to JSON and encode them back.
 * @packageDocumentation
 */
export { run, type CliIo, type RunOptions } from './cli/main.js';
export { decodeBatchToJson, decodePaMessageToJson, type RegistryOptions } from './cli/decode.js';
export { encodeBatchFromJson, encodePaMessageFromJson } from './cli/encode.js';
export type { BatchJson, MessageJson, PaMessageJson, AttributeJson } from './cli/json-model.js';
export { MAX_INPUT_BYTES, type StdinSource } from './cli/input.js';
export { CliError, ExitCode } from './cli/errors.js';
export {
  connectTnc, tncExitCode, TncExitCode, sourceAddressFor, DEFAULT_MAX_EAP_ROUNDS,
  type ConnectTncOptions, type TncSession, type TncStatus, type TncStats, type TncChildSa, type TncOutcome, type TncKernelStatus,
} from './stack/connect.js';
export { loadTrust, type TrustSource } from './stack/trust.js';
export { loadAikKeyFile, parseAikKeyFile } from './stack/aik-key.js';
export { TncConnectError, TncConnectErrorCode } from './stack/errors.js';
export {
  runTncClient,
  redact,
  TncClientExit,
  type TncClientIo,
  type TncClientDeps,
  type SignalSource,
} from './cli/tnc-client.js';
export type { StartSession, Session, SessionContext, Outcome, ProgressFn } from './cli/session.js';
export { createProgress, renderProgress, type Progress, type ProgressOptions } from './cli/progress.js';
export { controlRequest, listenControl, ControlError, DEFAULT_RUNDIR, RUNDIR_ENV } from './cli/control.js';
export * from './config/index.js';
