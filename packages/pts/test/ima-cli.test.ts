/**
 * `tncjs ima <file> [--json] [--pcrs <file>] [--bank <alg>]` in-process: entries in the kernel's ascii layout, PCR 10
 * replay in any bank, template-hash results, the boot_aggregate check against a TCG event log or JSON PCRs, exit codes
 * and one-line errors with offsets.
 */
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex } from '@tncjs/common';
import { dngField, encodeImaLog, nngField, runImaCli } from '../src/ima/index.js';
import type { MeasurementCliIo } from '../src/eventlog/index.js';

const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const path = (rel: string) => fileURLToPath(new URL(rel, VECTORS));
const IBM = 'kgoldman-ibmtss/utils/';
const ATT = 'google-go-tpm-tools/internal/test/attestations/gce-cos-85-nonce9009';
const KNOWN = readFileSync(path(`${IBM}imakvtpcr10.txt`), 'utf8').trim().split('\n').map((l) => l.replace(/^\s*PCR 10:/, '').replace(/\s+/g, ''));

async function cli(argv: string[], files: Record<string, Uint8Array | string> = {}, extra: Partial<MeasurementCliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const readFile = Object.keys(files).length
    ? (p: string) => {
        const f = files[p];
        if (f === undefined) return new Uint8Array(readFileSync(p));
        return typeof f === 'string' ? new TextEncoder().encode(f) : f;
      }
    : undefined;
  const code = await runImaCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), ...(readFile ? { readFile } : {}), ...extra });
  return { code, stdout, stderr };
}

/** An IMA list whose boot_aggregate is the sha256 value over PCRs 0-9 that the GCE vTPM quoted. */
function listForGce(correct = true): Uint8Array {
  const quoted = JSON.parse(readFileSync(path(`${ATT}.decoded.derived.json`), 'utf8')) as { quotes: { bank: string; pcrs: Record<string, string> }[] };
  const pcrs = quoted.quotes.find((q) => q.bank === 'sha256')!.pcrs;
  const h = createHash('sha256');
  for (let i = 0; i <= (correct ? 9 : 7); i++) h.update(fromHex(pcrs[String(i)]));
  return encodeImaLog([
    { templateName: 'ima-ng', fields: [dngField('sha256', new Uint8Array(h.digest())), nngField('boot_aggregate')] },
    { templateName: 'ima-ng', fields: [dngField('sha256', new Uint8Array(32).fill(7)), nngField('/usr/bin/true')] },
  ]);
}

describe('tncjs ima', () => {
  test('text: 362 entries in the ascii layout, template hashes, PCR 10 (from disk, streamed)', async () => {
    const { code, stdout, stderr } = await cli([path(`${IBM}sha1.log`)]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('10 06685e8b1f967c606ea19e87c0d360877410bbf5 ima-sig sha256:8c84a9518e30ce8b12c9c54f54d805808551efccb15728c9453343a802ef5257 boot_aggregate');
    expect(stdout).toContain('entries: 362, violations: 0\ntemplate hashes (sha1): 362 ok, 0 mismatch, 0 violations\n');
    expect(stdout).toContain(`pcrs:\n  sha1:\n    10 : 0x${KNOWN[0]}\n`);
  });

  test('--bank: PCR 10 in any bank, from the SHA-256 per-bank list', async () => {
    const { code, stdout } = await cli([path(`${IBM}sha256.log`), '--json', '--bank', 'sha1,sha256,sha384,sha512']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.pcrs).toEqual({ sha1: { 10: KNOWN[0] }, sha256: { 10: KNOWN[1] }, sha384: { 10: KNOWN[2] }, sha512: { 10: KNOWN[3] } });
    expect(out.templateHashAlgorithm).toBe('sha256');
    expect(out.summary).toEqual({ entries: 362, violations: 0, templateHashes: { ok: 362, mismatch: 0, violation: 0 } });
    expect(out.entries).toHaveLength(362);
    expect(out.entries[0]).toMatchObject({
      index: 0,
      offset: 0,
      pcrIndex: 10,
      templateName: 'ima-sig',
      templateHash: 'ok',
      violation: false,
      fileName: 'boot_aggregate',
      fileDigest: { algorithm: 'sha256', digest: '8c84a9518e30ce8b12c9c54f54d805808551efccb15728c9453343a802ef5257' },
      fields: { 'd-ng': 'sha256:8c84a9518e30ce8b12c9c54f54d805808551efccb15728c9453343a802ef5257', 'n-ng': 'boot_aggregate' },
    });
  });

  test('--pcrs <TCG event log>: "boot aggregate value is correct"', async () => {
    const { code, stdout, stderr } = await cli(['ima.bin', '--pcrs', path(`${ATT}.event_log.derived.bin`)], { 'ima.bin': listForGce() });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('boot_aggregate (sha256, PCRs 0-9): correct\n');
    expect(stdout).toContain('00[PTS] boot aggregate value is correct\n');
  });

  test('--pcrs <JSON> (tncjs eventlog --json output or a bare bank map); --json carries the verdict', async () => {
    const quoted = JSON.parse(readFileSync(path(`${ATT}.decoded.derived.json`), 'utf8')) as { quotes: { bank: string; pcrs: Record<string, string> }[] };
    const pcrs = { sha256: quoted.quotes.find((q) => q.bank === 'sha256')!.pcrs };
    const { code, stdout } = await cli(['ima.bin', '--pcrs', 'pcrs.json', '--json'], { 'ima.bin': listForGce(), 'pcrs.json': JSON.stringify({ pcrs }) });
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.bootAggregate).toMatchObject({ ok: true, algorithm: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    expect(out.pcrCheck).toEqual([]); // only the list's sha1 bank was replayed, and no sha1 values were given
    // replayed in sha256, PCR 10 is compared: the quoted PCR 10 is that machine's real IMA PCR, not this list's
    const again = await cli(['ima.bin', '--pcrs', 'pcrs.json', '--json', '--bank', 'sha256'], { 'ima.bin': listForGce(), 'pcrs.json': JSON.stringify(pcrs) });
    expect(JSON.parse(again.stdout).pcrCheck).toEqual([{ bank: 'sha256', pcr: 10, expected: pcrs.sha256['10'], replayed: expect.any(String), ok: false }]);
    expect(again.code).toBe(3);
  });

  test('incorrect boot_aggregate: exit 3 and the strongSwan line', async () => {
    const { code, stdout } = await cli(['ima.bin', '--pcrs', path(`${ATT}.event_log.derived.bin`)], { 'ima.bin': listForGce(false) });
    expect(code).toBe(3);
    expect(stdout).toMatch(/boot_aggregate \(sha256, PCRs 0-9\): INCORRECT: computed [0-9a-f]{64}, logged [0-9a-f]{64}\n/);
    expect(stdout).toContain('00[PTS] boot aggregate value is incorrect\n');
  });

  test('a template hash mismatch: exit 3, marked on the entry and listed in the summary', async () => {
    const list = encodeImaLog([{ templateName: 'ima-ng', fields: [dngField('sha1', new Uint8Array(20)), nngField('/x')], templateDigest: new Uint8Array(20).fill(9) }]);
    const { code, stdout } = await cli(['l'], { l: list });
    expect(code).toBe(3);
    expect(stdout).toContain('/x  [template hash MISMATCH]\n');
    expect(stdout).toContain('template hashes (sha1): 0 ok, 1 mismatch, 0 violations\n  template hash mismatch: entry 0 at offset 0\n');
  });

  test('violations and trailing bytes (tpm2-tss samples)', async () => {
    const v = await cli([path('tpm2-software-tpm2-tss/test/data/fapi/eventlog/sml-ima-sig-sha256-invalidated.bin')]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('  [violation]\n');
    expect(v.stdout).toContain('entries: 2, violations: 1\n');
    const t = await cli([path('tpm2-software-tpm2-tss/test/data/fapi/eventlog/sml-ima-sig-sha256.bin')]);
    expect(t.code).toBe(0);
    expect(t.stderr).toBe('tncjs: warning: entry 9 is cut off: 6 trailing bytes ignored at offset 987\n');
  });

  test('malformed list: exit 2, one line with the offset', async () => {
    const { code, stdout, stderr } = await cli([path('tpm2-software-tpm2-tss/test/data/fapi/eventlog/sml-ima-ng-sha1-invalidated.bin')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('tncjs: invalid IMA measurement list: IMA entry 0: list ends inside its first entry (86 bytes) at offset 0\n');
    const big = new Uint8Array(readFileSync(path(`${IBM}sha1.log`)));
    new DataView(big.buffer).setUint32(4 + 20 + 4 + 7, 0xffffffff, true);
    const r = await cli(['big'], { big });
    expect(r).toMatchObject({ code: 2, stderr: 'tncjs: invalid IMA measurement list: IMA entry 0: template data length 4294967295 exceeds the limit of 1048576 bytes at offset 35\n' });
  });

  test('usage errors', async () => {
    expect(await cli([])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tncjs: missing IMA measurement list file\nusage: tncjs ima/) });
    expect(await cli(['x', '--bank', 'md4'])).toMatchObject({ code: 2, stderr: "tncjs: unknown PCR bank 'md4'\n" });
    expect(await cli(['x', '--pcrs'])).toMatchObject({ code: 2, stderr: 'tncjs: option --pcrs needs a value\n' });
    expect(await cli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: tncjs ima/) });
    const noBank = await cli(['ima.bin', '--pcrs', 'p.json'], { 'ima.bin': listForGce(), 'p.json': '{"sha1": {"0": "' + '00'.repeat(20) + '"}}' });
    expect(noBank).toMatchObject({ code: 2, stderr: 'tncjs: cannot check boot_aggregate: no sha256 PCR values given for the sha256 boot_aggregate\n' });
    const badJson = await cli(['ima.bin', '--pcrs', 'p.json'], { 'ima.bin': listForGce(), 'p.json': '{"sha256": {"0": "xyz"}}' });
    expect(badJson).toMatchObject({ code: 2, stderr: 'tncjs: PCR JSON: sha256 PCR 0 is not a 32-byte hex value\n' });
  });
});
