/**
 * AUTH payload values for shared keys (RFC 7296 §2.15): AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"),
 * <SignedOctets>), SignedOctets = RealMessage ‖ peer's nonce ‖ prf(SK_p, ID'). With EAP the shared secret is the MSK,
 * or SK_pi/SK_pr when the method gave none (§2.16); RFC 5998 uses the same for both AUTHs of EAP-only authentication.
 */
import { createHash } from 'node:crypto';
import { concatBytes, encodeUtf8 } from '@tncjs/common';
import type { PrfAlg } from './algorithms.js';
import { prf } from './prf.js';

const KEY_PAD = encodeUtf8('Key Pad for IKEv2');

/** The octets an AUTH covers: our IKE_SA_INIT message, the peer's nonce, prf(SK_p, our ID payload body). */
export function signedOctets(alg: PrfAlg, realMessage: Uint8Array, peerNonce: Uint8Array, skP: Uint8Array, idBody: Uint8Array): Uint8Array {
  return concatBytes([realMessage, peerNonce, prf(alg, skP, idBody)]);
}

/** AUTH value from a shared secret (PSK, MSK or SK_p). */
export function sharedKeyAuth(alg: PrfAlg, secret: Uint8Array, octets: Uint8Array): Uint8Array {
  const k = prf(alg, secret, KEY_PAD);
  const out = prf(alg, k, octets);
  k.fill(0);
  return out;
}

/** NAT_DETECTION_*_IP data: SHA-1(SPIi ‖ SPIr ‖ IP ‖ port) (RFC 7296 §2.23). */
export function natDetectionHash(spiI: Uint8Array, spiR: Uint8Array, ip: string, port: number): Uint8Array {
  const addr = Uint8Array.from(ip.split('.').map(Number));
  if (addr.byteLength !== 4 || addr.some((x) => Number.isNaN(x))) throw new TypeError(`not an IPv4 address: ${ip}`);
  return new Uint8Array(createHash('sha1').update(spiI).update(spiR).update(addr).update(Uint8Array.of(port >> 8, port & 255)).digest());
}
