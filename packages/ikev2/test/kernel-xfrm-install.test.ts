/**
 * Linux XFRM, real kernel: installKernelChildSa inside throwaway network namespaces (`ip netns add`, `ip -n`), so the
 * host's SAD/SPD are never touched. Which outcome is asserted is chosen by probeKernelEsp(), never skipped: on a kernel
 * with ESP the SAs and policies must be in the kernel and gone after remove(); on a kernel without ESP the install must
 * fail with ERR_IKE_KERNEL naming the missing ESP support and leave nothing behind. Needs root and iproute2.
 *
 * The rollback-at-the-policy-step, rekey and log-redaction tests run a thin `ip` wrapper that records the `xfrm state`
 * commands instead of running them (so they pass the SA step on a kernel without ESP) and runs every policy command on
 * the real kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Logger } from '@tncjs/common';
import { IkeError, installKernelChildSa, probeKernelEsp, xfrmCommands, type ChildSa, type KernelEspProbe } from '../src/index.js';
import { childSa } from './support/kernel-fixtures.js';

const I = '192.168.0.254';
const R = '192.168.0.1';
let probe: KernelEspProbe;
let seq = 0;
const namespaces: string[] = [];
let dir: string;

beforeAll(async () => {
  probe = await probeKernelEsp();
  dir = mkdtempSync(join(tmpdir(), 'tncjs-knl-'));
});
afterAll(() => {
  for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh, empty network namespace (deleted after the suite). */
function netns(): string {
  const ns = `tncjs-knl-${process.pid}-${++seq}`;
  execFileSync('ip', ['netns', 'add', ns]);
  namespaces.push(ns);
  return ns;
}
const ip = (ns: string, ...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
const policies = (ns: string) => ip(ns, 'xfrm', 'policy').trim();
const states = (ns: string) => ip(ns, 'xfrm', 'state').trim();

/** `ip` that records `xfrm state add|delete` in `log` and runs everything else for real. */
function recordingIp(name: string): { path: string; log: string } {
  const path = join(dir, `${name}.sh`);
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  writeFileSync(path, `#!/bin/sh\ncase " $* " in\n  *" xfrm state add "*|*" xfrm state delete "*) printf '%s\\n' "$*" >> '${log}'; exit 0;;\nesac\nexec ip "$@"\n`);
  chmodSync(path, 0o755);
  return { path, log };
}
const recorded = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(3, 15).join(' '));

async function rejection(p: Promise<unknown>): Promise<IkeError> {
  try {
    await p;
  } catch (e) {
    return e as IkeError;
  }
  throw new Error('expected a rejection');
}

describe('installKernelChildSa on this kernel (network namespace)', () => {
  it('the probe gives a definite answer as root (so the branch below is chosen, not skipped)', () => {
    expect(typeof probe.supported).toBe('boolean');
  });

  it.each([
    ['AES-GCM-16', true, false], ['AES-GCM-16 NAT-T', true, true], ['AES-CBC/HMAC-SHA2-256', false, false], ['AES-CBC/HMAC-SHA2-256 NAT-T', false, true],
  ])('%s: the policies alone install and are listed by ip -s xfrm policy; the whole CHILD_SA installs and is removed (ESP kernel) or fails with ERR_IKE_KERNEL and leaves nothing (no ESP)', async (_name, gcm, natt) => {
    const ns = netns();
    const child = childSa({ gcm, natt });
    const ends = { local: I, remote: R, localPort: natt ? 4500 : 500, remotePort: natt ? 4500 : 500, reqid: 7 };

    // the policies by themselves: XFRM (without ESP) holds them
    const cmds = xfrmCommands(child, ends);
    const polIdx = cmds.kind.flatMap((k, n) => (k === 'state' ? [] : [n]));
    for (const n of polIdx) ip(ns, ...cmds.install[n]);
    const listed = ip(ns, '-s', 'xfrm', 'policy');
    expect(listed.match(/^src /gm)).toHaveLength(5);
    for (const d of ['out', 'in', 'fwd']) expect(listed).toMatch(new RegExp(`dir ${d} action allow index \\d+ priority 2883`));
    expect(listed).toMatch(/src 192\.168\.0\.254\/32 dst 10\.1\.0\.0\/16 uid 0\n\tdir out .*priority 2883/);
    expect(listed.match(/proto esp spi 0x00000000\(0\) reqid 7\(0x00000007\) mode tunnel/g)).toHaveLength(3);
    expect(listed.match(new RegExp(`proto udp sport ${ends.localPort} dport ${ends.remotePort} uid 0\\n\\tdir out action allow index \\d+ priority 1280`, 'g'))).toHaveLength(1);
    for (const n of [...polIdx].reverse()) ip(ns, ...cmds.remove[n]);
    expect(policies(ns)).toBe('');

    const lines: string[] = [];
    const logger = new Logger({ defaultLevel: 2, sink: (l) => lines.push(l) });
    if (probe.supported === true) {
      const k = await installKernelChildSa(child, ends, { logger, netns: ns });
      const sad = states(ns);
      expect(sad).toMatch(new RegExp(`src ${R} dst ${I}\\n\\tproto esp spi 0xc0010203 reqid 7 mode tunnel`));
      expect(sad).toMatch(new RegExp(`src ${I} dst ${R}\\n\\tproto esp spi 0xc4050607 reqid 7 mode tunnel`));
      expect(sad).toMatch(gcm ? /aead rfc4106\(gcm\(aes\)\) 0x3{40} 128/ : /enc cbc\(aes\) 0x3{32}/);
      if (natt) expect(sad).toMatch(/encap type espinudp sport 4500 dport 4500 addr 0\.0\.0\.0/);
      expect(policies(ns).match(/^src /gm)).toHaveLength(5);
      expect(k.spiIn).toBe('c0010203');
      await k.remove();
      expect(policies(ns)).toBe('');
      expect(states(ns)).toBe('');
      await k.remove(); // idempotent
      expect(lines.join('\n')).toMatch(/installed into the kernel \(2 SAs, 3 policies\)/);
    } else {
      expect(probe.supported).toBe(false);
      const err = await rejection(installKernelChildSa(child, ends, { logger, netns: ns }));
      expect(err).toBeInstanceOf(IkeError);
      expect(err.code).toBe('ERR_IKE_KERNEL');
      expect(err.message).toMatch(/^kernel has XFRM but no ESP support \(CONFIG_INET_ESP\)/);
      expect(err.message).toMatch(/CHILD_SA not installed; run with --no-kernel to use the userspace ESP data path/);
      // the bypass policies went in before the SA failed: the rollback removed them
      expect(lines.join('\n')).toMatch(/adding bypass policy .* in\n.*adding SAD entry with SPI c0010203 and reqid \{7\}\n.*unable to add SAD entry/);
      expect(policies(ns)).toBe('');
      expect(states(ns)).toBe('');
    }
  });

  it('a failure at the last policy rolls back every earlier policy and SA, and leaves the entry it collided with alone', async () => {
    const ns = netns();
    const { path, log } = recordingIp('rollback');
    const child = childSa({ gcm: true, natt: true });
    const foreign = ['src', '10.1.0.0/16', 'dst', `${I}/32`, 'dir', 'fwd', 'tmpl', 'src', R, 'dst', I, 'proto', 'esp', 'reqid', '99', 'mode', 'tunnel'];
    ip(ns, 'xfrm', 'policy', 'add', ...foreign);
    const err = await rejection(installKernelChildSa(child, { local: I, remote: R, reqid: 7 }, { netns: ns, ipPath: path }));
    expect(err).toMatchObject({ code: 'ERR_IKE_KERNEL' });
    expect(err.message).toMatch(/^kernel refused policy 10\.1\.0\.0\/16 === 192\.168\.0\.254\/32 fwd: an entry with the same selector\/SPI already exists/);
    const left = policies(ns);
    expect(left.match(/^src /gm)).toHaveLength(1);
    expect(left).toMatch(/dir fwd priority 0 .*\n\ttmpl src 192\.168\.0\.1 dst 192\.168\.0\.254\n\t\tproto esp reqid 99 mode tunnel/);
    expect(recorded(log)).toEqual([
      `state add src ${R} dst ${I} proto esp spi 0xc0010203 reqid 7`,
      `state add src ${I} dst ${R} proto esp spi 0xc4050607 reqid 7`,
      `state delete src ${I} dst ${R} proto esp spi 0xc4050607`,
      `state delete src ${R} dst ${I} proto esp spi 0xc0010203`,
    ]);
  });

  it('rekey swaps the SAs under the same reqid and keeps the policies; remove() then deletes the new SAs and the policies', async () => {
    const ns = netns();
    const { path, log } = recordingIp('rekey');
    const old = childSa({ gcm: false, natt: false });
    const next: ChildSa = { ...childSa({ gcm: false, natt: false }), spiIn: Uint8Array.of(0xc8, 9, 9, 9), spiOut: Uint8Array.of(0xcc, 8, 8, 8) };
    const k = await installKernelChildSa(old, { local: I, remote: R, reqid: 7 }, { netns: ns, ipPath: path });
    const before = policies(ns);
    expect(before.match(/^src /gm)).toHaveLength(5);
    await k.rekey(next);
    expect(policies(ns)).toBe(before);
    expect([k.spiIn, k.spiOut]).toEqual(['c8090909', 'cc080808']);
    // other traffic selectors cannot be swapped in: nothing changes
    const wider = { ...next, spiIn: Uint8Array.of(1, 1, 1, 1), tsr: childSa({ gcm: false, natt: false, tsr: ['0.0.0.0/0'] }).tsr };
    await expect(k.rekey(wider)).rejects.toMatchObject({ code: 'ERR_IKE_KERNEL', message: expect.stringMatching(/other traffic selectors/) });
    await k.remove();
    expect(policies(ns)).toBe('');
    await k.remove();
    await expect(k.rekey(next)).rejects.toMatchObject({ code: 'ERR_IKE_KERNEL' });
    expect(recorded(log)).toEqual([
      `state add src ${R} dst ${I} proto esp spi 0xc0010203 reqid 7`,
      `state add src ${I} dst ${R} proto esp spi 0xc4050607 reqid 7`,
      `state add src ${R} dst ${I} proto esp spi 0xc8090909 reqid 7`,
      `state add src ${I} dst ${R} proto esp spi 0xcc080808 reqid 7`,
      `state delete src ${I} dst ${R} proto esp spi 0xc4050607`,
      `state delete src ${R} dst ${I} proto esp spi 0xc0010203`,
      `state delete src ${I} dst ${R} proto esp spi 0xcc080808`,
      `state delete src ${R} dst ${I} proto esp spi 0xc8090909`,
    ]);
  });
});

describe('no keys in logs below level 4', () => {
  const keys = () => ({ encrI: new Uint8Array(randomBytes(20)), integI: new Uint8Array(0), encrR: new Uint8Array(randomBytes(20)), integR: new Uint8Array(0) });
  const cbcKeys = () => ({ encrI: new Uint8Array(randomBytes(16)), integI: new Uint8Array(randomBytes(32)), encrR: new Uint8Array(randomBytes(16)), integR: new Uint8Array(randomBytes(32)) });
  const hexes = (k: ChildSa['keys']) => Object.values(k).filter((b) => b.length).map((b) => Buffer.from(b).toString('hex'));

  it.each([['AES-GCM-16', true], ['AES-CBC/HMAC', false]])('%s: level 3 shows every command with keys redacted, level 4 shows the keys (the control)', async (_n, gcm) => {
    const { path } = recordingIp(`redact-${gcm}`);
    for (const level of [3, 4] as const) {
      const ns = netns();
      const child = childSa({ gcm, natt: true, keys: gcm ? keys() : cbcKeys() });
      const lines: string[] = [];
      const k = await installKernelChildSa(child, { local: I, remote: R, reqid: 7 }, { netns: ns, ipPath: path, logger: new Logger({ defaultLevel: level, sink: (l) => lines.push(l) }) });
      await k.remove();
      const text = lines.join('\n');
      expect(text).toMatch(/\[KNL\] ip -n \S+ xfrm state add src 192\.168\.0\.1 dst 192\.168\.0\.254 proto esp spi 0xc0010203/);
      const shown = hexes(child.keys).filter((h) => text.includes(h));
      if (level === 3) {
        expect(shown).toEqual([]);
        expect(text).toContain(gcm ? 'rfc4106(gcm(aes)) 0x[20 bytes] 128' : 'cbc(aes) 0x[16 bytes] auth-trunc hmac(sha256) 0x[32 bytes] 128');
      } else {
        expect(shown).toHaveLength(gcm ? 2 : 4);
      }
    }
  });

  it('the error of a failed install (real kernel) carries no key, neither in its message nor anywhere inspect() reaches', async () => {
    const ns = netns();
    const child = childSa({ gcm: false, natt: false, keys: cbcKeys() });
    const lines: string[] = [];
    const logger = new Logger({ defaultLevel: 3, sink: (l) => lines.push(l) });
    // on a kernel with ESP, a colliding policy makes the install fail after the SAs went in
    ip(ns, 'xfrm', 'policy', 'add', 'src', '10.1.0.0/16', 'dst', `${I}/32`, 'dir', 'fwd', 'tmpl', 'src', R, 'dst', I, 'proto', 'esp', 'reqid', '99', 'mode', 'tunnel');
    const err = await rejection(installKernelChildSa(child, { local: I, remote: R, reqid: 7 }, { netns: ns, logger }));
    expect(err).toMatchObject({ code: 'ERR_IKE_KERNEL' });
    const everything = `${inspect(err, { depth: 10, showHidden: true })}\n${JSON.stringify(err)}\n${lines.join('\n')}`;
    expect(hexes(child.keys).filter((h) => everything.includes(h))).toEqual([]);
    expect(states(ns)).toBe('');
  });
});
