/**
 * Rebuilding what the TPM signed from a Simple Evidence Final, as strongSwan's IMV does (it never receives extraData:
 * it substitutes its own secret assessment value), and checking the signature with the AIK.
 *
 * TPM 2.0: TPMS_ATTEST = magic ff544347 ‖ type 8018 ‖ TPM2B qualifiedSigner ‖ TPM2B extraData(secret) ‖ clockInfo ‖
 *          firmwareVersion ‖ TPML_PCR_SELECTION (as received) ‖ TPM2B pcrDigest.
 * TPM 1.2: TPM_QUOTE_INFO = 01010000 ‖ "QUOT" ‖ composite hash ‖ secret;
 *          TPM_QUOTE_INFO2 = 0036 ‖ "QUT2" ‖ secret ‖ 0003 ‖ bitmap ‖ locality 01 ‖ composite hash [‖ version info].
 */
import { createPublicKey, createHash } from 'node:crypto';
import { TPM_ALG, verifySignature, type TpmtSignature } from '@tncjs/tss';
import { Writer, concatBytes, TncjsError } from '@tncjs/common';
import { MEAS_ALGO_NODE } from '../attributes/meas-algo.js';
import { QuoteMode, quoteMode, type SimpleEvidenceFinalValue } from '../attributes/simple-evidence-final.js';
import { ShadowPcrs } from './shadow-pcrs.js';

export class QuoteError extends TncjsError {
  constructor(message: string) {
    super('ERR_PTS_QUOTE', message);
  }
}

export function tpm2QuoteInfo(sef: SimpleEvidenceFinalValue, secret: Uint8Array): Uint8Array {
  const w = new Writer(256);
  w.u32(0xff544347).u16(0x8018);
  w.u16(sef.qualifiedSigner?.byteLength ?? 0).bytes(sef.qualifiedSigner ?? new Uint8Array(0));
  w.u16(secret.byteLength).bytes(secret);
  w.bytes(sef.clockInfo ?? new Uint8Array(0)).bytes(sef.firmwareVersion ?? new Uint8Array(0)).bytes(sef.pcrSelect ?? new Uint8Array(0));
  w.u16(sef.pcrComposite?.byteLength ?? 0).bytes(sef.pcrComposite ?? new Uint8Array(0));
  return w.finish();
}

/** TPM 1.2 TPM_PCR_COMPOSITE hash over the shadow PCRs' selection. */
export function tpm12CompositeHash(pcrs: ShadowPcrs, selection: number[]): Uint8Array {
  const values = pcrs.composite(selection);
  const w = new Writer(32 + values.byteLength);
  w.u16(3).bytes(ShadowPcrs.bitmap(selection)).u32(values.byteLength).bytes(values);
  return new Uint8Array(createHash('sha1').update(w.finish()).digest());
}

export function tpm12QuoteInfo(mode: number, compositeHash: Uint8Array, secret: Uint8Array, selection: number[], versionInfo?: Uint8Array): Uint8Array {
  const w = new Writer(128);
  if (mode === QuoteMode.TPM_QUOTE_INFO) {
    w.u32(0x01010000).bytes(new TextEncoder().encode('QUOT')).bytes(compositeHash).bytes(secret);
  } else {
    w.u16(0x0036).bytes(new TextEncoder().encode('QUT2')).bytes(secret).u16(3).bytes(ShadowPcrs.bitmap(selection)).u8(1).bytes(compositeHash);
    if (mode === QuoteMode.TPM_QUOTE_INFO2_VER && versionInfo) w.bytes(versionInfo);
  }
  return w.finish();
}

/** The PCR composite digest the IMV expects for a TPM 2.0 quote (H_sig over the concatenated PCR values). */
export function expectedPcrDigest(pcrs: ShadowPcrs, compositeAlgorithm: number, selection = pcrs.selection()): Uint8Array {
  const h = MEAS_ALGO_NODE[compositeAlgorithm];
  if (!h) throw new QuoteError(`unsupported PCR composite algorithm 0x${compositeAlgorithm.toString(16)}`);
  return new Uint8Array(createHash(h.hash).update(pcrs.composite(selection)).digest());
}

/**
 * Verify a quote signature with the AIK (DER SubjectPublicKeyInfo): RSA → PKCS#1 v1.5, EC → ECDSA with r‖s, using
 * the composite algorithm's hash (strongSwan's rule; RSA-PSS quotes are not supported, as in strongSwan).
 */
export function verifyQuoteSignature(aikSpki: Uint8Array, compositeAlgorithm: number, signed: Uint8Array, signature: Uint8Array): boolean {
  const hash = MEAS_TO_TPM_ALG[compositeAlgorithm];
  if (!hash) throw new QuoteError(`unsupported signature hash 0x${compositeAlgorithm.toString(16)}`);
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(aikSpki), format: 'der', type: 'spki' });
  } catch (e) {
    throw new QuoteError(`parsing of Attestation Identity Key failed: ${(e as Error).message}`);
  }
  // strongSwan sends RSA signatures as they are and ECDSA signatures as r ‖ s
  const half = signature.byteLength / 2;
  const sig: TpmtSignature =
    key.asymmetricKeyType === 'ec'
      ? { sigAlg: TPM_ALG.ECDSA, hash, r: signature.subarray(0, half), s: signature.subarray(half) }
      : { sigAlg: TPM_ALG.RSASSA, hash, sig: signature };
  return verifySignature(signed, sig, key);
}

/** PTS measurement algorithm bits → TPM_ALG_ID. */
export const MEAS_TO_TPM_ALG: Readonly<Record<number, number>> = { 0x8000: TPM_ALG.SHA1, 0x4000: TPM_ALG.SHA256, 0x2000: TPM_ALG.SHA384, 0x1000: TPM_ALG.SHA512 };

/** Which PCRs a TPML_PCR_SELECTION (one bank) selects, and its bank algorithm (TPM_ALG_ID). */
export function parsePcrSelect(sel: Uint8Array): { bank: number; pcrs: number[] } | undefined {
  if (sel.byteLength < 7) return undefined;
  const dv = new DataView(sel.buffer, sel.byteOffset, sel.byteLength);
  if (dv.getUint32(0) !== 1) return undefined;
  const bank = dv.getUint16(4);
  const n = sel[6];
  if (sel.byteLength < 7 + n) return undefined;
  const pcrs: number[] = [];
  for (let i = 0; i < n * 8; i++) if (sel[7 + (i >> 3)] & (1 << (i & 7))) pcrs.push(i);
  return { bank, pcrs };
}

export { quoteMode, concatBytes };
