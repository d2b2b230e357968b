/** Part 3 §9 Start-up (TPM2_Startup, TPM2_Shutdown) and §10 Testing (TPM2_SelfTest, TPM2_GetTestResult). */
import { Writer } from '@tncjs/common';
import { TPM_CC, TPM_SU } from '../constants.js';
import { readTpm2b } from '../structures/tpm2b.js';
import type { Tpm } from '../tpm.js';
import { parseParams } from '../parse.js';

const su = (t: 'clear' | 'state') => (t === 'state' ? TPM_SU.STATE : TPM_SU.CLEAR);

/** TPM2_Startup(CLEAR | STATE): the first command after power-on (_TPM_Init). */
export async function startup(tpm: Tpm, type: 'clear' | 'state' = 'clear'): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.Startup, params: new Writer(2).u16(su(type)).finish() });
}

/** TPM2_Shutdown(CLEAR | STATE): prepare for power loss (STATE keeps sessions and PCRs for a Startup(STATE)). */
export async function shutdown(tpm: Tpm, type: 'clear' | 'state' = 'clear'): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.Shutdown, params: new Writer(2).u16(su(type)).finish() });
}

/** TPM2_SelfTest. */
export async function selfTest(tpm: Tpm, fullTest = true): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.SelfTest, params: new Uint8Array([fullTest ? 1 : 0]) });
}

/** TPM2_GetTestResult: manufacturer-specific data and the result code of the self tests. */
export async function getTestResult(tpm: Tpm): Promise<{ outData: Uint8Array; testResult: number }> {
  const res = await tpm.execute({ commandCode: TPM_CC.GetTestResult });
  return parseParams(res, 'TPM2_GetTestResult', (r) => ({ outData: readTpm2b(r, 'outData'), testResult: r.u32('testResult') }));
}
