/** Typed errors of the gateway (configuration and start-up); protocol errors stay those of the lower layers. */
import { TncjsError } from '@tncjs/common';

export const GatewayErrorCode = {
  /** An option or configuration file value is missing or malformed. */
  CONFIG: 'ERR_GATEWAY_CONFIG',
  /** The gateway could not start (socket, certificate, IMV loading). */
  START: 'ERR_GATEWAY_START',
} as const;

export class GatewayError extends TncjsError {}
