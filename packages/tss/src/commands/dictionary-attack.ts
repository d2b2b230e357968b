/** Part 3 §25 Dictionary Attack Functions: TPM2_DictionaryAttackLockReset, TPM2_DictionaryAttackParameters. */
import { Writer } from '@tncjs/common';
import { TPM_CC, TPM_RH } from '../constants.js';
import type { AuthRef } from '../sessions/authorization.js';
import type { Tpm } from '../tpm.js';

/** Reset the failed-authorization counter (and leave lockout), authorized by the lockout hierarchy. */
export async function dictionaryAttackLockReset(tpm: Tpm, auth: AuthRef = {}): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.DictionaryAttackLockReset, handles: [TPM_RH.LOCKOUT], auths: [auth] });
}

/** Set maxTries, recoveryTime and lockoutRecovery (seconds). */
export async function dictionaryAttackParameters(tpm: Tpm, p: { maxTries: number; recoveryTime: number; lockoutRecovery: number }, auth: AuthRef = {}): Promise<void> {
  const w = new Writer(12).u32(p.maxTries).u32(p.recoveryTime).u32(p.lockoutRecovery);
  await tpm.execute({ commandCode: TPM_CC.DictionaryAttackParameters, handles: [TPM_RH.LOCKOUT], auths: [auth], params: w.finish() });
}
