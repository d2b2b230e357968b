/**
 * Errors of the tnc-client configuration (swanctl.conf-style files and the flags form). Every one carries a stable
 * `code` and, for file input, the file and 1-based line, so the operator can go straight to the offending line.
 */
import { TncjsError } from '@tncjs/common';

export type ConfigErrorCode =
  /** The file is not valid strongSwan settings syntax (unbalanced braces, unterminated string, …). */
  | 'ERR_CONFIG_SYNTAX'
  /** Syntax is fine but a value is missing, unknown or out of range. */
  | 'ERR_CONFIG_VALUE'
  /** A configuration, secrets, include, CA or password file could not be read. */
  | 'ERR_CONFIG_FILE'
  /** A flag of the flags form is wrong (unknown, missing value, a password on the command line). */
  | 'ERR_CONFIG_FLAG'
  /** An IKE/ESP proposal names an algorithm that is unknown or not implemented (`parseIkeProposals`, `parseEspProposals`). */
  | 'ERR_CONFIG_PROPOSAL';

/**
 * A configuration that cannot be used. `message` is `file:line: reason` when the position is known; `reason` is the
 * text without position.
 */
export class ConfigError extends TncjsError {
  declare readonly code: ConfigErrorCode;
  /** The text without the `file:line: ` prefix. */
  readonly reason: string;
  /** The file the error is in, when it comes from a file. */
  readonly file?: string;
  /** 1-based line number in `file` (0 when the error concerns the file as a whole). */
  readonly line?: number;

  constructor(code: ConfigErrorCode, reason: string, where?: { file?: string; line?: number }, options?: { cause?: unknown }) {
    const prefix = where?.file !== undefined ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : where?.line ? `line ${where.line}: ` : '';
    super(code, `${prefix}${reason}`, options);
    this.reason = reason;
    this.file = where?.file;
    this.line = where?.line;
  }
}

/** True for a ConfigError, also one from another copy of this package (checked by code prefix and brand). */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError || (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('ERR_CONFIG_'));
}
