/** Identification payloads IDi / IDr (RFC 7296 §3.5). */
import { Reader, Writer, decodeUtf8, encodeUtf8, toHex } from '@tncjs/common';
import { IdType } from '../constants.js';

export interface IdentificationPayload {
  type: 35 | 36;
  critical?: boolean;
  idType: number;
  data: Uint8Array;
}

export function encodeIdentification(w: Writer, p: IdentificationPayload): void {
  w.u8(p.idType).zeros(3).bytes(p.data);
}

export function decodeIdentification(r: Reader, type: 35 | 36): IdentificationPayload {
  const idType = r.u8('ID type');
  r.skip(3, 'ID reserved');
  return { type, idType, data: r.rest() };
}

/** The bytes AUTH signs for an identity: ID type, reserved, data (RFC 7296 §2.15, "IDi'"). */
export function identificationBody(p: Pick<IdentificationPayload, 'idType' | 'data'>): Uint8Array {
  const w = new Writer(4 + p.data.byteLength);
  encodeIdentification(w, { type: 35, ...p });
  return w.finish();
}

/**
 * An identity from strongSwan notation: `carol@strongswan.org` (RFC822), `moon.strongswan.org` (FQDN),
 * `192.168.0.1` (IPv4).
 */
export function parseIdentity(s: string): { idType: number; data: Uint8Array } {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return { idType: IdType.IPV4_ADDR, data: Uint8Array.from(s.split('.').map(Number)) };
  if (s.includes('@') && !s.startsWith('@')) return { idType: IdType.RFC822_ADDR, data: encodeUtf8(s) };
  return { idType: IdType.FQDN, data: encodeUtf8(s.replace(/^@/, '')) };
}

/** strongSwan's printing of an identity. */
export function formatIdentity(p: Pick<IdentificationPayload, 'idType' | 'data'>): string {
  try {
    switch (p.idType) {
      case IdType.IPV4_ADDR: return Array.from(p.data).join('.');
      case IdType.FQDN:
      case IdType.RFC822_ADDR: return decodeUtf8(p.data);
      default: return `0x${toHex(p.data)}`;
    }
  } catch {
    return `0x${toHex(p.data)}`;
  }
}
