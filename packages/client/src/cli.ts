/**
 * The `tncjs` executable: runs the command with the process's arguments and standard streams and sets the exit code
 * (`process.exit` only when the output pipe is gone, so buffered output is always flushed).
 */
import { run } from './cli/main.js';

// Output piped into a reader that stops early (`tncjs decode … | head`): stop quietly, as Unix tools do. Any other
// write error gets the usual one line, never a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') process.stderr.write(`tncjs: cannot write output: ${e.message}\n`);
  process.exit(e.code === 'EPIPE' ? (process.exitCode ?? 0) : 1);
});

process.exitCode = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
});
