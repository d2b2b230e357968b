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
