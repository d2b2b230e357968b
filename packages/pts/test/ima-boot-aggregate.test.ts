/**
 * IMA boot_aggregate (ima_calc_boot_aggregate(), kernel 5.8+): H(PCR0 || … || PCR7) in the bank of the entry's hash
 * algorithm, plus PCRs 8 and 9 for every bank but SHA-1. No real IMA list paired with its firmware log exists in the
 * vectors (test-vectors/attestation/README.md, Gaps), so the expected values here are computed independently from the
 * PCRs a real GCE vTPM quoted (go-tpm-tools gce-cos-85), and checked against the replay of that machine's event log.
 */
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Logger, fromHex } from '@tncjs/common';
import { replayEventLog } from '../src/eventlog/index.js';
import { BootAggregateError, ImaLog, checkBootAggregate, dngField, encodeImaLog, nngField } from '../src/ima/index.js';

const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const ATT = 'google-go-tpm-tools/internal/test/attestations/gce-cos-85-nonce9009';
const quoted = JSON.parse(readFileSync(new URL(`${ATT}.decoded.derived.json`, VECTORS), 'utf8')) as {
  quotes: { bank: string; pcrs: Record<string, string> }[];
};
const quotedPcrs = (bank: string) => quoted.quotes.find((q) => q.bank === bank)!.pcrs;
const replayed = replayEventLog(new Uint8Array(readFileSync(new URL(`${ATT}.event_log.derived.bin`, VECTORS))), { logger: Logger.silent });

/** The kernel's formula, written out with node:crypto directly. */
function kernelBootAggregate(alg: 'sha1' | 'sha256' | 'sha384', pcrs: Record<string, string>, upTo: number): Uint8Array {
  const h = createHash(alg);
  for (let i = 0; i <= upTo; i++) h.update(fromHex(pcrs[String(i)]));
  return new Uint8Array(h.digest());
}

function listWith(templateName: 'ima' | 'ima-ng', alg: string, value: Uint8Array): ImaLog {
  const fields = templateName === 'ima' ? [value, new TextEncoder().encode('boot_aggregate')] : [dngField(alg, value), nngField('boot_aggregate')];
  return new ImaLog(encodeImaLog([{ templateName, fields }, { templateName, fields }]), { logger: Logger.silent });
}

function logged(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger({ sink: (l) => lines.push(l) }), lines };
}

describe('boot_aggregate against the replay of a real firmware log', () => {
  test('the replayed PCRs 0-9 are the quoted ones (premise of the tests below)', () => {
    for (const bank of ['sha1', 'sha256', 'sha384']) {
      for (let i = 0; i <= 9; i++) expect(replayed[bank][i]).toBe(quotedPcrs(bank)[String(i)]);
    }
  });

  test('sha256 boot_aggregate (PCRs 0-9): "boot aggregate value is correct"', () => {
    const [entry] = listWith('ima-ng', 'sha256', kernelBootAggregate('sha256', quotedPcrs('sha256'), 9)).entries();
    const { logger, lines } = logged();
    const r = checkBootAggregate(entry, replayed, { logger });
    expect(r).toMatchObject({ ok: true, algorithm: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], missing: [] });
    expect(lines).toEqual(['00[PTS] boot aggregate value is correct']);
  });

  test('sha384 boot_aggregate (PCRs 0-9) in the sha384 bank', () => {
    const [entry] = listWith('ima-ng', 'sha384', kernelBootAggregate('sha384', quotedPcrs('sha384'), 9)).entries();
    expect(checkBootAggregate(entry, replayed, { logger: Logger.silent })).toMatchObject({ ok: true, algorithm: 'sha384' });
  });

  test.each(['ima', 'ima-ng'] as const)('sha1 boot_aggregate (%s template): PCRs 0-7 only', (template) => {
    const [entry] = listWith(template, 'sha1', kernelBootAggregate('sha1', quotedPcrs('sha1'), 7)).entries();
    expect(checkBootAggregate(entry, replayed, { logger: Logger.silent })).toMatchObject({ ok: true, algorithm: 'sha1', pcrs: [0, 1, 2, 3, 4, 5, 6, 7] });
  });

  test('a sha256 value over PCRs 0-7 only is incorrect under the kernel rule (PCRs 8-9 belong in)', () => {
    const [entry] = listWith('ima-ng', 'sha256', kernelBootAggregate('sha256', quotedPcrs('sha256'), 7)).entries();
    const { logger, lines } = logged();
    expect(checkBootAggregate(entry, replayed, { logger }).ok).toBe(false);
    expect(lines).toEqual(['00[PTS] boot aggregate value is incorrect']);
    expect(checkBootAggregate(entry, replayed, { logger: Logger.silent, includePcr8And9: false }).ok).toBe(true);
  });

  test('PCRs missing from the values count as zero (never extended) and are reported', () => {
    const only0to7 = { sha256: Object.fromEntries(Object.entries(replayed.sha256).filter(([k]) => Number(k) < 8)) };
    const zeros = Object.fromEntries([8, 9].map((i) => [String(i), '00'.repeat(32)]));
    const [entry] = listWith('ima-ng', 'sha256', kernelBootAggregate('sha256', { ...quotedPcrs('sha256'), ...zeros }, 9)).entries();
    expect(checkBootAggregate(entry, only0to7, { logger: Logger.silent })).toMatchObject({ ok: true, missing: [8, 9] });
  });
});

describe('cannot check', () => {
  const [boot, other] = listWith('ima-ng', 'sha256', new Uint8Array(32)).entries();
  test('no values for the bank: BootAggregateError', () => {
    expect(() => checkBootAggregate(boot, { sha1: replayed.sha1 }, { logger: Logger.silent })).toThrow(BootAggregateError);
    expect(() => checkBootAggregate(boot, { sha1: replayed.sha1 }, { logger: Logger.silent })).toThrow(/no sha256 PCR values given/);
  });

  test('an entry that is not boot_aggregate', () => {
    const notBoot = new ImaLog(encodeImaLog([{ templateName: 'ima-ng', fields: [dngField('sha256', new Uint8Array(32)), nngField('/init')] }]), {
      logger: Logger.silent,
    }).entries()[0];
    expect(() => checkBootAggregate(notBoot, replayed)).toThrow(/is not boot_aggregate \(\/init\)/);
    expect(other.index).toBe(1);
  });

  test('a PCR value of the wrong size', () => {
    expect(() => checkBootAggregate(boot, { sha256: { 0: 'abcd' } }, { logger: Logger.silent })).toThrow(/PCR 0 of bank sha256 has 2 bytes, not 32/);
  });
});
