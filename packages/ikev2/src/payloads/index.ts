/** Every IKEv2 payload: the union type, the body codecs keyed by payload type, and the payload chain codec. */
import { Reader, Writer } from '@tncjs/common';
import { asIkeDecodeError, IkeDecodeError } from '../errors.js';
import { NotifyType, PayloadType, PAYLOAD_SHORT_NAMES } from '../constants.js';
import { decodeSecurityAssociation, encodeSecurityAssociation, type SecurityAssociationPayload } from './security-association.js';
import { decodeKeyExchange, encodeKeyExchange, type KeyExchangePayload } from './key-exchange.js';
import { decodeIdentification, encodeIdentification, type IdentificationPayload } from './identification.js';
import { decodeCertificate, encodeCertificate, type CertificatePayload } from './certificate.js';
import { decodeCertificateRequest, encodeCertificateRequest, type CertificateRequestPayload } from './certificate-request.js';
import { decodeAuthentication, encodeAuthentication, type AuthenticationPayload } from './authentication.js';
import { decodeNonce, encodeNonce, type NoncePayload } from './nonce.js';
import { decodeNotify, describeNotify, encodeNotify, type NotifyPayload } from './notify.js';
import { decodeDelete, encodeDelete, type DeletePayload } from './delete.js';
import { decodeVendorId, encodeVendorId, type VendorIdPayload } from './vendor-id.js';
import { decodeTrafficSelector, encodeTrafficSelector, type TrafficSelectorPayload } from './traffic-selector.js';
import { decodeConfiguration, describeConfiguration, encodeConfiguration, type ConfigurationPayload } from './configuration.js';
import { decodeEap, describeEap, encodeEap, type EapPayload } from './eap.js';
import { decodeEncrypted, encodeEncrypted, type EncryptedPayload } from './encrypted.js';
import { decodeEncryptedFragment, encodeEncryptedFragment, type EncryptedFragmentPayload } from './encrypted-fragment.js';

/** A payload of a type we do not know (kept byte-exact). */
export interface UnknownPayload {
  type: number;
  critical?: boolean;
  raw: Uint8Array;
}

export type Payload =
  | SecurityAssociationPayload | KeyExchangePayload | IdentificationPayload | CertificatePayload | CertificateRequestPayload
  | AuthenticationPayload | NoncePayload | NotifyPayload | DeletePayload | VendorIdPayload | TrafficSelectorPayload
  | ConfigurationPayload | EapPayload | EncryptedPayload | EncryptedFragmentPayload;

export type AnyPayload = Payload | UnknownPayload;

type Body = { encode(w: Writer, p: any): void; decode(r: Reader, type: number): Payload };
const BODIES: Record<number, Body> = {
  33: { encode: encodeSecurityAssociation, decode: decodeSecurityAssociation },
  34: { encode: encodeKeyExchange, decode: decodeKeyExchange },
  35: { encode: encodeIdentification, decode: (r) => decodeIdentification(r, 35) },
  36: { encode: encodeIdentification, decode: (r) => decodeIdentification(r, 36) },
  37: { encode: encodeCertificate, decode: decodeCertificate },
  38: { encode: encodeCertificateRequest, decode: decodeCertificateRequest },
  39: { encode: encodeAuthentication, decode: decodeAuthentication },
  40: { encode: encodeNonce, decode: decodeNonce },
  41: { encode: encodeNotify, decode: decodeNotify },
  42: { encode: encodeDelete, decode: decodeDelete },
  43: { encode: encodeVendorId, decode: decodeVendorId },
  44: { encode: encodeTrafficSelector, decode: (r) => decodeTrafficSelector(r, 44) },
  45: { encode: encodeTrafficSelector, decode: (r) => decodeTrafficSelector(r, 45) },
  46: { encode: encodeEncrypted, decode: decodeEncrypted },
  47: { encode: encodeConfiguration, decode: decodeConfiguration },
  48: { encode: encodeEap, decode: decodeEap },
  53: { encode: encodeEncryptedFragment, decode: decodeEncryptedFragment },
};

/** True for payload types with a codec in this package. */
export const isKnownPayloadType = (t: number): boolean => t in BODIES;

/** Most payloads in one message (DoS bound). */
export const MAX_PAYLOADS = 256;

const isSk = (p: AnyPayload): p is EncryptedPayload | EncryptedFragmentPayload => p.type === PayloadType.SK || p.type === PayloadType.SKF;

/** Encode a payload chain (generic headers linking each to the next). SK/SKF, if present, must come last. */
export function encodePayloads(w: Writer, payloads: readonly AnyPayload[]): void {
  payloads.forEach((p, i) => {
    const last = i === payloads.length - 1;
    if (isSk(p) && !last) throw new RangeError('SK/SKF must be the last payload');
    const next = isSk(p) ? p.innerType : last ? 0 : payloads[i + 1].type;
    const bw = new Writer();
    if ('raw' in p) bw.bytes(p.raw);
    else {
      const body = BODIES[p.type];
      if (!body) throw new RangeError(`no codec for payload type ${p.type}`);
      body.encode(bw, p);
    }
    const b = bw.finish();
    w.u8(next).u8(p.critical ? 0x80 : 0).u16(4 + b.byteLength).bytes(b);
  });
}

/** The type of the first payload of a chain (SK/SKF's own type when it is first). */
export const firstPayloadType = (payloads: readonly AnyPayload[]): number => (payloads.length ? payloads[0].type : 0);

/**
 * Decode a payload chain starting with type `first` until Next Payload is 0 or an SK/SKF payload (always last).
 * Unknown payloads are kept raw unless the critical bit is set (then `IkeDecodeError` with UNSUPPORTED_CRITICAL_PAYLOAD,
 * RFC 7296 §2.5).
 * @throws IkeDecodeError on malformed input (never another error)
 */
export function decodePayloads(r: Reader, first: number): AnyPayload[] {
  const out: AnyPayload[] = [];
  let type = first;
  try {
    while (type !== 0) {
      if (out.length >= MAX_PAYLOADS) throw new IkeDecodeError(`more than ${MAX_PAYLOADS} payloads`, r.offset, { code: 'ERR_LIMIT' });
      const at = r.offset;
      const next = r.u8('next payload');
      const flags = r.u8('payload flags');
      const critical = (flags & 0x80) !== 0;
      const len = r.u16('payload length');
      if (len < 4) throw new IkeDecodeError(`payload length ${len} too short`, at + 2);
      const body = r.sub(len - 4, `${PAYLOAD_SHORT_NAMES[type] ?? type} payload`);
      const codec = BODIES[type];
      let p: AnyPayload;
      if (!codec) {
        if (critical) throw new IkeDecodeError(`unsupported critical payload type ${type}`, at, { notify: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD });
        p = { type, raw: body.rest() };
      } else {
        p = codec.decode(body, type);
        body.end(`${PAYLOAD_SHORT_NAMES[type]} payload`);
      }
      if (critical) p.critical = true;
      out.push(p);
      if (isSk(p)) {
        p.innerType = next;
        if (r.remaining !== 0) throw new IkeDecodeError('data after SK payload', r.offset);
        break;
      }
      type = next;
    }
    r.end('payload chain');
  } catch (e) {
    throw asIkeDecodeError(e);
  }
  return out;
}

/** strongSwan's short notation of one payload: `SA`, `N(NATD_S_IP)`, `EAP/REQ/TTLS`, `EF(1/2)`. */
export function describePayload(p: AnyPayload): string {
  switch (p.type) {
    case PayloadType.NOTIFY: return describeNotify(p as NotifyPayload);
    case PayloadType.EAP: return describeEap(p as EapPayload);
    case PayloadType.CP: return describeConfiguration(p as ConfigurationPayload);
    case PayloadType.SKF: {
      const f = p as EncryptedFragmentPayload;
      return `EF(${f.fragmentNumber}/${f.totalFragments})`;
    }
    default: return PAYLOAD_SHORT_NAMES[p.type] ?? '???';
  }
}

export * from './security-association.js';
export * from './key-exchange.js';
export * from './identification.js';
export * from './certificate.js';
export * from './certificate-request.js';
export * from './authentication.js';
export * from './nonce.js';
export * from './notify.js';
export * from './delete.js';
export * from './vendor-id.js';
export * from './traffic-selector.js';
export * from './configuration.js';
export * from './eap.js';
export * from './encrypted.js';
export * from './encrypted-fragment.js';
