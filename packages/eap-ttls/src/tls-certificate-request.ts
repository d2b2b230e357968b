/**
 * The TLS 1.2 CertificateRequest (RFC 5246 §7.4.4) as seen on the wire by the EAP-TTLS peer: node:tls does not say
 * whether the server asked for a client certificate, so the peer reads the server's (still unencrypted) handshake
 * flight itself, to log it as strongSwan does ("received TLS cert request for '…'"). TLS 1.3 encrypts it: not seen.
 * Reading is bounded (`MAX_SCANNED_BYTES`) and stops at ServerHelloDone or ChangeCipherSpec; what does not parse is
 * ignored (this is a log aid: node:tls validates the handshake itself).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Reader } from '@tncjs/common';
import { formatDn } from './x509/names.js';

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_HANDSHAKE = 22;
const HANDSHAKE_CERTIFICATE_REQUEST = 13;
const HANDSHAKE_SERVER_HELLO_DONE = 14;
/** The scanner gives up after this many bytes of the server's flight (certificate chains are a few KB). */
export const MAX_SCANNED_BYTES = 64 * 1024;

/** Collects the plaintext handshake messages of the server's first flight across calls, looking for a CertificateRequest. */
export class CertificateRequestScanner {
  /** Record bytes not yet forming a whole record. */
  private records: Uint8Array = new Uint8Array(0);
  /** Handshake bytes not yet forming a whole handshake message. */
  private handshake: Uint8Array = new Uint8Array(0);
  private scanned = 0;
  private done = false;
  /** The distinguished names of the CertificateRequest's certificate_authorities, once one was seen. */
  authorities: string[] | undefined;

  /** Feed TLS record bytes received from the server (any split). */
  push(bytes: Uint8Array): void {
    if (this.done) return;
    this.scanned += bytes.byteLength;
    if (this.scanned > MAX_SCANNED_BYTES) {
      this.finish();
      return;
    }
    const buf = concat(this.records, bytes);
    const r = new Reader(buf);
    while (!this.done && r.remaining >= 5) {
      const start = r.position;
      const type = r.u8();
      r.skip(2); // legacy record version
      const len = r.u16();
      if (r.remaining < len) {
        this.records = buf.slice(start);
        return;
      }
      const body = r.borrow(len);
      if (type === CONTENT_CHANGE_CIPHER_SPEC) this.finish();
      else if (type === CONTENT_HANDSHAKE) this.handshakeBytes(body);
    }
    this.records = this.done ? new Uint8Array(0) : r.rest();
  }

  private handshakeBytes(body: Uint8Array): void {
    const buf = concat(this.handshake, body);
    const r = new Reader(buf);
    while (!this.done && r.remaining >= 4) {
      const start = r.position;
      const type = r.u8();
      const len = r.u24();
      if (r.remaining < len) {
        this.handshake = buf.slice(start);
        return;
      }
      const msg = r.borrow(len);
      if (type === HANDSHAKE_CERTIFICATE_REQUEST) {
        this.authorities = parseAuthorities(msg);
        this.finish();
      } else if (type === HANDSHAKE_SERVER_HELLO_DONE) {
        this.finish();
      }
    }
    this.handshake = this.done ? new Uint8Array(0) : r.rest();
  }

  private finish(): void {
    this.done = true;
    this.records = new Uint8Array(0);
    this.handshake = new Uint8Array(0);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/**
 * The certificate_authorities of a TLS 1.2 CertificateRequest body: certificate_types<1..255>,
 * supported_signature_algorithms<2..2^16-2>, certificate_authorities<0..2^16-1> of DistinguishedName<1..2^16-1>.
 * A truncated body yields the names read so far; names that do not decode as a DN are left out. Never throws.
 */
export function parseAuthorities(body: Uint8Array): string[] {
  const out: string[] = [];
  try {
    const r = new Reader(body);
    r.skip(r.u8('certificate_types length'), 'certificate_types');
    r.skip(r.u16('supported_signature_algorithms length'), 'supported_signature_algorithms');
    const cas = r.sub(Math.min(r.u16('certificate_authorities length'), r.remaining), 'certificate_authorities');
    while (cas.remaining >= 2) {
      const der = cas.bytes(cas.u16('DistinguishedName length'), 'DistinguishedName');
      const dn = decodeDn(der);
      if (dn !== undefined) out.push(dn);
    }
  } catch {
    /* truncated: the names read so far */
  }
  return out;
}

function decodeDn(der: Uint8Array): string | undefined {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1) return undefined;
    return formatDn(new pkijs.RelativeDistinguishedNames({ schema: asn.result }));
  } catch {
    return undefined;
  }
}
