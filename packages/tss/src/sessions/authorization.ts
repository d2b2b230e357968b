/**
 * How a command's authorized handles are authorized (Part 1 §19): the password session TPM_RS_PW, or an HMAC or
 * policy session (`AuthSession`). A command lists one `AuthRef` per authorized handle, in handle order.
 */
import { createHash } from 'node:crypto';
import { TPMA_SESSION, TPM_RS_PW, nodeHashName } from '../constants.js';
import type { AuthCommand, AuthResponse } from '../command.js';

export interface AuthCommandContext {
  commandCode: number;
  /** cpHash = H(commandCode ‖ names of all handles ‖ parameters) with `hashAlg`. */
  cpHash(hashAlg: number): Uint8Array;
  /** The authValue of the entity this session authorizes (secret). */
  authValue: Uint8Array;
  /** Name of the entity this session authorizes. */
  entityName?: Uint8Array;
}

export interface AuthResponseContext {
  commandCode: number;
  /** rpHash = H(TPM_RC_SUCCESS ‖ commandCode ‖ parameters) with `hashAlg`. */
  rpHash(hashAlg: number): Uint8Array;
  authValue: Uint8Array;
  entityName?: Uint8Array;
}

/** Something that can authorize a handle: builds TPMS_AUTH_COMMAND, checks TPMS_AUTH_RESPONSE. */
export interface Authorization {
  readonly handle: number;
  /** True when the session needs the Names of the command's handles (for cpHash). */
  readonly needsNames: boolean;
  authCommand(ctx: AuthCommandContext): AuthCommand;
  /** @throws TpmResponseAuthError when the response HMAC does not verify */
  authResponse(ctx: AuthResponseContext, response: AuthResponse): void;
}

/** The password session (TPM_RS_PW): the authValue travels in clear in the hmac field. */
export const PASSWORD: Authorization = Object.freeze({
  handle: TPM_RS_PW,
  needsNames: false,
  authCommand: (ctx: AuthCommandContext): AuthCommand => ({ sessionHandle: TPM_RS_PW, nonce: new Uint8Array(0), attributes: TPMA_SESSION.continueSession, hmac: ctx.authValue }),
  authResponse: () => {},
});

/** One authorized handle: its session (default: password) and the entity's authValue (default: empty). */
export interface AuthRef {
  session?: Authorization;
  /** The entity's authValue: a password string (UTF-8) or bytes. */
  authValue?: Uint8Array | string;
}

/** authValue as bytes. */
export function authBytes(v: Uint8Array | string | undefined): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  return typeof v === 'string' ? new TextEncoder().encode(v) : v;
}

/** H(parts…) with a TPM hash algorithm. */
export function tpmHash(hashAlg: number, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(nodeHashName(hashAlg));
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}
