/**
 * `tnc-client` as a real process (bundled from the sources with a fake network stack): SIGINT and SIGTERM close the
 * session (the DELETE is recorded) before a clean exit with the outcome's status; `down` from another process does
 * the same; a signal while connecting aborts with status 1.
 */
import { killLeftovers, spawnCaptured, type Proc } from './support/child-process.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runTncClient } from '../src/cli/tnc-client.js';
import { fakeStack } from './tnc-client-fake-session.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CONF = join(HERE, 'fixtures/tnc-client/swanctl.conf');
const SECRETS = join(HERE, 'fixtures/tnc-client/secrets.conf');

let tmp: string;
let bundle: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tncp-'));
  bundle = join(tmp, 'fake-tnc-client.mjs');
  await build({
    entryPoints: [join(HERE, 'fixtures/tnc-client-fake-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@tncjs/source'],
    outfile: bundle,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

afterEach(killLeftovers);

function spawnClient(args: string[], env: Record<string, string>): Proc {
  return spawnCaptured(process.execPath, [bundle, ...args], { ...process.env, ...env });
}

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let n = 0;
function env(extra: Record<string, string> = {}): Record<string, string> & { marker: string; rundir: string } {
  n++;
  const rundir = join(tmp, `run${n}`);
  const marker = join(tmp, `marker${n}`);
  return { TNC_CLIENT_RUNDIR: rundir, FAKE_MARKER: marker, ...extra, marker, rundir };
}
const marker = (e: { marker: string }) => (existsSync(e.marker) ? readFileSync(e.marker, 'utf8') : '');

test.each([
  ['SIGINT', 'allowed', 0],
  ['SIGTERM', 'isolated', 3],
] as const)('%s with access %s: DELETE sent, then exit %i', async (sig, outcome, code) => {
  const e = env({ FAKE_OUTCOME: outcome });
  const p = spawnClient(['up', 'home', '--config', CONF, '--secrets', SECRETS], e);
  await until(() => p.out().includes('established'), `established (stderr: ${p.err()})`);
  expect(existsSync(join(e.rundir, 'home.sock'))).toBe(true);
  p.child.kill(sig);
  expect(await p.exit).toEqual({ code, signal: null });
  expect(marker(e)).toBe('DELETE\n');
  expect(p.err()).toContain(`00[DMN] signal of type ${sig} received. Shutting down`);
  expect(p.out()).toContain(`connection 'home' closed (${sig})`);
  expect(existsSync(join(e.rundir, 'home.sock'))).toBe(false);
}, 30_000);

test('down from another tnc-client (in this process) ends the spawned one cleanly', async () => {
  const e = env();
  const p = spawnClient(['up', 'home', '--config', CONF, '--secrets', SECRETS, '--json'], e);
  await until(() => p.out().includes('"established"'), 'established');
  let out = '';
  const code = await runTncClient(['down', 'home', '--json'], { stdout: (s) => void (out += s), stderr: () => {} }, { startSession: fakeStack().startSession, env: { TNC_CLIENT_RUNDIR: e.rundir } });
  expect(code).toBe(0);
  expect(JSON.parse(out)).toEqual({ connection: 'home', down: true });
  expect(await p.exit).toEqual({ code: 0, signal: null });
  expect(marker(e)).toBe('DELETE\n');
  expect(p.out().trim().split('\n').map((l) => JSON.parse(l).event)).toEqual(['established', 'closed']);
}, 30_000);

test('SIGINT while connecting: the stack is aborted, exit 1, nothing to DELETE', async () => {
  const e = env({ FAKE_HANG: '1' });
  const p = spawnClient(['up', 'home', '--config', CONF, '--secrets', SECRETS], e);
  await until(() => marker(e).includes('CONNECTING'), 'connecting');
  p.child.kill('SIGINT');
  expect(await p.exit).toEqual({ code: 1, signal: null });
  expect(marker(e)).toBe('CONNECTING\n');
  expect(p.out()).toContain('aborted (SIGINT)');
}, 30_000);
