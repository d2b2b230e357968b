/** tnc-client configuration: swanctl.conf-style files, the flags form, and the mapping to the stack's options. */
export type { ClientConfig, ChildConfig, TncConfig, AikConfig, LogLevels, EapMethod, GatewayAuth, KernelMode } from './types.js';
export { DEFAULT_BIOS_LOG, DEFAULT_IMA_LOG } from './types.js';
export { ConfigError, isConfigError, type ConfigErrorCode } from './errors.js';
export { Secret } from './secret.js';
export { parseSettings, SETTINGS_LIMITS, type SettingsSection, type SettingsValue, type ParseSettingsOptions, type IncludeReader } from './settings.js';
export {
  clientConfigFromSettings,
  loadClientConfig,
  checkConfigFiles,
  findEapSecret,
  fileIncludeReader,
  PASSWORD_ENV,
  type ConfigResult,
  type LoadConfigOptions,
  type FromSettingsOptions,
} from './swanctl.js';
export { parseArgs, clientConfigFromArgs, logLevelsFromArgs, CONNECT_OPTIONS, SESSION_OPTIONS, PASSWORD_ON_ARGV, type OptionSpec, type ParsedArgs } from './flags.js';
export { toConnectOptions, type ClientConnectOptions } from './connect-options.js';
export { parseIkeProposals, parseEspProposals } from './proposals.js';
