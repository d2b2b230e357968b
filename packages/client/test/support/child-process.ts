/** A command run as a child process by the client's process-level tests: output captured, killed if a test leaves it. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Proc {
  child: ChildProcess;
  /** Standard output and error so far. */
  out: () => string;
  err: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** Kill every child still running (call from `afterEach`: a test that failed half-way must not keep jest alive). */
export function killLeftovers(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

/**
 * Start `command args` with `env` (NODE_OPTIONS removed: jest's --experimental-vm-modules is not for the child), stdin
 * closed, stdout and stderr collected.
 */
export function spawnCaptured(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Proc {
  const e = { ...env };
  delete e.NODE_OPTIONS;
  const child = spawn(command, args, { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  return { child, out: () => out, err: () => err, exit };
}
