/**
 * Quote verification in pure TypeScript (node:crypto only): the verifier side needs no TPM.
 *
 * Checks, in order: TPMS_ATTEST parses; magic is TPM_GENERATED_VALUE (0xff544347); type is TPM_ST_ATTEST_QUOTE;
 * extraData equals the nonce; the signature verifies over the TPMS_ATTEST bytes with the AIK; the PCR digest
 * recomputed from the PCR values equals pcrDigest. The PCR digest uses the hash of the signing scheme (the hash in
 * TPMT_SIGNATURE), not the hash of the PCR bank: a quote of the SHA-1 bank signed with RSASSA-SHA256 carries
 * SHA256(sha1 values) — strongSwan's `tpm_tss_tss2_v2.c` does the same (`pcr_digest_alg` from the signature).
 */
import { constants, createPublicKey, verify, KeyObject } from 'node:crypto';
import { equalBytes, toHex, concatBytes } from '@tncjs/common';
import { TPM_ALG, TPM_GENERATED_VALUE, TPM_ST, TPM_ST_NAMES, algName, nodeHashName } from './constants.js';
import { QuoteVerificationError } from './errors.js';
import { computePcrDigest, type PcrValue } from './commands/pcr.js';
import { padTo, publicKeyObject } from './crypto/keys.js';
import { decodeAttest, type TpmsAttest } from './structures/tpms-attest.js';
import { decodeSignature, type TpmtSignature } from './structures/tpmt-signature.js';
import type { TpmtPublic } from './structures/tpmt-public.js';
import type { PcrSelection } from './structures/tpml-pcr-selection.js';

/** A verification key: a TPM public area, a KeyObject, PEM text or DER SubjectPublicKeyInfo. */
export type VerificationKey = TpmtPublic | KeyObject | string | Uint8Array;

const ECDSA_SIZES: Record<string, number> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 };

function keyObject(k: VerificationKey): KeyObject {
  if (k instanceof KeyObject) return k;
  if (typeof k === 'string') return createPublicKey(k);
  if (k instanceof Uint8Array) return createPublicKey({ key: Buffer.from(k), format: 'der', type: 'spki' });
  return publicKeyObject(k);
}

/**
 * Verify a TPMT_SIGNATURE over `message` (RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA).
 * @returns false when the signature does not verify
 * @throws QuoteVerificationError('scheme') for schemes node:crypto cannot verify
 */
export function verifySignature(message: Uint8Array, signature: TpmtSignature, key: VerificationKey): boolean {
  const k = keyObject(key);
  switch (signature.sigAlg) {
    case TPM_ALG.RSASSA:
      return verify(nodeHashName(signature.hash), message, k, signature.sig);
    case TPM_ALG.RSAPSS:
      return verify(nodeHashName(signature.hash), message, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature.sig);
    case TPM_ALG.ECDSA: {
      const size = ECDSA_SIZES[k.asymmetricKeyDetails?.namedCurve ?? ''] ?? 32;
      if (signature.r.length > size || signature.s.length > size) return false;
      return verify(nodeHashName(signature.hash), message, { key: k, dsaEncoding: 'ieee-p1363' }, concatBytes([padTo(signature.r, size), padTo(signature.s, size)]));
    }
    default:
      throw new QuoteVerificationError('scheme', `cannot verify ${algName(signature.sigAlg)} signatures`);
  }
}

export interface QuoteVerifyInput {
  /** TPMS_ATTEST bytes (TPM2_Quote's `quoted`, tpm2-tools' `-m` file). */
  quoted: Uint8Array;
  /** TPMT_SIGNATURE (bytes or parsed). */
  signature: Uint8Array | TpmtSignature;
  /** The AIK. */
  key: VerificationKey;
  /** The nonce the verifier sent; extraData must equal it. Omit only when the caller checks extraData itself. */
  nonce?: Uint8Array;
  /** PCR values covering the quote's selection (any banks; extra values are ignored). Omit to skip the digest check. */
  pcrs?: readonly PcrValue[];
  /** Expected qualifiedSigner (the AIK's qualified name), if known. */
  qualifiedSigner?: Uint8Array;
}

export interface VerifiedQuote {
  attest: TpmsAttest;
  signature: TpmtSignature;
  /** The selection the TPM quoted. */
  pcrSelect: PcrSelection[];
  pcrDigest: Uint8Array;
  /** Hash algorithm of the PCR digest (the signing scheme's). */
  pcrDigestAlg: number;
  /** True when `pcrs` were given and matched. */
  pcrsVerified: boolean;
}

/**
 * Verify a TPM 2.0 quote. Returns the parsed quote; throws QuoteVerificationError with `reason` = 'decode', 'magic',
 * 'type', 'nonce', 'signature', 'pcr-select', 'pcr-digest' or 'scheme' for the first check that fails.
 * @example verifyQuote({ quoted, signature, key: aik.public, nonce, pcrs: (await tpm.pcrRead('sha256:0-7')).values })
 */
export function verifyQuote(input: QuoteVerifyInput): VerifiedQuote {
  let attest: TpmsAttest;
  let signature: TpmtSignature;
  try {
    attest = decodeAttest(input.quoted);
    signature = input.signature instanceof Uint8Array ? decodeSignature(input.signature) : input.signature;
  } catch (e) {
    throw new QuoteVerificationError('decode', `quote does not parse: ${(e as Error).message}`, { cause: e });
  }
  if (attest.magic !== TPM_GENERATED_VALUE) {
    throw new QuoteVerificationError('magic', `magic is 0x${attest.magic.toString(16)}, not TPM_GENERATED_VALUE 0xff544347: not produced by a TPM`);
  }
  if (attest.type !== TPM_ST.ATTEST_QUOTE || !('pcrSelect' in attest.attested)) {
    throw new QuoteVerificationError('type', `attestation type is ${TPM_ST_NAMES[attest.type] ?? '0x' + attest.type.toString(16)}, not TPM_ST_ATTEST_QUOTE`);
  }
  if (input.nonce && !equalBytes(attest.extraData, input.nonce)) {
    throw new QuoteVerificationError('nonce', `extraData ${toHex(attest.extraData)} is not the nonce ${toHex(input.nonce)}`);
  }
  if (input.qualifiedSigner && !equalBytes(attest.qualifiedSigner, input.qualifiedSigner)) {
    throw new QuoteVerificationError('key', 'qualifiedSigner is not the expected AIK');
  }
  if (signature.sigAlg === TPM_ALG.NULL || signature.sigAlg === TPM_ALG.HMAC) {
    throw new QuoteVerificationError('scheme', `cannot verify a quote signed with ${algName(signature.sigAlg)}`);
  }
  let ok: boolean;
  try {
    ok = verifySignature(input.quoted, signature, input.key);
  } catch (e) {
    if (e instanceof QuoteVerificationError) throw e;
    throw new QuoteVerificationError('key', `cannot verify with this key: ${(e as Error).message}`, { cause: e });
  }
  if (!ok) throw new QuoteVerificationError('signature', `${algName(signature.sigAlg)}-${algName(signature.hash)} signature does not verify with the AIK`);
  const { pcrSelect, pcrDigest } = attest.attested;
  const pcrDigestAlg = signature.hash;
  let pcrsVerified = false;
  if (input.pcrs) {
    let computed: Uint8Array;
    try {
      computed = computePcrDigest(pcrDigestAlg, pcrSelect, input.pcrs);
    } catch (e) {
      throw new QuoteVerificationError('pcr-select', `PCR values do not cover the quoted selection: ${(e as Error).message}`);
    }
    if (!equalBytes(computed, pcrDigest)) {
      throw new QuoteVerificationError('pcr-digest', `PCR digest mismatch: quote has ${toHex(pcrDigest)}, the PCR values give ${algName(pcrDigestAlg)} ${toHex(computed)}`);
    }
    pcrsVerified = true;
  }
  return { attest, signature, pcrSelect, pcrDigest, pcrDigestAlg, pcrsVerified };
}
