/**
 * PTS D-H groups (TCG PTS §3.8.1) with strongSwan's wire encodings: MODP public values and secrets are big-endian,
 * left-padded to the prime's length; ECP public values are x‖y (no 0x04 prefix) and the shared secret is the
 * x coordinate. node:crypto does the arithmetic (RFC 2409/3526 MODP groups, NIST P-256/P-384).
 */
import { createECDH, getDiffieHellman, type ECDH, type DiffieHellmanGroup } from 'node:crypto';
import { flagsOf, TncjsError } from '@tncjs/common';

export const DhGroup = { MODP_1024: 0x8000, MODP_1536: 0x4000, MODP_2048: 0x2000, ECP_256: 0x1000, ECP_384: 0x0800 } as const;
export type DhGroupBit = (typeof DhGroup)[keyof typeof DhGroup];

export const DH_GROUP_NAMES: Readonly<Record<number, string>> = {
  0x8000: 'MODP_1024',
  0x4000: 'MODP_1536',
  0x2000: 'MODP_2048',
  0x1000: 'ECP_256',
  0x0800: 'ECP_384',
};

/** The D-H group set as named flags (IKE group numbers: 2, 5, 14, 19, 20). */
export const dhGroupSet = flagsOf(16, { ike2: 0x8000, ike5: 0x4000, ike14: 0x2000, ike19: 0x1000, ike20: 0x0800 });

export function dhGroupSetToBits(s: ReturnType<typeof dhGroupSet.decode>): number {
  return (s.ike2 ? 0x8000 : 0) | (s.ike5 ? 0x4000 : 0) | (s.ike14 ? 0x2000 : 0) | (s.ike19 ? 0x1000 : 0) | (s.ike20 ? 0x0800 : 0);
}

/** strongSwan's IMC preference: ECP_384 > ECP_256 > MODP_2048 > MODP_1536 > MODP_1024. */
export function selectDhGroup(offered: number, supported = 0xf800): DhGroupBit | undefined {
  for (const g of [0x0800, 0x1000, 0x2000, 0x4000, 0x8000] as const) if (offered & supported & g) return g;
  return undefined;
}

interface GroupInfo {
  kind: 'modp' | 'ecp';
  node: string;
  /** bytes of a public value on the wire */
  publicSize: number;
  /** bytes of the shared secret */
  secretSize: number;
}

const GROUPS: Record<number, GroupInfo> = {
  0x8000: { kind: 'modp', node: 'modp2', publicSize: 128, secretSize: 128 },
  0x4000: { kind: 'modp', node: 'modp5', publicSize: 192, secretSize: 192 },
  0x2000: { kind: 'modp', node: 'modp14', publicSize: 256, secretSize: 256 },
  0x1000: { kind: 'ecp', node: 'prime256v1', publicSize: 64, secretSize: 32 },
  0x0800: { kind: 'ecp', node: 'secp384r1', publicSize: 96, secretSize: 48 },
};

export class DhError extends TncjsError {
  constructor(message: string) {
    super('ERR_PTS_DH', message);
  }
}

function leftPad(b: Uint8Array, size: number): Uint8Array {
  if (b.byteLength === size) return new Uint8Array(b);
  if (b.byteLength > size) throw new DhError(`DH value of ${b.byteLength} bytes exceeds ${size}`);
  const out = new Uint8Array(size);
  out.set(b, size - b.byteLength);
  return out;
}

/** One side of a PTS DH exchange: own key pair, public value on the wire, shared secret from the peer's value. */
export class PtsDh {
  readonly group: DhGroupBit;
  private readonly info: GroupInfo;
  private readonly impl: ECDH | DiffieHellmanGroup;

  constructor(group: number) {
    const info = GROUPS[group];
    if (!info) throw new DhError(`unsupported PTS DH group 0x${group.toString(16)}`);
    this.group = group as DhGroupBit;
    this.info = info;
    this.impl = info.kind === 'ecp' ? createECDH(info.node) : getDiffieHellman(info.node);
    this.impl.generateKeys();
  }

  get name(): string {
    return DH_GROUP_NAMES[this.group];
  }

  /** Our public value in strongSwan's encoding. */
  publicValue(): Uint8Array {
    const pub = new Uint8Array(this.impl.getPublicKey());
    return this.info.kind === 'ecp' ? pub.subarray(1) : leftPad(pub, this.info.publicSize);
  }

  /**
   * The shared secret for the peer's public value (ECP: x coordinate; MODP: padded to the prime size).
   * @throws DhError for a value of the wrong size or not on the curve/in the group
   */
  sharedSecret(peer: Uint8Array): Uint8Array {
    if (peer.byteLength !== this.info.publicSize) throw new DhError(`invalid DH public value size ${peer.byteLength} for ${this.name}`);
    const input = this.info.kind === 'ecp' ? concat04(peer) : peer;
    try {
      return leftPad(new Uint8Array(this.impl.computeSecret(input)), this.info.secretSize);
    } catch (e) {
      throw new DhError(`invalid DH public value for ${this.name}: ${(e as Error).message}`);
    }
  }
}

function concat04(xy: Uint8Array): Uint8Array {
  const out = new Uint8Array(xy.byteLength + 1);
  out[0] = 0x04;
  out.set(xy, 1);
  return out;
}
