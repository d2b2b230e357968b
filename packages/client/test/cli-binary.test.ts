/**
 * The BUILT `tncjs` executable (packages/client/dist/cli.js) in a child process: what users run. The suite runs after
 * `npm run build`; a missing build is a failure, not a skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex } from '@tncjs/common';
import { decodeBatchToJson } from '../src/cli/decode.js';
import { REPO_ROOT, vectorFiles } from './helpers.js';

const CLI = join(REPO_ROOT, 'packages/client/dist/cli.js');
const CAPTURE = vectorFiles()[1].batches[2]; // pts-attestation: client CDATA with TCG attributes

function requireBuild(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build first (cd ${REPO_ROOT} && npm run build), then run the tests again`);
  }
}

/** Run the built command; NODE_OPTIONS (jest's --experimental-vm-modules) is not passed on. */
function tncjs(args: string[], input?: string | Uint8Array) {
  requireBuild();
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [CLI, ...args], { input, env, cwd: REPO_ROOT, timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout.toString('utf8'), stdoutBytes: new Uint8Array(r.stdout), stderr: r.stderr.toString('utf8') };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tncjs-binary-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('dist/cli.js is built, executable and starts with #!/usr/bin/env node', () => {
  requireBuild();
  expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  expect(statSync(CLI).mode & 0o111).not.toBe(0);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/client/package.json'), 'utf8')) as { bin: Record<string, string> };
  expect(pkg.bin).toEqual({ tncjs: './dist/cli.js', 'tnc-client': './dist/tnc-client.js' });
});

const TNC_CLIENT = join(REPO_ROOT, 'packages/client/dist/tnc-client.js');

function tncClient(args: string[], env: Record<string, string> = {}) {
  requireBuild();
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [TNC_CLIENT, ...args], { env: e, cwd: REPO_ROOT, timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

test('dist/tnc-client.js is built and executable: --help exit 0, a usage error exit 2, a password on argv refused', () => {
  expect(existsSync(TNC_CLIENT)).toBe(true);
  expect(readFileSync(TNC_CLIENT, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  expect(statSync(TNC_CLIENT).mode & 0o111).not.toBe(0);
  const help = tncClient(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('SYNOPSIS');
  expect(tncClient(['up']).code).toBe(2);
  const pw = tncClient(['connect', '--host', '192.168.0.1', '--password', 'hunter2']);
  expect(pw.code).toBe(2);
  expect(pw.stderr).toContain('refusing a password on the command line');
  expect(pw.stderr).not.toContain('hunter2');
});

test('tncjs decode pb-tnc <file>: exit 0 and the same JSON as the sources give', () => {
  const file = join(tmp, 'capture.hex');
  writeFileSync(file, CAPTURE.hex + '\n');
  const r = tncjs(['decode', 'pb-tnc', file]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json).toEqual(decodeBatchToJson(fromHex(CAPTURE.hex)));
  expect(json).toMatchObject({ version: 2, direction: 'client', type: 'CDATA', length: CAPTURE.bytes });
  expect(r.stdout).toContain('"name": "TCG/Max Attribute Size Response"');
});

test('tncjs encode pb-tnc --binary -: the captured bytes on standard output', () => {
  const json = tncjs(['decode', 'pb-tnc', '-'], CAPTURE.hex).stdout;
  const r = tncjs(['encode', 'pb-tnc', '--binary', '-'], json);
  expect(r.code).toBe(0);
  expect(toHex(r.stdoutBytes)).toBe(CAPTURE.hex);
});

test('garbage on standard input (-): exit 2, one line, no stack trace', () => {
  const r = tncjs(['decode', 'pb-tnc', '-'], 'this is not a batch\n');
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe("tncjs: invalid hex input: unexpected character 't' at position 0\n");
  const bin = tncjs(['decode', 'pb-tnc', '-'], new Uint8Array([0x02, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00]));
  expect(bin.code).toBe(2);
  expect(bin.stderr).toMatch(/^tncjs: invalid PB-TNC batch: .* at offset 4\n$/);
});

test('--help: exit 0; a usage error: exit 2', () => {
  const help = tncjs(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('SYNOPSIS');
  const usage = tncjs(['decode']);
  expect(usage.code).toBe(2);
  expect(usage.stderr.split('\n')[1]).toMatch(/^usage: tncjs /);
});
