/** Linux XFRM detection: the probe must state plainly whether the kernel can hold ESP states (never pretend). */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { probeKernelEsp } from '../src/index.js';

describe('probeKernelEsp', () => {
  it('agrees with an independent `ip xfrm state add … proto esp` in a throwaway namespace', async () => {
    const p = await probeKernelEsp();
    const direct = spawnSync('unshare', ['--net', 'ip', 'xfrm', 'state', 'add', 'src', '192.0.2.9', 'dst', '192.0.2.8', 'proto', 'esp', 'spi', '0x200', 'mode', 'tunnel', 'enc', 'cbc(aes)', '0x' + '44'.repeat(16), 'auth-trunc', 'hmac(sha256)', '0x' + '33'.repeat(32), '128'], { encoding: 'utf8' });
    if (direct.error || /Operation not permitted/.test(direct.stderr)) {
      expect(p.supported).toBeUndefined();
      return;
    }
    if (direct.status === 0) {
      expect(p).toMatchObject({ supported: true });
    } else if (/Function not implemented|Requested type not found/.test(direct.stderr)) {
      expect(p.supported).toBe(false);
      expect(p.detail).toMatch(/^kernel has XFRM but no ESP support/);
      expect(p.detail).toMatch(/NOT installed in the kernel/);
    } else {
      expect(p.supported).toBe(false);
    }
  });
});
