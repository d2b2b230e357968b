/**
 * The certificate decision for a TLS peer, made by us and logged as strongSwan's credential manager logs it:
 * chain building and validation with pkijs' CertificateChainValidationEngine against our trust anchors, the identity
 * check, and revocation (OCSP, CRL) of every certificate on the path below the root.
 */
import * as pkijs from 'pkijs';
import { getLogger, type Logger } from '@tncjs/common';
import { CertificateError, CertErrorCode } from '../errors.js';
import { cryptoEngine } from './engine.js';
import { formatUtc, matchesIdentity, subjectOf, altNamesOf } from './names.js';
import { parseCertificate, TrustStore } from './trust-store.js';
import { RevocationChecker, type RevocationOptions } from './revocation.js';

export interface ValidatorOptions {
  /** Trust anchors (a `TrustStore`, or a directory of CA certificates). */
  trust: TrustStore | string;
  revocation?: RevocationChecker | RevocationOptions;
  /** Time of the check (default now). */
  now?: () => Date;
}

export interface ValidatedChain {
  /** Leaf first, trust anchor last. */
  path: pkijs.Certificate[];
  subject: string;
  /** Number of intermediate CAs between the leaf and the root. */
  pathLength: number;
}

export class CertificateValidator {
  readonly trust: TrustStore;
  readonly revocation: RevocationChecker;
  private readonly now: () => Date;

  constructor(options: ValidatorOptions) {
    this.trust = typeof options.trust === 'string' ? TrustStore.fromDirectory(options.trust) : options.trust;
    this.revocation = options.revocation instanceof RevocationChecker ? options.revocation : new RevocationChecker(options.revocation);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Validate a peer's chain (leaf first, as TLS sends it).
   * @param expectedIdentity the identity the leaf must carry (SAN dNSName/rfc822Name/IP, or CN, or the DN)
   * @throws CertificateError with the reason (unknown CA, expired, revoked, identity, status unknown, invalid)
   */
  async validate(chainDer: readonly Uint8Array[], expectedIdentity: string | undefined, log: Logger = getLogger(), role: 'server' | 'client' = 'server'): Promise<ValidatedChain> {
    if (chainDer.length === 0) throw new CertificateError(CertErrorCode.MISSING, `no TLS ${role} certificate received`);
    let chain: pkijs.Certificate[];
    try {
      chain = chainDer.map(parseCertificate);
    } catch (e) {
      throw new CertificateError(CertErrorCode.INVALID, (e as Error).message, undefined, { cause: e });
    }
    const leaf = chain[0];
    const subject = subjectOf(leaf);
    log.log('TLS', 1, `received TLS ${role} certificate '${subject}'`);
    if (expectedIdentity !== undefined && !matchesIdentity(leaf, expectedIdentity)) {
      const alt = altNamesOf(leaf);
      log.log('CFG', 1, `certificate '${subject}' does not match identity '${expectedIdentity}' (subjectAltNames: ${[...alt.dns, ...alt.email, ...alt.ip].join(', ') || 'none'})`);
      throw new CertificateError(CertErrorCode.IDENTITY, `TLS ${role} certificate '${subject}' does not match identity '${expectedIdentity}'`, subject);
    }
    const now = this.now();
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: this.trust.certificates,
      certs: [...chain.slice(1).reverse(), leaf],
      checkDate: now,
    });
    const r = await engine.verify({}, cryptoEngine);
    if (!r.result || !r.certificatePath) {
      const code = r.resultCode === 8 ? CertErrorCode.EXPIRED : /no valid certificate paths|unable to find certificate path/i.test(r.resultMessage) ? CertErrorCode.UNKNOWN_CA : CertErrorCode.INVALID;
      if (code === CertErrorCode.EXPIRED) {
        const bad = [leaf, ...this.trust.certificates, ...chain].find((c) => c.notBefore.value > now || c.notAfter.value < now) ?? leaf;
        const msg = bad.notAfter.value < now ? `certificate "${subjectOf(bad)}" expired on ${formatUtc(bad.notAfter.value)}` : `certificate "${subjectOf(bad)}" not valid before ${formatUtc(bad.notBefore.value)}`;
        log.log('CFG', 1, msg);
        throw new CertificateError(code, `TLS ${role} certificate chain invalid: ${msg}`, subject);
      }
      if (code === CertErrorCode.UNKNOWN_CA) {
        log.log('CFG', 1, `no trusted issuer certificate found for "${subjectOf(chain[chain.length - 1])}"`);
        log.log('TLS', 1, `no trusted certificate found for '${subject}' to verify TLS ${role}`);
        throw new CertificateError(code, `TLS ${role} certificate '${subject}' is not issued by a trusted CA`, subject);
      }
      log.log('CFG', 1, `certificate chain of "${subject}" invalid: ${r.resultMessage}`);
      throw new CertificateError(code, `TLS ${role} certificate chain invalid: ${r.resultMessage}`, subject);
    }
    // pkijs returns the path root first or leaf first depending on the branch taken: normalise to leaf first
    let path = r.certificatePath.slice();
    if (path.length > 1 && !path[0].subject.isEqual(leaf.subject)) path.reverse();
    if (path.length === 1) path = [leaf, leaf];
    const anchors = new Set(this.trust.der.map((d) => Buffer.from(d).toString('base64')));
    log.log('CFG', 1, `  using certificate "${subject}"`);
    for (let i = 1; i < path.length; i++) {
      const der = Buffer.from(path[i].toSchema(true).toBER()).toString('base64');
      if (anchors.has(der)) log.log('CFG', 1, `  using trusted ca certificate "${subjectOf(path[i])}"`);
      else log.log('CFG', 1, `  using untrusted intermediate certificate "${subjectOf(path[i])}"`);
    }
    if (this.revocation.policy !== 'off') {
      for (let i = 0; i < path.length - 1; i++) {
        const st = await this.revocation.check(path[i], path[i + 1], now, log);
        if (st.status === 'revoked') {
          throw new CertificateError(CertErrorCode.REVOKED, `certificate "${subjectOf(path[i])}" was revoked${st.date ? ` on ${formatUtc(st.date)}` : ''}`, subject);
        }
        if (st.status === 'unknown' && this.revocation.policy === 'strict') {
          log.log('CFG', 1, `certificate status of "${subjectOf(path[i])}" unknown and strict revocation policy`);
          throw new CertificateError(CertErrorCode.STATUS_UNKNOWN, `revocation status of "${subjectOf(path[i])}" unknown (${st.reason}), strict policy`, subject);
        }
      }
    }
    const pathLength = Math.max(0, path.length - 2);
    log.log('CFG', 1, `  reached self-signed root ca with a path length of ${pathLength}`);
    return { path, subject, pathLength };
  }
}
