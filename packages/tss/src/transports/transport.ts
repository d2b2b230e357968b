/**
 * The transport contract every TPM connection implements (a TCTI in TSS terms): send one command, get one complete
 * response, within a deadline. Transports frame responses by the header's size field and never hand back a partial
 * or oversized response: truncation, garbage and silence become typed errors.
 */
import { TpmDecodeError } from '../errors.js';

export interface TransmitOptions {
  /** Deadline for the whole exchange in milliseconds (default: the transport's). */
  timeoutMs?: number;
}

export interface TpmTransport {
  /** What this transport talks to, for messages: `device:/dev/tpmrm0`, `swtpm:tcp://127.0.0.1:2321`. */
  readonly description: string;
  /** Send a complete command; resolve with the complete response. One exchange at a time. */
  transmit(command: Uint8Array, options?: TransmitOptions): Promise<Uint8Array>;
  /** Release the connection (idempotent). */
  close(): Promise<void>;
}

/** TPM response header: tag (2) ‖ responseSize (4) ‖ responseCode (4). */
export const RESPONSE_HEADER_SIZE = 10;
/** Largest response a transport accepts (TPM2_PT_MAX_RESPONSE_SIZE is 4096 on swtpm and hardware TPMs). */
export const MAX_RESPONSE_SIZE = 65536;
/** Default deadline per command: RSA key generation on slow hardware TPMs can take tens of seconds. */
export const DEFAULT_TIMEOUT_MS = 120_000;

function checkSize(size: number): number {
  if (size < RESPONSE_HEADER_SIZE || size > MAX_RESPONSE_SIZE) {
    throw new TpmDecodeError(`response size field ${size} out of range ${RESPONSE_HEADER_SIZE}..${MAX_RESPONSE_SIZE}`, 2);
  }
  return size;
}

/**
 * The size a response header announces, from its first 6 bytes; undefined while fewer have arrived.
 * @throws TpmDecodeError when the size is below the header size or above MAX_RESPONSE_SIZE
 */
export function responseSizeOf(head: Uint8Array): number | undefined {
  if (head.byteLength < 6) return undefined;
  const size = ((head[2] << 24) | (head[3] << 16) | (head[4] << 8) | head[5]) >>> 0;
  return checkSize(size);
}
