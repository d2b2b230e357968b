/**
 * TCG PC Client PFP event logs (TPM 1.2 SHA-1 format and TPM 2.0 crypto-agile format) from real machines and clouds
 * replay to the PCR values recorded beside them upstream: go-tpm-tools' server/eventlog_test.go expectations,
 * tpm2-tools' tpm2_eventlog `pcrs:` output, the PCRs inside go-attestation and go-tpm-tools attestations, and
 * tpm2-tss' H-CRTM PCR 0. Plus the traps of test-vectors/attestation/README.md.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { DecodeError, fromHex, Logger, toHex } from '@tncjs/common';
import {
  EventLogError,
  EventLogReplayer,
  EventType,
  TcgEventLog,
  hashDigest as digest,
  encodeEventLog,
  hashAlgorithmByName,
  iterateEventLog,
  replayEventLog,
  type PcrBanks,
} from '../src/eventlog/index.js';

const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const vector = (rel: string): Uint8Array => new Uint8Array(readFileSync(new URL(rel, VECTORS)));
const text = (rel: string): string => readFileSync(new URL(rel, VECTORS), 'utf8');
const quiet = { logger: Logger.silent };

const GA = 'google-go-attestation/attest/testdata/';
const GTT = 'google-go-tpm-tools/internal/test/';
const TT = 'tpm2-software-tpm2-tools/test/integration/fixtures/';
const TSS = 'tpm2-software-tpm2-tss/test/data/fapi/eventlog/';
const KL = 'keylime-keylime/test/data/';

/** Compare every expected value; returns the number compared. */
function expectPcrs(actual: PcrBanks, expected: Record<string, Record<string, string>>): number {
  let n = 0;
  for (const [bank, values] of Object.entries(expected)) {
    for (const [pcr, hex] of Object.entries(values)) {
      expect({ bank, pcr, value: actual[bank]?.[Number(pcr)] }).toEqual({ bank, pcr, value: hex.toLowerCase() });
      n++;
    }
  }
  return n;
}

describe('go-tpm-tools server/eventlog_test.go expectations (EXPECTED_PCRS.derived.json)', () => {
  const expected = JSON.parse(text('google-go-tpm-tools/EXPECTED_PCRS.derived.json')) as Record<
    string,
    { go_var: string; expected_pcrs: Record<string, Record<string, string>> }
  >;
  const cases = Object.entries(expected).map(([file, v]) => [v.go_var, file, v.expected_pcrs] as const);
  test('covers every go-tpm-tools log', () => expect(cases.length).toBe(14));
  test.each(cases)('%s (%s) replays to the expected PCRs', (_name, file, pcrs) => {
    expect(expectPcrs(replayEventLog(vector(file), quiet), pcrs)).toBeGreaterThanOrEqual(8);
  });
});

/** The `pcrs:` block at the end of a tpm2_eventlog YAML output. */
function yamlPcrs(yaml: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let bank = '';
  for (const line of yaml.slice(yaml.lastIndexOf('\npcrs:')).split('\n')) {
    let m = /^ {2}(\w+):$/.exec(line);
    if (m) {
      bank = m[1];
      out[bank] = {};
      continue;
    }
    m = /^\s+(\d+)\s*: 0x([0-9a-fA-F]+)$/.exec(line);
    if (m) out[bank][m[1]] = m[2].toLowerCase();
  }
  return out;
}

describe('tpm2-tools tpm2_eventlog replay (fixtures/event-pretty/*.yaml pcrs:)', () => {
  const yamls = readdirSync(new URL(`${TT}event-pretty/`, VECTORS)).filter((f) => f.endsWith('.bin.yaml'));
  test('covers the 10 fixtures', () => expect(yamls.length).toBe(10));
  test.each(yamls)('%s', (y) => {
    const want = yamlPcrs(text(`${TT}event-pretty/${y}`));
    expect(expectPcrs(replayEventLog(vector(TT + y.replace(/\.yaml$/, '')), quiet), want)).toBeGreaterThan(0);
  });
  test('event.bin.yaml (4 banks: sha1, sha256, sha384, sha512)', () => {
    const want = yamlPcrs(text(`${TT}event.bin.yaml`));
    expect(Object.keys(want)).toEqual(['sha1', 'sha256', 'sha384', 'sha512']);
    expect(expectPcrs(replayEventLog(vector(`${TT}event.bin`), quiet), want)).toBe(4);
    // the tpm2-tss copy is the same log
    expect(replayEventLog(vector(`${TSS}event.bin`), quiet)).toEqual(replayEventLog(vector(`${TT}event.bin`), quiet));
  });
});

describe('PCRs inside real attestations', () => {
  test('go-attestation linux_tpm12 (TPM 1.2 TPM_Quote): SHA-1 log replays to PCRs 0-7', () => {
    const dec = JSON.parse(text(`${GA}linux_tpm12.decoded.derived.json`)) as { pcrs: Record<string, string> };
    const log = new TcgEventLog(vector(`${GA}linux_tpm12.Log.Raw.derived.bin`), quiet);
    expect(log.format).toBe('sha1');
    const pcrs = replayEventLog(log, quiet);
    expect(Object.keys(pcrs.sha1).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [pcr, hex] of Object.entries(pcrs.sha1)) expect(hex).toBe(dec.pcrs[`sha1:${pcr}`]);
  });

  test('go-attestation windows_gcp_shielded_vm (TPM 2.0, SHA-1-format log, first event EV_S_CRTM_VERSION)', () => {
    const dec = JSON.parse(text(`${GA}windows_gcp_shielded_vm.decoded.derived.json`)) as { pcrs: Record<string, string> };
    const log = new TcgEventLog(vector(`${GA}windows_gcp_shielded_vm.Log.Raw.derived.bin`), quiet);
    expect(log.format).toBe('sha1');
    expect(log.specId).toBeUndefined();
    expect(log.events()[0].eventType).toBe(EventType.EV_S_CRTM_VERSION);
    const pcrs = replayEventLog(log, quiet);
    expect(Object.keys(pcrs.sha1).map(Number)).toEqual([0, 4, 5, 7, 11, 12, 13, 14]);
    for (const [pcr, hex] of Object.entries(pcrs.sha1)) expect(hex).toBe(dec.pcrs[`sha1:${pcr}`]);
  });

  test.each(['gce-cos-85-no-nonce', 'gce-cos-85-nonce9009'])('go-tpm-tools %s: sha1, sha256, sha384 quotes', (name) => {
    const dec = JSON.parse(text(`${GTT}attestations/${name}.decoded.derived.json`)) as { quotes: { bank: string; pcrs: Record<string, string> }[] };
    const pcrs = replayEventLog(vector(`${GTT}attestations/${name}.event_log.derived.bin`), quiet);
    expect(dec.quotes.map((q) => q.bank)).toEqual(['sha1', 'sha256', 'sha384']);
    for (const q of dec.quotes) {
      expect(Object.keys(pcrs[q.bank]).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const [pcr, hex] of Object.entries(pcrs[q.bank])) expect(hex).toBe(q.pcrs[pcr]);
    }
  });
});

describe('traps', () => {
  test('H-CRTM: tpm2-tss binary_measurements_hcrtm PCR 0 starts at …04 (test/unit/fapi-eventlog.c)', () => {
    const bytes = vector(`${TSS}binary_measurements_hcrtm.bin`);
    const r = new EventLogReplayer(quiet);
    for (const ev of iterateEventLog(bytes, quiet)) r.add(ev);
    expect(r.hcrtm).toBe(true);
    expect(r.startupLocality).toBe(0); // no StartupLocality event: the H-CRTM event alone sets the start value
    expect(r.values().sha1[0]).toBe('15f4e6ca457d1af6bc49511a93ba3500ad69acc5');
    // Without the H-CRTM rule PCR 0 would not match: re-type the event (EV_EFI_HCRTM_EVENT → EV_POST_CODE) and replay.
    const hcrtm = [...iterateEventLog(bytes, quiet)].find((e) => e.eventType === EventType.EV_EFI_HCRTM_EVENT)!;
    const copy = bytes.slice();
    new DataView(copy.buffer).setUint32(hcrtm.offset + 4, EventType.EV_POST_CODE, true);
    expect(replayEventLog(copy, quiet).sha1[0]).not.toBe('15f4e6ca457d1af6bc49511a93ba3500ad69acc5');
  });

  test('SM3_256 bank (binary_measurements_hcrtm declares sha1+sha256+sm3_256) is replayed', () => {
    const log = new TcgEventLog(vector(`${TSS}binary_measurements_hcrtm.bin`), quiet);
    expect(log.specId!.algorithms.map((a) => [a.algorithm, a.digestSize])).toEqual([
      ['sha1', 20],
      ['sha256', 32],
      ['sm3_256', 32],
    ]);
    const pcrs = replayEventLog(log, quiet);
    expect(Object.keys(pcrs)).toEqual(['sha1', 'sha256', 'sm3_256']);
    expect(Object.keys(pcrs.sm3_256).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // GB/T 32905 known answer: node:crypto's SM3 is the real one
    expect(toHex(digest(hashAlgorithmByName('sm3_256')!, new TextEncoder().encode('abc')))).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
  });

  test.each([
    ['glinux-alex', `${GTT}eventlogs/glinux-alex.bin`],
    ['gdc-host', `${GTT}eventlogs/gdc-host.bin`],
    ['keylime binary_bios_measurements', `${KL}create-mb-policy/binary_bios_measurements`],
  ])('StartupLocality 3: %s (PCR 0 starts at …03)', (_n, file) => {
    const r = new EventLogReplayer(quiet);
    for (const ev of iterateEventLog(vector(file), quiet)) r.add(ev);
    expect(r.startupLocality).toBe(3);
    expect(r.hcrtm).toBe(false);
  });

  test('short_no_action_eventlog: a lone too-short EV_NO_ACTION is a SHA-1-format log, PCR 0 = …03', () => {
    const log = new TcgEventLog(vector(`${GA}short_no_action_eventlog`), quiet);
    expect(log.format).toBe('sha1');
    expect(log.events()).toHaveLength(1);
    expect(replayEventLog(log, quiet)).toEqual({ sha1: { 0: '0000000000000000000000000000000000000003' } });
  });

  test('debian-10 (GCE vTPM, TPM 2.0) writes a SHA-1-format log: only the sha1 bank', () => {
    const log = new TcgEventLog(vector(`${GTT}eventlogs/debian-10.bin`), quiet);
    expect(log.format).toBe('sha1');
    expect(Object.keys(replayEventLog(log, quiet))).toEqual(['sha1']);
  });

  test('PCR index 0xFFFFFFFF (Windows SIPA "Windows AIK" events) parses and is skipped', () => {
    const events = [...iterateEventLog(vector(`${GA}option_rom_eventlog`), quiet)];
    const sipa = events.filter((e) => e.pcrIndex === 0xffffffff);
    expect(sipa.length).toBeGreaterThan(0);
    expect(sipa.every((e) => e.eventType === EventType.EV_NO_ACTION)).toBe(true);
    const pcrs = replayEventLog(events, quiet);
    expect(Object.keys(pcrs.sha1).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14]);
  });

  test('EV_NO_ACTION is never extended, whatever its PCR and digests', () => {
    const noise = new Uint8Array(20).fill(0xab);
    const bytes = encodeEventLog(
      [
        { pcrIndex: 5, eventType: EventType.EV_NO_ACTION, data: new Uint8Array([1, 2, 3]), digests: { sha1: noise, sha256: new Uint8Array(32).fill(1) } },
        { pcrIndex: 4, eventType: EventType.EV_SEPARATOR, data: new Uint8Array(4) },
      ],
      { banks: ['sha1', 'sha256'] },
    );
    const pcrs = replayEventLog(bytes, quiet);
    expect(Object.keys(pcrs.sha1)).toEqual(['4']);
    expect(Object.keys(pcrs.sha256)).toEqual(['4']);
  });

  test('digest sizes always come from the Spec ID event (an algorithm tncjs does not know frames with its size)', () => {
    const data = new TextEncoder().encode('x');
    const bytes = encodeEventLog(
      [{ pcrIndex: 1, eventType: EventType.EV_ACTION, data, digests: { '': new Uint8Array(7).fill(7) } }],
      { banks: [{ algorithmId: 0x1234, digestSize: 7 }, 'sha256'] },
    );
    const warnings: string[] = [];
    const events = [...iterateEventLog(bytes, quiet)];
    expect(events[1].digests.map((d) => [d.algorithm, d.digest.length])).toEqual([
      ['alg_0x1234', 7],
      ['sha256', 32],
    ]);
    const r = new EventLogReplayer({ logger: new Logger({ sink: (l) => warnings.push(l) }) });
    for (const e of events) r.add(e);
    expect(r.values()).toEqual({ sha256: { 1: expect.any(String) } });
    expect(warnings.join('\n')).toMatch(/bank 0x1234 is not a known hash algorithm: not replayed/);
  });

  test('a Spec ID event that declares a wrong size for a known bank: framed with it, that bank not replayed', () => {
    const bytes = encodeEventLog([{ pcrIndex: 1, eventType: EventType.EV_ACTION, data: new Uint8Array(1), digests: { '': new Uint8Array(20) } }], {
      banks: [{ algorithmId: 0x000b, digestSize: 20 }],
    });
    const r = new EventLogReplayer(quiet);
    for (const e of iterateEventLog(bytes, quiet)) r.add(e);
    expect(r.values()).toEqual({});
    expect(r.warnings[0].message).toMatch(/sha256 has digest size 20 in the log, not 32/);
  });

  test('specid-vendordata: non-empty vendorInfo, inside eventSize (tpm2-tss) and past it (tpm2-tools fixture)', () => {
    const tss = new TcgEventLog(vector(`${TSS}specid-vendordata.bin`), quiet);
    expect(toHex(tss.specId!.vendorInfo)).toBe('deadbeef');
    expect(tss.events()).toHaveLength(1);
    expect(tss.warnings).toEqual([]);
    // tpm2-tools' copy declares eventSize 37 and puts vendorInfo after it; tpm2-tools/tpm2-tss follow the structure.
    const tools = new TcgEventLog(vector(`${TT}specid-vendordata.bin`), quiet);
    expect(toHex(tools.specId!.vendorInfo)).toBe('deadbeef');
    expect(tools.events()).toHaveLength(1);
    expect(tools.warnings[0]).toMatchObject({ offset: 32, entry: 0, message: expect.stringMatching(/vendorInfo runs 4 bytes past its eventSize 37/) });
  });

  test('StartupLocality 4 written by a log (synthetic): PCR 0 starts at …04', () => {
    const data = new Uint8Array([1, 2, 3]);
    const bytes = encodeEventLog([{ pcrIndex: 0, eventType: EventType.EV_S_CRTM_VERSION, data }], { banks: ['sha256'], startupLocality: 4 });
    const alg = hashAlgorithmByName('sha256')!;
    const start = new Uint8Array(32);
    start[31] = 4;
    const expected = digest(alg, new Uint8Array([...start, ...digest(alg, data)]));
    expect(replayEventLog(bytes, quiet).sha256[0]).toBe(toHex(expected));
  });
});

describe('identical logs in several repositories give identical results', () => {
  test.each([
    [`${TT}event-gce-ubuntu-2104-log.bin`, `${GTT}eventlogs/ubuntu-2104-no-dbx.bin`],
    [`${GA}ubuntu_2104_shielded_vm_no_secure_boot_eventlog`, `${GTT}eventlogs/ubuntu-2104-no-secure-boot.bin`],
    [`${TT}event-uefi-sha1-log.bin`, `${TSS}binary_measurements_nuc.bin`],
    [`${TT}event-uefiaction.bin`, `${TSS}event-uefiaction.bin`],
    [`${TT}event-uefiservices.bin`, `${TSS}event-uefiservices.bin`],
    [`${TT}event-uefivar.bin`, `${TSS}event-uefivar.bin`],
  ])('%s == %s', (a, b) => {
    expect(replayEventLog(vector(a), quiet)).toEqual(replayEventLog(vector(b), quiet));
  });
});

describe('every real firmware log parses', () => {
  const logs: [string, 'sha1' | 'crypto-agile', number][] = [
    [`${GA}coreos_36_shielded_vm_no_secure_boot_eventlog`, 'crypto-agile', 76],
    [`${GA}crypto_agile_eventlog`, 'crypto-agile', 27],
    [`${GA}ebs_event_missing_eventlog`, 'sha1', 38],
    [`${GA}linux_tpm12.Log.Raw.derived.bin`, 'sha1', 40],
    [`${GA}option_rom_eventlog`, 'sha1', 61],
    [`${GA}sb_cert_eventlog`, 'crypto-agile', 15],
    [`${GA}short_no_action_eventlog`, 'sha1', 1],
    [`${GA}ubuntu_2104_shielded_vm_no_secure_boot_eventlog`, 'crypto-agile', 106],
    [`${GA}windows_gcp_shielded_vm.Log.Raw.derived.bin`, 'sha1', 21],
    [`${GTT}attestations/gce-cos-85-no-nonce.event_log.derived.bin`, 'crypto-agile', 45],
    [`${GTT}attestations/gce-cos-85-nonce9009.event_log.derived.bin`, 'crypto-agile', 45],
    [`${GTT}eventlogs/arch-linux-workstation.bin`, 'crypto-agile', 25],
    [`${GTT}eventlogs/confidential-gke-debug-251000_eventlog.bin`, 'crypto-agile', 55],
    [`${GTT}eventlogs/cos-101-amd-sev.bin`, 'crypto-agile', 49],
    [`${GTT}eventlogs/cos-85-amd-sev.bin`, 'crypto-agile', 46],
    [`${GTT}eventlogs/cos-93-amd-sev.bin`, 'crypto-agile', 46],
    [`${GTT}eventlogs/debian-10.bin`, 'sha1', 25],
    [`${GTT}eventlogs/eventlogwithsp800155.bin`, 'crypto-agile', 54],
    [`${GTT}eventlogs/gdc-host.bin`, 'crypto-agile', 159],
    [`${GTT}eventlogs/glinux-alex.bin`, 'crypto-agile', 29],
    [`${GTT}eventlogs/rhel8-uefi.bin`, 'crypto-agile', 83],
    [`${GTT}eventlogs/ubuntu-1804-amd-sev.bin`, 'crypto-agile', 88],
    [`${GTT}eventlogs/ubuntu-2104-no-dbx.bin`, 'crypto-agile', 112],
    [`${GTT}eventlogs/ubuntu-2104-no-secure-boot.bin`, 'crypto-agile', 106],
    [`${GTT}eventlogs/ubuntu-2404-amd-sevsnp.bin`, 'crypto-agile', 117],
    [`${TT}event-arch-linux.bin`, 'crypto-agile', 25],
    [`${TT}event-bootorder.bin`, 'crypto-agile', 104],
    [`${TT}event-gce-ubuntu-2104-log.bin`, 'crypto-agile', 112],
    [`${TT}event-moklisttrusted.bin`, 'crypto-agile', 97],
    [`${TT}event-postcode.bin`, 'crypto-agile', 59],
    [`${TT}event-sd-boot-fedora37.bin`, 'crypto-agile', 28],
    [`${TT}event-uefi-sha1-log.bin`, 'sha1', 17],
    [`${TT}event-uefiaction.bin`, 'crypto-agile', 2],
    [`${TT}event-uefiservices.bin`, 'crypto-agile', 2],
    [`${TT}event-uefivar.bin`, 'crypto-agile', 2],
    [`${TT}event.bin`, 'crypto-agile', 2],
    [`${TT}specid-vendordata.bin`, 'crypto-agile', 1],
    [`${TSS}binary_measurements_hcrtm.bin`, 'crypto-agile', 204],
    [`${TSS}binary_measurements_nuc.bin`, 'sha1', 17],
    [`${TSS}binary_measurements_pc_client.bin`, 'crypto-agile', 33],
    [`${TSS}event-uefiaction.bin`, 'crypto-agile', 2],
    [`${TSS}event-uefiservices.bin`, 'crypto-agile', 2],
    [`${TSS}event-uefivar.bin`, 'crypto-agile', 2],
    [`${TSS}event.bin`, 'crypto-agile', 2],
    [`${TSS}specid-vendordata.bin`, 'crypto-agile', 1],
    [`${KL}create-mb-policy/binary_bios_measurements`, 'crypto-agile', 121],
    [`${KL}create-mb-policy/binary_bios_measurements-secureboot`, 'crypto-agile', 99],
    [`${KL}mb_log.bin`, 'crypto-agile', 102],
  ];
  test.each(logs)('%s: %s, %d events, no warning but the tpm2-tools vendorInfo layout', (file, format, count) => {
    const log = new TcgEventLog(vector(file), quiet);
    expect(log.format).toBe(format);
    expect(log.events()).toHaveLength(count);
    expect(log.warnings.filter((w) => !/vendorInfo/.test(w.message))).toEqual([]);
    const pcrs = replayEventLog(log, quiet);
    for (const bank of Object.values(pcrs)) for (const pcr of Object.keys(bank)) expect(Number(pcr)).toBeLessThan(24);
  });

});

describe('keylime negative inputs', () => {
  test('binary_bios_measurements-empty: EventLogError ERR_EMPTY at offset 0', () => {
    const e = (() => {
      try {
        new TcgEventLog(vector(`${KL}create-mb-policy/binary_bios_measurements-empty`), quiet);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(EventLogError);
    expect(e).toBeInstanceOf(DecodeError);
    expect(e).toMatchObject({ code: 'ERR_EMPTY', offset: 0, entry: 0 });
  });

  test('binary_bios_measurements-bogus (34 bytes of text): invalid PCR index at offset 0', () => {
    expect(() => replayEventLog(vector(`${KL}create-mb-policy/binary_bios_measurements-bogus`), quiet)).toThrow(
      expect.objectContaining({ code: 'ERR_FIELD', offset: 0, entry: 0, message: expect.stringMatching(/invalid PCR index 1969712994/) }),
    );
  });
});

test('replayEventLog accepts bytes, a TcgEventLog and an event array alike; TcgEventLog.replay() agrees', () => {
  const bytes = vector(`${GTT}eventlogs/rhel8-uefi.bin`);
  const a = replayEventLog(bytes, quiet);
  expect(replayEventLog(new TcgEventLog(bytes, quiet), quiet)).toEqual(a);
  expect(replayEventLog([...iterateEventLog(bytes, quiet)], quiet)).toEqual(a);
  expect(new TcgEventLog(bytes, quiet).replay(quiet)).toEqual(a);
  expect(fromHex(a.sha256[0])).toHaveLength(32);
});
