/**
 * Part 3 §11 Session Commands: TPM2_StartAuthSession. Sessions may be salted (the salt encrypted to a loaded RSA or
 * ECC key, e.g. the EK) and bound; the session key is KDFa(authHash, bindAuth ‖ salt, "ATH", nonceTPM, nonceCaller).
 */
import { randomBytes } from 'node:crypto';
import { Writer, concatBytes } from '@tncjs/common';
import { TPM_ALG, TPM_CC, TPM_RH, TPMA_SESSION, digestSize } from '../constants.js';
import { kdfa } from '../crypto/kdf.js';
import { createSharedSecret } from '../crypto/secret.js';
import { AuthSession, sessionTypeValue, trimAuth, type SessionType } from '../sessions/session.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import { SYM_NULL, writeSymDef, type SymDef } from '../structures/tpmt-scheme.js';
import type { TpmtPublic } from '../structures/tpmt-public.js';
import type { Tpm } from '../tpm.js';
import { parseParams } from '../parse.js';

export { AuthSession };

export interface StartSessionOptions {
  /** 'hmac' (default), 'policy' or 'trial'. */
  type?: SessionType;
  /** Session hash (default SHA-256). */
  hashAlg?: number;
  /** Salt the session with a loaded key (its handle and public area): an eavesdropper cannot compute the session key. */
  salt?: { handle: number; public: TpmtPublic };
  /** Bind the session to an entity (its handle, Name and authValue). */
  bind?: { handle: number; name: Uint8Array; authValue?: Uint8Array };
  /** Parameter encryption algorithm (default NULL; this stack does not encrypt parameters). */
  symmetric?: SymDef;
  /** TPMA_SESSION bits (default continueSession). */
  attributes?: number;
}

export async function startAuthSession(tpm: Tpm, opts: StartSessionOptions = {}): Promise<AuthSession> {
  const type = opts.type ?? 'hmac';
  const hashAlg = opts.hashAlg ?? TPM_ALG.SHA256;
  const n = digestSize(hashAlg);
  if (n === 0) throw new RangeError(`session hash ${hashAlg} is not a hash algorithm`);
  const nonceCaller = new Uint8Array(randomBytes(n));
  const shared = opts.salt ? createSharedSecret(opts.salt.public, 'SECRET') : undefined;
  const w = new Writer(512);
  writeTpm2b(w, nonceCaller);
  writeTpm2b(w, shared?.encryptedSecret ?? new Uint8Array(0));
  w.u8(sessionTypeValue(type));
  writeSymDef(w, opts.symmetric ?? SYM_NULL);
  w.u16(hashAlg);
  const res = await tpm.execute({
    commandCode: TPM_CC.StartAuthSession,
    handles: [opts.salt?.handle ?? TPM_RH.NULL, opts.bind?.handle ?? TPM_RH.NULL],
    params: w.finish(),
    responseHandles: 1,
    sensitive: { command: true },
  });
  const nonceTpm = parseParams(res, 'TPM2_StartAuthSession', (r) => readTpm2b(r, 'nonceTPM', 64));
  const keyMaterial = concatBytes([trimAuth(opts.bind?.authValue ?? new Uint8Array(0)), shared?.seed ?? new Uint8Array(0)]);
  const sessionKey = keyMaterial.length ? kdfa(hashAlg, keyMaterial, 'ATH', nonceTpm, nonceCaller, n * 8) : new Uint8Array(0);
  keyMaterial.fill(0);
  shared?.seed.fill(0);
  return new AuthSession({
    handle: res.handles[0],
    type,
    hashAlg,
    sessionKey,
    nonceCaller,
    nonceTpm,
    attributes: opts.attributes ?? TPMA_SESSION.continueSession,
    bindName: opts.bind?.name,
  });
}
