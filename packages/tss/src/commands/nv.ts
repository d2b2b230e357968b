/**
 * Part 3 §31 Non-volatile Storage: TPM2_NV_ReadPublic, TPM2_NV_Read (chunked by TPM_PT_NV_BUFFER_MAX; an EK
 * certificate is larger than one read), TPM2_NV_DefineSpace, TPM2_NV_Write, TPM2_NV_UndefineSpace.
 */
import { Writer, concatBytes, equalBytes } from '@tncjs/common';
import { TPM_CC, TPM_PT, TPM_RH } from '../constants.js';
import { TpmDecodeError } from '../errors.js';
import type { AuthRef } from '../sessions/authorization.js';
import { nvName, readNvPublic2b, writeNvPublic2b, type NvPublic } from '../structures/tpms-nv-public.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import type { Tpm } from '../tpm.js';
import { parseParams } from '../parse.js';
import { getProperties } from './capability.js';

export type { NvPublic };

/** TPM2_NV_ReadPublic: the index's public area and Name (checked against each other). */
export async function nvReadPublic(tpm: Tpm, index: number): Promise<{ public: NvPublic; name: Uint8Array }> {
  const res = await tpm.execute({ commandCode: TPM_CC.NV_ReadPublic, handles: [index] });
  return parseParams(res, 'TPM2_NV_ReadPublic', (r) => {
    const pub = readNvPublic2b(r);
    const at = r.offset;
    const name = readTpm2b(r, 'nvName', 68);
    if (!equalBytes(name, nvName(pub))) throw new TpmDecodeError('TPM2_NV_ReadPublic returned a Name that does not match the public area', at);
    return { public: pub, name };
  });
}

const chunkSizes = new WeakMap<Tpm, number>();

async function nvChunk(tpm: Tpm, given?: number): Promise<number> {
  if (given) return given;
  let n = chunkSizes.get(tpm);
  if (!n) {
    const p = await getProperties(tpm, TPM_PT.NV_BUFFER_MAX, TPM_PT.NV_BUFFER_MAX);
    n = Math.min(p.get(TPM_PT.NV_BUFFER_MAX) || 512, 1024);
    chunkSizes.set(tpm, n);
  }
  return n;
}

export interface NvReadOptions {
  /** Who authorizes: the index itself (default, needs AUTHREAD), TPM_RH.OWNER (OWNERREAD) or TPM_RH.PLATFORM. */
  authHandle?: number;
  auth?: AuthRef;
  /** Bytes to read (default: the whole index from `offset`). */
  size?: number;
  offset?: number;
  /** Bytes per TPM2_NV_Read (default: TPM_PT_NV_BUFFER_MAX). */
  chunkSize?: number;
}

/** TPM2_NV_Read of a whole index (or a range), as many reads as the TPM's buffer needs. */
export async function nvRead(tpm: Tpm, index: number, opts: NvReadOptions = {}): Promise<Uint8Array> {
  const offset = opts.offset ?? 0;
  const size = opts.size ?? (await nvReadPublic(tpm, index)).public.dataSize - offset;
  const chunk = await nvChunk(tpm, opts.chunkSize);
  const parts: Uint8Array[] = [];
  for (let done = 0; done < size; ) {
    const n = Math.min(chunk, size - done);
    const res = await tpm.execute({
      commandCode: TPM_CC.NV_Read,
      handles: [opts.authHandle ?? index, index],
      auths: [opts.auth ?? {}],
      params: new Writer(4).u16(n).u16(offset + done).finish(),
    });
    const data = parseParams(res, 'TPM2_NV_Read', (r) => readTpm2b(r, 'data'));
    if (data.length !== n) throw new TpmDecodeError(`TPM2_NV_Read returned ${data.length} bytes for ${n} requested`, 10);
    parts.push(data);
    done += n;
  }
  return concatBytes(parts);
}

export interface NvDefineOptions {
  /** TPM_RH.OWNER (default) or TPM_RH.PLATFORM (for PLATFORMCREATE indices like the EK certificate's). */
  authHandle?: number;
  auth?: AuthRef;
  /** The index's own authValue (secret). */
  indexAuth?: Uint8Array;
}

export async function nvDefineSpace(tpm: Tpm, pub: NvPublic, opts: NvDefineOptions = {}): Promise<void> {
  const w = new Writer(96);
  writeTpm2b(w, opts.indexAuth ?? new Uint8Array(0));
  writeNvPublic2b(w, pub);
  await tpm.execute({ commandCode: TPM_CC.NV_DefineSpace, handles: [opts.authHandle ?? TPM_RH.OWNER], auths: [opts.auth ?? {}], params: w.finish(), sensitive: { command: true } });
}

export interface NvWriteOptions {
  /** Who authorizes: the index itself (default, AUTHWRITE), TPM_RH.OWNER or TPM_RH.PLATFORM. */
  authHandle?: number;
  auth?: AuthRef;
  offset?: number;
  chunkSize?: number;
}

export async function nvWrite(tpm: Tpm, index: number, data: Uint8Array, opts: NvWriteOptions = {}): Promise<void> {
  const offset = opts.offset ?? 0;
  const chunk = await nvChunk(tpm, opts.chunkSize);
  for (let done = 0; done < data.length; ) {
    const n = Math.min(chunk, data.length - done);
    const w = new Writer(n + 4);
    writeTpm2b(w, data.subarray(done, done + n));
    w.u16(offset + done);
    await tpm.execute({ commandCode: TPM_CC.NV_Write, handles: [opts.authHandle ?? index, index], auths: [opts.auth ?? {}], params: w.finish() });
    done += n;
  }
}

export interface NvUndefineOptions {
  authHandle?: number;
  auth?: AuthRef;
}

export async function nvUndefineSpace(tpm: Tpm, index: number, opts: NvUndefineOptions = {}): Promise<void> {
  await tpm.execute({ commandCode: TPM_CC.NV_UndefineSpace, handles: [opts.authHandle ?? TPM_RH.OWNER, index], auths: [opts.auth ?? {}] });
}
