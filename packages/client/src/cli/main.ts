/**
 * The `tncjs` command: argument parsing and dispatch. `run` never throws and never exits the process: it returns the
 * exit code, so tests call it in-process with their own standard input and output.
 */
import { toHex } from '@tncjs/common';
import { runEventlogCli, runImaCli } from '@tncjs/pts';
import { runAttestCli } from '@tncjs/imc-sdk';
import { runTpmCli } from '@tncjs/tss';
import { decodeBatchToJson, decodePaMessageToJson, type RegistryOptions } from './decode.js';
import { encodeBatchFromJson, encodePaMessageFromJson } from './encode.js';
import { ExitCode, describeFailure, usageError, type FailureContext } from './errors.js';
import { HELP, USAGE } from './help.js';
import {
  MAX_INPUT_BYTES,
  readInputBytes,
  wireBytesFromInput,
  jsonFromInput,
  isInlineJson,
  inlineInputBytes,
  type StdinSource,
} from './input.js';

/** Where the command reads and writes. `stdout` receives whole outputs (text, or bytes with `--binary`). */
export interface CliIo {
  /** Standard input: a stream such as `process.stdin`, or a function that returns all of it. */
  stdin: StdinSource;
  stdout: (s: string | Uint8Array) => void;
  /** Receives whole lines, each ending in `\n`. */
  stderr: (s: string) => void;
}

export interface RunOptions extends RegistryOptions {
  /** Refuse inputs larger than this many bytes (default 16 MiB). */
  maxInputBytes?: number;
}

type Command = 'decode' | 'encode';
type Format = 'pb-tnc' | 'pa-tnc';

interface Invocation {
  help: boolean;
  command?: Command;
  format?: Format;
  input?: string;
  binary: boolean;
}

type Tool = (argv: readonly string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; stdin?: never }) => Promise<number>;

/**
 * `tncjs eventlog|ima <file>` (TCG BIOS/UEFI and Linux IMA logs, @tncjs/pts), `tncjs tpm …` (@tncjs/tss) and
 * `tncjs attest <database> …` (the Attestation IMV's reference database, @tncjs/imc-sdk).
 */
const TOOLS: Record<string, Tool> = { eventlog: runEventlogCli, ima: runImaCli, tpm: runTpmCli as Tool, attest: runAttestCli };

const FORMAT_NAMES: Record<Format, string> = { 'pb-tnc': 'PB-TNC batch', 'pa-tnc': 'PA-TNC message' };

/**
 * Run `tncjs` with `argv` (the arguments after the program name).
 * @returns the exit code: 0 success, 1 internal error, 2 bad input or usage
 * @example
 * process.exitCode = await run(process.argv.slice(2), {
 *   stdin: process.stdin,
 *   stdout: (s) => process.stdout.write(s),
 *   stderr: (s) => process.stderr.write(s),
 * });
 */
export async function run(argv: readonly string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  // operator tools of the lower packages, with their own arguments
  const tool = TOOLS[argv[0]];
  if (tool) return tool(argv.slice(1), { stdout: (s) => io.stdout(s), stderr: io.stderr, stdin: io.stdin as never });
  let inv: Invocation;
  try {
    inv = parseArgs(argv);
  } catch (e) {
    return fail(e, io, { stage: 'decode', what: 'command line' });
  }
  if (inv.help) {
    io.stdout(HELP);
    return ExitCode.OK;
  }
  const command = inv.command!;
  const format = inv.format!;
  const ctx: FailureContext = { stage: command, what: FORMAT_NAMES[format] };
  try {
    const max = options.maxInputBytes ?? MAX_INPUT_BYTES;
    const input = inv.input!;
    if (command === 'decode') {
      const bytes = wireBytesFromInput(await readInputBytes(input, io.stdin, max));
      const json = format === 'pb-tnc' ? decodeBatchToJson(bytes, options) : decodePaMessageToJson(bytes, options);
      io.stdout(JSON.stringify(json, null, 2) + '\n');
    } else {
      const raw = isInlineJson(input) ? inlineInputBytes(input, max) : await readInputBytes(input, io.stdin, max);
      const json = jsonFromInput(raw);
      const bytes = format === 'pb-tnc' ? encodeBatchFromJson(json, options) : encodePaMessageFromJson(json, options);
      io.stdout(inv.binary ? bytes : toHex(bytes) + '\n');
    }
    return ExitCode.OK;
  } catch (e) {
    return fail(e, io, ctx);
  }
}

function fail(e: unknown, io: CliIo, ctx: FailureContext): number {
  const f = describeFailure(e, ctx);
  io.stderr(`tncjs: ${f.reason}\n`);
  if (f.usage) io.stderr(`${USAGE}\n`);
  return f.exitCode;
}

/** @throws CliError `ERR_USAGE` */
function parseArgs(argv: readonly string[]): Invocation {
  const inv: Invocation = { help: false, binary: false };
  const positional: string[] = [];
  let options = true;
  for (const arg of argv) {
    if (options && arg === '--') options = false;
    else if (options && (arg === '-h' || arg === '--help')) inv.help = true;
    else if (options && arg === '--binary') inv.binary = true;
    else if (options && arg.startsWith('-') && arg !== '-') throw usageError(`unknown option '${arg}'`);
    else positional.push(arg);
  }
  if (positional[0] === 'help') inv.help = true;
  if (inv.help) return inv;
  const [command, format, input, ...extra] = positional;
  if (command === undefined) throw usageError('missing command (decode or encode)');
  if (command !== 'decode' && command !== 'encode') throw usageError(`unknown command '${command}' (decode or encode)`);
  if (format === undefined) throw usageError(`missing format after '${command}' (pb-tnc or pa-tnc)`);
  if (format !== 'pb-tnc' && format !== 'pa-tnc') throw usageError(`unknown format '${format}' (pb-tnc or pa-tnc)`);
  if (input === undefined) throw usageError(`missing input (a file, - for standard input${command === 'encode' ? ', or inline JSON' : ''})`);
  if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`);
  if (inv.binary && command !== 'encode') throw usageError('--binary only applies to encode');
  return { ...inv, command, format, input };
}
