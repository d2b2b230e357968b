/**
 * Diffie-Hellman groups through node:crypto: MODP 2048/3072 (RFC 3526), ECP 256/384 (RFC 5903, public value x ‖ y
 * without the 0x04 point format byte), Curve25519 (RFC 8031, 32-byte u coordinate).
 */
import { createDiffieHellman, createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, getDiffieHellman, type KeyObject } from 'node:crypto';
import { DhGroup, DH_NAMES } from '../constants.js';
import { IkeError, IkeErrorCode } from '../errors.js';

export interface KeyExchange {
  readonly group: number;
  /** Our public value in the KE payload encoding. */
  readonly publicValue: Uint8Array;
  /** g^ir from the peer's public value. @throws IkeError on an invalid peer value */
  computeSecret(peer: Uint8Array): Uint8Array;
}

export const SUPPORTED_GROUPS = [DhGroup.MODP_2048, DhGroup.MODP_3072, DhGroup.ECP_256, DhGroup.ECP_384, DhGroup.CURVE_25519] as const;

const PUBLIC_SIZES: Record<number, number> = { 14: 256, 15: 384, 19: 64, 20: 96, 31: 32 };

function invalid(group: number, cause?: unknown): IkeError {
  return new IkeError(IkeErrorCode.PROTOCOL, `invalid ${DH_NAMES[group] ?? group} public value`, { cause });
}

function checkSize(group: number, peer: Uint8Array): void {
  if (peer.byteLength !== PUBLIC_SIZES[group]) throw invalid(group);
}

/**
 * A fresh key pair for `group`; with `privateKey` a fixed one (tests with RFC vectors only).
 * @throws RangeError for an unsupported group
 */
export function createKeyExchange(group: number, privateKey?: Uint8Array): KeyExchange {
  switch (group) {
    case DhGroup.MODP_2048:
    case DhGroup.MODP_3072: {
      const std = getDiffieHellman(group === DhGroup.MODP_2048 ? 'modp14' : 'modp15');
      const dh = privateKey ? createDiffieHellman(std.getPrime(), std.getGenerator()) : std;
      if (privateKey) (dh as ReturnType<typeof createDiffieHellman>).setPrivateKey(Buffer.from(privateKey));
      const pub = dh.generateKeys();
      const size = PUBLIC_SIZES[group];
      const pad = (b: Buffer) => { const o = new Uint8Array(size); o.set(b, size - b.byteLength); return o; };
      return {
        group,
        publicValue: pad(pub),
        computeSecret(peer) {
          checkSize(group, peer);
          // reject 0, 1 and p-1 (RFC 7296 §5 / SP 800-56A partial validation); OpenSSL checks the range itself
          try {
            return pad(dh.computeSecret(Buffer.from(peer)));
          } catch (e) {
            throw invalid(group, e);
          }
        },
      };
    }
    case DhGroup.ECP_256:
    case DhGroup.ECP_384: {
      const curve = group === DhGroup.ECP_256 ? 'prime256v1' : 'secp384r1';
      const ecdh = createECDH(curve);
      if (privateKey) ecdh.setPrivateKey(Buffer.from(privateKey));
      else ecdh.generateKeys();
      const pub = new Uint8Array(ecdh.getPublicKey()).slice(1);
      return {
        group,
        publicValue: pub,
        computeSecret(peer) {
          checkSize(group, peer);
          try {
            const full = new Uint8Array(peer.byteLength + 1);
            full[0] = 4;
            full.set(peer, 1);
            return new Uint8Array(ecdh.computeSecret(full));
          } catch (e) {
            throw invalid(group, e);
          }
        },
      };
    }
    case DhGroup.CURVE_25519: {
      let priv: KeyObject;
      let pub: KeyObject;
      if (privateKey) {
        // PKCS#8 wrapping of a raw X25519 private key
        const der = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.from(privateKey)]);
        priv = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
        pub = createPublicKey(priv);
      } else {
        ({ privateKey: priv, publicKey: pub } = generateKeyPairSync('x25519'));
      }
      const raw = new Uint8Array(pub.export({ format: 'der', type: 'spki' })).slice(-32);
      return {
        group,
        publicValue: raw,
        computeSecret(peer) {
          checkSize(group, peer);
          try {
            const der = Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), Buffer.from(peer)]);
            const secret = new Uint8Array(diffieHellman({ privateKey: priv, publicKey: createPublicKey({ key: der, format: 'der', type: 'spki' }) }));
            if (secret.every((x) => x === 0)) throw new Error('all-zero shared secret');
            return secret;
          } catch (e) {
            throw invalid(group, e);
          }
        },
      };
    }
    default:
      throw new RangeError(`unsupported DH group ${DH_NAMES[group] ?? group}`);
  }
}
