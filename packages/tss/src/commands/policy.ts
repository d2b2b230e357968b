/**
 * Part 3 §23 Enhanced Authorization: the policy commands this stack needs (PolicySecret for the TCG EK, PolicyPCR,
 * PolicyAuthValue, PolicyPassword, PolicyCommandCode, PolicyGetDigest, PolicyRestart), and software computation of
 * the policy digests they produce (Part 3 §23: policyDigest_new = H(policyDigest_old ‖ TPM_CC ‖ …)).
 */
import { Writer } from '@tncjs/common';
import { TPM_ALG, TPM_CC, digestSize } from '../constants.js';
import type { AuthRef } from '../sessions/authorization.js';
import { tpmHash } from '../sessions/authorization.js';
import type { AuthSession } from '../sessions/session.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import { readTicket, type Ticket } from '../structures/tpmt-tk.js';
import { encodePcrSelectionList, writePcrSelectionList } from '../structures/tpml-pcr-selection.js';
import type { Tpm, HandleRef } from '../tpm.js';
import { parseParams } from '../parse.js';
import { toSelection, type PcrSelectionInput } from './pcr.js';

const u32 = (n: number) => new Writer(4).u32(n >>> 0).finish();

export interface PolicySecretOptions {
  /** Authorization of `authHandle` (default: password, empty). */
  auth?: AuthRef;
  /** Bind to the session's nonceTPM (default false: no expiration ticket is tied to it). */
  useNonceTpm?: boolean;
  cpHashA?: Uint8Array;
  policyRef?: Uint8Array;
  /** Seconds (negative: a ticket is returned); 0 = no expiry. */
  expiration?: number;
}

/** TPM2_PolicySecret: the policy is satisfied by knowing `authHandle`'s authValue (TPM_RH_ENDORSEMENT for the EK). */
export async function policySecret(tpm: Tpm, authHandle: HandleRef, session: AuthSession, opts: PolicySecretOptions = {}): Promise<{ timeout: Uint8Array; ticket: Ticket }> {
  const w = new Writer(128);
  writeTpm2b(w, opts.useNonceTpm ? session.tpmNonce : new Uint8Array(0));
  writeTpm2b(w, opts.cpHashA ?? new Uint8Array(0));
  writeTpm2b(w, opts.policyRef ?? new Uint8Array(0));
  w.u32((opts.expiration ?? 0) >>> 0);
  const res = await tpm.execute({ commandCode: TPM_CC.PolicySecret, handles: [authHandle, session.handle], auths: [opts.auth ?? {}], params: w.finish() });
  return parseParams(res, 'TPM2_PolicySecret', (r) => ({ timeout: readTpm2b(r, 'timeout'), ticket: readTicket(r) }));
}

/** TPM2_PolicyPCR: the policy requires the selected PCRs to have the values whose digest is `pcrDigest` (empty: now). */
export async function policyPCR(tpm: Tpm, session: AuthSession, selection: PcrSelectionInput, pcrDigest: Uint8Array = new Uint8Array(0)): Promise<void> {
  const w = new Writer(64);
  writeTpm2b(w, pcrDigest);
  writePcrSelectionList(w, toSelection(selection));
  await tpm.execute({ commandCode: TPM_CC.PolicyPCR, handles: [session.handle], params: w.finish() });
}

export async function policyAuthValue(tpm: Tpm, session: AuthSession): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.PolicyAuthValue, handles: [session.handle] });
  session.authValueNeeded = true;
  session.passwordNeeded = false;
}

export async function policyPassword(tpm: Tpm, session: AuthSession): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.PolicyPassword, handles: [session.handle] });
  session.passwordNeeded = true;
  session.authValueNeeded = false;
}

export async function policyCommandCode(tpm: Tpm, session: AuthSession, cc: number): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.PolicyCommandCode, handles: [session.handle], params: u32(cc) });
}

export async function policyGetDigest(tpm: Tpm, session: AuthSession): Promise<Uint8Array> {
  const res = await tpm.execute({ commandCode: TPM_CC.PolicyGetDigest, handles: [session.handle] });
  return parseParams(res, 'TPM2_PolicyGetDigest', (r) => readTpm2b(r, 'policyDigest', 64));
}

export async function policyRestart(tpm: Tpm, session: AuthSession): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.PolicyRestart, handles: [session.handle] });
  session.authValueNeeded = false;
  session.passwordNeeded = false;
}

/** Policy digests computed in software, to build authPolicy values and check trial sessions. */
export const policyDigest = {
  /** The all-zero starting digest. */
  initial(hashAlg: number = TPM_ALG.SHA256): Uint8Array {
    return new Uint8Array(digestSize(hashAlg));
  },
  /** PolicySecret / PolicySigned / PolicyNV-style update: H(H(old ‖ cc ‖ authName) ‖ policyRef). */
  secret(old: Uint8Array, authName: Uint8Array, policyRef: Uint8Array = new Uint8Array(0), hashAlg: number = TPM_ALG.SHA256): Uint8Array {
    const d = tpmHash(hashAlg, old, u32(TPM_CC.PolicySecret), authName);
    return tpmHash(hashAlg, d, policyRef);
  },
  /** PolicyPCR: H(old ‖ TPM_CC_PolicyPCR ‖ TPML_PCR_SELECTION ‖ pcrDigest). */
  pcr(old: Uint8Array, selection: PcrSelectionInput, pcrDigest: Uint8Array, hashAlg: number = TPM_ALG.SHA256): Uint8Array {
    return tpmHash(hashAlg, old, u32(TPM_CC.PolicyPCR), encodePcrSelectionList(toSelection(selection)), pcrDigest);
  },
  /** PolicyAuthValue and PolicyPassword both extend with TPM_CC_PolicyAuthValue. */
  authValue(old: Uint8Array, hashAlg: number = TPM_ALG.SHA256): Uint8Array {
    return tpmHash(hashAlg, old, u32(TPM_CC.PolicyAuthValue));
  },
  commandCode(old: Uint8Array, cc: number, hashAlg: number = TPM_ALG.SHA256): Uint8Array {
    return tpmHash(hashAlg, old, u32(TPM_CC.PolicyCommandCode), u32(cc));
  },
};
