/**
 * Trust anchors and CRLs from files: a directory of CA certificates (PEM, possibly several per file, or DER), as
 * strongSwan's `x509ca/` and `x509crl/` directories.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { TtlsError } from '../errors.js';

function pemBlocks(text: string, label: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(re)) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}

/** DER objects of `label` (`CERTIFICATE`, `X509 CRL`) from PEM text or a single DER blob. */
export function readPemOrDer(data: Uint8Array | string, label = 'CERTIFICATE'): Uint8Array[] {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  if (text.includes('-----BEGIN ')) return pemBlocks(text, label);
  return typeof data === 'string' ? [] : [data];
}

/** PEM text of a DER object. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** @throws TtlsError (ERR_CERT_INVALID) for bytes that are not an X.509 certificate */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  try {
    return pkijs.Certificate.fromBER(der);
  } catch (e) {
    throw new TtlsError('ERR_CERT_INVALID', `unparsable X.509 certificate: ${(e as Error).message}`, { cause: e });
  }
}

/** @throws TtlsError (ERR_CERT_INVALID) for bytes that are not an X.509 CRL */
export function parseCrl(der: Uint8Array): pkijs.CertificateRevocationList {
  try {
    return pkijs.CertificateRevocationList.fromBER(der);
  } catch (e) {
    throw new TtlsError('ERR_CERT_INVALID', `unparsable X.509 CRL: ${(e as Error).message}`, { cause: e });
  }
}

function filesOf(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** A set of trust anchors (CA certificates we trust) with their DER encodings. */
export class TrustStore {
  readonly certificates: pkijs.Certificate[] = [];
  readonly der: Uint8Array[] = [];

  constructor(certs: Iterable<Uint8Array> = []) {
    for (const c of certs) this.add(c);
  }

  /** Every certificate (PEM or DER, any file name) in `dir`. Unparsable files are skipped. */
  static fromDirectory(dir: string): TrustStore {
    const s = new TrustStore();
    for (const f of filesOf(dir)) {
      for (const der of readPemOrDer(new Uint8Array(readFileSync(f)))) {
        try {
          s.add(der);
        } catch {
          /* not a certificate: ignored, like strongSwan ignores stray files */
        }
      }
    }
    return s;
  }

  add(der: Uint8Array): pkijs.Certificate {
    const c = parseCertificate(der);
    this.certificates.push(c);
    this.der.push(der.slice());
    return c;
  }

  get size(): number {
    return this.certificates.length;
  }
}

/** Every CRL (PEM `X509 CRL` or DER) in `dir`. */
export function loadCrlDirectory(dir: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of filesOf(dir)) out.push(...readPemOrDer(new Uint8Array(readFileSync(f)), 'X509 CRL'));
  return out;
}
