/** Security Association payload: proposals, transforms, transform attributes (RFC 7296 §3.3). */
import { Reader, Writer } from '@tncjs/common';
import { IkeDecodeError } from '../errors.js';
import { DH_NAMES, ENCR_NAMES, INTEG_NAMES, PRF_NAMES, PROTOCOL_NAMES, TransformAttr, TransformType } from '../constants.js';

/** A transform attribute: TV format (short value, AF=1) or TLV (bytes). */
export interface TransformAttribute {
  type: number;
  value: number | Uint8Array;
}
export interface Transform {
  type: number;
  id: number;
  attributes: TransformAttribute[];
}
export interface Proposal {
  /** Proposal number, 1-based (the responder echoes the one it chose). */
  num: number;
  protocol: number;
  spi: Uint8Array;
  transforms: Transform[];
}
export interface SecurityAssociationPayload {
  type: 33;
  critical?: boolean;
  proposals: Proposal[];
}

/** Most proposals / transforms we decode in one SA payload (DoS bound). */
export const MAX_PROPOSALS = 64;
export const MAX_TRANSFORMS = 128;

export function encodeSecurityAssociation(w: Writer, p: SecurityAssociationPayload): void {
  p.proposals.forEach((prop, i) => {
    const tw = new Writer();
    prop.transforms.forEach((t, j) => {
      const aw = new Writer();
      for (const a of t.attributes) {
        if (typeof a.value === 'number') aw.u16(0x8000 | a.type).u16(a.value);
        else aw.u16(a.type & 0x7fff).u16(a.value.byteLength).bytes(a.value);
      }
      const attrs = aw.finish();
      tw.u8(j === prop.transforms.length - 1 ? 0 : 3).u8(0).u16(8 + attrs.byteLength).u8(t.type).u8(0).u16(t.id).bytes(attrs);
    });
    const transforms = tw.finish();
    w.u8(i === p.proposals.length - 1 ? 0 : 2).u8(0).u16(8 + prop.spi.byteLength + transforms.byteLength);
    w.u8(prop.num).u8(prop.protocol).u8(prop.spi.byteLength).u8(prop.transforms.length).bytes(prop.spi).bytes(transforms);
  });
}

export function decodeSecurityAssociation(r: Reader): SecurityAssociationPayload {
  const proposals: Proposal[] = [];
  let last = false;
  while (!last) {
    if (proposals.length >= MAX_PROPOSALS) throw new IkeDecodeError(`more than ${MAX_PROPOSALS} proposals`, r.offset, { code: 'ERR_LIMIT' });
    const at = r.offset;
    const more = r.u8('proposal last substruc');
    if (more !== 0 && more !== 2) throw new IkeDecodeError(`invalid proposal substructure type ${more}`, at);
    last = more === 0;
    r.skip(1);
    const len = r.u16('proposal length');
    if (len < 8) throw new IkeDecodeError(`proposal length ${len} too short`, at + 2);
    const pr = r.sub(len - 4, 'proposal');
    const num = pr.u8();
    const protocol = pr.u8();
    const spiSize = pr.u8();
    const count = pr.u8();
    const spi = pr.bytes(spiSize, 'proposal SPI');
    const transforms: Transform[] = [];
    for (let i = 0; i < count; i++) {
      if (transforms.length >= MAX_TRANSFORMS) throw new IkeDecodeError(`more than ${MAX_TRANSFORMS} transforms`, pr.offset, { code: 'ERR_LIMIT' });
      const tat = pr.offset;
      const tmore = pr.u8('transform last substruc');
      if (tmore !== 0 && tmore !== 3) throw new IkeDecodeError(`invalid transform substructure type ${tmore}`, tat);
      if ((tmore === 0) !== (i === count - 1)) throw new IkeDecodeError('transform count does not match last substruc', tat);
      pr.skip(1);
      const tlen = pr.u16('transform length');
      if (tlen < 8) throw new IkeDecodeError(`transform length ${tlen} too short`, tat + 2);
      const tr = pr.sub(tlen - 4, 'transform');
      const type = tr.u8();
      tr.skip(1);
      const id = tr.u16();
      const attributes: TransformAttribute[] = [];
      while (tr.remaining > 0) {
        const t = tr.u16('attribute type');
        if (t & 0x8000) attributes.push({ type: t & 0x7fff, value: tr.u16('attribute value') });
        else attributes.push({ type: t, value: tr.bytes(tr.u16('attribute length'), 'attribute value') });
      }
      transforms.push({ type, id, attributes });
    }
    pr.end('proposal');
    proposals.push({ num, protocol, spi, transforms });
  }
  r.end('SA payload');
  return { type: 33, proposals };
}

/** Key length attribute of a transform, if any. */
export function keyLength(t: Transform): number | undefined {
  const a = t.attributes.find((x) => x.type === TransformAttr.KEY_LENGTH);
  return typeof a?.value === 'number' ? a.value : undefined;
}

/** strongSwan's proposal notation, e.g. `IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256`. */
export function describeProposal(p: Proposal): string {
  const parts = p.transforms.map((t) => {
    switch (t.type) {
      case TransformType.ENCR: {
        const kl = keyLength(t);
        return `${ENCR_NAMES[t.id] ?? `ENCR_${t.id}`}${kl ? `_${kl}` : ''}`;
      }
      case TransformType.PRF: return PRF_NAMES[t.id] ?? `PRF_${t.id}`;
      case TransformType.INTEG: return INTEG_NAMES[t.id] ?? `INTEG_${t.id}`;
      case TransformType.DH: return DH_NAMES[t.id] ?? `DH_${t.id}`;
      case TransformType.ESN: return t.id ? 'EXT_SEQ' : 'NO_EXT_SEQ';
      default: return `T${t.type}_${t.id}`;
    }
  });
  return `${PROTOCOL_NAMES[p.protocol] ?? p.protocol}:${parts.join('/')}`;
}
