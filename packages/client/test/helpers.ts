/** Shared test helpers: run the command in-process, and the strongSwan vectors. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeUtf8, concatBytes } from '@tncjs/common';
import { run, type RunOptions } from '../src/cli/main.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const VECTOR_DIR = `${REPO_ROOT}test-vectors/strongswan/`;

export interface VectorBatch {
  direction: 'in' | 'out';
  type: string;
  bytes: number;
  hex: string;
}

/** Every vector file (`name` without `.json`) with its batches. */
export function vectorFiles(): { name: string; batches: VectorBatch[] }[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), batches: JSON.parse(readFileSync(VECTOR_DIR + f, 'utf8')) as VectorBatch[] }));
}

export interface CliResult {
  code: number;
  stdout: string;
  stdoutBytes: Uint8Array;
  stderr: string;
  stderrLines: string[];
}

/** Run `tncjs argv` in-process with `stdin` as standard input. */
export async function runCli(argv: string[], stdin: string | Uint8Array = new Uint8Array(0), options?: RunOptions): Promise<CliResult> {
  const out: Uint8Array[] = [];
  let stderr = '';
  const code = await run(
    argv,
    {
      stdin: async () => (typeof stdin === 'string' ? encodeUtf8(stdin) : stdin),
      stdout: (s) => void out.push(typeof s === 'string' ? encodeUtf8(s) : s),
      stderr: (s) => void (stderr += s),
    },
    options,
  );
  const stdoutBytes = concatBytes(out);
  return {
    code,
    stdout: new TextDecoder().decode(stdoutBytes),
    stdoutBytes,
    stderr,
    stderrLines: stderr.split('\n').filter((l) => l !== ''),
  };
}
