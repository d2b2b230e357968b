/**
 * Linux XFRM: `probeKernelEsp()` tells an operator in plain words whether the kernel can hold ESP states (it adds a
 * dummy ESP state inside a throwaway network namespace, `unshare --net`, so nothing on the host changes);
 * `xfrmCommands()` / `installKernelChildSa()` install a negotiated CHILD_SA into XFRM the way strongSwan's
 * kernel-netlink plugin does (SAs + out/in/fwd policies), through iproute2, or say exactly why the kernel cannot.
 * The default data path stays userspace ESP (`esp.ts`).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { getLogger, toHex, type Logger } from '@tncjs/common';
import { Encr } from './constants.js';
import { IkeError, IkeErrorCode } from './errors.js';
import type { ChildSa } from './initiator.js';
import { describeSelector, type TrafficSelector } from './payloads/traffic-selector.js';

export interface KernelEspProbe {
  /** true: the kernel accepted an ESP state; false: it refused; undefined: could not probe (not root, no `ip`). */
  supported: boolean | undefined;
  /** One sentence for the log / operator. */
  detail: string;
}

/** Probe the kernel's ESP support (needs root and iproute2; takes a few ms). */
export function probeKernelEsp(): Promise<KernelEspProbe> {
  // the same state the strongSwan peer kit probes with: AES-CBC + HMAC-SHA-256-128
  const args = ['--net', 'ip', 'xfrm', 'state', 'add', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'spi', '0x00000100', 'mode', 'tunnel',
    'enc', 'cbc(aes)', '0x' + '11'.repeat(16), 'auth-trunc', 'hmac(sha256)', '0x' + '22'.repeat(32), '128'];
  return new Promise((resolve) => {
    execFile('unshare', args, { timeout: 10_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve({ supported: true, detail: 'kernel XFRM accepts ESP states (CONFIG_INET_ESP present)' });
      const msg = String(stderr || err.message).trim();
      // ENOSYS from older kernels, extack "Requested type not found" when no ESP xfrm_type is registered
      if (/Function not implemented|ENOSYS|Requested type not found/i.test(msg)) {
        return resolve({ supported: false, detail: `kernel has XFRM but no ESP support (ip xfrm state add … proto esp: ${msg.split('\n').pop()}); CHILD_SAs are NOT installed in the kernel, use the userspace ESP data path` });
      }
      if (/Protocol not supported|EPROTONOSUPPORT|No such file/i.test(msg) && /xfrm/i.test(msg)) {
        return resolve({ supported: false, detail: `kernel has no XFRM netlink interface (${msg})` });
      }
      if (/Operation not permitted|EPERM|ENOENT|not found/i.test(msg) || (err as NodeJS.ErrnoException).code === 'ENOENT') {
        return resolve({ supported: undefined, detail: `cannot probe kernel ESP support: ${msg}` });
      }
      resolve({ supported: false, detail: `kernel refused an ESP state: ${msg}` });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Installing a CHILD_SA into XFRM, as strongSwan's kernel-netlink plugin does, through iproute2's `ip xfrm`.
// ---------------------------------------------------------------------------------------------------------------------

/** Where the CHILD_SA's outer packets go. `localPort`/`remotePort` are the IKE ports (default 4500 with NAT-T, else 500). */
export interface KernelEndpoints {
  /** Our outer (IKE) address. */
  local: string;
  /** The peer's outer (IKE) address. */
  remote: string;
  localPort?: number;
  remotePort?: number;
  /** XFRM request id tying the policies to the SAs (kept across CHILD_SA rekeys), 1..2^32-1. */
  reqid: number;
  /** Our role in the IKE_SA: decides which KEYMAT half is outbound and which TS is ours. Default `initiator`. */
  role?: 'initiator' | 'responder';
  /**
   * Add `action allow` policies (no template) for the IKE datagrams between the two endpoints, above the CHILD_SA's
   * policies — strongSwan gets the same effect with per-socket bypass policies, which Node's dgram cannot set. Without
   * them a TS such as `local/32 === 0.0.0.0/0` would tunnel (and the peer drop) our own IKE messages. Default true.
   */
  ikeBypass?: boolean;
}

/**
 * The `ip` argument lists (without the leading `ip`) that install one CHILD_SA, and their inverses:
 * `remove[i]` undoes `install[i]`, so a partial install is rolled back by running `remove[i]` for the installed `i`
 * in reverse order. Keys appear in `install` (`ip` takes them on the command line): never log these arrays below
 * level 4, use `redactXfrmArgs`.
 */
export interface XfrmCommands {
  install: string[][];
  remove: string[][];
  /** What each command does, in strongSwan's KNL wording (`adding SAD entry with SPI c0a80001 and reqid {1}`), no keys. */
  describe: string[];
  /** `bypass`: IKE bypass policy; `state`: an SA; `policy`: a CHILD_SA policy (out/in/fwd). */
  kind: ('bypass' | 'state' | 'policy')[];
}

const PRIO_BASE = 384;
/** Linux crypto API names of the ESP transforms we negotiate (strongSwan's kernel-netlink table). */
function xfrmAlgorithm(child: ChildSa, encrKey: Uint8Array, integKey: Uint8Array): string[] {
  const hex = (b: Uint8Array) => '0x' + toHex(b);
  const keyBytes = child.encrKeyBits / 8;
  if (encrKey.byteLength !== keyBytes + child.encr.saltSize) {
    throw new TypeError(`CHILD_SA encryption key is ${encrKey.byteLength} bytes, expected ${keyBytes + child.encr.saltSize}`);
  }
  if (child.encr.id === Encr.AES_GCM_16) {
    // rfc4106(gcm(aes)) takes key ‖ 4-byte salt, exactly the KEYMAT slice (RFC 4106 §8.1), and the ICV length in bits
    return ['aead', 'rfc4106(gcm(aes))', hex(encrKey), String(child.encr.icvSize * 8)];
  }
  if (child.encr.id === Encr.AES_CBC) {
    const integ = child.integ;
    if (!integ) throw new TypeError('ESP with AES-CBC needs an integrity algorithm');
    if (integKey.byteLength !== integ.keySize) throw new TypeError(`CHILD_SA integrity key is ${integKey.byteLength} bytes, expected ${integ.keySize}`);
    return ['enc', 'cbc(aes)', hex(encrKey), 'auth-trunc', `hmac(${integ.hash})`, hex(integKey), String(integ.icvSize * 8)];
  }
  throw new IkeError(IkeErrorCode.KERNEL, `no XFRM algorithm name for ESP encryption transform ${child.encr.id}`);
}

/** Split an address range into the prefixes that cover it exactly (XFRM selectors are prefixes). */
function rangeToPrefixes(start: Uint8Array, end: Uint8Array): { addr: string; len: number }[] {
  const bits = start.byteLength * 8;
  const toBig = (b: Uint8Array) => b.reduce((a, x) => (a << 8n) | BigInt(x), 0n);
  const fmt = (v: bigint) => {
    const b = new Uint8Array(start.byteLength);
    for (let i = b.length - 1; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
    if (b.length === 4) return b.join('.');
    const words: string[] = [];
    for (let i = 0; i < 16; i += 2) words.push(((b[i] << 8) | b[i + 1]).toString(16));
    return words.join(':');
  };
  let lo = toBig(start);
  const hi = toBig(end);
  const out: { addr: string; len: number }[] = [];
  while (lo <= hi) {
    let size = 0; // host bits of the largest aligned block starting at lo that fits
    while (size < bits && (lo & ((1n << BigInt(size + 1)) - 1n)) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    out.push({ addr: fmt(lo), len: bits - size });
    lo += 1n << BigInt(size);
    if (out.length > 256) throw new IkeError(IkeErrorCode.KERNEL, 'traffic selector range needs more than 256 XFRM prefixes');
  }
  return out;
}

interface Sel { net: string; len: number; proto: number; port?: number; family: 4 | 6; text: string }

function selectors(ts: TrafficSelector[]): Sel[] {
  const out: Sel[] = [];
  for (const s of ts) {
    if (s.start.byteLength !== s.end.byteLength || (s.start.byteLength !== 4 && s.start.byteLength !== 16)) continue;
    // Linux takes one port or any (strongSwan's ts2ports): a port range widens to any
    const port = s.startPort === s.endPort ? s.startPort : undefined;
    for (const p of rangeToPrefixes(s.start, s.end)) {
      out.push({ net: p.addr, len: p.len, proto: s.ipProtocol, port, family: s.start.byteLength === 4 ? 4 : 6, text: `${p.addr}/${p.len}` });
    }
  }
  return out;
}

/** IP protocols whose selectors carry ports in `ip xfrm` (tcp, udp, dccp, sctp, udplite). */
const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);

function selectorArgs(src: Sel, dst: Sel): { args: string[]; priority: number } {
  const proto = Math.max(src.proto, dst.proto);
  const args = ['src', `${src.net}/${src.len}`, 'dst', `${dst.net}/${dst.len}`];
  let ports = false;
  if (proto) {
    args.push('proto', String(proto));
    if (PORT_PROTOS.has(proto)) {
      if (src.port !== undefined && !(src.port === 0 && src.proto === 0)) { args.push('sport', String(src.port)); ports = true; }
      if (dst.port !== undefined && !(dst.port === 0 && dst.proto === 0)) { args.push('dport', String(dst.port)); ports = true; }
    }
  }
  // narrower selectors first, as strongSwan's get_priority: base − prefix lengths, then room for port/proto flags
  const priority = ((2 * PRIO_BASE - src.len - dst.len) << 2) + (ports ? 0 : 2) + (proto ? 0 : 1);
  return { args, priority };
}

function checkAddress(a: string, what: string): 4 | 6 {
  const v = isIP(a);
  if (v === 0) throw new TypeError(`${what} is not an IP address: ${JSON.stringify(a)}`);
  return v as 4 | 6;
}

/**
 * The `ip xfrm` commands that install `child` as a tunnel-mode CHILD_SA the way strongSwan's kernel-netlink plugin
 * does: the inbound SA (src peer, dst us, our SPI) and the outbound SA (src us, dst peer, the peer's SPI), both `mode
 * tunnel` with `reqid` and, with NAT-T, `encap espinudp`; then for every pair of our and the peer's traffic selectors
 * an `out` policy (our TS → theirs, template src us dst peer) and `in` + `fwd` policies (theirs → ours, template src
 * peer dst us). IKE bypass policies (see `KernelEndpoints.ikeBypass`) come first. Pure: runs nothing.
 * @throws TypeError on a malformed address, reqid or key length; IkeError ERR_IKE_KERNEL on a transform XFRM has no
 * name for
 * @example
 * const { install } = xfrmCommands(info.child!, { local: '192.168.0.254', remote: '192.168.0.1', reqid: 1 });
 * // install[2] = ['xfrm', 'state', 'add', 'src', '192.168.0.1', 'dst', '192.168.0.254', 'proto', 'esp', 'spi', '0x…', …]
 */
export function xfrmCommands(child: ChildSa, endpoints: KernelEndpoints): XfrmCommands {
  const { local, remote, reqid } = endpoints;
  const role = endpoints.role ?? 'initiator';
  const family = checkAddress(local, 'local endpoint');
  if (checkAddress(remote, 'remote endpoint') !== family) throw new TypeError('local and remote endpoints are of different address families');
  if (!Number.isInteger(reqid) || reqid < 1 || reqid > 0xffffffff) throw new TypeError(`reqid must be 1..2^32-1, got ${reqid}`);
  if (child.spiIn.byteLength !== 4 || child.spiOut.byteLength !== 4) throw new TypeError('ESP SPIs must be 4 bytes');
  const defPort = child.udpEncapsulation ? 4500 : 500;
  const lport = endpoints.localPort ?? defPort;
  const rport = endpoints.remotePort ?? defPort;
  for (const p of [lport, rport]) if (!Number.isInteger(p) || p < 1 || p > 0xffff) throw new TypeError(`invalid UDP port ${p}`);
  const host = family === 4 ? 32 : 128;

  const initiator = role === 'initiator';
  // KEYMAT: encrI/integI protect initiator → responder
  const outKeys = initiator ? [child.keys.encrI, child.keys.integI] : [child.keys.encrR, child.keys.integR];
  const inKeys = initiator ? [child.keys.encrR, child.keys.integR] : [child.keys.encrI, child.keys.integI];
  const ours = selectors(initiator ? child.tsi : child.tsr);
  const theirs = selectors(initiator ? child.tsr : child.tsi);
  const spiIn = '0x' + toHex(child.spiIn);
  const spiOut = '0x' + toHex(child.spiOut);
  const tmplMode = ['proto', 'esp', 'reqid', String(reqid), 'mode', 'tunnel'];

  const out: XfrmCommands = { install: [], remove: [], describe: [], kind: [] };
  const add = (kind: 'bypass' | 'state' | 'policy', install: string[], remove: string[], describe: string) => {
    out.install.push(install); out.remove.push(remove); out.describe.push(describe); out.kind.push(kind);
  };

  if (endpoints.ikeBypass ?? true) {
    // above every CHILD_SA policy (those start from 2 × PRIO_BASE), as strongSwan's pass policies
    const prio = String((PRIO_BASE - 2 * host) << 2);
    const o = ['src', `${local}/${host}`, 'dst', `${remote}/${host}`, 'proto', '17', 'sport', String(lport), 'dport', String(rport), 'dir', 'out'];
    const i = ['src', `${remote}/${host}`, 'dst', `${local}/${host}`, 'proto', '17', 'sport', String(rport), 'dport', String(lport), 'dir', 'in'];
    add('bypass', ['xfrm', 'policy', 'add', ...o, 'priority', prio, 'action', 'allow'], ['xfrm', 'policy', 'delete', ...o], `adding bypass policy ${local}[udp/${lport}] === ${remote}[udp/${rport}] out`);
    add('bypass', ['xfrm', 'policy', 'add', ...i, 'priority', prio, 'action', 'allow'], ['xfrm', 'policy', 'delete', ...i], `adding bypass policy ${remote}[udp/${rport}] === ${local}[udp/${lport}] in`);
  }

  const encap = (sport: number, dport: number) => (child.udpEncapsulation ? ['encap', 'espinudp', String(sport), String(dport), family === 4 ? '0.0.0.0' : '::'] : []);
  const inId = ['src', remote, 'dst', local, 'proto', 'esp', 'spi', spiIn];
  const outId = ['src', local, 'dst', remote, 'proto', 'esp', 'spi', spiOut];
  add('state', ['xfrm', 'state', 'add', ...inId, 'reqid', String(reqid), 'mode', 'tunnel', 'replay-window', '32', ...xfrmAlgorithm(child, inKeys[0], inKeys[1]), ...encap(rport, lport)],
    ['xfrm', 'state', 'delete', ...inId], `adding SAD entry with SPI ${toHex(child.spiIn)} and reqid {${reqid}}`);
  add('state', ['xfrm', 'state', 'add', ...outId, 'reqid', String(reqid), 'mode', 'tunnel', ...xfrmAlgorithm(child, outKeys[0], outKeys[1]), ...encap(lport, rport)],
    ['xfrm', 'state', 'delete', ...outId], `adding SAD entry with SPI ${toHex(child.spiOut)} and reqid {${reqid}}`);

  for (const l of ours) {
    for (const r of theirs) {
      if (l.family !== r.family) continue;
      const o = selectorArgs(l, r);
      const i = selectorArgs(r, l);
      add('policy', ['xfrm', 'policy', 'add', ...o.args, 'dir', 'out', 'priority', String(o.priority), 'tmpl', 'src', local, 'dst', remote, ...tmplMode],
        ['xfrm', 'policy', 'delete', ...o.args, 'dir', 'out'], `adding policy ${l.text} === ${r.text} out`);
      for (const dir of ['in', 'fwd']) {
        add('policy', ['xfrm', 'policy', 'add', ...i.args, 'dir', dir, 'priority', String(i.priority), 'tmpl', 'src', remote, 'dst', local, ...tmplMode],
          ['xfrm', 'policy', 'delete', ...i.args, 'dir', dir], `adding policy ${r.text} === ${l.text} ${dir}`);
      }
    }
  }
  if (!out.kind.includes('policy')) {
    throw new IkeError(IkeErrorCode.KERNEL, 'the CHILD_SA has no pair of IPv4/IPv6 traffic selectors of one family: no XFRM policy to install');
  }
  return out;
}

/** `args` with every key replaced by its length (`0x[16 bytes]`): safe to log at any level. */
export function redactXfrmArgs(args: readonly string[]): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const keyAt = out[i] === 'aead' || out[i] === 'enc' || out[i] === 'auth-trunc' || out[i] === 'auth' ? i + 2 : -1;
    if (keyAt > 0 && keyAt < out.length && /^0x[0-9a-f]*$/i.test(out[keyAt])) out[keyAt] = `0x[${(out[keyAt].length - 2) >> 1} bytes]`;
  }
  return out;
}

/** An installed CHILD_SA. */
export interface KernelChildSa {
  readonly reqid: number;
  /** Our inbound and the peer's SPI of the SAs now installed (hex). */
  readonly spiIn: string;
  readonly spiOut: string;
  /**
   * Swap in a rekeyed CHILD_SA (same traffic selectors, same reqid): add its two SAs, then delete the old ones; the
   * policies stay, as strongSwan does. On failure the new SAs are removed again and the old ones kept.
   * @throws IkeError ERR_IKE_KERNEL
   */
  rekey(child: ChildSa): Promise<void>;
  /** Delete the SAs and policies (reverse order). Idempotent; entries already gone are fine. @throws IkeError ERR_IKE_KERNEL */
  remove(): Promise<void>;
}

export interface KernelInstallOptions {
  logger?: Logger;
  /** iproute2's `ip` (default `ip` from PATH). */
  ipPath?: string;
  /** Run in this named network namespace (`ip -n <netns>`), e.g. for tests. */
  netns?: string;
}

/** Removal commands of what an install step added, by kind. */
interface Done { bypass: string[][]; state: string[][]; policy: string[][] }

interface IpResult { ok: boolean; stderr: string; enoent: boolean }

function runIp(ipPath: string, netns: string | undefined, args: string[]): Promise<IpResult> {
  const full = netns ? ['-n', netns, ...args] : args;
  return new Promise((resolve) => {
    execFile(ipPath, full, { timeout: 10_000 }, (err, _stdout, stderr) => {
      // never keep `err` itself: its message and `cmd` carry the whole command line, keys included
      if (!err) return resolve({ ok: true, stderr: '', enoent: false });
      const enoent = (err as NodeJS.ErrnoException).code === 'ENOENT';
      resolve({ ok: false, stderr: String(stderr || (enoent ? 'not found' : `exit ${String(err.code ?? err.signal)}`)).trim(), enoent });
    });
  });
}

const GONE = /No such process|No such file or directory|ESRCH|ENOENT/i;

let kernelConfigCache: Promise<Map<string, string> | undefined> | undefined;
/** `/proc/config.gz` as a map (`CONFIG_INET_ESP` → `y` / `m` / `n`), or undefined when the kernel does not expose it. */
function kernelConfig(): Promise<Map<string, string> | undefined> {
  kernelConfigCache ??= readFile('/proc/config.gz').then((gz) => {
    const m = new Map<string, string>();
    for (const line of gunzipSync(gz).toString('utf8').split('\n')) {
      const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
      if (set) m.set(set[1], set[2]);
      const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
      if (unset) m.set(unset[1], 'n');
    }
    return m;
  }, () => undefined);
  return kernelConfigCache;
}

const NO_KERNEL_HINT = 'CHILD_SA not installed; run with --no-kernel to use the userspace ESP data path';

/** Turn `ip`'s complaint about one command into one plain sentence for the operator. */
async function explain(what: string, r: IpResult, ipPath: string, family: 4 | 6, child: ChildSa): Promise<string> {
  const said = r.stderr.split('\n').filter(Boolean).pop() ?? r.stderr;
  const esp = family === 4 ? 'CONFIG_INET_ESP' : 'CONFIG_INET6_ESP';
  if (r.enoent) return `iproute2's ip not found (${ipPath}): ${NO_KERNEL_HINT}`;
  if (/Operation not permitted|EPERM/i.test(said)) return `not permitted to change the kernel's XFRM database (needs root or CAP_NET_ADMIN): ${NO_KERNEL_HINT}`;
  if (/Protocol not supported|EPROTONOSUPPORT/i.test(said)) return `kernel has no XFRM netlink interface (CONFIG_XFRM_USER): ${NO_KERNEL_HINT}`;
  if (/Requested type not found|Function not implemented|ENOSYS/i.test(said)) {
    return `kernel has XFRM but no ESP support (${esp}): ${NO_KERNEL_HINT} (ip xfrm said: ${said})`;
  }
  if (/algorithm not found/i.test(said)) {
    const cfg = await kernelConfig();
    let espMissing = cfg?.has(esp) ? cfg.get(esp) === 'n' : undefined;
    if (espMissing === undefined) {
      const p = await probeKernelEsp();
      espMissing = p.supported === false && /no ESP support/.test(p.detail) ? true : undefined;
    }
    const alg = child.encr.aead ? 'rfc4106(gcm(aes)) (CONFIG_CRYPTO_GCM)' : `cbc(aes) / hmac(${child.integ?.hash ?? '?'}) (CONFIG_CRYPTO_CBC, CONFIG_CRYPTO_HMAC)`;
    return espMissing
      ? `kernel has XFRM but no ESP support (${esp}), and its crypto API lacks ${alg}: ${NO_KERNEL_HINT} (ip xfrm said: ${said})`
      : `kernel crypto API lacks ${alg} for the negotiated ESP proposal ${child.proposal}: ${NO_KERNEL_HINT} (ip xfrm said: ${said})`;
  }
  if (/File exists|EEXIST/i.test(said)) {
    return `kernel refused ${what}: an entry with the same selector/SPI already exists (another IPsec daemon, or a CHILD_SA not removed): ${NO_KERNEL_HINT}`;
  }
  return `kernel refused ${what} (ip xfrm said: ${said}): ${NO_KERNEL_HINT}`;
}

/**
 * Install `child` into the kernel's XFRM database with `ip xfrm` (execFile, no shell): IKE bypass policies, the
 * inbound and outbound SAs, then the CHILD_SA's out/in/fwd policies (`xfrmCommands`). On any failure everything this
 * call added is removed again (reverse order) and an `IkeError` `ERR_IKE_KERNEL` says in one sentence what the kernel
 * lacks — e.g. on a kernel built without CONFIG_INET_ESP: "kernel has XFRM but no ESP support (CONFIG_INET_ESP):
 * CHILD_SA not installed; run with --no-kernel to use the userspace ESP data path".
 *
 * Logging (`KNL`): level 1 the outcome, 2 each SAD/SPD entry in strongSwan's wording, 3 the `ip` command with keys
 * redacted, 4 the command with keys.
 *
 * NAT-T: the kernel decapsulates inbound ESP-in-UDP only on a UDP socket with the UDP_ENCAP_ESPINUDP option, which
 * Node's dgram cannot set; with `child.udpEncapsulation` the SAs are installed as strongSwan installs them (outbound
 * works) but inbound ESP reaches the IKE socket, not XFRM — see the README's "Kernel (XFRM)" section.
 * @throws IkeError ERR_IKE_KERNEL (nothing left installed); TypeError on malformed endpoints
 * @example
 * const k = await installKernelChildSa(info.child!, { local, remote, localPort: 4500, remotePort: 4500, reqid: 1 }, { logger });
 * // … traffic flows through the kernel …
 * await k.remove();
 */
export async function installKernelChildSa(child: ChildSa, endpoints: KernelEndpoints, options: KernelInstallOptions = {}): Promise<KernelChildSa> {
  const log = options.logger ?? getLogger();
  const ipPath = options.ipPath ?? 'ip';
  const netns = options.netns;
  const family = isIP(endpoints.local) === 6 ? 6 : 4;
  const reqid = endpoints.reqid;

  /** Run commands in order; on failure undo the ones that ran and throw. Returns the undo list of what ran. */
  const apply = async (cmds: XfrmCommands, pick: (n: number) => boolean, c: ChildSa): Promise<Done> => {
    const done: Done = { bypass: [], state: [], policy: [] };
    const ran: string[][] = [];
    for (let n = 0; n < cmds.install.length; n++) {
      if (!pick(n)) continue;
      log.log('KNL', 2, cmds.describe[n]);
      log.log('KNL', 3, () => `ip ${(netns ? ['-n', netns] : []).concat(redactXfrmArgs(cmds.install[n])).join(' ')}`);
      log.log('KNL', 4, () => `ip ${(netns ? ['-n', netns] : []).concat(cmds.install[n]).join(' ')}`);
      const r = await runIp(ipPath, netns, cmds.install[n]);
      if (r.ok) { done[cmds.kind[n]].push(cmds.remove[n]); ran.push(cmds.remove[n]); continue; }
      const what = cmds.describe[n].replace(/^adding /, '');
      const message = await explain(what, r, ipPath, family, c);
      log.log('KNL', 1, `unable to add ${what}: ${r.stderr.split('\n').pop()}`);
      const left = await undo(ran);
      if (left.length) log.log('KNL', 1, `rollback left ${left.length} XFRM entries behind: ${left.join('; ')}`);
      throw new IkeError(IkeErrorCode.KERNEL, left.length ? `${message}; rollback failed for: ${left.join('; ')}` : message);
    }
    return done;
  };
  /** Run removal commands in reverse order; entries already gone are fine. Returns the ones that failed. */
  const undo = async (removals: string[][]): Promise<string[]> => {
    const failed: string[] = [];
    for (const args of [...removals].reverse()) {
      log.log('KNL', 3, () => `ip ${(netns ? ['-n', netns] : []).concat(args).join(' ')}`);
      const r = await runIp(ipPath, netns, args);
      if (!r.ok && !GONE.test(r.stderr)) failed.push(`${args.slice(1, 3).join(' ')} ${args.slice(3).join(' ')}: ${r.stderr.split('\n').pop()}`);
    }
    return failed;
  };

  const cmds = xfrmCommands(child, endpoints);
  const ts = `${child.tsi.map(describeSelector).join(' ')} === ${child.tsr.map(describeSelector).join(' ')}`;
  log.log('KNL', 1, `installing CHILD_SA with SPIs ${toHex(child.spiIn)}_i ${toHex(child.spiOut)}_o and reqid {${reqid}} into the kernel, TS ${ts}`);
  if (child.udpEncapsulation) {
    log.log('KNL', 1, 'CHILD_SA is UDP-encapsulated: the kernel decapsulates inbound ESP-in-UDP only on a socket with UDP_ENCAP_ESPINUDP, which this process cannot set');
  }
  const installed = await apply(cmds, () => true, child);
  log.log('KNL', 1, `CHILD_SA with SPIs ${toHex(child.spiIn)}_i ${toHex(child.spiOut)}_o installed into the kernel (${cmds.kind.filter((k) => k === 'state').length} SAs, ${cmds.kind.filter((k) => k === 'policy').length} policies)`);

  // policies stay for the CHILD_SA's life; the SAs change on rekey
  let stateRemovals = installed.state;
  const policyArgs = (c: XfrmCommands) => c.install.filter((_, n) => c.kind[n] !== 'state').map((a) => a.join(' ')).join('\n');
  let current = { spiIn: toHex(child.spiIn), spiOut: toHex(child.spiOut), policies: policyArgs(cmds) };
  let removing: Promise<void> | undefined;
  let op: Promise<void> = Promise.resolve();

  const sa: KernelChildSa = {
    reqid,
    get spiIn() { return current.spiIn; },
    get spiOut() { return current.spiOut; },
    rekey(next: ChildSa): Promise<void> {
      const run = async () => {
        if (removing) throw new IkeError(IkeErrorCode.KERNEL, 'CHILD_SA already removed from the kernel');
        const nc = xfrmCommands(next, endpoints);
        if (policyArgs(nc) !== current.policies) {
          throw new IkeError(IkeErrorCode.KERNEL, 'rekeyed CHILD_SA has other traffic selectors or endpoints: remove() and install it again');
        }
        log.log('KNL', 1, `updating kernel CHILD_SA reqid {${reqid}}: SPIs ${toHex(next.spiIn)}_i ${toHex(next.spiOut)}_o replace ${current.spiIn}_i ${current.spiOut}_o`);
        const added = await apply(nc, (n) => nc.kind[n] === 'state', next);
        const left = await undo(stateRemovals);
        stateRemovals = added.state;
        current = { spiIn: toHex(next.spiIn), spiOut: toHex(next.spiOut), policies: current.policies };
        if (left.length) throw new IkeError(IkeErrorCode.KERNEL, `new CHILD_SA installed, but the old SAs could not be deleted: ${left.join('; ')}`);
      };
      op = op.then(run, run);
      return op;
    },
    remove(): Promise<void> {
      removing ??= op.catch(() => {}).then(async () => {
        log.log('KNL', 2, `deleting kernel CHILD_SA reqid {${reqid}} with SPIs ${current.spiIn}_i ${current.spiOut}_o`);
        // reverse of the install order: CHILD_SA policies, SAs, bypass policies
        const left = await undo([...installed.bypass, ...stateRemovals, ...installed.policy]);
        if (left.length) {
          log.log('KNL', 1, `unable to delete ${left.length} XFRM entries of reqid {${reqid}}: ${left.join('; ')}`);
          throw new IkeError(IkeErrorCode.KERNEL, `CHILD_SA reqid {${reqid}} only partly removed from the kernel: ${left.join('; ')}`);
        }
      });
      return removing;
    },
  };
  return sa;
}
