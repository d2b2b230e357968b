/**
 * Revocation checking of one certificate against its issuer: OCSP (RFC 6960, basic: request with nonce over HTTP,
 * response signed by the CA or a delegated responder) first, then CRLs (RFC 5280: locally configured ones and those
 * fetched from the certificate's CRL distribution points over HTTP, cached until their nextUpdate), with
 * strongSwan's log lines.
 */
import { randomBytes } from 'node:crypto';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { getLogger, type Logger } from '@tncjs/common';
import { cryptoEngine } from './engine.js';
import { formatUtc, subjectOf, formatDn } from './names.js';
import { httpFetcher, type Fetcher } from './fetch.js';
import { parseCrl } from './trust-store.js';

/**
 * What happens when the status cannot be determined (no CRL/OCSP reachable):
 * `strict` fails, `lenient` goes on with a log line (strongSwan's `strictness = no`), `off` checks nothing.
 */
export type RevocationPolicy = 'strict' | 'lenient' | 'off';

export interface RevocationOptions {
  policy?: RevocationPolicy;
  /** Locally configured CRLs (DER). */
  crls?: readonly Uint8Array[];
  /** Fetch CRLs from CRL distribution points (default true). */
  fetchCrls?: boolean;
  /** Ask OCSP responders named in authorityInfoAccess (default true). */
  ocsp?: boolean;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Largest CRL/OCSP response accepted (default 4 MiB). */
  maxResponseBytes?: number;
  /** HTTP client (default node:http/https); tests may inject one. */
  fetcher?: Fetcher;
}

export type RevocationStatus =
  | { status: 'good'; via: 'crl' | 'ocsp' }
  | { status: 'revoked'; via: 'crl' | 'ocsp'; date?: Date; reason?: string }
  | { status: 'unknown'; reason: string };

const REASONS = ['unspecified', 'key compromise', 'ca compromise', 'affiliation changed', 'superseded', 'cessation of operation', 'certificate hold', '', 'remove from crl', 'privilege withdrawn', 'aa compromise'];

function uriOf(gn: pkijs.GeneralName): string | undefined {
  return gn.type === 6 ? String(gn.value) : undefined;
}

/** CRL distribution point URIs of a certificate. */
export function crlUris(c: pkijs.Certificate): string[] {
  const ext = c.extensions?.find((e) => e.extnID === '2.5.29.31');
  const v = ext?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  const out: string[] = [];
  for (const dp of v?.distributionPoints ?? []) {
    const names = dp.distributionPoint;
    if (Array.isArray(names)) for (const n of names) { const u = uriOf(n); if (u) out.push(u); }
  }
  return out;
}

/** OCSP responder URIs (authorityInfoAccess, id-ad-ocsp). */
export function ocspUris(c: pkijs.Certificate): string[] {
  const ext = c.extensions?.find((e) => e.extnID === '1.3.6.1.5.5.7.1.1');
  const v = ext?.parsedValue as pkijs.InfoAccess | undefined;
  return (v?.accessDescriptions ?? []).filter((d) => d.accessMethod === '1.3.6.1.5.5.7.48.1').map((d) => uriOf(d.accessLocation)).filter((u): u is string => !!u);
}

interface CachedCrl {
  crl: pkijs.CertificateRevocationList;
  until: number;
}

export class RevocationChecker {
  readonly policy: RevocationPolicy;
  private readonly options: Required<Omit<RevocationOptions, 'crls' | 'policy'>>;
  private readonly local: pkijs.CertificateRevocationList[];
  private readonly cache = new Map<string, CachedCrl>();

  constructor(options: RevocationOptions = {}) {
    this.policy = options.policy ?? 'lenient';
    this.options = {
      fetchCrls: options.fetchCrls ?? true,
      ocsp: options.ocsp ?? true,
      timeoutMs: options.timeoutMs ?? 5000,
      maxResponseBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
      fetcher: options.fetcher ?? httpFetcher,
    };
    this.local = (options.crls ?? []).map(parseCrl);
  }

  /** Add a locally configured CRL (DER). */
  addCrl(der: Uint8Array): void {
    this.local.push(parseCrl(der));
  }

  /** The status of `cert` issued by `issuer`, logging as strongSwan does. Never throws. */
  async check(cert: pkijs.Certificate, issuer: pkijs.Certificate, now: Date, log: Logger = getLogger()): Promise<RevocationStatus> {
    log.log('CFG', 1, `checking certificate status of "${subjectOf(cert)}"`);
    if (this.options.ocsp) {
      for (const url of ocspUris(cert)) {
        const r = await this.ocsp(url, cert, issuer, now, log);
        if (r) return this.report(r, log);
      }
    }
    const r = await this.crl(cert, issuer, now, log);
    return this.report(r, log);
  }

  private report(r: RevocationStatus, log: Logger): RevocationStatus {
    if (r.status === 'good') log.log('CFG', 1, 'certificate status is good');
    else if (r.status === 'revoked') log.log('CFG', 1, `certificate was revoked on ${r.date ? formatUtc(r.date) : 'unknown date'}, reason: ${r.reason ?? 'unspecified'}`);
    else log.log('CFG', 1, 'certificate status is not available');
    return r;
  }

  private async crl(cert: pkijs.Certificate, issuer: pkijs.Certificate, now: Date, log: Logger): Promise<RevocationStatus> {
    const candidates: pkijs.CertificateRevocationList[] = this.local.filter((c) => c.issuer.isEqual(cert.issuer));
    let lastError = 'no CRL available';
    if (this.options.fetchCrls) {
      for (const url of crlUris(cert)) {
        const cached = this.cache.get(url);
        if (cached && cached.until > now.getTime()) {
          log.log('CFG', 2, `  using cached crl for '${url}'`);
          candidates.push(cached.crl);
          continue;
        }
        log.log('CFG', 1, `  fetching crl from '${url}' ...`);
        try {
          const der = await this.options.fetcher(url, { method: 'GET', timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxResponseBytes });
          const crl = parseCrl(der);
          candidates.push(crl);
          this.cache.set(url, { crl, until: crl.nextUpdate ? crl.nextUpdate.value.getTime() : now.getTime() + 3600_000 });
        } catch (e) {
          lastError = `fetching crl from '${url}' failed: ${(e as Error).message}`;
          log.log('CFG', 1, `  ${lastError}`);
        }
      }
    }
    let stale: pkijs.CertificateRevocationList | undefined;
    for (const crl of candidates) {
      let ok = false;
      try {
        ok = crl.issuer.isEqual(issuer.subject) && (await crl.verify({ issuerCertificate: issuer }, cryptoEngine));
      } catch {
        ok = false;
      }
      if (!ok) {
        log.log('CFG', 1, `  crl of "${formatDn(crl.issuer)}" not correctly signed by "${subjectOf(issuer)}"`);
        lastError = 'crl signature invalid';
        continue;
      }
      log.log('CFG', 2, `  using trusted certificate "${subjectOf(issuer)}"`);
      log.log('CFG', 1, `  crl correctly signed by "${subjectOf(issuer)}"`);
      const revoked = crl.revokedCertificates?.find((rc) => rc.userCertificate.isEqual(cert.serialNumber));
      if (revoked) {
        const reasonExt = revoked.crlEntryExtensions?.extensions.find((e) => e.extnID === '2.5.29.21');
        const code = (reasonExt?.parsedValue as asn1js.Enumerated | undefined)?.valueBlock.valueDec;
        return { status: 'revoked', via: 'crl', date: revoked.revocationDate.value, reason: code !== undefined ? REASONS[code] ?? String(code) : undefined };
      }
      const next = crl.nextUpdate?.value;
      if (next && next.getTime() < now.getTime()) {
        log.log('CFG', 1, `  crl is stale: since ${formatUtc(next)}`);
        stale = crl;
        lastError = 'crl is stale';
        continue;
      }
      log.log('CFG', 1, `  crl is valid: until ${next ? formatUtc(next) : 'unknown'}`);
      return { status: 'good', via: 'crl' };
    }
    void stale;
    return { status: 'unknown', reason: lastError };
  }

  private async ocsp(url: string, cert: pkijs.Certificate, issuer: pkijs.Certificate, now: Date, log: Logger): Promise<RevocationStatus | undefined> {
    log.log('CFG', 1, `  requesting ocsp status from '${url}' ...`);
    try {
      const req = new pkijs.OCSPRequest();
      await req.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer }, cryptoEngine);
      const nonce = new Uint8Array(randomBytes(16));
      req.tbsRequest.requestExtensions = [
        new pkijs.Extension({ extnID: '1.3.6.1.5.5.7.48.1.2', extnValue: new asn1js.OctetString({ valueHex: nonce }).toBER() }),
      ];
      const body = new Uint8Array(req.toSchema(true).toBER());
      const der = await this.options.fetcher(url, { method: 'POST', body, contentType: 'application/ocsp-request', timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxResponseBytes });
      const resp = pkijs.OCSPResponse.fromBER(der);
      if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) {
        log.log('CFG', 1, `  ocsp response status ${resp.responseStatus.valueBlock.valueDec}`);
        return undefined;
      }
      const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
      // the issuing CA may sign directly (trustedResponders); a delegated responder must come with its certificate,
      // issued by the CA with id-kp-OCSPSigning (pkijs checks both)
      const delegated = !!basic.certs?.length;
      if (!delegated) basic.certs = [issuer];
      const signedOk = await basic.verify({ trustedCerts: [issuer], issuerCerts: [issuer] }, cryptoEngine);
      if (!signedOk) {
        log.log('CFG', 1, '  ocsp response signature verification failed');
        return undefined;
      }
      log.log('CFG', 1, `  ocsp response correctly signed by "${subjectOf(delegated ? basic.certs![0] : issuer)}"`);
      const ext = basic.tbsResponseData.responseExtensions?.find((e) => e.extnID === '1.3.6.1.5.5.7.48.1.2');
      const echoed = ext ? new Uint8Array(ext.extnValue.valueBlock.valueHexView) : undefined;
      const expected = new Uint8Array(new asn1js.OctetString({ valueHex: nonce }).toBER());
      if (!echoed || (!Buffer.from(echoed).equals(Buffer.from(expected)) && !Buffer.from(echoed).equals(Buffer.from(nonce)))) {
        log.log('CFG', 1, '  nonce in ocsp response doesn\'t match');
        return undefined;
      }
      const single = basic.tbsResponseData.responses.find(() => true);
      const st = await basic.getCertificateStatus(cert, issuer, cryptoEngine);
      if (!st.isForCertificate || !single) {
        log.log('CFG', 1, '  ocsp response does not cover the certificate');
        return undefined;
      }
      const next = single.nextUpdate;
      if (next && next.getTime() < now.getTime()) {
        log.log('CFG', 1, `  ocsp response is stale: since ${formatUtc(next)}`);
        return undefined;
      }
      log.log('CFG', 1, `  ocsp response is valid: until ${next ? formatUtc(next) : 'unknown'}`);
      if (st.status === 0) return { status: 'good', via: 'ocsp' };
      if (st.status === 1) {
        const info = (single.certStatus as asn1js.Constructed).valueBlock?.value?.[0] as asn1js.GeneralizedTime | undefined;
        return { status: 'revoked', via: 'ocsp', date: info?.toDate?.() };
      }
      return undefined;
    } catch (e) {
      log.log('CFG', 1, `  ocsp request to '${url}' failed: ${(e as Error).message}`);
      return undefined;
    }
  }
}
