/** `tncjs eventlog`, `tncjs ima`, `tncjs tpm` and `tncjs attest` reach the operator tools of @tncjs/pts, @tncjs/tss and @tncjs/imc-sdk. */
import { runCli, REPO_ROOT } from './helpers.js';

const LOG = `${REPO_ROOT}test-vectors/attestation/google-go-tpm-tools/internal/test/eventlogs/debian-10.bin`;

test('tncjs eventlog prints the replayed PCRs (go-tpm-tools expectation for debian-10.bin)', async () => {
  const r = await runCli(['eventlog', LOG, '--json']);
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json.pcrs.sha1['0']).toBe('0f2d3a2a1adaa479aeeca8f5df76aadc41b862ea');
});

test('tncjs eventlog on garbage: exit 2 with a one-line reason', async () => {
  const r = await runCli(['eventlog', '-'], new Uint8Array([1, 2, 3]));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^tncjs: /);
});

test('tncjs ima and tncjs tpm answer --help', async () => {
  for (const tool of ['ima', 'tpm']) {
    const r = await runCli([tool, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`tncjs ${tool}`));
  }
});

test('tncjs attest routes to the attestation database tool (@tncjs/imc-sdk)', async () => {
  const r = await runCli(['attest', '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/import-ima/);
  expect(r.stdout).toMatch(/register-aik/);
});

test('tncjs attest init creates a database and reports its schema version', async () => {
  const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/tncjs-attest-`);
  try {
    const r = await runCli(['attest', `${dir}/a.db`, 'init']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/schema version \d+/);
    expect(existsSync(`${dir}/a.db`)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tncjs tpm with an unreachable TPM: a clear error naming the transport', async () => {
  const prev = process.env.TNCJS_TPM;
  process.env.TNCJS_TPM = 'swtpm:tcp://127.0.0.1:1';
  try {
    const r = await runCli(['tpm', 'info']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1/);
  } finally {
    if (prev === undefined) delete process.env.TNCJS_TPM;
    else process.env.TNCJS_TPM = prev;
  }
});
