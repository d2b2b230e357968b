/**
 * EAP-TTLS peer tuned for a strongSwan 5.9 gateway: its libtls sends no renegotiation_info extension (RFC 5746),
 * which OpenSSL 3 (node:tls) refuses by default ("unsafe legacy renegotiation disabled"). This factory allows the
 * legacy server connect (SSL_OP_LEGACY_SERVER_CONNECT) and otherwise behaves as `ttlsPeerFactory`. No renegotiation
 * ever happens inside EAP-TTLS, so the attack RFC 5746 prevents does not apply.
 */
import { constants } from 'node:crypto';
import type tls from 'node:tls';
import type { EapMethodFactory } from '@tncjs/eap';
import { EapTtlsPeer, type TtlsPeerOptions } from '@tncjs/eap-ttls';

class LegacyServerTtlsPeer extends EapTtlsPeer {
  protected override tlsOptions(): tls.ConnectionOptions & tls.TLSSocketOptions {
    const o = super.tlsOptions();
    return { ...o, secureOptions: (o.secureOptions ?? 0) | constants.SSL_OP_LEGACY_SERVER_CONNECT };
  }
}

/** `ttlsPeerFactory` for strongSwan gateways (TLS 1.2, legacy renegotiation indication tolerated). */
export function strongswanTtlsPeerFactory(options: TtlsPeerOptions): EapMethodFactory {
  return {
    methodType: { type: 21 },
    create: (ctx) =>
      new LegacyServerTtlsPeer({
        maxVersion: 'TLSv1.2',
        ...options,
        logger: options.logger ?? ctx.logger,
        identity: options.identity ?? ctx.identity,
        serverIdentity: options.serverIdentity ?? ctx.serverIdentity,
      }),
  };
}
