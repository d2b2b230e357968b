/**
 * Verifying a responder's signature AUTH (RFC 7296 §2.15 method 1 "RSA Digital Signature", PKCS#1 v1.5 with SHA-1;
 * RFC 7427 method 14 "Digital Signature" with an AlgorithmIdentifier, here RSA PKCS#1 v1.5 with SHA-2).
 */
import { X509Certificate, createHash, verify } from 'node:crypto';
import { concatBytes } from '@tncjs/common';
import type { CertificateRequestPayload } from '../payloads/certificate-request.js';
import { CertEncoding } from '../constants.js';
import { toHex } from '@tncjs/common';
import { AuthMethod } from '../constants.js';
import { IkeError, IkeErrorCode } from '../errors.js';

/** sha{256,384,512}WithRSAEncryption OIDs (1.2.840.113549.1.1.11/12/13) as DER content bytes. */
const RSA_PKCS1_OIDS: Record<string, string> = {
  '2a864886f70d01010b': 'sha256',
  '2a864886f70d01010c': 'sha384',
  '2a864886f70d01010d': 'sha512',
};

/** SIGNATURE_HASH_ALGORITHMS notify data we send (RFC 7427 §4): SHA2-256, SHA2-384, SHA2-512. */
export const SIGNATURE_HASH_ALGORITHMS = Uint8Array.of(0, 2, 0, 3, 0, 4);

/** Name of the hash the AUTH payload uses, or throws. */
export function signatureHash(method: number, data: Uint8Array): { hash: string; signature: Uint8Array } {
  if (method === AuthMethod.RSA_SIG) return { hash: 'sha1', signature: data };
  if (method === AuthMethod.DIGITAL_SIGNATURE) {
    const len = data[0];
    const ai = data.subarray(1, 1 + len);
    // AlgorithmIdentifier: SEQUENCE { OID, [NULL] }
    if (ai.byteLength < 11 || ai[0] !== 0x30 || ai[2] !== 0x06 || ai[3] !== 9) throw new IkeError(IkeErrorCode.AUTH, 'unsupported signature AlgorithmIdentifier');
    const hash = RSA_PKCS1_OIDS[toHex(ai.subarray(4, 13))];
    if (!hash) throw new IkeError(IkeErrorCode.AUTH, `unsupported signature scheme ${toHex(ai)}`);
    return { hash, signature: data.subarray(1 + len) };
  }
  throw new IkeError(IkeErrorCode.AUTH, `unsupported AUTH method ${method}`);
}

/** Verify a signature AUTH over `octets` with the leaf certificate's RSA key. @throws IkeError ERR_IKE_AUTH */
export function verifySignatureAuth(leafDer: Uint8Array, method: number, data: Uint8Array, octets: Uint8Array): string {
  const { hash, signature } = signatureHash(method, data);
  const key = new X509Certificate(Buffer.from(leafDer)).publicKey;
  if (key.asymmetricKeyType !== 'rsa') throw new IkeError(IkeErrorCode.AUTH, `unsupported key type ${key.asymmetricKeyType}`);
  if (!verify(hash, octets, key, signature)) throw new IkeError(IkeErrorCode.AUTH, 'signature AUTH verification failed');
  return method === AuthMethod.RSA_SIG ? 'RSA signature (SHA-1)' : `RSA_EMSA_PKCS1_${hash.toUpperCase()}`;
}

/** CERTREQ naming CA certificates by the SHA-1 hash of their SubjectPublicKeyInfo (RFC 7296 §3.7). */
export function certificateRequest(authorities: readonly (Uint8Array | string)[]): CertificateRequestPayload {
  const hashes = authorities.map((a) => {
    const spki = new X509Certificate(typeof a === 'string' ? a : Buffer.from(a)).publicKey.export({ type: 'spki', format: 'der' });
    return new Uint8Array(createHash('sha1').update(spki).digest());
  });
  return { type: 38, encoding: CertEncoding.X509_SIGNATURE, data: concatBytes(hashes) };
}
