/**
 * Key templates: the TCG EK templates (EK Credential Profile 2.0 §2.1.5, "Template L-1" RSA 2048 and "Template L-2"
 * ECC NIST P-256, the ones `tpm2_createek -G rsa|ecc` uses), SRK templates (`tpm2_createprimary -C o` defaults, and
 * the TCG Provisioning Guidance variant) and AIK templates (restricted signing keys, RSASSA-SHA256 / ECDSA-SHA256, as
 * strongSwan's documentation creates them with `tpm2_create -a fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign`).
 */
import { fromHex } from '@tncjs/common';
import { TPM_ALG, TPM_ECC, TPMA_OBJECT as A } from './constants.js';
import { SCHEME_NULL, SYM_AES128_CFB, SYM_NULL, type Scheme } from './structures/tpmt-scheme.js';
import type { EccPublic, RsaPublic, TpmtPublic } from './structures/tpmt-public.js';

export type KeyAlg = 'rsa' | 'ecc';

/** PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the authPolicy of the TCG default EKs ("policy A"). */
export const EK_POLICY_SHA256 = fromHex('837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa');

/** fixedTPM | fixedParent | sensitiveDataOrigin | adminWithPolicy | restricted | decrypt (0x000300b2). */
export const EK_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.adminWithPolicy | A.restricted | A.decrypt;
/** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | decrypt (0x00030072): tpm2-tools' default primary. */
export const SRK_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.restricted | A.decrypt;
/** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | sign (0x00050072). */
export const AIK_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.restricted | A.sign;
/** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign (0x00040072): an unrestricted signing key. */
export const SIGNING_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.sign;

const empty = () => new Uint8Array(0);

function rsa(attrs: number, authPolicy: Uint8Array, symmetric = SYM_NULL, scheme: Scheme = SCHEME_NULL, unique = empty()): RsaPublic {
  return { type: TPM_ALG.RSA, nameAlg: TPM_ALG.SHA256, objectAttributes: attrs, authPolicy, parameters: { symmetric, scheme, keyBits: 2048, exponent: 0 }, unique };
}

function ecc(attrs: number, authPolicy: Uint8Array, symmetric = SYM_NULL, scheme: Scheme = SCHEME_NULL, size = 0): EccPublic {
  return {
    type: TPM_ALG.ECC,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: attrs,
    authPolicy,
    parameters: { symmetric, scheme, curveId: TPM_ECC.NIST_P256, kdf: SCHEME_NULL },
    unique: { x: new Uint8Array(size), y: new Uint8Array(size) },
  };
}

/** The TCG default EK template: RSA 2048 (unique = 256 zero bytes) or ECC P-256 (unique = two 32-byte zero coordinates). */
export function ekTemplate(alg: KeyAlg): TpmtPublic {
  return alg === 'rsa'
    ? rsa(EK_ATTRIBUTES, EK_POLICY_SHA256.slice(), SYM_AES128_CFB, SCHEME_NULL, new Uint8Array(256))
    : ecc(EK_ATTRIBUTES, EK_POLICY_SHA256.slice(), SYM_AES128_CFB, SCHEME_NULL, 32);
}

/**
 * SRK template. `tpm2-tools` (default): what `tpm2_createprimary -C o [-G ecc]` creates (empty unique, DA protected).
 * `tcg`: TCG Provisioning Guidance (noDA, zero-filled unique like the EK templates).
 */
export function srkTemplate(alg: KeyAlg, profile: 'tpm2-tools' | 'tcg' = 'tpm2-tools'): TpmtPublic {
  if (profile === 'tcg') {
    const attrs = SRK_ATTRIBUTES | A.noDA;
    return alg === 'rsa' ? rsa(attrs, empty(), SYM_AES128_CFB, SCHEME_NULL, new Uint8Array(256)) : ecc(attrs, empty(), SYM_AES128_CFB, SCHEME_NULL, 32);
  }
  return alg === 'rsa' ? rsa(SRK_ATTRIBUTES, empty(), SYM_AES128_CFB) : ecc(SRK_ATTRIBUTES, empty(), SYM_AES128_CFB);
}

/** AIK template: restricted signing key, RSA 2048 RSASSA-SHA256 or ECC P-256 ECDSA-SHA256. */
export function aikTemplate(alg: KeyAlg, hashAlg: number = TPM_ALG.SHA256): TpmtPublic {
  return alg === 'rsa'
    ? rsa(AIK_ATTRIBUTES, empty(), SYM_NULL, { scheme: TPM_ALG.RSASSA, hashAlg })
    : ecc(AIK_ATTRIBUTES, empty(), SYM_NULL, { scheme: TPM_ALG.ECDSA, hashAlg });
}

/** An unrestricted signing key (TPM2_Sign of any digest). */
export function signingKeyTemplate(alg: KeyAlg, hashAlg: number = TPM_ALG.SHA256): TpmtPublic {
  return alg === 'rsa'
    ? rsa(SIGNING_ATTRIBUTES, empty(), SYM_NULL, { scheme: TPM_ALG.RSASSA, hashAlg })
    : ecc(SIGNING_ATTRIBUTES, empty(), SYM_NULL, { scheme: TPM_ALG.ECDSA, hashAlg });
}
