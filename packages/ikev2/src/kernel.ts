/**
 * Linux XFRM detection: can this kernel hold an ESP state? We never install CHILD_SAs into the kernel (the data path
 * is userspace ESP, `esp.ts`); this probe only tells an operator, in plain words, what the kernel can do. It adds a
 * dummy ESP state inside a throwaway network namespace (`unshare --net`), so nothing on the host changes.
 */
import { execFile } from 'node:child_process';

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
