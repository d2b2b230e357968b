/**
 * Test helper: a private swtpm per test file (so jest workers never share one), on random free TCP ports or on
 * Unix sockets, stopped by PID. If swtpm (or another tool a test needs) is not installed the test FAILS with a
 * message saying what to install: the TPM tier never skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, mkdirSync, renameSync, cpSync, readdirSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tpm, type TpmOptions } from '@tncjs/tss';

const INSTALL_HINT = 'install them with: apt-get install swtpm swtpm-tools tpm2-tools (scripts/test.sh does this)';

/** Fail (never skip) when a tool is missing. */
export function requireTool(name: string, args: string[] = ['--version']): void {
  const r = spawnSync(name, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${name} is not installed: the @tncjs/tss TPM tests run against a real TPM emulator (swtpm) and cross-check with tpm2-tools; ${INSTALL_HINT}`);
  }
}

/** Two consecutive free TCP ports on 127.0.0.1 (data, control). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    if (p >= 65535) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(p + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return p;
  }
  throw new Error('no free port pair found');
}

function canConnect(opts: { port: number; host: string } | { path: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(opts as never);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface SwtpmInstance {
  /** tncjs TPM spec: `swtpm:tcp://127.0.0.1:P` or `swtpm:unix:///…/swtpm.sock`. */
  spec: string;
  /** tpm2-tools TCTI for the same swtpm: `swtpm:host=127.0.0.1,port=P` / `swtpm:path=…`. */
  tcti: string;
  port?: number;
  socketPath?: string;
  pid: number;
  stateDir: string;
  /** A Tpm connected to this swtpm. */
  open(options?: TpmOptions): Promise<Tpm>;
  /** Stop by PID (SIGTERM, then SIGKILL), remove the state directory. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  transport?: 'tcp' | 'unix';
  /** Start without `--flags not-need-init,startup-clear`: the test must send CMD_INIT and TPM2_Startup itself. */
  needInit?: boolean;
  /** Start from a state made by swtpm_setup --create-ek-cert (RSA EK certificate at 0x01c00002, all PCR banks). */
  provisioned?: boolean;
}

const TEMPLATE_DIR = join(tmpdir(), 'tncjs-swtpm-provisioned-v1');

/** swtpm_setup once per machine (cached in the temp directory); returns the directory with tpm2-00.permall. */
function provisionedTemplate(): string {
  if (existsSync(join(TEMPLATE_DIR, 'tpm2-00.permall'))) return TEMPLATE_DIR;
  requireTool('swtpm_setup');
  const work = mkdtempSync(join(tmpdir(), 'tncjs-swtpm-setup-'));
  const state = join(work, 'state');
  mkdirSync(state);
  const r = spawnSync('swtpm_setup', ['--tpm2', '--tpmstate', state, '--create-ek-cert', '--pcr-banks', '-', '--overwrite'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`swtpm_setup failed (${r.status}): ${r.stderr || r.stdout}`);
  try {
    renameSync(state, TEMPLATE_DIR);
  } catch {
    // another worker got there first
  }
  rmSync(work, { recursive: true, force: true });
  return TEMPLATE_DIR;
}

/** Start a private swtpm. */
export async function startSwtpm(opts: StartOptions = {}): Promise<SwtpmInstance> {
  requireTool('swtpm');
  const stateDir = mkdtempSync(join(tmpdir(), 'tncjs-swtpm-'));
  if (opts.provisioned) {
    const tpl = provisionedTemplate();
    for (const f of readdirSync(tpl)) if (f !== '.lock') cpSync(join(tpl, f), join(stateDir, f));
  }
  const flags = opts.needInit ? [] : ['--flags', 'not-need-init,startup-clear'];
  for (let attempt = 0; attempt < 5; attempt++) {
    let args: string[];
    let port: number | undefined;
    let socketPath: string | undefined;
    if (opts.transport === 'unix') {
      socketPath = join(stateDir, 'swtpm.sock');
      args = ['socket', '--tpm2', '--tpmstate', `dir=${stateDir}`, '--server', `type=unixio,path=${socketPath}`, '--ctrl', `type=unixio,path=${socketPath}.ctrl`, ...flags];
    } else {
      port = await freePortPair();
      args = ['socket', '--tpm2', '--tpmstate', `dir=${stateDir}`, '--server', `type=tcp,port=${port},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${port + 1},bindaddr=127.0.0.1`, ...flags];
    }
    const child: ChildProcess = spawn('swtpm', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let dead = false;
    void exited.then(() => (dead = true));
    const deadline = Date.now() + 10_000;
    let up = false;
    while (!dead && Date.now() < deadline) {
      up = socketPath ? existsSync(socketPath) && (await canConnect({ path: `${socketPath}.ctrl` })) : await canConnect({ host: '127.0.0.1', port: port! + 1 });
      if (up) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!up) {
      child.kill('SIGKILL');
      await exited;
      if (attempt < 4 && /in use|bind/i.test(stderr)) continue;
      rmSync(stateDir, { recursive: true, force: true });
      throw new Error(`swtpm did not start: ${stderr.trim() || 'no output'}`);
    }
    let stopped = false;
    const spec = socketPath ? `swtpm:unix://${socketPath}` : `swtpm:tcp://127.0.0.1:${port}`;
    return {
      spec,
      tcti: socketPath ? `swtpm:path=${socketPath}` : `swtpm:host=127.0.0.1,port=${port}`,
      port,
      socketPath,
      pid: child.pid!,
      stateDir,
      exited,
      open: (o?: TpmOptions) => Tpm.open(spec, { timeoutMs: 30_000, ...o }),
      async stop() {
        if (stopped) return;
        stopped = true;
        if (!dead) {
          process.kill(child.pid!, 'SIGTERM');
          const t = setTimeout(() => {
            if (!dead) process.kill(child.pid!, 'SIGKILL');
          }, 2000);
          await exited;
          clearTimeout(t);
        }
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  }
  throw new Error('swtpm did not start after 5 attempts');
}

/** Run a tpm2-tools command against `swtpm`; returns stdout; throws with stderr on failure. */
export function tpm2(swtpm: SwtpmInstance, tool: string, args: string[], cwd?: string): string {
  requireTool(tool, ['--version']);
  const r = spawnSync(tool, args, { encoding: 'utf8', cwd, timeout: 30_000, env: { ...process.env, TPM2TOOLS_TCTI: swtpm.tcti, TSS2_LOG: 'all+NONE' } });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
