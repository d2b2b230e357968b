/**
 * What the OS IMC measures, read as strongSwan's imc_os does (libimcv os_info.c) from files that tests replace:
 * /etc/os-release (NAME, VERSION_ID), the machine's architecture, /proc/stat btime, /proc/sys/net/ipv4/ip_forward,
 * /etc/machine-id (device ID when no AIK is configured), /var/lib/dpkg/status (installed packages).
 */
import { readFile } from 'node:fs/promises';
import { arch as nodeArch } from 'node:os';

export interface OsInfoSources {
  osRelease?: string;
  procStat?: string;
  ipForward?: string;
  machineId?: string;
  dpkgStatus?: string;
  /** `uname -m` (default from node:os: x64 → x86_64, arm64 → aarch64). */
  arch?: string;
}

export const DEFAULT_OS_SOURCES: Required<OsInfoSources> = {
  osRelease: '/etc/os-release',
  procStat: '/proc/stat',
  ipForward: '/proc/sys/net/ipv4/ip_forward',
  machineId: '/etc/machine-id',
  dpkgStatus: '/var/lib/dpkg/status',
  arch: ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7l' } as Record<string, string>)[nodeArch()] ?? nodeArch(),
};

/** KEY="value" lines of os-release(5). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1).replace(/\\(["'\\$`])/g, '$1');
    out[m[1]] = v;
  }
  return out;
}

/** Major and minor of a VERSION_ID such as "14.04" or "12" (strongSwan: "operating system numeric version is 14.4"). */
export function numericVersion(versionId: string): { major: number; minor: number } {
  const m = /^(\d+)(?:\.(\d+))?/.exec(versionId);
  return { major: m ? Number(m[1]) : 0, minor: m?.[2] ? Number(m[2]) : 0 };
}

/** btime of /proc/stat as a Date. */
export function parseBootTime(procStat: string): Date | undefined {
  const m = /^btime\s+(\d+)/m.exec(procStat);
  return m ? new Date(Number(m[1]) * 1000) : undefined;
}

/** Installed packages of a dpkg status file ("Status: install ok installed" only). */
export function parseDpkgStatus(text: string): { name: string; version: string }[] {
  const out: { name: string; version: string }[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    for (const line of para.split('\n')) {
      const m = /^([A-Za-z-]+):\s?(.*)$/.exec(line);
      if (m) f[m[1]] = m[2];
    }
    if (f.Package && f.Version && / installed$/.test(f.Status ?? '')) out.push({ name: f.Package, version: f.Version });
  }
  return out;
}

/** Read a file as text, or undefined when it cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** strongSwan's "Dec 15 10:45:10 UTC 2014". */
export function formatUtc(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
