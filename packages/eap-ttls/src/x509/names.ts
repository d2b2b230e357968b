/**
 * Names as strongSwan prints and matches them: distinguished names as `C=CH, O=Linux strongSwan, CN=moon.strongswan.org`,
 * subjectAltName entries, and the identity check of a peer certificate against a configured identity.
 */
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'G',
  '2.5.4.46': 'dnQualifier',
  '1.2.840.113549.1.9.1': 'E',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** `C=CH, O=Linux strongSwan, CN=moon.strongswan.org` (attribute order as in the certificate). */
export function formatDn(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${ATTRIBUTE_NAMES[tv.type] ?? tv.type}=${(tv.value.valueBlock as { value?: unknown }).value ?? ''}`)
    .join(', ');
}

export const subjectOf = (c: pkijs.Certificate): string => formatDn(c.subject);
export const issuerOf = (c: pkijs.Certificate): string => formatDn(c.issuer);

export interface AltNames {
  dns: string[];
  email: string[];
  ip: string[];
  uri: string[];
}

function ipString(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const parts: string[] = [];
  for (let i = 0; i < b.length; i += 2) parts.push(((b[i] << 8) | b[i + 1]).toString(16));
  return parts.join(':');
}

/** subjectAltName entries of a certificate. */
export function altNamesOf(c: pkijs.Certificate): AltNames {
  const out: AltNames = { dns: [], email: [], ip: [], uri: [] };
  const ext = c.extensions?.find((e) => e.extnID === '2.5.29.17');
  const names = (ext?.parsedValue as pkijs.AltName | undefined)?.altNames ?? [];
  for (const n of names) {
    if (n.type === 2) out.dns.push(String(n.value));
    else if (n.type === 1) out.email.push(String(n.value));
    else if (n.type === 6) out.uri.push(String(n.value));
    else if (n.type === 7) out.ip.push(ipString(new Uint8Array((n.value as asn1js.OctetString).valueBlock.valueHexView)));
  }
  return out;
}

/** The certificate's CN attributes. */
export function commonNamesOf(c: pkijs.Certificate): string[] {
  return c.subject.typesAndValues.filter((tv) => tv.type === '2.5.4.3').map((tv) => String((tv.value.valueBlock as { value?: unknown }).value ?? ''));
}

const normDn = (s: string): string => s.split(',').map((p) => p.trim().replace(/\s*=\s*/, '=').toLowerCase()).join(',');

/**
 * Does `c` stand for `identity`? A DN identity (`C=CH, O=…, CN=…`) must equal the subject; any other identity must
 * equal a subjectAltName (dNSName, rfc822Name, iPAddress; case-insensitive), or — only when the certificate has no
 * subjectAltName at all — a CN (RFC 6125 §6.4.4).
 */
export function matchesIdentity(c: pkijs.Certificate, identity: string): boolean {
  if (/^[A-Za-z.0-9]+=/.test(identity) && identity.includes('=')) return normDn(subjectOf(c)) === normDn(identity);
  const id = identity.toLowerCase();
  const alt = altNamesOf(c);
  const all = [...alt.dns, ...alt.email, ...alt.ip].map((s) => s.toLowerCase());
  if (all.length) return all.includes(id);
  return commonNamesOf(c).some((cn) => cn.toLowerCase() === id);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** strongSwan's `%T` with UTC: `Jan 01 00:00:00 UTC 2030`. */
export function formatUtc(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
