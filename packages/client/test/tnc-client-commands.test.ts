/**
 * `tnc-client` commands in-process, with a fake network stack and a fake signal source: config → up → status/down
 * over the control socket, exit codes (0 allowed, 1 error, 2 usage/config, 3 isolated, 4 denied), JSON output,
 * redaction, progress, help.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTncClient, redact, TncClientExit, type TncClientDeps } from '../src/cli/tnc-client.js';
import { createProgress, renderProgress } from '../src/cli/progress.js';
import { HELPS, HELP_MAIN } from '../src/cli/tnc-client-help.js';
import { fakeStack, type FakeOptions } from './tnc-client-fake-session.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/tnc-client/', import.meta.url));
const CONF = join(FIXTURES, 'swanctl.conf');
const SECRETS = join(FIXTURES, 'secrets.conf');

let tmp: string;
let rundir: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tncc-'));
  rundir = join(tmp, 'run');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  done: Promise<number>;
  out: () => string;
  err: () => string;
}

/** Runs still going when a test ends (it failed half-way): stopped in afterEach, so jest is not kept alive. */
const running = new Set<{ signals: EventEmitter; done: Promise<number> }>();
afterEach(async () => {
  for (const r of running) {
    r.signals.emit('SIGINT');
    r.signals.emit('SIGINT');
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([r.done, new Promise((res) => (timer = setTimeout(res, 2000)))]);
    clearTimeout(timer);
  }
  running.clear();
});

function start(argv: string[], deps: Partial<TncClientDeps> & Pick<TncClientDeps, 'startSession'>, extra: { tty?: boolean } = {}): Run {
  let out = '';
  let err = '';
  const signals = (deps.signals as EventEmitter | undefined) ?? new EventEmitter();
  const done = runTncClient(
    argv,
    { stdout: (s) => void (out += s), stderr: (s) => void (err += s), stderrIsTTY: extra.tty ?? false, columns: 80 },
    { env: { TNC_CLIENT_RUNDIR: rundir }, ...deps, signals: signals as never },
  );
  const entry = { signals, done };
  running.add(entry);
  void done.finally(() => running.delete(entry));
  return { done, out: () => out, err: () => err };
}

async function run(argv: string[], deps: Partial<TncClientDeps> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = start(argv, { startSession: fakeStack().startSession, ...deps });
  const code = await r.done;
  return { code, stdout: r.out(), stderr: r.err() };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const UP = ['up', 'home', '--config', CONF, '--secrets', SECRETS];
const sock = (name = 'home') => join(rundir, `${name}.sock`);

describe('up: the whole flow', () => {
  test('allowed: established, status over the socket (0600), down closes the session, exit 0', async () => {
    const { startSession, record } = fakeStack({ outcome: 'allowed', status: { msk: 'deadbeef', nested: { eapPassword: 'Ar3etTnp', bytes: new Uint8Array(4) } } });
    const up = start(UP, { startSession });
    await until(() => up.out().includes('established'), 'established');
    expect(up.out()).toBe("connection 'home' established with 192.168.0.1: access allowed\n");
    expect(record.config?.eapPassword.reveal()).toBe('Ar3etTnp');
    expect(statSync(sock()).mode & 0o777).toBe(0o600);
    expect(statSync(rundir).mode & 0o777).toBe(0o700);

    const st = await run(['status', 'home', '--json']);
    expect(st.code).toBe(0);
    const s = JSON.parse(st.stdout);
    expect(s).toMatchObject({ connection: 'home', state: 'established', outcome: 'allowed', remote: '192.168.0.1', identity: 'carol@strongswan.org', pid: process.pid });
    expect(s.session).toEqual({ ikeSa: 'home[1]', spis: { in: 'c1a2b3c4', out: 'd5e6f7a8' }, msk: '<redacted>', nested: { eapPassword: '<redacted>', bytes: '<4 bytes>' } });
    expect(st.stdout).not.toContain('Ar3etTnp');
    expect(st.stdout).not.toContain('deadbeef');

    const all = await run(['status']);
    expect(all.stdout).toMatch(/^home: established, access allowed, since .*, pid \d+\n {2}gateway 192.168.0.1 \(moon.strongswan.org\)/);

    const down = await run(['down', 'home']);
    expect(down).toMatchObject({ code: 0, stdout: "connection 'home' closed\n" });
    expect(await up.done).toBe(TncClientExit.ALLOWED);
    expect(record.closed).toBe(1);
    expect(up.out()).toContain("connection 'home' closed (down)");
    expect(existsSync(sock())).toBe(false);
  });

  test('isolated: exit 3 after a SIGTERM; the session is closed once', async () => {
    const { startSession, record } = fakeStack({ outcome: 'isolated' });
    const signals = new EventEmitter();
    const up = start(UP, { startSession, signals: signals as never });
    await until(() => up.out().includes('established'), 'established');
    expect(up.out()).toContain('access isolated');
    signals.emit('SIGTERM');
    expect(await up.done).toBe(TncClientExit.ISOLATED);
    expect(record.closed).toBe(1);
    expect(up.err()).toContain('00[DMN] signal of type SIGTERM received. Shutting down');
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  test('denied: closed at once, exit 4', async () => {
    const { startSession, record } = fakeStack({ outcome: 'denied' });
    const r = await run([...UP, '--json'], { startSession });
    expect(r.code).toBe(TncClientExit.DENIED);
    expect(record.closed).toBe(1);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { event: 'established', connection: 'home', remote: '192.168.0.1', outcome: 'denied' },
      { event: 'closed', connection: 'home', reason: 'access denied', outcome: 'denied' },
    ]);
  });

  test('--once: the outcome as exit status, then closed', async () => {
    const { startSession, record } = fakeStack({ outcome: 'isolated' });
    expect((await run([...UP, '--once'], { startSession })).code).toBe(3);
    expect(record.closed).toBe(1);
  });

  test('the gateway ends the session: up exits with the outcome', async () => {
    const { startSession, record } = fakeStack({ outcome: 'allowed' });
    const up = start(UP, { startSession });
    await until(() => record.peerClose !== undefined && up.out().includes('established'), 'established');
    record.peerClose!();
    expect(await up.done).toBe(0);
    expect(up.out()).toContain('closed (closed by the gateway)');
  });

  test('SIGINT while connecting aborts the stack: exit 1', async () => {
    const { startSession, record } = fakeStack({ hang: true });
    const signals = new EventEmitter();
    const up = start(UP, { startSession, signals: signals as never });
    await until(() => record.started === 1 && existsSync(sock()), 'connecting');
    signals.emit('SIGINT');
    expect(await up.done).toBe(TncClientExit.ERROR);
    expect(record.aborted).toBe(true);
    expect(up.out()).toContain("connection 'home' aborted (SIGINT) before the assessment finished");
  });

  test('a second signal while close() hangs exits at once with 1', async () => {
    const { startSession } = fakeStack({ closeDelayMs: 60_000 });
    const signals = new EventEmitter();
    const up = start(UP, { startSession, signals: signals as never });
    await until(() => up.out().includes('established'), 'established');
    signals.emit('SIGINT');
    await new Promise((r) => setTimeout(r, 20));
    signals.emit('SIGINT');
    expect(await up.done).toBe(1);
    expect(up.out()).toContain('interrupted while closing');
  });

  test('close() that never finishes: exit 1 after the close timeout', async () => {
    const { startSession } = fakeStack({ outcome: 'denied', closeDelayMs: 60_000 });
    const r = await run(UP, { startSession, closeTimeoutMs: 50 });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('close did not finish within 50 ms');
  });

  test('the stack fails: exit 1 with its message; an internal error too, without a stack trace', async () => {
    const typed = Object.assign(new Error('no response from 192.168.0.1 after 5 retransmits'), { code: 'ERR_IKE_TIMEOUT', [Symbol.for('@tncjs/error')]: true });
    const r = await run(UP, { startSession: fakeStack({ fail: typed }).startSession });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("tnc-client: connection 'home' failed: no response from 192.168.0.1 after 5 retransmits\n");
    const bug = await run([...UP, '--json'], { startSession: fakeStack({ fail: new RangeError('boom') }).startSession });
    expect(bug.code).toBe(1);
    expect(bug.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(bug.stdout.trim())).toEqual({ event: 'error', code: 'ERR_INTERNAL', message: "connection 'home' failed: RangeError: boom" });
    expect(existsSync(sock())).toBe(false);
  });

  test('a second up of the same connection is refused while the first runs', async () => {
    const { startSession } = fakeStack();
    const signals = new EventEmitter();
    const up = start(UP, { startSession, signals: signals as never });
    await until(() => up.out().includes('established'), 'established');
    const again = await run(UP);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("connection 'home' is already up");
    signals.emit('SIGINT');
    expect(await up.done).toBe(0);
  });

  test('a stale socket file (no process behind it) is replaced', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(rundir, { recursive: true, mode: 0o700 });
    writeFileSync(sock(), '');
    const r = await run([...UP, '--once']);
    expect(r.code).toBe(0);
  });

  test('a run directory others can write to is refused (exit 1) before connecting', async () => {
    const { mkdirSync, chmodSync } = await import('node:fs');
    const open = join(tmp, 'open');
    mkdirSync(open, { recursive: true });
    chmodSync(open, 0o777);
    const { startSession, record } = fakeStack();
    const r = await run(UP, { startSession, env: { TNC_CLIENT_RUNDIR: open } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${open} is writable by others (mode 777)`);
    expect(record.started).toBe(0);
  });

  test('a log line during the upload ends the progress line first', async () => {
    const startSession: TncClientDeps['startSession'] = async (_cfg, log, ctx) => {
      ctx.progress(1024, 4096);
      log.log('PTS', 1, 'evidence half sent');
      ctx.progress(4096, 4096);
      return { outcome: 'allowed', status: () => ({}), close: async () => {} };
    };
    const r = start([...UP, '--once'], { startSession }, { tty: true });
    expect(await r.done).toBe(0);
    expect(r.err()).toMatch(/1\.0\/4\.0 KiB\n00\[PTS\] evidence half sent\n\r/);
  });

  test('the control socket answers garbage with an error and keeps serving', async () => {
    const signals = new EventEmitter();
    const up = start(UP, { startSession: fakeStack().startSession, signals: signals as never });
    await until(() => up.out().includes('established'), 'established');
    const ask = (line: string) =>
      new Promise<string>((res) => {
        const c = createConnection(sock());
        let b = '';
        c.on('data', (d) => (b += d));
        c.on('end', () => res(b));
        c.on('connect', () => c.write(line));
      });
    expect(JSON.parse(await ask('not json\n'))).toEqual({ ok: false, error: 'request is not JSON' });
    expect(JSON.parse(await ask('{"cmd":"reboot"}\n'))).toMatchObject({ ok: false });
    expect(JSON.parse(await ask('x'.repeat(5000)))).toEqual({ ok: false, error: 'request too long' });
    expect(JSON.parse(await ask('{"cmd":"status"}\n'))).toMatchObject({ ok: true, status: { connection: 'home' } });
    signals.emit('SIGINT');
    expect(await up.done).toBe(0);
  });

  test('--log ike=4 (a debug level that asks for secrets) shows them in status', async () => {
    const signals = new EventEmitter();
    const up = start([...UP, '--log', 'ike=4'], { startSession: fakeStack({ status: { msk: 'deadbeef' } }).startSession, signals: signals as never });
    await until(() => up.out().includes('established'), 'established');
    expect(JSON.parse((await run(['status', 'home', '--json'])).stdout).session.msk).toBe('deadbeef');
    signals.emit('SIGINT');
    await up.done;
  });
});

describe('connect: the flags form drives the same flow', () => {
  test('connect --host … with TNC_EAP_PASSWORD: the stack gets the flags', async () => {
    const { startSession, record } = fakeStack({ outcome: 'allowed' });
    const r = start(
      ['connect', '--host', '192.168.0.1', '--identity', 'carol@strongswan.org', '--cacert', join(FIXTURES, 'x509ca'), '--once', '--no-kernel', '--name', 'flags1'],
      { startSession, env: { TNC_CLIENT_RUNDIR: rundir, TNC_EAP_PASSWORD: 'Ar3etTnp' } },
    );
    expect(await r.done).toBe(0);
    expect(record.config).toMatchObject({ name: 'flags1', source: 'flags', kernel: false, remote: { address: '192.168.0.1' } });
    expect(r.out()).toContain("connection 'flags1' established");
  });

  test('--eap-password on the command line: exit 2, the reason, not the password', async () => {
    const r = await run(['connect', '--host', '192.168.0.1', '--eap-password', 'hunter2']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^tnc-client: refusing a password on the command line: every user of this machine can read it \(ps/);
    expect(r.stderr).not.toContain('hunter2');
  });

  test('a CA file that does not exist: exit 2 before any connection attempt', async () => {
    const { startSession, record } = fakeStack();
    const r = await run(['connect', '--host', '192.168.0.1', '--identity', 'c', '--cacert', join(tmp, 'nope.pem')], { startSession, env: { TNC_EAP_PASSWORD: 'x', TNC_CLIENT_RUNDIR: rundir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`CA certificate '${join(tmp, 'nope.pem')}' does not exist`);
    expect(record.started).toBe(0);
  });
});

describe('usage and configuration errors: exit 2', () => {
  test.each([
    [[], /missing command/],
    [['frob'], /unknown command 'frob'/],
    [['up'], /missing connection name/],
    [['up', 'a', 'b'], /unexpected argument 'b'/],
    [['up', 'home', '--bogus'], /unknown option '--bogus'/],
    [['down'], /missing connection name/],
    [['down', 'home', '--timeout', 'x'], /--timeout x/],
    [['status', '../../etc/passwd'], /connection name/],
    [['help', 'nope'], /no help for 'nope'/],
  ])('%j', async (argv, reason) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toMatch(/^tnc-client: /);
  });

  test('a malformed configuration: file:line in the message', async () => {
    const bad = join(tmp, 'bad.conf');
    writeFileSync(bad, 'connections {\n  home {\n    remote_addrs = 192.168.0.1\n    local { auth = psk }\n  }\n}\n');
    const r = await run(['up', 'home', '--config', bad, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tnc-client: ${bad}:4: local.auth = psk: tnc-client authenticates with EAP only (eap-ttls, or eap-md5 to a certificate gateway)\n`);
    expect(JSON.parse(r.stdout)).toMatchObject({ event: 'error', code: 'ERR_CONFIG_VALUE' });
    const missing = await run(['up', 'home', '--config', join(tmp, 'none.conf')]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('no such file');
  });
});

describe('down / status without a running connection', () => {
  test('down of a connection that is not up: exit 1; status of all: none', async () => {
    const r = await run(['down', 'ghost']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("connection 'ghost' is not up");
    const s = await run(['status', 'ghost', '--json']);
    expect(s.code).toBe(1);
    expect(JSON.parse(s.stdout)).toMatchObject({ event: 'error', code: 'ERR_NOT_RUNNING' });
    expect(await run(['status'])).toMatchObject({ code: 0, stdout: 'no connections up\n' });
    expect(JSON.parse((await run(['status', '--json'])).stdout)).toEqual({ connections: [] });
  });
});

describe('help', () => {
  test('--help, help <cmd> and <cmd> --help print man pages, exit 0', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, stdout: HELP_MAIN });
    expect(HELP_MAIN.split('\n').filter((l) => l.length > 80)).toEqual([]);
    for (const cmd of ['up', 'connect', 'down', 'status']) {
      const a = await run(['help', cmd]);
      const b = await run([cmd, '--help']);
      expect(a).toMatchObject({ code: 0, stdout: HELPS[cmd] });
      expect(b.stdout).toBe(a.stdout);
      expect(a.stdout).toMatch(/NAME\n[\s\S]*SYNOPSIS\n[\s\S]*DESCRIPTION\n[\s\S]*EXIT STATUS\n/);
      // a terminal's 80 columns
      expect(a.stdout.split('\n').filter((l) => l.length > 80)).toEqual([]);
    }
  });
});

describe('progress indicator', () => {
  test('rendered on a TTY while the stack uploads evidence, then the line is ended', async () => {
    const { startSession } = fakeStack({ progress: [[0, 20480], [10240, 20480], [20480, 20480]] });
    const r = start([...UP, '--once'], { startSession }, { tty: true });
    expect(await r.done).toBe(0);
    expect(r.err()).toContain('\r\x1b[Kuploading evidence   0%');
    expect(r.err()).toMatch(/\r\x1b\[Kuploading evidence 100% {2}\[#{20,}\] {2}20\.0\/20\.0 KiB\n/);
    // the log lines come before the indicator, never in the middle of it
    expect(r.err().indexOf("initiating connection 'home'")).toBeLessThan(r.err().indexOf('uploading evidence'));
  });

  test('suppressed in --json mode and when stderr is not a TTY', async () => {
    for (const [argv, tty] of [[[...UP, '--once', '--json'], true], [[...UP, '--once'], false]] as const) {
      const r = start([...argv], { startSession: fakeStack({ progress: [[1, 2], [2, 2]] }).startSession }, { tty });
      expect(await r.done).toBe(0);
      expect(r.err()).not.toContain('uploading evidence');
    }
  });

  test('throttled, ignores nonsense numbers, unknown totals shown as bytes', () => {
    let t = 0;
    let out = '';
    const p = createProgress({ enabled: true, write: (s) => void (out += s), now: () => t, intervalMs: 100 });
    p.update(1, 10);
    p.update(2, 10); // within 100 ms: skipped
    t = 200;
    p.update(NaN, 10);
    p.update(-1, 10);
    p.update(5, Infinity);
    p.update(5, 10);
    expect(out.split('\r').filter(Boolean).map((l) => l.replace('\x1b[K', '').slice(0, 23))).toEqual(['uploading evidence  10%', 'uploading evidence  50%']);
    p.finish();
    expect(out.endsWith('\n')).toBe(true);
    expect(renderProgress(3072, 0)).toBe('uploading evidence  3.0 KiB');
  });
});

describe('redact', () => {
  test('secret-looking keys, byte arrays, depth, functions', () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 20; i++) cur = (cur.next = {}) as Record<string, unknown>;
    expect(redact({ password: 'x', sk_ei: 'k', skd: 'k', psk: 'p', privateKey: 'k', ok: 1, f: () => 1, big: 10n, deep }, false)).toMatchObject({
      password: '<redacted>',
      sk_ei: '<redacted>',
      skd: '<redacted>',
      psk: '<redacted>',
      privateKey: '<redacted>',
      ok: 1,
      big: '10',
    });
    expect(JSON.stringify(redact({ deep }, false))).toContain('"<…>"');
    expect(redact({ password: 'x', b: new Uint8Array([1, 2]) }, true)).toEqual({ password: 'x', b: '0102' });
  });
});
