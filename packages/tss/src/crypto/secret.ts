/**
 * Secret sharing with a TPM key (Part 1 §11.4.9 / §24 "Secret Sharing"): a seed encrypted to an RSA key with OAEP and
 * a label, or agreed with an ECC key by one-pass ECDH and KDFe. Used for salted sessions (label "SECRET") and
 * credential protection in MakeCredential (label "IDENTITY").
 */
import { createECDH, publicEncrypt, randomBytes, constants } from 'node:crypto';
import { Writer } from '@tncjs/common';
import { TPM_ALG, digestSize, nodeHashName, algName } from '../constants.js';
import type { TpmtPublic } from '../structures/tpmt-public.js';
import { writeTpm2b } from '../structures/tpm2b.js';
import { kdfe } from './kdf.js';
import { curveInfo, padTo, publicKeyObject } from './keys.js';

export interface SharedSecret {
  /** The seed both sides now know (secret: zeroize after use). */
  seed: Uint8Array;
  /** TPM2B_ENCRYPTED_SECRET contents to send to the TPM. */
  encryptedSecret: Uint8Array;
}

/**
 * Create a seed for the holder of `key`'s private part. RSA: seed = random(digest size of nameAlg), encrypted with
 * RSA-OAEP(nameAlg, label). ECC: ephemeral key on the same curve, Z = x(ECDH), seed = KDFe(nameAlg, Z, label,
 * ephemeral.x, key.x), encryptedSecret = the ephemeral TPMS_ECC_POINT.
 * @throws RangeError for key types or curves that cannot be used
 */
export function createSharedSecret(key: TpmtPublic, label: string, seedForTest?: Uint8Array): SharedSecret {
  const n = digestSize(key.nameAlg);
  if (n === 0) throw new RangeError(`key nameAlg ${algName(key.nameAlg)} is not a hash`);
  if (key.type === TPM_ALG.RSA) {
    const seed = seedForTest ?? new Uint8Array(randomBytes(n));
    const enc = publicEncrypt(
      { key: publicKeyObject(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: nodeHashName(key.nameAlg), oaepLabel: Buffer.from(label + '\0', 'latin1') },
      seed,
    );
    return { seed, encryptedSecret: new Uint8Array(enc) };
  }
  if (key.type === TPM_ALG.ECC) {
    const c = curveInfo(key.parameters.curveId);
    const ecdh = createECDH(c.node);
    const ephPub = ecdh.generateKeys();
    const peer = Buffer.concat([Buffer.from([4]), padTo(key.unique.x, c.size), padTo(key.unique.y, c.size)]);
    const z = ecdh.computeSecret(peer);
    const ex = ephPub.subarray(1, 1 + c.size);
    const ey = ephPub.subarray(1 + c.size);
    const seed = kdfe(key.nameAlg, z, label, ex, padTo(key.unique.x, c.size), n * 8);
    z.fill(0);
    const w = new Writer(2 * c.size + 4);
    writeTpm2b(w, ex);
    writeTpm2b(w, ey);
    return { seed, encryptedSecret: w.finish() };
  }
  throw new RangeError('secret sharing needs an RSA or ECC key');
}
