/**
 * CREATE_CHILD_SA helpers shared by both roles (RFC 7296 §1.3, §2.8, §2.17, §2.18): the rekeyed IKE SA's keys, the
 * ESP proposal choice with optional PFS groups, and strongSwan-style lifetimes (rekey_time − random(rand_time)).
 */
import { concatBytes } from '@tncjs/common';
import { Esn, ProtocolId, TransformType } from './constants.js';
import { ENCRS, INTEGS, type EncrAlg, type IntegAlg, type PrfAlg } from './crypto/algorithms.js';
import { deriveIkeKeys, type IkeKeys, type IkeSuite } from './crypto/ike-keys.js';
import { prf } from './crypto/prf.js';
import { keyLength, type Proposal, type Transform } from './payloads/index.js';

/** strongSwan-style lifetimes in seconds (fractions allowed): rekey after `rekeyTime` − random(0..`randTime`). */
export interface LifetimeConfig {
  /** Start a rekey after this many seconds (strongSwan `rekey_time`). */
  rekeyTime?: number;
  /** Hard expiry: the SA is deleted if it was not rekeyed by then (strongSwan `life_time`, default rekeyTime × 1.1). */
  lifeTime?: number;
  /** Jitter subtracted from rekeyTime (strongSwan `rand_time`, default lifeTime − rekeyTime). */
  randTime?: number;
}

/** Milliseconds until the rekey and until the hard expiry, jitter applied. */
export function lifetimeSchedule(c: LifetimeConfig, random: () => number = Math.random): { rekeyMs?: number; expireMs?: number } {
  if (c.rekeyTime === undefined && c.lifeTime === undefined) return {};
  const life = c.lifeTime ?? (c.rekeyTime !== undefined ? c.rekeyTime * 1.1 : undefined);
  if (c.rekeyTime === undefined) return { expireMs: Math.round(life! * 1000) };
  if (life! < c.rekeyTime) throw new RangeError('lifeTime must not be below rekeyTime');
  const rand = Math.min(c.randTime ?? life! - c.rekeyTime, c.rekeyTime);
  return { rekeyMs: Math.round((c.rekeyTime - rand * random()) * 1000), expireMs: Math.round(life! * 1000) };
}

/** SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old PRF; the new keys from prf+ as for IKE_SA_INIT (§2.18). */
export function rekeyedIkeKeys(
  oldPrf: PrfAlg, oldSkD: Uint8Array, sharedSecret: Uint8Array, ni: Uint8Array, nr: Uint8Array, suite: IkeSuite, spiI: Uint8Array, spiR: Uint8Array,
): IkeKeys {
  const seed = prf(oldPrf, oldSkD, concatBytes([sharedSecret, ni, nr]));
  const keys = deriveIkeKeys(suite, seed, ni, nr, spiI, spiR);
  seed.fill(0);
  return keys;
}

export interface EspChoice {
  /** The proposal to answer with (our SPI filled in by the caller). */
  num: number;
  transforms: Transform[];
  encr: EncrAlg;
  keyBits: number;
  integ?: IntegAlg;
  /** DH group for PFS, when both offered one. */
  group?: number;
  peerSpi: Uint8Array;
}

/**
 * Choose an ESP proposal of `theirs` by our preference `ours`. With `groups` (PFS), a proposal carrying DH
 * transforms needs one of them; a proposal without DH transforms (or with NONE) is accepted only without PFS.
 */
export function chooseEspProposal(
  theirs: readonly Proposal[], ours: readonly { encr: number; keyBits: number; integ?: number }[], groups: readonly number[] = [],
): EspChoice | undefined {
  for (const o of ours) {
    for (const t of theirs) {
      if (t.protocol !== ProtocolId.ESP || t.spi.byteLength !== 4) continue;
      const e = t.transforms.find((x) => x.type === TransformType.ENCR && x.id === o.encr && keyLength(x) === o.keyBits);
      if (!e) continue;
      const encr = ENCRS[o.encr];
      const integ = o.integ !== undefined && !encr.aead ? INTEGS[o.integ] : undefined;
      if (integ && !t.transforms.some((x) => x.type === TransformType.INTEG && x.id === integ.id)) continue;
      if (t.transforms.some((x) => x.type === TransformType.ESN) && !t.transforms.some((x) => x.type === TransformType.ESN && x.id === Esn.NO)) continue;
      const dhs = t.transforms.filter((x) => x.type === TransformType.DH && x.id !== 0).map((x) => x.id);
      let group: number | undefined;
      if (dhs.length) {
        group = groups.find((g) => dhs.includes(g));
        if (group === undefined) continue;
      } else if (groups.length && t.transforms.every((x) => x.type !== TransformType.DH)) {
        // peer offers no PFS: acceptable (strongSwan accepts a proposal without DH when it also lists none)
      }
      const transforms: Transform[] = [{ type: TransformType.ENCR, id: o.encr, attributes: [{ type: 14, value: o.keyBits }] }];
      if (integ) transforms.push({ type: TransformType.INTEG, id: integ.id, attributes: [] });
      if (group !== undefined) transforms.push({ type: TransformType.DH, id: group, attributes: [] });
      transforms.push({ type: TransformType.ESN, id: Esn.NO, attributes: [] });
      return { num: t.num, transforms, encr, keyBits: o.keyBits, integ, group, peerSpi: t.spi };
    }
  }
  return undefined;
}
