/**
 * @tncjs/gateway — a TNC gateway (strongSwan's "moon"): IKEv2 responder with EAP-only authentication, EAP-TTLS server
 * whose phase 2 runs EAP-Identity → EAP-MD5 → PT-EAP, and the TNC server (OS and Attestation IMVs) deciding access.
 * @packageDocumentation
 */
export { TncGateway, type GatewayOptions, type GatewaySession, type GatewayImvOptions } from './gateway.js';
export { GatewayError, GatewayErrorCode } from './errors.js';
export { parseGatewayArgs, loadGatewayConfig, GATEWAY_HELP, type GatewayCliResult } from './config.js';
