/** Part 3 §18 Attestation Commands: TPM2_Quote. */
import { Reader, Writer } from '@tncjs/common';
import { TPM_CC } from '../constants.js';
import type { AuthRef } from '../sessions/authorization.js';
import { readAttest, type TpmsAttest } from '../structures/tpms-attest.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import { SCHEME_NULL, writeScheme, type Scheme } from '../structures/tpmt-scheme.js';
import { encodeSignature, readSignature, type TpmtSignature } from '../structures/tpmt-signature.js';
import { writePcrSelectionList } from '../structures/tpml-pcr-selection.js';
import type { Tpm, HandleRef } from '../tpm.js';
import { parseParams } from '../parse.js';
import { toSelection, type PcrSelectionInput } from './pcr.js';

export interface QuoteOptions {
  /** Signing scheme (default NULL: the key's own scheme). */
  scheme?: Scheme;
  /** Authorization of the signing key (default: password, empty). */
  auth?: AuthRef;
}

export interface QuoteResult {
  /** TPMS_ATTEST bytes as signed (tpm2-tools' `-m` message file). */
  quoted: Uint8Array;
  attest: TpmsAttest;
  signature: TpmtSignature;
  /** TPMT_SIGNATURE bytes (tpm2-tools' `-s` signature file). */
  signatureBytes: Uint8Array;
}

/** TPM2_Quote: sign the digest of the selected PCRs with `qualifyingData` (the verifier's nonce) as extraData. */
export async function quote(tpm: Tpm, signHandle: HandleRef, qualifyingData: Uint8Array, selection: PcrSelectionInput, opts: QuoteOptions = {}): Promise<QuoteResult> {
  const w = new Writer(128);
  writeTpm2b(w, qualifyingData);
  writeScheme(w, opts.scheme ?? SCHEME_NULL);
  writePcrSelectionList(w, toSelection(selection));
  const res = await tpm.execute({ commandCode: TPM_CC.Quote, handles: [signHandle], auths: [opts.auth ?? {}], params: w.finish() });
  return parseParams(res, 'TPM2_Quote', (r) => {
    const at = r.offset + 2;
    const quoted = readTpm2b(r, 'quoted');
    const inner = new Reader(quoted, at);
    const attest = readAttest(inner);
    inner.end('TPMS_ATTEST');
    const signature = readSignature(r);
    return { quoted, attest, signature, signatureBytes: encodeSignature(signature) };
  });
}
