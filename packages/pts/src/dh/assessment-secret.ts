/**
 * The secret assessment value (strongSwan pts.c calculate_secret): H('1' ‖ initiator nonce ‖ responder nonce ‖
 * shared secret) with the negotiated DH hash. The IMV is the initiator. It becomes the TPM quote's qualifying data.
 */
import { createHash } from 'node:crypto';
import { MEAS_ALGO_NODE } from '../attributes/meas-algo.js';
import { DhError } from './groups.js';

export function secretAssessmentValue(hashAlgorithm: number, initiatorNonce: Uint8Array, responderNonce: Uint8Array, sharedSecret: Uint8Array): Uint8Array {
  const h = MEAS_ALGO_NODE[hashAlgorithm];
  if (!h) throw new DhError(`unsupported DH hash algorithm 0x${hashAlgorithm.toString(16)}`);
  if (initiatorNonce.byteLength === 0 || responderNonce.byteLength === 0) throw new DhError('initiator and/or responder nonce is not available');
  return new Uint8Array(createHash(h.hash).update(Uint8Array.of(0x31)).update(initiatorNonce).update(responderNonce).update(sharedSecret).digest());
}

/** strongSwan's limits for a responder nonce. */
export const PTS_MIN_NONCE_LEN = 17;
export const PTS_MAX_NONCE_LEN = 0xffff;
