/** Checks of single values shared by the file form and the flags form. Each returns a reason, or undefined when fine. */
import { isIPv4 } from 'node:net';
import { parseTpmSpec } from '@tncjs/tss';
import { ConfigError } from './errors.js';
import { parseEspProposals, parseIkeProposals } from './proposals.js';

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** A gateway address: an IPv4 address or a DNS name (the IKEv2 stack is IPv4 only). */
export function checkHost(s: string): string | undefined {
  if (isIPv4(s)) return undefined;
  if (s.includes(':')) return `'${s}' is an IPv6 address or has a port: tnc-client speaks IKEv2 over IPv4 only (port 500/4500)`;
  if (s.startsWith('%')) return `'${s}' cannot be the gateway: an initiator needs a concrete address or DNS name`;
  if (/^[\d.]+$/.test(s) || !DNS_NAME.test(s)) return `'${s}' is neither an IPv4 address nor a DNS name`;
  return undefined;
}

export function checkLocalAddress(s: string): string | undefined {
  return isIPv4(s) ? undefined : `'${s}' is not an IPv4 address`;
}

const IPV4_CIDR = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/;

/** A traffic selector: `a.b.c.d/n`, `a.b.c.d`, `a.b.c.d-e.f.g.h` or `dynamic` (protocol/port suffixes are not supported). */
export function checkTrafficSelector(s: string): string | undefined {
  if (s === 'dynamic') return undefined;
  if (s.includes('[')) return `traffic selector '${s}': protocol/port restrictions ([proto/port]) are not supported`;
  const range = s.split('-');
  if (range.length === 2 && isIPv4(range[0]) && isIPv4(range[1])) {
    return ipv4ToInt(range[0]) <= ipv4ToInt(range[1]) ? undefined : `traffic selector '${s}': range start after range end`;
  }
  const m = IPV4_CIDR.exec(s);
  if (!m || !isIPv4(m[1])) return `traffic selector '${s}' is not an IPv4 subnet (a.b.c.d/n), address, range (a.b.c.d-e.f.g.h) or 'dynamic'`;
  if (m[2] !== undefined && Number(m[2]) > 32) return `traffic selector '${s}': prefix length ${m[2]} is larger than 32`;
  return undefined;
}

function ipv4ToInt(s: string): number {
  return s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

const PROPOSAL = /^[a-z0-9_]+(?:-[a-z0-9_]+)*!?$/i;

/** An IKE or ESP proposal in strongSwan syntax (`aes128-sha256-x25519`, `default`): the syntax only. */
export function checkProposal(s: string): string | undefined {
  return PROPOSAL.test(s) ? undefined : `proposal '${s}' is not in strongSwan syntax (algorithms joined by '-', e.g. aes128-sha256-x25519)`;
}

/** An IKE proposal: syntax, and every algorithm known and implemented (`parseIkeProposals`). */
export function checkIkeProposal(s: string): string | undefined {
  return checkProposal(s) ?? reasonOf(() => parseIkeProposals([s]));
}

/** An ESP proposal: syntax, and every algorithm known and implemented (`parseEspProposals`). */
export function checkEspProposal(s: string): string | undefined {
  return checkProposal(s) ?? reasonOf(() => parseEspProposals([s]));
}

function reasonOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof ConfigError ? e.reason : String(e);
  }
}

export function checkTpm(s: string): string | undefined {
  try {
    parseTpmSpec(s);
    return undefined;
  } catch (e) {
    return `TPM '${s}': ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** A persistent AIK handle: 0x81000000..0x81FFFFFF, in hex (0x…) or decimal. */
export function parseAikHandle(s: string): number | string {
  const v = /^0x[0-9a-f]{1,8}$/i.test(s) ? parseInt(s.slice(2), 16) : /^\d{1,10}$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(v)) return `AIK handle '${s}' is not a number (e.g. 0x81010003)`;
  if (v < 0x81000000 || v > 0x81ffffff) return `AIK handle '${s}' is not a persistent handle (0x81000000..0x81FFFFFF)`;
  return v;
}

/** An identity as it goes into IDi/IDr or EAP: printable, 1..255 bytes. */
export function checkIdentity(s: string, what: string): string | undefined {
  if (s.length === 0) return `${what} is empty`;
  if (Buffer.byteLength(s, 'utf8') > 255) return `${what} is longer than 255 bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) return `${what} contains control characters`;
  return undefined;
}

/** A connection name: names the control socket file, so letters, digits, '.', '_' and '-'. */
export function checkConnectionName(s: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s)
    ? undefined
    : `connection name '${s.slice(0, 80)}' must be 1..64 letters, digits, '.', '_' or '-' (it names the control socket)`;
}

/** `yes`/`no` as strongSwan accepts them. */
export function parseBool(s: string): boolean | undefined {
  const v = s.toLowerCase();
  if (['yes', 'true', 'enabled', '1'].includes(v)) return true;
  if (['no', 'false', 'disabled', '0'].includes(v)) return false;
  return undefined;
}

/** A UDP port 1..65535. */
export function parsePort(s: string, what: string): number | string {
  const n = /^\d{1,5}$/.test(s) ? Number(s) : NaN;
  return n >= 1 && n <= 65535 ? n : `${what} '${s}': expected a UDP port, 1..65535`;
}

/** `kernel =`: a boolean, or `auto`. */
export function parseKernelMode(s: string): boolean | 'auto' | undefined {
  return s.toLowerCase() === 'auto' ? 'auto' : parseBool(s);
}

/** EAP-TTLS fragment size: 64 (RFC 5281's smallest useful) … 65,535 (the EAP length field). */
export function parseTtlsFragmentSize(s: string): number | string {
  const n = /^\d{1,6}$/.test(s) ? Number(s) : NaN;
  return n >= 64 && n <= 65535 ? n : `TTLS fragment size '${s}': expected bytes, 64..65535 (default 8000; strongSwan uses 1024)`;
}

/** A comma (or blank) separated list, as strongSwan's list settings. */
export function splitList(s: string): string[] {
  return s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
}
