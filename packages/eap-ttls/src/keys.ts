/**
 * EAP-TTLS key derivation. TLS 1.2 and earlier (RFC 5281 §8): keying material = PRF(master_secret,
 * "ttls keying material", client_random ‖ server_random), 128 bytes, which is the RFC 5705 exporter without
 * context. TLS 1.3 (RFC 9427 §2.1): TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", Type-Code 0x15, 128).
 * MSK = first 64 bytes, EMSK = next 64.
 */
import type { TlsChannel } from './tls-channel.js';

export const TTLS_KEYING_LABEL = 'ttls keying material';
export const RFC9427_KEYING_LABEL = 'EXPORTER_EAP_TLS_Key_Material';
export const TTLS_TYPE_CODE = 21;

/**
 * How to derive keys over TLS 1.3: `rfc9427` (the standard, also wpa_supplicant/FreeRADIUS 3.2), or `strongswan`
 * (the RFC 5281 label through the TLS 1.3 exporter without context, which strongSwan ≥ 5.9 and FreeRADIUS 3.0 use).
 */
export type Tls13KeyDerivation = 'rfc9427' | 'strongswan';

export interface TtlsKeys {
  msk: Uint8Array;
  emsk: Uint8Array;
}

export function deriveTtlsKeys(channel: TlsChannel, tls13: Tls13KeyDerivation = 'rfc9427'): TtlsKeys {
  const v13 = channel.socket.getProtocol() === 'TLSv1.3';
  const km = v13 && tls13 === 'rfc9427'
    ? channel.exportKeyingMaterial(128, RFC9427_KEYING_LABEL, Uint8Array.of(TTLS_TYPE_CODE))
    : channel.exportKeyingMaterial(128, TTLS_KEYING_LABEL);
  const keys = { msk: km.slice(0, 64), emsk: km.slice(64, 128) };
  km.fill(0);
  return keys;
}
