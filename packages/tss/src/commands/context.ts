/** Part 3 §28 Context Management: TPM2_ContextSave, TPM2_ContextLoad, TPM2_FlushContext, TPM2_EvictControl. */
import { Writer } from '@tncjs/common';
import { TPM_CC, TPM_RH } from '../constants.js';
import type { AuthRef } from '../sessions/authorization.js';
import { readContext, writeContext, type TpmsContext } from '../structures/tpms-context.js';
import type { Tpm, HandleRef } from '../tpm.js';
import { parseParams } from '../parse.js';

export type { TpmsContext };

/** TPM2_ContextSave: the object or session, encrypted by the TPM, to be loaded again later. */
export async function contextSave(tpm: Tpm, handle: number): Promise<TpmsContext> {
  const res = await tpm.execute({ commandCode: TPM_CC.ContextSave, handles: [handle] });
  return parseParams(res, 'TPM2_ContextSave', readContext);
}

/** TPM2_ContextLoad: returns the new handle. */
export async function contextLoad(tpm: Tpm, ctx: TpmsContext): Promise<number> {
  const w = new Writer(ctx.contextBlob.length + 32);
  writeContext(w, ctx);
  const res = await tpm.execute({ commandCode: TPM_CC.ContextLoad, params: w.finish(), responseHandles: 1 });
  parseParams(res, 'TPM2_ContextLoad', () => undefined);
  return res.handles[0];
}

/** TPM2_FlushContext: unload a transient object or end a session (the handle is a parameter, not a handle). */
export async function flushContext(tpm: Tpm, handle: number): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.FlushContext, params: new Writer(4).u32(handle >>> 0).finish() });
}

export interface EvictOptions {
  /** TPM_RH.OWNER (default) or TPM_RH.PLATFORM. */
  authHandle?: number;
  auth?: AuthRef;
}

/**
 * TPM2_EvictControl: make a transient object persistent at `persistentHandle` (0x81xxxxxx), or, given the persistent
 * handle as `objectHandle`, remove it.
 */
export async function evictControl(tpm: Tpm, objectHandle: HandleRef, persistentHandle: number, opts: EvictOptions = {}): Promise<void> {
  await tpm.execute({
    commandCode: TPM_CC.EvictControl,
    handles: [opts.authHandle ?? TPM_RH.OWNER, objectHandle],
    auths: [opts.auth ?? {}],
    params: new Writer(4).u32(persistentHandle >>> 0).finish(),
  });
}
