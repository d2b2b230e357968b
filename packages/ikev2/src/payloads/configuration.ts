/** Configuration payload CP (RFC 7296 §3.15). */
import { Reader, Writer } from '@tncjs/common';
import { CFG_ATTR_SHORT_NAMES, CFG_SHORT_NAMES } from '../constants.js';

export interface ConfigAttribute {
  type: number;
  value: Uint8Array;
}
export interface ConfigurationPayload {
  type: 47;
  critical?: boolean;
  cfgType: number;
  attributes: ConfigAttribute[];
}

export function encodeConfiguration(w: Writer, p: ConfigurationPayload): void {
  w.u8(p.cfgType).zeros(3);
  for (const a of p.attributes) w.u16(a.type & 0x7fff).u16(a.value.byteLength).bytes(a.value);
}

export function decodeConfiguration(r: Reader): ConfigurationPayload {
  const cfgType = r.u8('CFG type');
  r.skip(3, 'CP reserved');
  const attributes: ConfigAttribute[] = [];
  while (r.remaining > 0) {
    const type = r.u16('attribute type') & 0x7fff;
    attributes.push({ type, value: r.bytes(r.u16('attribute length'), 'attribute value') });
  }
  return { type: 47, cfgType, attributes };
}

/** `CPRQ(ADDR DNS)` as strongSwan prints it. */
export function describeConfiguration(p: ConfigurationPayload): string {
  const attrs = p.attributes.map((a) => CFG_ATTR_SHORT_NAMES[a.type] ?? `(${a.type})`).join(' ');
  return `${CFG_SHORT_NAMES[p.cfgType] ?? 'CP'}(${attrs})`;
}
