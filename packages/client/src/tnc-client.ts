/**
 * The `tnc-client` executable: runs the command with the process's arguments, signals and standard streams, with the
 * network stack of `defaultStartSession`.
 */
import { runTncClient } from './cli/tnc-client.js';
import { defaultStartSession } from './cli/default-stack.js';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') return; // a reader that went away (tnc-client status | head): keep running the session
    throw e;
  });
}

const code = await runTncClient(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  stderrIsTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns,
}, { startSession: defaultStartSession });
process.exitCode = code;
// A stack that leaves a handle open must not keep the process alive after the session is closed.
setTimeout(() => process.exit(code), 2000).unref();
