/** Algorithm descriptors for the transforms we implement (node:crypto names and key/ICV sizes). */
import { Encr, Integ, Prf } from '../constants.js';

export interface PrfAlg { id: number; hash: string; size: number }
export interface IntegAlg { id: number; hash: string; keySize: number; icvSize: number }
export interface EncrAlg { id: number; aead: boolean; blockSize: number; ivSize: number; icvSize: number; saltSize: number }

export const PRFS: Readonly<Record<number, PrfAlg>> = {
  [Prf.HMAC_SHA1]: { id: Prf.HMAC_SHA1, hash: 'sha1', size: 20 },
  [Prf.HMAC_SHA2_256]: { id: Prf.HMAC_SHA2_256, hash: 'sha256', size: 32 },
  [Prf.HMAC_SHA2_384]: { id: Prf.HMAC_SHA2_384, hash: 'sha384', size: 48 },
  [Prf.HMAC_SHA2_512]: { id: Prf.HMAC_SHA2_512, hash: 'sha512', size: 64 },
};

/** RFC 4868 / RFC 2404 truncated HMACs. */
export const INTEGS: Readonly<Record<number, IntegAlg>> = {
  [Integ.HMAC_SHA1_96]: { id: Integ.HMAC_SHA1_96, hash: 'sha1', keySize: 20, icvSize: 12 },
  [Integ.HMAC_SHA2_256_128]: { id: Integ.HMAC_SHA2_256_128, hash: 'sha256', keySize: 32, icvSize: 16 },
  [Integ.HMAC_SHA2_384_192]: { id: Integ.HMAC_SHA2_384_192, hash: 'sha384', keySize: 48, icvSize: 24 },
  [Integ.HMAC_SHA2_512_256]: { id: Integ.HMAC_SHA2_512_256, hash: 'sha512', keySize: 64, icvSize: 32 },
};

export const ENCRS: Readonly<Record<number, EncrAlg>> = {
  [Encr.AES_CBC]: { id: Encr.AES_CBC, aead: false, blockSize: 16, ivSize: 16, icvSize: 0, saltSize: 0 },
  /** RFC 5282 (IKE) / RFC 4106 (ESP): 4-byte salt from the key material, 8-byte explicit IV, 16-byte ICV. */
  [Encr.AES_GCM_16]: { id: Encr.AES_GCM_16, aead: true, blockSize: 4, ivSize: 8, icvSize: 16, saltSize: 4 },
};

export const AES_KEY_LENGTHS = [128, 192, 256];
