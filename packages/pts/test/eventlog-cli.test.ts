/**
 * `tncjs eventlog <file> [--json]` in-process: output like tpm2_eventlog (events, decoded data, `pcrs:`), the JSON
 * shape `{ entries, pcrs }`, exit codes, one-line errors with offsets, warnings on stderr.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replayEventLog } from '../src/eventlog/index.js';
import { runEventlogCli, type MeasurementCliIo } from '../src/eventlog/index.js';

const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const path = (rel: string) => fileURLToPath(new URL(rel, VECTORS));
const TT = 'tpm2-software-tpm2-tools/test/integration/fixtures/';

async function cli(argv: string[], extra: Partial<MeasurementCliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runEventlogCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), ...extra });
  return { code, stdout, stderr };
}

describe('tncjs eventlog', () => {
  test('text: every event with PCR, type name, digests per bank, decoded data; then pcrs: per bank', async () => {
    const { code, stdout, stderr } = await cli([path(`${TT}event-uefivar.bin`)]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('format: TCG crypto-agile (TCG_PCR_EVENT2)');
    expect(stdout).toContain('Event 0: PCR 0, No Action (EV_NO_ACTION), offset 0');
    expect(stdout).toContain('Event 1: PCR 7, EFI Variable Driver Config (EV_EFI_VARIABLE_DRIVER_CONFIG)');
    expect(stdout).toMatch(/ {2}sha256: [0-9a-f]{64}\n/); // the Spec ID event declares 4 banks, the event carries 2
    expect(stdout).toContain('    unicodeName: SecureBoot');
    expect(stdout).toContain('    variableName: 8be4df61-93ca-11d2-aa0d-00e098032b8c');
    const yaml = readFileSync(path(`${TT}event-pretty/event-uefivar.bin.yaml`), 'utf8');
    expect(stdout.slice(stdout.indexOf('pcrs:'))).toBe(yaml.slice(yaml.lastIndexOf('pcrs:')).replace(/\n*$/, '\n'));
  });

  test('text: device paths and strings', async () => {
    const { code, stdout } = await cli([path(`${TT}event-gce-ubuntu-2104-log.bin`)]);
    expect(code).toBe(0);
    expect(stdout).toContain('devicePath: PciRoot(0x0)/Pci(0x3,0x0)/SCSI(1,0)/HD(15,GPT,6ea6f740-25ef-4269-838d-1a6f21ebf27f,0x2800,0x35000)/File(\\EFI\\ubuntu\\shimx64.efi)');
    expect(stdout).toContain('string: GCE Virtual Firmware v1');
  });

  test('--json: { entries, pcrs } with the replay of every bank', async () => {
    const file = `${TT}event-postcode.bin`;
    const { code, stdout } = await cli([path(file), '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.entries).toHaveLength(59);
    expect(out.entries[0]).toMatchObject({ index: 0, pcrIndex: 0, eventTypeName: 'No Action', eventTypeSymbol: 'EV_NO_ACTION', event: { kind: 'SpecIdEvent' } });
    expect(out.entries[1]).toMatchObject({ digests: { sha1: expect.stringMatching(/^[0-9a-f]{40}$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(out.pcrs).toEqual(JSON.parse(JSON.stringify(replayEventLog(new Uint8Array(readFileSync(path(file)))))));
    expect(Object.keys(out.pcrs.sha256)).toContain('0');
    expect(out.format).toBe('crypto-agile');
    expect(out.warnings).toEqual([]);
  });

  test('--json on a SHA-1-format log with PCR 0xFFFFFFFF events', async () => {
    const { code, stdout } = await cli([path('google-go-attestation/attest/testdata/option_rom_eventlog'), '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.format).toBe('sha1');
    expect(out.entries.some((e: { pcrIndex: number }) => e.pcrIndex === 4294967295)).toBe(true);
    expect(Object.keys(out.pcrs)).toEqual(['sha1']);
  });

  test('malformed log: exit 2, one tncjs: line with the offset, nothing on stdout', async () => {
    const { code, stdout, stderr } = await cli([path('keylime-keylime/test/data/create-mb-policy/binary_bios_measurements-bogus')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('tncjs: invalid TCG event log: event 0: invalid PCR index 1969712994 (0x75676f62) at offset 0\n');
  });

  test('absurd eventSize: exit 2 at once', async () => {
    const bytes = new Uint8Array(readFileSync(path(`${TT}event-uefivar.bin`)));
    new DataView(bytes.buffer).setUint32(bytes.length - 53 - 4, 0xffffffff, true); // the last event's eventSize
    const { code, stderr } = await cli(['log.bin'], { readFile: () => bytes });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^tncjs: invalid TCG event log: event \d+: eventSize 4294967295 exceeds the limit of 1048576 bytes at offset \d+\n$/);
  });

  test('cut-off log: exit 0 with a warning on stderr; --strict: exit 2', async () => {
    const bytes = new Uint8Array(readFileSync(path(`${TT}event-uefivar.bin`))).subarray(0, 190);
    const lenient = await cli(['cut.bin'], { readFile: () => bytes });
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/^tncjs: warning: event 1 is cut off: \d+ trailing bytes ignored at offset \d+\n$/);
    const strict = await cli(['cut.bin', '--strict'], { readFile: () => bytes });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^tncjs: invalid TCG event log: event 1: log ends inside the event .* at offset \d+\n$/);
  });

  test('standard input with -', async () => {
    const bytes = new Uint8Array(readFileSync(path(`${TT}event.bin`)));
    const { code, stdout } = await cli(['-', '--json'], { stdin: async () => bytes });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).entries).toHaveLength(2);
  });

  test('usage errors and help', async () => {
    expect(await cli([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tncjs: missing event log file\nusage: tncjs eventlog/) });
    expect(await cli(['a', 'b'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tncjs: too many arguments/) });
    expect(await cli(['a', '--bogus'])).toMatchObject({ code: 2, stderr: "tncjs: unknown option '--bogus'\n" });
    expect(await cli(['/nonexistent/log.bin'])).toMatchObject({ code: 2, stderr: "tncjs: cannot read '/nonexistent/log.bin': no such file or directory\n" });
    expect(await cli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: tncjs eventlog/) });
  });

  test('empty log: exit 2', async () => {
    const { code, stderr } = await cli([path('keylime-keylime/test/data/create-mb-policy/binary_bios_measurements-empty')]);
    expect(code).toBe(2);
    expect(stderr).toBe('tncjs: invalid TCG event log: event 0: empty event log at offset 0\n');
  });
});
