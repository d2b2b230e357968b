/** Part 3 §20 Signing (TPM2_Sign) and §15 Hash/HMAC (TPM2_Hash, which gives restricted keys their ticket). */
import { Writer } from '@tncjs/common';
import { TPM_ALG, TPM_CC, TPM_RH } from '../constants.js';
import type { AuthRef } from '../sessions/authorization.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import { SCHEME_NULL, writeScheme, type Scheme } from '../structures/tpmt-scheme.js';
import { encodeSignature, readSignature, type TpmtSignature } from '../structures/tpmt-signature.js';
import { nullHashcheck, readTicket, writeTicket, type Ticket } from '../structures/tpmt-tk.js';
import type { Tpm, HandleRef } from '../tpm.js';
import { parseParams } from '../parse.js';

export interface SignOptions {
  scheme?: Scheme;
  /** TPMT_TK_HASHCHECK from TPM2_Hash (required for restricted keys); default: the NULL ticket. */
  validation?: Ticket;
  auth?: AuthRef;
}

/** TPM2_Sign a digest. */
export async function sign(tpm: Tpm, keyHandle: HandleRef, digest: Uint8Array, opts: SignOptions = {}): Promise<{ signature: TpmtSignature; signatureBytes: Uint8Array }> {
  const w = new Writer(128);
  writeTpm2b(w, digest);
  writeScheme(w, opts.scheme ?? SCHEME_NULL);
  writeTicket(w, opts.validation ?? nullHashcheck());
  const res = await tpm.execute({ commandCode: TPM_CC.Sign, handles: [keyHandle], auths: [opts.auth ?? {}], params: w.finish() });
  return parseParams(res, 'TPM2_Sign', (r) => {
    const signature = readSignature(r);
    return { signature, signatureBytes: encodeSignature(signature) };
  });
}

/** TPM2_Hash (data ≤ 1024 bytes): the digest and, for data not starting with TPM_GENERATED_VALUE, a ticket. */
export async function hash(tpm: Tpm, data: Uint8Array, hashAlg: number = TPM_ALG.SHA256, hierarchy: number = TPM_RH.OWNER): Promise<{ digest: Uint8Array; validation: Ticket }> {
  const w = new Writer(data.length + 8);
  writeTpm2b(w, data);
  w.u16(hashAlg).u32(hierarchy >>> 0);
  const res = await tpm.execute({ commandCode: TPM_CC.Hash, params: w.finish() });
  return parseParams(res, 'TPM2_Hash', (r) => ({ digest: readTpm2b(r, 'outHash', 64), validation: readTicket(r) }));
}
