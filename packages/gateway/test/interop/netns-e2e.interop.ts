/**
 * The seed end to end across two network namespaces, as the seed's hosts: moon (tnc-e2e-moon, 192.168.0.1, our
 * `tnc-gateway` command on the real ports 500/4500, configured by a JSON file) and carol (tnc-e2e-carol,
 * 192.168.0.254, examples' seed machine + `connectTnc` in `carol.mjs`), joined by a veth pair. Needs root and the
 * built packages (scripts/interop-e2e.sh builds them). Nothing is skipped: without root the suite FAILS.
 * Teardown is guaranteed: processes stopped by PID, namespaces deleted in afterAll and again by the script's trap.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';

jest.setTimeout(180_000);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '../../../..');
const CAROL_NS = 'tnc-e2e-carol';
const MOON_NS = 'tnc-e2e-moon';
const BIN = join(ROOT, 'packages/gateway/dist/bin.js');

function sh(cmd: string, args: string[], allowFail = false): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (!allowFail && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function teardown(): void {
  for (const ns of [CAROL_NS, MOON_NS]) sh('ip', ['netns', 'del', ns], true);
}

let work: string;
let gw: ChildProcess | undefined;
let gwOut = '';
let gwExit: Promise<number | null>;

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the network-namespace tier needs root (ip netns); run scripts/interop-e2e.sh as root');
  if (!existsSync(BIN)) throw new Error(`${BIN} missing: build first (scripts/interop-e2e.sh does)`);
  teardown();
  sh('ip', ['netns', 'add', CAROL_NS]);
  sh('ip', ['netns', 'add', MOON_NS]);
  sh('ip', ['link', 'add', 'tnce2e-c', 'netns', CAROL_NS, 'type', 'veth', 'peer', 'name', 'tnce2e-m', 'netns', MOON_NS]);
  sh('ip', ['-n', CAROL_NS, 'addr', 'add', '192.168.0.254/24', 'dev', 'tnce2e-c']);
  sh('ip', ['-n', MOON_NS, 'addr', 'add', '192.168.0.1/24', 'dev', 'tnce2e-m']);
  for (const [ns, dev] of [[CAROL_NS, 'tnce2e-c'], [MOON_NS, 'tnce2e-m'], [CAROL_NS, 'lo'], [MOON_NS, 'lo']]) sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);

  work = mkdtempSync(join(tmpdir(), 'tncjs-e2e-netns-'));
  mkdirSync(join(work, 'carol'));
  const pki = spawnSync('node', ['--input-type=module', '-e', `import { makeThrowawayPki } from ${JSON.stringify(join(ROOT, 'examples/seed-machine.mjs'))}; makeThrowawayPki(${JSON.stringify(work)});`], { cwd: ROOT, encoding: 'utf8' });
  if (pki.status !== 0) throw new Error(`PKI: ${pki.stderr}`);
  writeFileSync(join(work, 'secrets'), '# EAP secrets of the gateway\ncarol@strongswan.org : EAP "Ar3etTnp"\n', { mode: 0o600 });
  writeFileSync(join(work, 'gateway.json'), JSON.stringify({
    identity: 'moon.strongswan.org', cert: 'moon.pem', key: 'moon.key', secretsFile: 'secrets', listen: '192.168.0.1', ts: ['10.1.0.0/28'],
    metadataPath: join(work, 'carol', 'tnc_config'),
  }));
  gw = spawn('ip', ['netns', 'exec', MOON_NS, 'node', BIN, '--config', join(work, 'gateway.json')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  gw.stdout!.on('data', (d) => (gwOut += d));
  gw.stderr!.on('data', (d) => (gwOut += d));
  gwExit = new Promise((r) => gw!.once('exit', (c) => r(c)));
  for (let i = 0; i < 200 && !/listening on 192\.168\.0\.1\[500\]/.test(gwOut); i++) {
    if (gw.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!/listening on 192\.168\.0\.1\[500\]/.test(gwOut)) throw new Error(`tnc-gateway did not start:\n${gwOut}`);
});

afterAll(async () => {
  if (gw && gw.exitCode === null) {
    gw.kill('SIGKILL');
    await gwExit;
  }
  teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Run carol (asynchronously: the gateway's output pipe must keep draining meanwhile). */
async function carol(extra: string[] = []): Promise<{ code: number | null; out: string; summary: Record<string, any> }> {
  const p = spawn('ip', ['netns', 'exec', CAROL_NS, 'node', join(HERE, 'carol.mjs'), '--gateway', '192.168.0.1', '--ca', join(work, 'ca.pem'), '--publish', join(work, 'carol'), ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (err += d));
  const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((r) => p.once('close', (c) => r(c)));
  clearTimeout(timer);
  if (code === null) throw new Error(`carol timed out or was killed:\n${out}\n${err}\n--- moon ---\n${gwOut}`);
  const last = out.trim().split('\n').at(-1) ?? '{}';
  let parsed: Record<string, any>;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`carol printed no summary (exit ${code}):\n${out}\n${err}`);
  }
  return { code, out, summary: parsed.summary ?? parsed };
}

/** Wait until moon logged `re` (its stdout arrives asynchronously). */
async function moonLogged(re: RegExp, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !re.test(gwOut); ) await new Promise((r) => setTimeout(r, 20));
}

describe('seed end to end in network namespaces: carol 192.168.0.254 ↔ moon 192.168.0.1 (tnc-gateway on 500/4500)', () => {
  test("compliant / Access Allowed, CHILD_SA 192.168.0.254/32 === 10.1.0.0/28, ping through ESP, DELETE; exit code 0", async () => {
    const t0 = Date.now();
    const r = await carol();
    await moonLogged(/received DELETE for IKE_SA/);
    expect(r.summary.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.summary).toMatchObject({ outcome: 'allowed', assessment: 'compliant', recommendation: 'Access Allowed', state: 'closed', closed: { acknowledged: true } });
    expect(r.summary.child).toMatchObject({ tsi: ['192.168.0.254/32'], tsr: ['10.1.0.0/28'], udpEncapsulation: true });
    expect(r.summary.ping).toEqual({ src: '10.1.0.1', dst: '192.168.0.254', type: 0, checksumOk: true });
    expect(r.out).toMatch(/generating IKE_SA_INIT request 0 \[ SA KE No N\(NATD_S_IP\) N\(NATD_D_IP\) N\(FRAG_SUP\) \]/);
    expect(r.out).toMatch(/sending packet: from 192\.168\.0\.254\[\d+\] to 192\.168\.0\.1\[500\]/);
    expect(r.out).toMatch(/sending packet: from 192\.168\.0\.254\[\d+\] to 192\.168\.0\.1\[4500\]/);
    expect(r.out).toMatch(new RegExp(`\\[IKE\\] CHILD_SA tncjs\\{\\d+\\} established with SPIs ${r.summary.child.spiIn}_i ${r.summary.child.spiOut}_o and TS 192\\.168\\.0\\.254/32 === 10\\.1\\.0\\.0/28`));
    expect(gwOut).toContain(`CHILD_SA established with SPIs ${r.summary.child.spiOut}_i ${r.summary.child.spiIn}_o and TS 10.1.0.0/28 === 192.168.0.254/32`);
    expect(r.out).toContain("[TNC] PB-TNC assessment result is 'compliant'");
    expect(gwOut).toMatch(/IKE_SA established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.254\[carol@strongswan\.org\]/);
    expect(gwOut).toContain("[TNC] final PB-TNC access recommendation is 'Access Allowed'");
    expect(gwOut).toMatch(/received DELETE for IKE_SA/);
    expect(gwOut).not.toContain('Ar3etTnp');
    process.stdout.write(`netns e2e: carol ${Date.now() - t0} ms wall (process incl. swtpm boot), connect ${r.summary.connectMs} ms, ${r.summary.stats.ikeExchanges} IKE exchanges, ${r.summary.stats.bytesSent} B sent / ${r.summary.stats.bytesReceived} B received\n`);
  });

  test("tampered IMA entry: non-compliant / Quarantined, exit code 3", async () => {
    const r = await carol(['--tampered']);
    await moonLogged(/access recommendation is 'Quarantined'/);
    expect(r.code).toBe(3);
    expect(r.summary).toMatchObject({ outcome: 'isolated', recommendation: 'Quarantined' });
    expect(r.summary.assessment).toMatch(/^non-compliant/);
    expect(gwOut).toContain("[TNC] PB-TNC access recommendation is 'Quarantined'");
  });

  test('tnc-gateway stops cleanly on SIGTERM: IMVs terminated, exit code 0', async () => {
    gw!.kill('SIGTERM');
    expect(await gwExit).toBe(0);
    expect(gwOut).toContain('signal of type SIGTERM received. Shutting down');
    expect(gwOut).toMatch(/IMV 1 "Attestation" terminated/);
  });
});
