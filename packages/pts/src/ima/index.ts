/**
 * Linux IMA runtime measurement lists (binary_runtime_measurements and the per-bank lists of kernel 6.10+): parsing,
 * template-digest checks, PCR replay in any bank, boot_aggregate, and the `tncjs ima` command.
 */
export { ImaLogError } from './errors.js';
export {
  describeImaEntry,
  imaTemplateFields,
  IMA_EVENT_NAME_LEN_MAX,
  type ImaEntry,
  type ImaEntryInfo,
} from './ima-entry.js';
export {
  BUILTIN_TEMPLATES,
  TEMPLATE_FIELD_IDS,
  templateFields,
  decodeDigestField,
  decodeNameField,
  type ImaTemplateField,
  type ImaFileDigest,
} from './template-fields.js';
export { ImaLog, ImaLogParser, iterateImaLog, streamImaLog, DEFAULT_MAX_TEMPLATE_DATA_SIZE, type ImaLogOptions } from './ima-log.js';
export { computeTemplateDigest, verifyTemplateDigest, type TemplateHashResult } from './template-hash.js';
export { ImaReplayer, replayImaLog, type ImaReplayOptions } from './replay.js';
export { checkBootAggregate, BootAggregateError, type BootAggregateResult, type BootAggregateOptions } from './boot-aggregate.js';
export { runImaCli, imaEntryText, imaEntryToJson, IMA_USAGE } from './cli.js';
export { encodeImaLog, dngField, nngField, type ImaEntrySpec } from './ima-writer.js';
