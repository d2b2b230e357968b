/**
 * EAP codes and method types (RFC 3748 §4, §5; IANA "Extensible Authentication Protocol (EAP) Registry") with the
 * names strongSwan prints (`EAP_TTLS`, short `TTLS`).
 */

/** EAP Code field (RFC 3748 §4; 5/6 from RFC 6696). */
export const EapCode = { REQUEST: 1, RESPONSE: 2, SUCCESS: 3, FAILURE: 4, INITIATE: 5, FINISH: 6 } as const;
export type EapCode = (typeof EapCode)[keyof typeof EapCode];

export const EAP_CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'EAP_REQUEST',
  2: 'EAP_RESPONSE',
  3: 'EAP_SUCCESS',
  4: 'EAP_FAILURE',
  5: 'EAP_INITIATE',
  6: 'EAP_FINISH',
};
/** strongSwan's `eap_code_short_names`. */
export const EAP_CODE_SHORT_NAMES: Readonly<Record<number, string>> = { 1: 'REQ', 2: 'RES', 3: 'SUCC', 4: 'FAIL', 5: 'INIT', 6: 'FIN' };

/** EAP method types (the Type field of Request/Response). */
export const EapType = {
  IDENTITY: 1,
  NOTIFICATION: 2,
  NAK: 3,
  MD5: 4,
  OTP: 5,
  GTC: 6,
  TLS: 13,
  SIM: 18,
  TTLS: 21,
  AKA: 23,
  PEAP: 25,
  MSCHAPV2: 26,
  TNC: 38,
  PT_EAP: 54,
  EXPANDED: 254,
  EXPERIMENTAL: 255,
} as const;
export type EapType = (typeof EapType)[keyof typeof EapType];

/** strongSwan's `eap_type_names`. */
export const EAP_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'EAP_IDENTITY',
  2: 'EAP_NOTIFICATION',
  3: 'EAP_NAK',
  4: 'EAP_MD5',
  5: 'EAP_OTP',
  6: 'EAP_GTC',
  13: 'EAP_TLS',
  18: 'EAP_SIM',
  21: 'EAP_TTLS',
  23: 'EAP_AKA',
  25: 'EAP_PEAP',
  26: 'EAP_MSCHAPV2',
  38: 'EAP_TNC',
  54: 'EAP_PT_EAP',
  254: 'EAP_EXPANDED',
  255: 'EAP_EXPERIMENTAL',
};

/** strongSwan's `eap_type_short_names`. */
export const EAP_TYPE_SHORT_NAMES: Readonly<Record<number, string>> = {
  1: 'ID',
  2: 'NTF',
  3: 'NAK',
  4: 'MD5',
  5: 'OTP',
  6: 'GTC',
  13: 'TLS',
  18: 'SIM',
  21: 'TTLS',
  23: 'AKA',
  25: 'PEAP',
  26: 'MSCHAPV2',
  38: 'TNC',
  54: 'PT',
  254: 'EXP',
  255: 'XP',
};

export const eapCodeName = (c: number): string => EAP_CODE_NAMES[c] ?? `(${c})`;
export const eapTypeName = (t: number): string => EAP_TYPE_NAMES[t] ?? `(${t})`;
export const eapTypeShortName = (t: number): string => EAP_TYPE_SHORT_NAMES[t] ?? `(${t})`;

/** A method type: a one-byte type, or an expanded (vendor, type) pair with `type` 254 (RFC 3748 §5.7). */
export interface EapMethodType {
  type: number;
  /** 24-bit vendor (expanded types only). */
  vendorId?: number;
  /** 32-bit vendor type (expanded types only). */
  vendorType?: number;
}

export function sameMethodType(a: EapMethodType, b: EapMethodType): boolean {
  return a.type === b.type && (a.type !== EapType.EXPANDED || (a.vendorId === b.vendorId && a.vendorType === b.vendorType));
}

export function describeMethodType(m: EapMethodType): string {
  return m.type === EapType.EXPANDED ? `${m.vendorType}-${m.vendorId}` : eapTypeName(m.type);
}
