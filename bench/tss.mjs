#!/usr/bin/env node
// TPM stack benchmark (issue 3, @tncjs/tss): against a swtpm it starts itself (TCP socket, private state directory,
// stopped by PID at the end), measures TPM2_Quote + software verification per second (RSA-2048 and ECC P-256 AIKs,
// 8 SHA-256 PCRs), TPM2_PCR_Read latency (1 PCR; 24 PCRs of one bank = 3 pages; all 96 PCRs of 4 banks = 12 pages)
// and quote verification alone (no TPM). Prints numbers; no assertions.
//
// Run after `npm run build`: node bench/tss.mjs [seconds per measurement, default 2]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tpm, createAik, verifyQuote } from '@tncjs/tss';

const seconds = Number(process.argv[2] ?? 2);

async function freePort() {
  for (;;) {
    const p = await new Promise((res) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = s.address().port;
        s.close(() => res(port));
      });
    });
    const ok = await new Promise((res) => {
      const s = createServer().once('error', () => res(false)).listen(p + 1, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return p;
  }
}

async function startSwtpm() {
  const dir = mkdtempSync(join(tmpdir(), 'tncjs-bench-swtpm-'));
  const port = await freePort();
  const child = spawn('swtpm', ['socket', '--tpm2', '--tpmstate', `dir=${dir}`, '--server', `type=tcp,port=${port},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${port + 1},bindaddr=127.0.0.1`, '--flags', 'not-need-init,startup-clear'], { stdio: 'ignore' });
  child.on('error', (e) => {
    console.error(`cannot start swtpm (${e.code}): install swtpm (apt-get install swtpm swtpm-tools)`);
    process.exit(1);
  });
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 500; i++) {
    const up = await new Promise((res) => {
      const s = createConnection({ host: '127.0.0.1', port: port + 1 });
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    spec: `swtpm:tcp://127.0.0.1:${port}`,
    async stop() {
      process.kill(child.pid, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function measure(label, fn, unit = 'ops/s') {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const lat = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const t = process.hrtime.bigint();
    await fn();
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  lat.sort((a, b) => a - b);
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
  const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))];
  console.log(`${label.padEnd(48)} ${(1000 / mean).toFixed(0).padStart(7)} ${unit}   mean ${mean.toFixed(3)} ms   p50 ${p(0.5).toFixed(3)} ms   p99 ${p(0.99).toFixed(3)} ms   (n=${lat.length})`);
}

const swtpm = await startSwtpm();
try {
  const tpm = await Tpm.open(swtpm.spec);
  const info = await tpm.getInfo();
  console.log(`swtpm ${info.manufacturer} "${info.vendorString}" spec ${(info.revision / 100).toFixed(2)} (${info.year}), Node ${process.version}, ${seconds} s per measurement`);
  const sel = 'sha256:0-7';
  const nonce = new Uint8Array(20).fill(7);
  for (const alg of ['rsa', 'ecc']) {
    const aik = await createAik(tpm, { alg, handle: alg === 'rsa' ? 0x81010003 : 0x81010004 });
    await measure(`TPM2_Quote ${alg} (8 PCRs) + PCR_Read + verify`, async () => {
      const q = await tpm.quote(aik.handle, nonce, sel);
      const pcrs = await tpm.pcrRead(sel);
      verifyQuote({ quoted: q.quoted, signature: q.signature, key: aik.public, nonce, pcrs: pcrs.values });
    }, 'quotes/s');
    await measure(`TPM2_Quote ${alg} (8 PCRs) alone`, () => tpm.quote(aik.handle, nonce, sel), 'quotes/s');
    const q = await tpm.quote(aik.handle, nonce, sel);
    const pcrs = (await tpm.pcrRead(sel)).values;
    await measure(`verifyQuote ${alg} (software only)`, async () => verifyQuote({ quoted: q.quoted, signature: q.signature, key: aik.public, nonce, pcrs }), 'verifies/s');
  }
  await measure('TPM2_PCR_Read sha256:0 (1 PCR)', () => tpm.pcrRead('sha256:0'), 'reads/s');
  await measure('TPM2_PCR_Read sha256:all (24 PCRs, 3 pages)', () => tpm.pcrRead('sha256:all'), 'reads/s');
  await measure('TPM2_PCR_Read 4 banks x 24 (96 PCRs, 12 pages)', () => tpm.pcrRead('sha1:all+sha256:all+sha384:all+sha512:all'), 'reads/s');
  await measure('TPM2_GetRandom 32 bytes', () => tpm.getRandom(32), 'calls/s');
  await tpm.close();
} finally {
  await swtpm.stop();
}
