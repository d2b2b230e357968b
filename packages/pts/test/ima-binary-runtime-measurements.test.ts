/**
 * Real IMA binary measurement lists: IBM's known-good PCR 10 values (ibmtss utils/imakvtpcr10.txt, regtests
 * testevent.sh) for the SHA-1 list and the kernel 6.10+ per-bank SHA-256 list, in all four banks; every template digest
 * checks; tpm2-tss' FAPI samples with their trailing bytes, cut-off entries and violations.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DecodeError, Logger, toHex } from '@tncjs/common';
import { hashDigest as digest, hashAlgorithmByName } from '../src/eventlog/index.js';
import {
  ImaLog,
  ImaLogError,
  ImaLogParser,
  describeImaEntry,
  encodeImaLog,
  iterateImaLog,
  replayImaLog,
  streamImaLog,
  verifyTemplateDigest,
  type ImaEntry,
} from '../src/ima/index.js';

const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const vector = (rel: string): Uint8Array => new Uint8Array(readFileSync(new URL(rel, VECTORS)));
const quiet = { logger: Logger.silent };
const IBM = 'kgoldman-ibmtss/utils/';
const TSS = 'tpm2-software-tpm2-tss/test/data/fapi/eventlog/';

/** imakvtpcr10.txt: one "PCR 10: xx xx …" line per bank, sha1, sha256, sha384, sha512. */
const KNOWN_GOOD = (() => {
  const lines = readFileSync(new URL(`${IBM}imakvtpcr10.txt`, VECTORS), 'utf8').trim().split('\n');
  const values = lines.map((l) => l.replace(/^\s*PCR 10:/, '').replace(/\s+/g, ''));
  return { sha1: values[0], sha256: values[1], sha384: values[2], sha512: values[3] };
})();
const BANKS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;

describe('ibmtss known-good PCR 10 (imakvtpcr10.txt)', () => {
  test('the file has one value per bank with the bank sizes', () => {
    expect(BANKS.map((b) => KNOWN_GOOD[b].length / 2)).toEqual([20, 32, 48, 64]);
  });

  test.each([
    ['sha1.log', 'sha1', 20],
    ['sha256.log', 'sha256', 32],
  ])('%s: template digest length detected (%s), 362 ima-sig entries, every template digest checks', (file, alg, size) => {
    const log = new ImaLog(vector(IBM + file), quiet);
    expect(log.algorithm?.name).toBe(alg);
    const entries = log.entries();
    expect(entries).toHaveLength(362);
    expect(new Set(entries.map((e) => e.templateName))).toEqual(new Set(['ima-sig']));
    expect(entries.every((e) => e.templateDigest.length === size && e.pcrIndex === 10)).toBe(true);
    expect(entries.map((e) => verifyTemplateDigest(e, log.algorithm!)).filter((v) => v !== 'ok')).toEqual([]);
    expect(log.warnings).toEqual([]);
    const boot = describeImaEntry(entries[0]);
    expect(boot.fileName).toBe('boot_aggregate');
    expect(boot.fileDigest?.algorithm).toBe('sha256');
    expect(toHex(boot.fileDigest!.digest)).toBe('8c84a9518e30ce8b12c9c54f54d805808551efccb15728c9453343a802ef5257');
  });

  test.each(['sha1.log', 'sha256.log'])('%s replays PCR 10 to the known-good value in all four banks', (file) => {
    expect(replayImaLog(vector(IBM + file), { ...quiet, banks: [...BANKS] })).toEqual(
      Object.fromEntries(BANKS.map((b) => [b, { 10: KNOWN_GOOD[b] }])),
    );
  });

  test.each(['sha384', 'sha512'])('per-bank %s list (48/64-byte template digests, rebuilt from sha1.log) replays to the known-good value', (bank) => {
    // binary_runtime_measurements_sha384/_sha512 carry the same entries with that bank's template digests.
    const source = new ImaLog(vector(`${IBM}sha1.log`), quiet).entries();
    const list = encodeImaLog(
      source.map((e) => ({ pcrIndex: e.pcrIndex, templateName: e.templateName, fields: describeImaEntry(e).fields.map((f) => f.data) })),
      { templateHashAlgorithm: bank },
    );
    const log = new ImaLog(list, quiet);
    expect(log.algorithm?.name).toBe(bank);
    expect(log.entries()[0].templateDigest).toHaveLength(bank === 'sha384' ? 48 : 64);
    expect(replayImaLog(log, quiet)).toEqual({ [bank]: { 10: KNOWN_GOOD[bank as 'sha384' | 'sha512'] } });
  });

  test('pre-5.8 kernels (other banks get the SHA-1 digest zero-padded) give other values', () => {
    const padded = replayImaLog(vector(`${IBM}sha1.log`), { ...quiet, banks: ['sha256'], otherBanks: 'padded' });
    expect(padded.sha256[10]).not.toBe(KNOWN_GOOD.sha256);
  });

  test('streaming from 1000-byte chunks gives the same entries and replay', async () => {
    const bytes = vector(`${IBM}sha256.log`);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.subarray(i * 1000, i * 1000 + 1000));
    const streamed: ImaEntry[] = [];
    for await (const e of streamImaLog(chunks, quiet)) streamed.push(e);
    expect(streamed.map((e) => [e.offset, toHex(e.templateDigest)])).toEqual([...iterateImaLog(bytes, quiet)].map((e) => [e.offset, toHex(e.templateDigest)]));
    expect(replayImaLog(streamed, { listAlgorithm: 'sha256', banks: ['sha1'] })).toEqual({ sha1: { 10: KNOWN_GOOD.sha1 } });
  });
});

describe('tpm2-tss FAPI samples', () => {
  const open = (f: string) => {
    const warnings: { offset: number; entry: number; message: string }[] = [];
    const log = new ImaLog(vector(`${TSS}${f}.bin`), { ...quiet, onWarning: (w) => warnings.push(w) });
    const entries = log.entries();
    return { log, entries, warnings: log.warnings, checks: entries.map((e) => verifyTemplateDigest(e, log.algorithm!)) };
  };

  test('sml-ima-ng-sha1: 6 ima-ng entries, all digests check; 1 trailing byte is a warning with its offset', () => {
    const { entries, warnings, checks } = open('sml-ima-ng-sha1');
    expect(entries).toHaveLength(6);
    expect(entries.every((e) => e.templateName === 'ima-ng')).toBe(true);
    expect(checks).toEqual(Array(6).fill('ok'));
    expect(warnings).toEqual([{ offset: 558, entry: 6, message: 'entry 6 is cut off: 1 trailing bytes ignored' }]);
    expect(describeImaEntry(entries[0])).toMatchObject({ fileName: 'boot_aggregate', fileDigest: { algorithm: 'sha1' } });
  });

  test('sml-ima-sha1: 12 entries of the legacy "ima" template (digest over the name padded to 256 bytes)', () => {
    const { entries, warnings, checks } = open('sml-ima-sha1');
    expect(entries).toHaveLength(12);
    expect(entries.every((e) => e.templateName === 'ima')).toBe(true);
    expect(checks).toEqual(Array(12).fill('ok'));
    expect(warnings).toHaveLength(1);
    // the kernel formula, written out: SHA-1(d[20] || name zero-padded to IMA_EVENT_NAME_LEN_MAX + 1)
    const e = entries[1];
    const info = describeImaEntry(e);
    const padded = new Uint8Array(256);
    padded.set(new TextEncoder().encode(info.fileName!));
    expect(toHex(digest(hashAlgorithmByName('sha1')!, new Uint8Array([...info.fileDigest!.digest, ...padded])))).toBe(toHex(e.templateDigest));
  });

  test('sml-ima-sig-sha256: 9 complete ima-sig entries, then an entry cut off (6 bytes)', () => {
    const { entries, warnings, checks } = open('sml-ima-sig-sha256');
    expect(entries).toHaveLength(9);
    expect(checks).toEqual(Array(9).fill('ok'));
    expect(warnings[0]).toMatchObject({ entry: 9, message: 'entry 9 is cut off: 6 trailing bytes ignored' });
    expect(describeImaEntry(entries[1]).fileDigest?.algorithm).toBe('sha256');
  });

  test('strict mode: the cut-off entry is ImaLogError ERR_TRUNCATED at its offset', () => {
    const bytes = vector(`${TSS}sml-ima-sig-sha256.bin`);
    expect(() => [...iterateImaLog(bytes, { ...quiet, strict: true })]).toThrow(
      expect.objectContaining({ name: 'ImaLogError', code: 'ERR_TRUNCATED', entry: 9, offset: bytes.length - 6 }),
    );
  });

  test('sml-ima-sha1-invalidated: a violation (zero template digest) extends 0xFF…FF', () => {
    const { entries, checks } = open('sml-ima-sha1-invalidated');
    expect(entries).toHaveLength(1);
    expect(entries[0].violation).toBe(true);
    expect(checks).toEqual(['violation']);
    const sha1 = hashAlgorithmByName('sha1')!;
    const sha256 = hashAlgorithmByName('sha256')!;
    expect(replayImaLog(entries, { banks: ['sha1', 'sha256'] })).toEqual({
      sha1: { 10: toHex(digest(sha1, new Uint8Array([...new Uint8Array(20), ...new Uint8Array(20).fill(0xff)]))) },
      sha256: { 10: toHex(digest(sha256, new Uint8Array([...new Uint8Array(32), ...new Uint8Array(32).fill(0xff)]))) },
    });
  });

  test('sml-ima-sig-sha256-invalidated: one good entry, one violation', () => {
    const { entries, checks } = open('sml-ima-sig-sha256-invalidated');
    expect(entries).toHaveLength(2);
    expect(checks).toEqual(['ok', 'violation']);
    expect(describeImaEntry(entries[1]).fileName).toBe('/init');
  });

  test('sml-ima-ng-sha1-invalidated (one entry, 1 byte short): ImaLogError ERR_TRUNCATED, a DecodeError', () => {
    const bytes = vector(`${TSS}sml-ima-ng-sha1-invalidated.bin`);
    let err: unknown;
    try {
      new ImaLog(bytes, quiet);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImaLogError);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ code: 'ERR_TRUNCATED', entry: 0, offset: 0 });
  });

  test('an empty list has no entries and no warning', () => {
    const p = new ImaLogParser(quiet);
    expect(p.push(new Uint8Array(0))).toEqual([]);
    p.end();
    expect(p.warnings).toEqual([]);
    expect(replayImaLog(new Uint8Array(0), { banks: ['sha1'] })).toEqual({ sha1: {} });
  });
});
