/**
 * Endorsement key helpers: the TCG default EK (CreatePrimary under TPM_RH_ENDORSEMENT with the EK template), its
 * certificate in NV (EK Credential Profile §2.2.1.4: 0x01c00002 RSA 2048, 0x01c0000a ECC P-256), and
 * TPM2_ActivateCredential with the EK's policy (PolicySecret(TPM_RH_ENDORSEMENT) in a policy session).
 */
import { TCG_HANDLES, TPM_RH, TPMA_NV } from './constants.js';
import type { PrimaryObject } from './commands/hierarchy.js';
import type { AuthRef } from './sessions/authorization.js';
import { ekTemplate, type KeyAlg } from './templates.js';
import type { HandleRef, Tpm } from './tpm.js';

/** CreatePrimary of the TCG default EK (the key `tpm2_createek -G rsa|ecc` creates). */
export async function createEk(tpm: Tpm, alg: KeyAlg, opts: { endorsementAuth?: AuthRef } = {}): Promise<PrimaryObject> {
  return tpm.createPrimary(TPM_RH.ENDORSEMENT, ekTemplate(alg), { auth: opts.endorsementAuth });
}

/** NV index of the EK certificate for a key algorithm. */
export function ekCertIndex(alg: KeyAlg): number {
  return alg === 'rsa' ? TCG_HANDLES.EK_CERT_RSA2048 : TCG_HANDLES.EK_CERT_ECC_P256;
}

/** Length of the DER element at the start of `b` (to cut zero padding after a certificate), or undefined. */
export function derLength(b: Uint8Array): number | undefined {
  if (b.length < 2 || b[0] !== 0x30) return undefined;
  const l = b[1];
  if (l < 0x80) return 2 + l;
  const n = l & 0x7f;
  if (n === 0 || n > 4 || b.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
  return 2 + n + len <= b.length ? 2 + n + len : undefined;
}

/**
 * Read an EK certificate (DER) from NV. Authorizes with the index itself when it has AUTHREAD, else the owner
 * (OWNERREAD), else the platform; trailing padding after the certificate is cut.
 * @throws TpmError TPM_RC_HANDLE when the index is not defined
 */
export async function readEkCertificate(tpm: Tpm, algOrIndex: KeyAlg | number, opts: { auth?: AuthRef } = {}): Promise<Uint8Array> {
  const index = typeof algOrIndex === 'number' ? algOrIndex : ekCertIndex(algOrIndex);
  const { public: pub } = await tpm.nvReadPublic(index);
  const authHandle = pub.attributes & TPMA_NV.AUTHREAD ? index : pub.attributes & TPMA_NV.OWNERREAD ? TPM_RH.OWNER : TPM_RH.PLATFORM;
  const data = await tpm.nvRead(index, { authHandle, auth: opts.auth, size: pub.dataSize });
  const n = derLength(data);
  return n ? data.subarray(0, n) : data;
}

export interface ActivateWithEkInput {
  /** The object the credential was made for (the AIK). */
  aik: HandleRef;
  aikAuth?: AuthRef;
  /** The loaded EK. */
  ek: HandleRef;
  credentialBlob: Uint8Array;
  secret: Uint8Array;
  /** Endorsement hierarchy authorization for PolicySecret (default: empty password). */
  endorsementAuth?: AuthRef;
}

/** TPM2_ActivateCredential with the TCG EK: a policy session satisfying PolicySecret(TPM_RH_ENDORSEMENT). */
export async function activateCredentialWithEk(tpm: Tpm, input: ActivateWithEkInput): Promise<Uint8Array> {
  const session = await tpm.startAuthSession({ type: 'policy' });
  try {
    await tpm.policySecret(TPM_RH.ENDORSEMENT, session, { auth: input.endorsementAuth });
    return await tpm.activateCredential(input.aik, input.ek, input.credentialBlob, input.secret, { activateAuth: input.aikAuth, keyAuth: { session } });
  } finally {
    await tpm.flushContext(session.handle).catch(() => {});
    session.dispose();
  }
}
