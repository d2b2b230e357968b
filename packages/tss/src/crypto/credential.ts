/**
 * MakeCredential in software (Part 1 §24 "Credential Protection", Part 3 §12.6): what a verifier (privacy CA) does to
 * send a credential that only the TPM holding `ek` can recover, and only if the object named `objectName` (the AIK) is
 * loaded in it. The TPM side is TPM2_ActivateCredential; TPM2_MakeCredential is the same computation on a TPM.
 *
 *   seed         = secret shared with the EK, label "IDENTITY"
 *   symKey       = KDFa(ek.nameAlg, seed, "STORAGE", objectName, "", ek.symmetric.keyBits)
 *   encIdentity  = AES-CFB(symKey, IV = 0, TPM2B_DIGEST(credential))
 *   hmacKey      = KDFa(ek.nameAlg, seed, "INTEGRITY", "", "", digest bits)
 *   outerHMAC    = HMAC(hmacKey, encIdentity ‖ objectName)
 *   credentialBlob (TPMS_ID_OBJECT) = TPM2B_DIGEST(outerHMAC) ‖ encIdentity
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { Reader, Writer, equalBytes } from '@tncjs/common';
import { TPM_ALG, digestSize, nodeHashName, algName } from '../constants.js';
import type { TpmtPublic } from '../structures/tpmt-public.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import { kdfa } from './kdf.js';
import { createSharedSecret } from './secret.js';

export interface MadeCredential {
  /** TPM2B_ID_OBJECT contents. */
  credentialBlob: Uint8Array;
  /** TPM2B_ENCRYPTED_SECRET contents. */
  secret: Uint8Array;
}

function symmetricOf(ek: TpmtPublic): { keyBits: number; cipher: string } {
  if (ek.type !== TPM_ALG.RSA && ek.type !== TPM_ALG.ECC) throw new RangeError('the EK must be an RSA or ECC key');
  const s = ek.parameters.symmetric;
  if (s.algorithm !== TPM_ALG.AES || s.mode !== TPM_ALG.CFB) throw new RangeError('the EK must be a storage key with AES-CFB');
  const keyBits = s.keyBits ?? 128;
  return { keyBits, cipher: `aes-${keyBits}-cfb` };
}

/** Protect `credential` (at most the EK nameAlg's digest size) for the TPM holding `ek`, bound to `objectName`. */
export function makeCredential(ek: TpmtPublic, credential: Uint8Array, objectName: Uint8Array, seedForTest?: Uint8Array): MadeCredential {
  const n = digestSize(ek.nameAlg);
  if (credential.length === 0 || credential.length > n) throw new RangeError(`credential must be 1..${n} bytes for nameAlg ${algName(ek.nameAlg)}`);
  const { keyBits, cipher } = symmetricOf(ek);
  const { seed, encryptedSecret } = createSharedSecret(ek, 'IDENTITY', seedForTest);
  const symKey = kdfa(ek.nameAlg, seed, 'STORAGE', objectName, new Uint8Array(0), keyBits);
  const plain = new Writer(n + 2);
  writeTpm2b(plain, credential);
  const c = createCipheriv(cipher, symKey, Buffer.alloc(16));
  const encIdentity = Buffer.concat([c.update(plain.finish()), c.final()]);
  const hmacKey = kdfa(ek.nameAlg, seed, 'INTEGRITY', new Uint8Array(0), new Uint8Array(0), n * 8);
  const outerHmac = createHmac(nodeHashName(ek.nameAlg), hmacKey).update(encIdentity).update(objectName).digest();
  seed.fill(0);
  symKey.fill(0);
  hmacKey.fill(0);
  const blob = new Writer(n + encIdentity.length + 4);
  writeTpm2b(blob, outerHmac);
  blob.bytes(encIdentity);
  return { credentialBlob: blob.finish(), secret: encryptedSecret };
}

/**
 * Recover a credential from a blob given the seed (the inverse of `makeCredential` without the EK private key). For
 * tests that cross-check a TPM2_MakeCredential output; real recovery happens in TPM2_ActivateCredential.
 * @throws Error when the integrity HMAC does not match
 */
export function unwrapCredential(ek: TpmtPublic, credentialBlob: Uint8Array, objectName: Uint8Array, seed: Uint8Array): Uint8Array {
  const n = digestSize(ek.nameAlg);
  const { keyBits, cipher } = symmetricOf(ek);
  const r = new Reader(credentialBlob);
  const outerHmac = readTpm2b(r, 'integrityHMAC', 64);
  const encIdentity = r.rest();
  const hmacKey = kdfa(ek.nameAlg, seed, 'INTEGRITY', new Uint8Array(0), new Uint8Array(0), n * 8);
  const expect = createHmac(nodeHashName(ek.nameAlg), hmacKey).update(encIdentity).update(objectName).digest();
  if (!equalBytes(new Uint8Array(expect), outerHmac)) throw new Error('credential integrity check failed');
  const symKey = kdfa(ek.nameAlg, seed, 'STORAGE', objectName, new Uint8Array(0), keyBits);
  const d = createDecipheriv(cipher, symKey, Buffer.alloc(16));
  const plain = Buffer.concat([d.update(encIdentity), d.final()]);
  return readTpm2b(new Reader(new Uint8Array(plain)), 'credential', 64);
}
