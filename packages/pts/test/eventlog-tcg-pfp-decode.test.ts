/**
 * Event-by-event decoding of TCG PC Client PFP logs against tpm2-tools' `tpm2_eventlog` output for the same logs
 * (fixtures/event-pretty/*.yaml): PCR index, event type, digests per bank, event size, and the decoded event data
 * (Spec ID fields, UEFI variable names and GUIDs, Secure Boot state, image-load device paths, firmware blobs, strings).
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { Logger, toHex } from '@tncjs/common';
import {
  EventType,
  decodeEventData,
  decodeEventText,
  devicePathToText,
  eventTypeName,
  eventTypeSymbol,
  iterateEventLog,
  type EventData,
  type TcgEvent,
} from '../src/eventlog/index.js';

const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const TT = 'tpm2-software-tpm2-tools/test/integration/fixtures/';
const vector = (rel: string): Uint8Array => new Uint8Array(readFileSync(new URL(rel, VECTORS)));
const quiet = { logger: Logger.silent };

interface YamlEvent {
  num: number;
  pcr: number;
  type: string;
  digests: [string, string][];
  size: number;
  body: string;
}

/** The events of a tpm2_eventlog YAML output (line-based: the layout is regular). */
function yamlEvents(yaml: string): YamlEvent[] {
  const head = yaml.slice(0, yaml.lastIndexOf('\npcrs:'));
  // crypto-agile output numbers its events; SHA-1-format output starts each event at "  PCRIndex:".
  const blocks = head.includes('\n- EventNum: ')
    ? head.split('\n- EventNum: ').slice(1)
    : head.split('\n  PCRIndex: ').slice(1).map((b, i) => `${i}\n  PCRIndex: ${b}`);
  return blocks
    .map((block) => {
      const num = Number(/^(\d+)/.exec(block)![1]);
      const pcr = Number(/\n {2}PCRIndex: (\d+)/.exec(block)![1]);
      const type = /\n {2}EventType: (\S+)/.exec(block)![1];
      const digests: [string, string][] = [];
      const single = /\n {2}Digest: "([0-9a-f]+)"/.exec(block);
      if (single) digests.push(['sha1', single[1]]);
      for (const m of block.matchAll(/- AlgorithmId: (\S+)\n\s+Digest: "([0-9a-f]+)"/g)) digests.push([m[1], m[2]]);
      const size = Number(/\n {2}EventSize: (\d+)/.exec(block)![1]);
      return { num, pcr, type, digests, size, body: block };
    });
}

function field(body: string, name: string): string | undefined {
  const m = new RegExp(`\\n\\s+${name}: (.*)`).exec(body);
  if (!m) return undefined;
  const v = m[1].trim();
  return v.startsWith("'") && v.endsWith("'") ? v.slice(1, -1).replace(/''/g, "'") : v;
}

const yamls = readdirSync(new URL(`${TT}event-pretty/`, VECTORS)).filter((f) => f.endsWith('.bin.yaml'));

describe.each(yamls)('tpm2_eventlog %s', (y) => {
  const expected = yamlEvents(readFileSync(new URL(`${TT}event-pretty/${y}`, VECTORS), 'utf8'));
  const events = [...iterateEventLog(vector(TT + y.replace(/\.yaml$/, '')), quiet)];
  const decoded = events.map((e) => decodeEventData(e));

  test('same events: number, PCR, type, digests per bank, size', () => {
    expect(events).toHaveLength(expected.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const x = expected[i];
      expect({ i, pcr: e.pcrIndex, type: eventTypeSymbol(e.eventType), size: e.data.length }).toEqual({ i: x.num, pcr: x.pcr, type: x.type, size: x.size });
      expect(e.digests.map((d) => [d.algorithm, toHex(d.digest)])).toEqual(x.digests);
    }
  });

  test('decoded event data agrees with tpm2_eventlog', () => {
    let compared = 0;
    for (let i = 0; i < events.length; i++) {
      const d: EventData = decoded[i];
      const x = expected[i];
      expect({ i, error: d.kind === 'Raw' ? d.error : undefined }).toEqual({ i, error: undefined });
      const varName = field(x.body, 'VariableName');
      if (varName && d.kind === 'UefiVariableData') {
        expect(d.variableName).toBe(varName);
        expect(d.unicodeName).toBe(field(x.body, 'UnicodeName'));
        const enabled = field(x.body, 'Enabled');
        if (enabled && d.content?.kind === 'boolean') expect(d.content.enabled).toBe(enabled === 'Yes');
        compared++;
      }
      const dp = field(x.body, 'DevicePath');
      if (dp !== undefined && d.kind === 'UefiImageLoadEvent' && !dp.includes('IPv4(')) {
        // efivar mis-prints IPv4 nodes; every other node must read the same
        expect(d.devicePath).toBe(dp);
        expect(`0x${d.imageLocationInMemory.toString(16)}`).toBe(field(x.body, 'ImageLocationInMemory'));
        compared++;
      }
      if (dp !== undefined && d.kind === 'UefiVariableData' && d.content?.kind === 'EFI_LOAD_OPTION' && !dp.includes('IPv4(')) {
        expect(d.content.loadOption.devicePath).toBe(dp);
        compared++;
      }
      const blobBase = field(x.body, 'BlobBase');
      if (blobBase && d.kind === 'UefiPlatformFirmwareBlob') {
        expect(`0x${d.blobBase.toString(16)}`).toBe(blobBase);
        expect(`0x${d.blobLength.toString(16)}`).toBe(field(x.body, 'BlobLength'));
        compared++;
      }
      const str = field(x.body, 'String');
      if (str && /^"[^\\]*(\\0)?"$/.test(str) && d.kind === 'String') {
        expect(d.string).toBe(str.slice(1, -1).replace(/\\0$/, ''));
        compared++;
      }
      if (x.type === 'EV_NO_ACTION' && /SpecID:/.test(x.body)) {
        expect(d.kind).toBe('SpecIdEvent');
        if (d.kind === 'SpecIdEvent') {
          const algs = [...x.body.matchAll(/algorithmId: (\S+)\n\s+digestSize: (\d+)/g)].map((m) => [m[1], Number(m[2])]);
          expect(d.specId.algorithms.map((a) => [a.algorithm, a.digestSize])).toEqual(algs);
          expect(d.specId.specVersionMajor).toBe(Number(field(x.body, 'specVersionMajor')));
          expect(d.specId.uintnSize).toBe(Number(field(x.body, 'uintnSize')));
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});

describe('event data by type', () => {
  const first = (file: string, pred: (e: TcgEvent) => boolean): TcgEvent => [...iterateEventLog(vector(file), quiet)].find(pred)!;

  test('S-CRTM Version: UTF-16LE string (GCE)', () => {
    const e = first(`${TT}event-gce-ubuntu-2104-log.bin`, (x) => x.eventType === EventType.EV_S_CRTM_VERSION);
    expect(eventTypeName(e.eventType)).toBe('S-CRTM Version');
    expect(decodeEventData(e)).toEqual({ kind: 'String', string: 'GCE Virtual Firmware v1', encoding: 'utf-16le' });
  });

  test('EFI Action: ASCII string', () => {
    const e = first(`${TT}event-uefiaction.bin`, (x) => x.eventType === EventType.EV_EFI_ACTION);
    expect(decodeEventData(e)).toEqual({ kind: 'String', string: 'Calling EFI Application from Boot Option', encoding: 'ascii' });
  });

  test('StartupLocality (EV_NO_ACTION "StartupLocality\\0" + 3)', () => {
    const e = first('google-go-tpm-tools/internal/test/eventlogs/glinux-alex.bin', (x) => x.eventType === EventType.EV_NO_ACTION && x.index > 0);
    expect(decodeEventData(e)).toEqual({ kind: 'StartupLocality', startupLocality: 3 });
  });

  test('EFI H-CRTM Event: "HCRTM"', () => {
    const e = first('tpm2-software-tpm2-tss/test/data/fapi/eventlog/binary_measurements_hcrtm.bin', (x) => x.eventType === EventType.EV_EFI_HCRTM_EVENT);
    expect(eventTypeName(e.eventType)).toBe('EFI H-CRTM Event');
    expect(decodeEventData(e)).toMatchObject({ kind: 'String', string: 'HCRTM' });
  });

  test('EFI GPT Event: header and partitions', () => {
    const e = first(`${TT}event-arch-linux.bin`, (x) => x.eventType === EventType.EV_EFI_GPT_EVENT);
    const d = decodeEventData(e);
    expect(d.kind).toBe('UefiGptData');
    if (d.kind === 'UefiGptData') {
      expect(d.signature).toBe('EFI PART');
      expect(d.headerSize).toBe(92);
      expect(d.partitions.length).toBeGreaterThan(0);
      expect(d.partitions[0].partitionTypeGuid).toBe('c12a7328-f81f-11d2-ba4b-00a0c93ec93b'); // EFI System Partition
    }
  });

  test('EFI Handoff Tables: configuration table GUIDs', () => {
    const e = first('tpm2-software-tpm2-tss/test/data/fapi/eventlog/binary_measurements_hcrtm.bin', (x) => x.eventType === EventType.EV_EFI_HANDOFF_TABLES);
    const d = decodeEventData(e);
    expect(d.kind).toBe('UefiHandoffTablePointers');
    if (d.kind === 'UefiHandoffTablePointers') expect(d.tables.length).toBeGreaterThan(0);
  });

  test('Event Tag (TCG_PCClientTaggedEvent)', () => {
    const e = first(`${TT}event-sd-boot-fedora37.bin`, (x) => x.eventType === EventType.EV_EVENT_TAG);
    const d = decodeEventData(e);
    expect(d).toMatchObject({ kind: 'TaggedEvent', taggedEventId: 0x8f3b22ec });
    if (d.kind === 'TaggedEvent') expect(decodeEventText(d.taggedEventData).string).toBe('Linux initrd');
  });

  test('EFI Variable Authority of db: the EFI_SIGNATURE_DATA (owner + certificate)', () => {
    const e = first('google-go-attestation/attest/testdata/sb_cert_eventlog', (x) => x.eventType === EventType.EV_EFI_VARIABLE_AUTHORITY);
    const d = decodeEventData(e);
    expect(d.kind).toBe('UefiVariableData');
    if (d.kind === 'UefiVariableData' && d.unicodeName === 'db') {
      expect(d.content?.kind).toBe('EFI_SIGNATURE_DATA');
    }
  });

  test('malformed event data: Raw with the reason and offset (strict: EventLogError ERR_EVENT_DATA)', () => {
    const e: TcgEvent = {
      index: 3, offset: 100, size: 42, structure: 'TCG_PCR_EVENT2', pcrIndex: 4, eventType: EventType.EV_EFI_BOOT_SERVICES_APPLICATION,
      digests: [], data: new Uint8Array(10),
    };
    const d = decodeEventData(e);
    expect(d).toMatchObject({ kind: 'Raw', error: 'truncated ImageLengthInMemory: need 8 bytes, have 2 at offset 140' });
    expect(() => decodeEventData(e, { strict: true })).toThrow(expect.objectContaining({ code: 'ERR_EVENT_DATA', entry: 3, offset: 140 }));
  });

  test('every TCG PFP event type has a name (strongSwan / TCG spelling)', () => {
    const names = Object.values(EventType).map((t) => eventTypeName(t));
    expect(names).toEqual(expect.arrayContaining(['S-CRTM Version', 'POST Code', 'EFI Handoff Tables', 'Separator', 'Action', 'IPL', 'IPL Partition Data',
      'Compact Hash', 'EFI Runtime Services Driver', 'Event Tag', 'No Action', 'EFI Variable Driver Config', 'EFI Boot Services Application',
      'EFI Action', 'EFI Variable Boot', 'EFI Variable Authority', 'EFI GPT Event', 'EFI Platform Firmware Blob', 'EFI Handoff Tables2']));
    expect(names.every((n) => !n.startsWith('Unknown'))).toBe(true);
    expect(eventTypeName(0x1234)).toBe('Unknown (0x00001234)');
    expect(eventTypeSymbol(0x800000ff)).toBe('EV_UNKNOWN_0x800000ff');
  });

  test('device path nodes: malformed and unknown nodes never throw', () => {
    expect(devicePathToText(new Uint8Array([0x04, 0x04, 0x02, 0x00]))).toBe('Invalid(04040200)');
    expect(devicePathToText(new Uint8Array([0x09, 0x09, 0x05, 0x00, 0xaa, 0x7f, 0xff, 0x04, 0x00]))).toBe('Path(9,9,aa)');
    expect(devicePathToText(new Uint8Array([0x01, 0x01, 0x06, 0x00, 0x02, 0x1f, 0x7f, 0x01, 0x04, 0x00, 0x01, 0x01, 0x06, 0x00, 0x00, 0x03]))).toBe('Pci(0x1f,0x2),Pci(0x3,0x0)');
  });
});
