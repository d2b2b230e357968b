/**
 * TCG firmware event logs: TPM 1.2 SHA-1 format and TPM 2.0 crypto-agile format, event data decoding, PCR replay per
 * bank, and the `tncjs eventlog` command.
 */
export {
  TpmAlg,
  hashAlgorithmById,
  hashAlgorithmByName,
  hashAlgorithms,
  algorithmName,
  canHash,
  digest as hashDigest,
  extend as pcrExtend,
  type HashAlgorithm,
} from './algorithms.js';
export { EventLogError, type LogWarning, type MeasurementLogErrorCode } from './errors.js';
export { EventType, eventTypeName, eventTypeSymbol, isKnownEventType, type EventTypeSymbol } from './event-types.js';
export {
  decodeSpecIdEvent,
  isSpecIdEvent03,
  isLegacySpecIdEvent,
  specIdEventToJson,
  type SpecIdEvent,
  type SpecIdAlgorithm,
} from './spec-id-event.js';
export { PCR_INDEX_NOT_EXTENDED, type TcgEvent, type TcgDigest } from './tcg-pcr-event.js';
export {
  TcgEventLog,
  EventLogParser,
  iterateEventLog,
  streamEventLog,
  DEFAULT_MAX_EVENT_SIZE,
  type EventLogFormat,
  type EventLogOptions,
} from './event-log.js';
export { EventLogReplayer, replayEventLog, startupLocality, type PcrBanks, type ReplayOptions } from './replay.js';
export {
  decodeEventData,
  decodeEventText,
  eventDataToJson,
  type EventData,
  type DecodeEventDataOptions,
} from './event-data.js';
export { formatGuid, guidName } from './guid.js';
export { devicePathToText } from './device-path.js';
export { decodeUefiVariableData, decodeSignatureLists, decodeLoadOption, type UefiVariableData, type UefiVariableContent, type EfiSignatureList, type EfiSignatureData, type EfiLoadOption } from './uefi-variable-data.js';
export { decodeUefiImageLoadEvent, type UefiImageLoadEvent } from './uefi-image-load-event.js';
export { decodeUefiGptData, type UefiGptData, type EfiPartitionEntry } from './uefi-gpt-data.js';
export { decodeUefiPlatformFirmwareBlob, decodeUefiPlatformFirmwareBlob2, type UefiPlatformFirmwareBlob } from './uefi-platform-firmware-blob.js';
export { decodeUefiHandoffTablePointers, decodeUefiHandoffTablePointers2, type UefiHandoffTablePointers, type UefiConfigurationTable } from './uefi-handoff-tables.js';
export { decodeTaggedEvent, type TaggedEvent } from './tagged-event.js';
export { decodeStartupLocalityEvent, type StartupLocalityEvent } from './no-action-event.js';
export { runEventlogCli, eventToJson, EVENTLOG_USAGE } from './cli.js';
export { MeasurementExitCode, type MeasurementCliIo } from './cli-support.js';
export { encodeEventLog, startupLocalityData, type EventSpec, type EventLogWriterOptions } from './event-log-writer.js';
