/**
 * HMAC and policy sessions (Part 1 §19.6, §19.7): rolling nonces, the session key from KDFa, and the command and
 * response HMACs
 *
 *   command HMAC  = HMAC(sessionKey ‖ authValue, cpHash ‖ nonceCaller ‖ nonceTPM ‖ sessionAttributes)
 *   response HMAC = HMAC(sessionKey ‖ authValue, rpHash ‖ nonceTPM ‖ nonceCaller ‖ sessionAttributes)
 *
 * where the authValue (trailing zeros removed) is included for HMAC sessions unless the session is bound to the
 * entity, and for policy sessions only after TPM2_PolicyAuthValue. After TPM2_PolicyPassword the authValue is sent
 * in clear instead. Parameter encryption is not implemented (sessions never set decrypt/encrypt).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { equalBytes, concatBytes } from '@tncjs/common';
import { TPMA_SESSION, TPM_SE, digestSize, hexHandle, nodeHashName } from '../constants.js';
import type { AuthCommand, AuthResponse } from '../command.js';
import { TpmResponseAuthError } from '../errors.js';
import type { AuthCommandContext, AuthResponseContext, Authorization } from './authorization.js';

export type SessionType = 'hmac' | 'policy' | 'trial';

export const SESSION_TYPE_VALUE: Record<SessionType, number> = { hmac: TPM_SE.HMAC, policy: TPM_SE.POLICY, trial: TPM_SE.TRIAL };

/** Remove trailing zero octets (Part 1 §19.6.8: an authValue is used that way in HMAC keys). */
export function trimAuth(v: Uint8Array): Uint8Array {
  let n = v.length;
  while (n > 0 && v[n - 1] === 0) n--;
  return v.subarray(0, n);
}

export interface AuthSessionInit {
  handle: number;
  type: SessionType;
  hashAlg: number;
  sessionKey: Uint8Array;
  nonceCaller: Uint8Array;
  nonceTpm: Uint8Array;
  attributes?: number;
  /** Name of the entity the session is bound to. */
  bindName?: Uint8Array;
}

/** A started HMAC, policy or trial session. */
export class AuthSession implements Authorization {
  readonly handle: number;
  readonly type: SessionType;
  readonly hashAlg: number;
  readonly needsNames = true;
  /** TPMA_SESSION bits sent with each command (default continueSession). */
  attributes: number;
  /** Set by TPM2_PolicyAuthValue: the entity's authValue joins the HMAC key. */
  authValueNeeded = false;
  /** Set by TPM2_PolicyPassword: the entity's authValue is sent in clear. */
  passwordNeeded = false;
  /** True once the TPM has flushed the session (continueSession was clear) or it was flushed explicitly. */
  closed = false;
  private sessionKey: Uint8Array;
  private nonceCaller: Uint8Array;
  private nonceTpm: Uint8Array;
  private readonly bindName?: Uint8Array;

  constructor(init: AuthSessionInit) {
    this.handle = init.handle;
    this.type = init.type;
    this.hashAlg = init.hashAlg;
    this.sessionKey = init.sessionKey;
    this.nonceCaller = init.nonceCaller;
    this.nonceTpm = init.nonceTpm;
    this.attributes = init.attributes ?? TPMA_SESSION.continueSession;
    this.bindName = init.bindName;
  }

  /** The TPM's latest nonce (what TPM2_PolicySigned / PolicySecret may bind to). */
  get tpmNonce(): Uint8Array {
    return this.nonceTpm;
  }

  private includeAuth(entityName?: Uint8Array): boolean {
    if (this.type === 'hmac') return !(this.bindName && entityName && equalBytes(this.bindName, entityName));
    return this.authValueNeeded;
  }

  private hmacKey(authValue: Uint8Array, entityName?: Uint8Array): Uint8Array {
    return this.includeAuth(entityName) ? concatBytes([this.sessionKey, trimAuth(authValue)]) : this.sessionKey;
  }

  authCommand(ctx: AuthCommandContext): AuthCommand {
    if (this.closed) throw new Error(`session ${hexHandle(this.handle)} is closed`);
    this.nonceCaller = new Uint8Array(randomBytes(Math.max(16, digestSize(this.hashAlg))));
    let hmac: Uint8Array;
    if (this.type === 'policy' && this.passwordNeeded) hmac = ctx.authValue;
    else {
      hmac = new Uint8Array(
        createHmac(nodeHashName(this.hashAlg), this.hmacKey(ctx.authValue, ctx.entityName))
          .update(ctx.cpHash(this.hashAlg))
          .update(this.nonceCaller)
          .update(this.nonceTpm)
          .update(new Uint8Array([this.attributes]))
          .digest(),
      );
    }
    return { sessionHandle: this.handle, nonce: this.nonceCaller, attributes: this.attributes, hmac };
  }

  authResponse(ctx: AuthResponseContext, r: AuthResponse): void {
    this.nonceTpm = r.nonce;
    if (!(this.attributes & TPMA_SESSION.continueSession)) this.closed = true;
    if (this.type === 'policy' && this.passwordNeeded) return;
    const expect = createHmac(nodeHashName(this.hashAlg), this.hmacKey(ctx.authValue, ctx.entityName))
      .update(ctx.rpHash(this.hashAlg))
      .update(this.nonceTpm)
      .update(this.nonceCaller)
      .update(new Uint8Array([r.attributes]))
      .digest();
    if (!equalBytes(new Uint8Array(expect), r.hmac)) {
      throw new TpmResponseAuthError(`response HMAC of session ${hexHandle(this.handle)} does not verify (response tampered with or session out of step)`);
    }
  }

  /** Forget the session key (after flushing). */
  dispose(): void {
    this.sessionKey.fill(0);
    this.closed = true;
  }
}

/** TPM_SE value of a session type. */
export function sessionTypeValue(t: SessionType): number {
  return SESSION_TYPE_VALUE[t];
}

export { TPM_SE };
