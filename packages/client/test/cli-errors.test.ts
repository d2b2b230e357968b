/**
 * `tncjs` on malformed input and bad command lines: exit status 2 and exactly one `tncjs: <reason>` line (plus a
 * `usage:` line for usage errors), decode errors with their byte offset (RFC 5793 §4.9 / RFC 5792 §4.2.8 offsets),
 * the 16 MiB input cap, and never a stack trace.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '@tncjs/common';
import { MessageRegistry } from '@tncjs/pb-tnc';
import { run } from '../src/cli/main.js';
import { MAX_INPUT_BYTES } from '../src/cli/input.js';
import { decodeBatchToJson } from '../src/cli/decode.js';
import { runCli, vectorFiles, type CliResult } from './helpers.js';

const CAPTURE = vectorFiles()[0].batches[0].hex; // 266-byte client CDATA batch

/** The one-line failure contract. */
function expectInputError(r: CliResult, reason: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderrLines).toHaveLength(1);
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderrLines[0]).toMatch(/^tncjs: \S/);
  expect(r.stderrLines[0]).toMatch(reason);
  expectNoStack(r);
}

function expectNoStack(r: CliResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at |\.[cm]?[jt]s:\d+|Error:/);
}

function expectUsageError(r: CliResult, reason: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderrLines).toHaveLength(2);
  expect(r.stderrLines[0]).toMatch(/^tncjs: /);
  expect(r.stderrLines[0]).toMatch(reason);
  expect(r.stderrLines[1]).toMatch(/^usage: tncjs /);
  expectNoStack(r);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tncjs-errors-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('decode pb-tnc: malformed input → exit 2, one line with the offset', () => {
  test.each([
    ['odd number of hex digits', '020000060000000\n', /^tncjs: invalid hex input: odd number of hex digits \(15\)$/],
    ['text that is not hex', '0x0200000600000008', /^tncjs: invalid hex input: unexpected character 'x' at position 1$/],
    ['empty input', '', /^tncjs: empty input$/],
    ['only white space', ' \n\t\n', /^tncjs: empty input/],
    ['batch shorter than its header', '02000006000000', /^tncjs: invalid PB-TNC batch: .*too short \(7 bytes\) at offset 0$/],
    [
      'truncated capture (last 10 bytes missing)',
      CAPTURE.slice(0, -20),
      /^tncjs: invalid PB-TNC batch: .*length field \(266\) does not match received length \(256\) at offset 4$/,
    ],
    [
      'PB-PA message truncated inside its value',
      '020000010000001c' + '80000000' + '00000001' + '00000014' + '0000000000000001',
      /^tncjs: invalid PB-TNC batch: .*IETF\/PB-PA: truncated .* at offset 28$/,
    ],
    ['wrong batch length field', '0200000600000010', /^tncjs: invalid PB-TNC batch: .*length field \(16\) does not match received length \(8\) at offset 4$/],
    [
      'message length field beyond the batch',
      '020000010000001400000000000000060000001f',
      /^tncjs: invalid PB-TNC batch: .*invalid length 31 of IETF\/PB-Language-Preference at offset 16$/,
    ],
    ['unsupported version', '0300000600000008', /^tncjs: invalid PB-TNC batch: unsupported PB-TNC version 3 at offset 0$/],
    ['unknown batch type', '0200000900000008', /^tncjs: invalid PB-TNC batch: unknown PB-TNC batch type 9 at offset 3$/],
  ])('%s', async (_name, input, reason) => {
    expectInputError(await runCli(['decode', 'pb-tnc', '-'], input), reason);
  });

  test('binary garbage', async () => {
    expectInputError(await runCli(['decode', 'pb-tnc', '-'], new Uint8Array([0xff, 0x00, 0x13, 0x37])), /^tncjs: invalid PB-TNC batch: .* at offset 0$/);
  });

  test('a wrapped decode error names its offset once', async () => {
    const r = await runCli(['decode', 'pb-tnc', '-'], '020000010000001c' + '80000000' + '00000001' + '00000014' + '0000000000000001');
    expect(r.stderr.match(/at offset/g)).toHaveLength(1);
  });
});

describe('decode pa-tnc: malformed input', () => {
  test.each([
    ['unsupported version', '0200000000000001', /^tncjs: invalid PA-TNC message: PA-TNC version 2 not supported at offset 0$/],
    ['shorter than its header', '010000', /^tncjs: invalid PA-TNC message: .*too short \(3 bytes\) at offset 0$/],
    ['attribute header cut short', '0100000000000001' + '00000000000002', /^tncjs: invalid PA-TNC message: .* at offset 8$/],
    [
      'attribute length beyond the message',
      '0100000000000001' + '00000000' + '00000002' + '000000ff',
      /^tncjs: invalid PA-TNC message: .*invalid length 255 of IETF\/Product Information at offset 16$/,
    ],
  ])('%s', async (_name, input, reason) => {
    expectInputError(await runCli(['decode', 'pa-tnc', '-'], input), reason);
  });
});

describe('encode: malformed JSON → exit 2, one line naming the field', () => {
  const close = { version: 2, direction: 'client', type: 'CLOSE', length: 8, messages: [] as unknown[] };
  const withMessage = (m: unknown) => JSON.stringify({ ...close, type: 'CDATA', messages: [m] });

  test.each([
    ['garbage inline', '{garbage', /^tncjs: invalid JSON: /],
    ['text after the JSON', '{"direction":"client"} trailing', /^tncjs: invalid JSON: /],
    ['bad direction', JSON.stringify({ ...close, direction: 'up' }), /^tncjs: invalid PB-TNC batch JSON: batch\.direction: expected "client" or "server", got "up"$/],
    ['unknown batch type', JSON.stringify({ ...close, type: 'BOGUS' }), /^tncjs: invalid PB-TNC batch JSON: batch\.type: expected one of CDATA, SDATA, RESULT, CRETRY, SRETRY, CLOSE/],
    ['messages missing', JSON.stringify({ ...close, messages: undefined }), /^tncjs: invalid PB-TNC batch JSON: batch\.messages: expected array, got nothing$/],
    [
      'a value field of the wrong type',
      withMessage({ vendorId: 0, type: 6, noskip: false, value: { languagePreference: 5 } }),
      /^tncjs: invalid PB-TNC batch JSON: batch\.messages\[0\]\.value\.languagePreference: expected string, got 5$/,
    ],
    [
      'vendor ID out of range',
      withMessage({ vendorId: 0x1000000, type: 6, value: {} }),
      /^tncjs: invalid PB-TNC batch JSON: batch\.messages\[0\]\.vendorId: expected integer 0\.\.16777215, got 16777216$/,
    ],
    [
      'an unknown type without raw',
      withMessage({ vendorId: 0, type: 0x42, value: {} }),
      /^tncjs: invalid PB-TNC batch JSON: batch\.messages\[0\]: 'IETF\/0x00000042' 0x000000\/0x00000042 has no codec here; give its value as "raw" hex$/,
    ],
    ['both value and raw', withMessage({ vendorId: 0, type: 6, value: {}, raw: '' }), /batch\.messages\[0\]: give either "value" or "raw", not both$/],
    ['bad raw hex', withMessage({ vendorId: 0, type: 0x42, raw: 'xyz' }), /batch\.messages\[0\]\.raw: expected hex string, got "xyz"$/],
    ['bad noskip', withMessage({ vendorId: 0, type: 0x42, noskip: 'yes', raw: '' }), /batch\.messages\[0\]\.noskip: expected boolean, got "yes"$/],
    [
      'bad hex inside a custom codec (PB-Error parameters)',
      withMessage({ vendorId: 0, type: 5, value: { errorVendorId: 0, errorCode: 1, parameters: 'zz' } }),
      /^tncjs: invalid PB-TNC batch JSON: batch\.messages\[0\]\.value\.parameters: expected hex string$/,
    ],
    [
      'a bad attribute inside paMessage',
      withMessage({
        vendorId: 0,
        type: 1,
        value: { flags: {}, paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: '' },
        paMessage: { version: 1, identifier: '0x00000001', attributes: [{ vendorId: 0, type: 2, value: { productVendorId: 0, productId: 0, productName: null } }] },
      }),
      /^tncjs: invalid PB-TNC batch JSON: batch\.messages\[0\]\.paMessage\.attributes\[0\]\.value\.productName: expected string, got null$/,
    ],
    [
      'paMessage on a message that is not PB-PA',
      withMessage({ vendorId: 0, type: 6, value: { languagePreference: 'Accept-Language: en' }, paMessage: {} }),
      /batch\.messages\[0\]\.paMessage: only an IETF\/PB-PA message given by "value" can carry a paMessage$/,
    ],
    [
      'bad PA message identifier',
      withMessage({
        vendorId: 0,
        type: 1,
        value: { flags: {}, paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff },
        paMessage: { identifier: 'abc', attributes: [] },
      }),
      /batch\.messages\[0\]\.paMessage\.identifier: expected "0x" and up to 8 hex digits, or an integer, got "abc"$/,
    ],
  ])('%s', async (_name, json, reason) => {
    expectInputError(await runCli(['encode', 'pb-tnc', json]), reason);
  });

  test('garbage JSON on standard input', async () => {
    expectInputError(await runCli(['encode', 'pb-tnc', '-'], 'garbage\n'), /^tncjs: invalid JSON: /);
  });

  test('JSON that is not an object', async () => {
    expectInputError(await runCli(['encode', 'pb-tnc', '-'], '[1, 2]'), /^tncjs: invalid PB-TNC batch JSON: batch: expected object, got \[1,2\]$/);
  });

  test('input that is not UTF-8', async () => {
    expectInputError(await runCli(['encode', 'pb-tnc', '-'], new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /^tncjs: input is not UTF-8 text$/);
  });

  test('an out-of-range field of a custom codec names its path', async () => {
    const json = {
      version: 1,
      identifier: 1,
      attributes: [{ vendorId: 0, type: 8, value: { errorVendorId: 0, errorCode: 3, messageHeader: '0100000000000001', attribute: { flags: 300, vendorId: 0, typeId: 1 } } }],
    };
    expectInputError(
      await runCli(['encode', 'pa-tnc', JSON.stringify(json)]),
      /^tncjs: invalid PA-TNC message JSON: message\.attributes\[0\]\.value\.attribute\.flags: expected integer 0\.\.255$/,
    );
  });

  test('a value the writer refuses (RangeError) names the attribute', async () => {
    // Operational Status' last-use time is a fixed 20-byte field: fromJSON takes any string, the writer refuses it
    const json = { version: 1, identifier: 1, attributes: [{ vendorId: 0, type: 5, value: { status: 3, result: 1, lastUse: 'yesterday' } }] };
    expectInputError(await runCli(['encode', 'pa-tnc', JSON.stringify(json)]), /^tncjs: invalid PA-TNC message JSON: message\.attributes\[0\]: string must be 20 long, is 9$/);
  });

  test('a long offending value is cut, the line stays one line', async () => {
    const json = withMessage({ vendorId: 0, type: 6, value: { languagePreference: { long: 'x\n'.repeat(5000) } } });
    const r = await runCli(['encode', 'pb-tnc', json]);
    expectInputError(r, /…$/);
    expect(r.stderr.length).toBeLessThan(400);
  });
});

describe('files and size limits', () => {
  test('a missing file', async () => {
    expectInputError(await runCli(['decode', 'pb-tnc', join(tmp, 'nope.hex')]), /^tncjs: cannot read '.*nope\.hex': no such file or directory$/);
  });

  test('a directory', async () => {
    expectInputError(await runCli(['encode', 'pb-tnc', tmp]), /^tncjs: cannot read '.*': is a directory$/);
  });

  test(`standard input over ${MAX_INPUT_BYTES} bytes (16 MiB) is refused`, async () => {
    expect(MAX_INPUT_BYTES).toBe(16 * 1024 * 1024);
    expectInputError(await runCli(['decode', 'pb-tnc', '-'], new Uint8Array(MAX_INPUT_BYTES + 1)), /^tncjs: input is larger than 16 MiB \(the limit\)$/);
  });

  test('exactly 16 MiB is read (and then fails as a batch, not on size)', async () => {
    const r = await runCli(['decode', 'pb-tnc', '-'], new Uint8Array(MAX_INPUT_BYTES));
    expectInputError(r, /invalid PB-TNC batch/);
  });

  test('a stream is not read past the limit', async () => {
    let chunks = 0;
    let released = false;
    async function* endless() {
      try {
        for (;;) {
          chunks++;
          yield new Uint8Array(1024);
        }
      } finally {
        released = true;
      }
    }
    let stderr = '';
    const code = await run(['decode', 'pb-tnc', '-'], { stdin: endless(), stdout: () => {}, stderr: (s) => void (stderr += s) }, { maxInputBytes: 10 * 1024 });
    expect(code).toBe(2);
    expect(stderr).toBe('tncjs: input is larger than 10240 bytes (the limit)\n');
    expect(chunks).toBe(11);
    expect(released).toBe(true);
  });

  test('files and inline JSON are capped too', async () => {
    writeFileSync(join(tmp, 'big.hex'), '00'.repeat(20));
    expectInputError(await runCli(['decode', 'pb-tnc', join(tmp, 'big.hex')], '', { maxInputBytes: 16 }), /larger than 16 bytes/);
    expectInputError(await runCli(['encode', 'pb-tnc', '{"direction":"client","type":"CLOSE","messages":[]}'], '', { maxInputBytes: 16 }), /larger than 16 bytes/);
  });
});

describe('usage', () => {
  test.each([
    [[], /^tncjs: missing command/],
    [['frob'], /^tncjs: unknown command 'frob'/],
    [['decode'], /^tncjs: missing format after 'decode'/],
    [['decode', 'pt-tls', 'x'], /^tncjs: unknown format 'pt-tls'/],
    [['decode', 'pb-tnc'], /^tncjs: missing input/],
    [['decode', 'pb-tnc', 'a', 'b'], /^tncjs: unexpected argument 'b'/],
    [['decode', 'pb-tnc', '--verbose', 'a'], /^tncjs: unknown option '--verbose'/],
    [['decode', 'pb-tnc', '--binary', 'a'], /^tncjs: --binary only applies to encode/],
  ])('%j', async (argv, reason) => {
    expectUsageError(await runCli(argv as string[]), reason);
  });

  test.each([[['--help']], [['-h']], [['help']], [['decode', 'pb-tnc', '--help']], [['frob', '--help']]])('%j prints the manual, exit 0', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS', 'LIMITS', 'SECURITY', 'EXAMPLES']) {
      expect(r.stdout).toMatch(new RegExp(`^${section}$`, 'm'));
    }
    expect(r.stdout).toContain('tncjs decode pb-tnc <file|->');
  });
});

test('an internal failure (a bug) → exit 1, one line, no stack', async () => {
  class Broken extends MessageRegistry {
    override get(): never {
      throw new Error('boom');
    }
  }
  const r = await runCli(['decode', 'pb-tnc', '-'], CAPTURE, { messageRegistry: new Broken() });
  expect(r.code).toBe(1);
  expect(r.stderrLines).toEqual(['tncjs: internal error (please report): Error: boom']);
});

test('the captures themselves are fine (control)', () => {
  expect(decodeBatchToJson(fromHex(CAPTURE)).messages).toHaveLength(2);
});
