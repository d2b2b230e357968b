/**
 * TCG event log framing: streaming from arbitrary chunk boundaries gives the same events as parsing in one piece,
 * memory stays bounded by one event, absurd sizes fail fast (before anything is buffered), and the ends of real and
 * damaged logs are handled as the README promises (warnings for cut-off events and padding, errors in strict mode).
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Logger, toHex } from '@tncjs/common';
import {
  EventLogError,
  EventLogParser,
  EventType,
  TcgEventLog,
  encodeEventLog,
  iterateEventLog,
  replayEventLog,
  streamEventLog,
  type TcgEvent,
} from '../src/eventlog/index.js';

const VECTORS = new URL('../../../test-vectors/attestation/', import.meta.url);
const vector = (rel: string): Uint8Array => new Uint8Array(readFileSync(new URL(rel, VECTORS)));
const quiet = { logger: Logger.silent };

const AGILE = vector('google-go-tpm-tools/internal/test/eventlogs/ubuntu-2104-no-dbx.bin');
const SHA1 = vector('google-go-tpm-tools/internal/test/eventlogs/debian-10.bin');

const summary = (events: TcgEvent[]) =>
  events.map((e) => [e.index, e.offset, e.size, e.pcrIndex, e.eventType, e.digests.map((d) => toHex(d.digest)).join(','), toHex(e.data)].join('|'));

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.slice(at, p));
    at = p;
  }
  out.push(bytes.slice(at));
  return out;
}

async function collect(chunks: Iterable<Uint8Array>): Promise<TcgEvent[]> {
  const out: TcgEvent[] = [];
  for await (const e of streamEventLog(chunks, quiet)) out.push(e);
  return out;
}

describe('streaming', () => {
  test.each([
    ['crypto-agile', AGILE],
    ['SHA-1 format', SHA1],
  ])('%s: any chunking gives the same events as one piece', async (_n, bytes) => {
    const whole = summary([...iterateEventLog(bytes, quiet)]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (cuts) => {
        expect(summary(await collect(split(bytes, cuts)))).toEqual(whole);
      }),
      { numRuns: 60 },
    );
    // byte by byte
    expect(summary(await collect(Array.from(bytes.subarray(0, 4000), (b) => new Uint8Array([b]))))).toEqual(whole.slice(0, summary(await collect([bytes.subarray(0, 4000)])).length));
  });

  test('the parser never holds more than one incomplete event', () => {
    const p = new EventLogParser(quiet);
    let max = 0;
    for (const c of split(AGILE, Array.from({ length: 200 }, (_, i) => i * 173))) {
      p.push(c);
      max = Math.max(max, (p as unknown as { pending: Uint8Array }).pending.length);
    }
    p.end();
    const largest = Math.max(...[...iterateEventLog(AGILE, quiet)].map((e) => e.size));
    expect(max).toBeLessThan(largest);
  });

  test('a TcgEventLog is parsed lazily: events are views into the input', () => {
    const log = new TcgEventLog(AGILE, quiet);
    const first = log.events()[3];
    expect(first.data.buffer).toBe(AGILE.buffer);
  });
});

describe('size limits (DoS)', () => {
  test('eventSize 0xFFFFFFFF fails at once with ERR_LENGTH, without buffering the rest', () => {
    const ok = encodeEventLog([{ pcrIndex: 0, eventType: EventType.EV_SEPARATOR, data: new Uint8Array(4) }], { format: 'sha1' });
    const bad = new Uint8Array(32);
    new DataView(bad.buffer).setUint32(28, 0xffffffff, true);
    const p = new EventLogParser(quiet);
    p.push(ok);
    expect(() => p.push(bad)).toThrow(expect.objectContaining({ code: 'ERR_LENGTH', offset: ok.length + 28, entry: 1 }));
  });

  test('crypto-agile eventSize above maxEventSize fails where it is read', () => {
    const bytes = encodeEventLog([{ pcrIndex: 1, eventType: EventType.EV_ACTION, data: new Uint8Array(100) }], { banks: ['sha256'] });
    expect(() => [...iterateEventLog(bytes, { ...quiet, maxEventSize: 99 })]).toThrow(
      expect.objectContaining({ code: 'ERR_LENGTH', message: expect.stringMatching(/eventSize 100 exceeds the limit of 99 bytes/) }),
    );
    expect([...iterateEventLog(bytes, { ...quiet, maxEventSize: 100 })]).toHaveLength(2);
  });

  test('a streamed absurd size is rejected from its 32-byte header alone', async () => {
    const header = new Uint8Array(32);
    new DataView(header.buffer).setUint32(28, 0x7fffffff, true);
    async function* source() {
      yield header;
      throw new Error('the parser asked for more input');
    }
    await expect(collect(source() as unknown as Iterable<Uint8Array>)).rejects.toMatchObject({ code: 'ERR_LENGTH', offset: 28 });
  });

  test('digest count above the Spec ID banks, undeclared and duplicate algorithms are errors with offsets', () => {
    const bytes = encodeEventLog([{ pcrIndex: 1, eventType: EventType.EV_ACTION, data: new Uint8Array(1) }], { banks: ['sha1', 'sha256'] });
    const first = [...iterateEventLog(bytes, quiet)][1].offset;
    const count = bytes.slice();
    new DataView(count.buffer).setUint32(first + 8, 3, true);
    expect(() => [...iterateEventLog(count, quiet)]).toThrow(expect.objectContaining({ code: 'ERR_FIELD', offset: first + 8, entry: 1 }));
    const alg = bytes.slice();
    new DataView(alg.buffer).setUint16(first + 12, 0x0012, true);
    expect(() => [...iterateEventLog(alg, quiet)]).toThrow(expect.objectContaining({ message: expect.stringMatching(/sm3_256 is not declared/), offset: first + 12 }));
    const dup = bytes.slice();
    new DataView(dup.buffer).setUint16(first + 12 + 22, 0x0004, true);
    expect(() => [...iterateEventLog(dup, quiet)]).toThrow(expect.objectContaining({ message: expect.stringMatching(/two sha1 digests/) }));
  });

  test('Spec ID event with no algorithm, or a digest size of 0, is ERR_SPEC_ID', () => {
    const bytes = encodeEventLog([], { banks: ['sha256'] });
    const none = bytes.slice();
    new DataView(none.buffer).setUint32(32 + 24, 0, true);
    expect(() => new TcgEventLog(none, quiet)).toThrow(expect.objectContaining({ code: 'ERR_SPEC_ID', entry: 0 }));
    const zero = bytes.slice();
    new DataView(zero.buffer).setUint16(32 + 30, 0, true);
    expect(() => new TcgEventLog(zero, quiet)).toThrow(expect.objectContaining({ code: 'ERR_SPEC_ID', offset: 62 }));
  });
});

describe('log ends', () => {
  const log = encodeEventLog(
    [
      { pcrIndex: 0, eventType: EventType.EV_S_CRTM_VERSION, data: new Uint8Array([1, 2]) },
      { pcrIndex: 7, eventType: EventType.EV_SEPARATOR, data: new Uint8Array(4) },
    ],
    { banks: ['sha256'] },
  );

  test('cut inside the last event: a warning with its offset; the complete events are used', () => {
    const cut = log.subarray(0, log.length - 3);
    const warnings: { offset: number; entry: number; message: string }[] = [];
    const events = [...iterateEventLog(cut, { ...quiet, onWarning: (w) => warnings.push(w) })];
    expect(events).toHaveLength(2);
    expect(warnings).toEqual([{ offset: events[1].offset + events[1].size, entry: 2, message: expect.stringMatching(/event 2 is cut off/) }]);
  });

  test('strict mode: the same cut is EventLogError ERR_TRUNCATED', () => {
    expect(() => [...iterateEventLog(log.subarray(0, log.length - 3), { ...quiet, strict: true })]).toThrow(
      expect.objectContaining({ name: 'EventLogError', code: 'ERR_TRUNCATED', entry: 2 }),
    );
  });

  test('zero padding after the last event (also whole zero "events") is ignored with a warning, even in strict mode', () => {
    const padded = new Uint8Array(log.length + 100);
    padded.set(log);
    const l = new TcgEventLog(padded, { ...quiet, strict: true });
    expect(l.events()).toHaveLength(3);
    expect(l.warnings).toHaveLength(1);
    expect(l.warnings[0].message).toMatch(/100 bytes of zero padding/);
    expect(replayEventLog(padded, quiet)).toEqual(replayEventLog(log, quiet));
  });

  test('an all-zero event followed by a real one is a real event', () => {
    const zeroEvent = new Uint8Array(16); // TCG_PCR_EVENT2 with pcr 0, type 0, no digest, no data
    const tail = encodeEventLog([{ pcrIndex: 7, eventType: EventType.EV_SEPARATOR, data: new Uint8Array(4) }], { banks: ['sha256'] });
    const specLen = [...iterateEventLog(tail, quiet)][0].size;
    const bytes = new Uint8Array([...tail.subarray(0, specLen), ...zeroEvent, ...tail.subarray(specLen)]);
    const events = [...iterateEventLog(bytes, quiet)];
    expect(events.map((e) => [e.index, e.eventType, e.offset])).toEqual([
      [0, EventType.EV_NO_ACTION, 0],
      [1, EventType.EV_PREBOOT_CERT, specLen],
      [2, EventType.EV_SEPARATOR, specLen + 16],
    ]);
  });

  test('no complete event at all is an error even when lenient', () => {
    expect(() => new TcgEventLog(log.subarray(0, 20), quiet)).toThrow(expect.objectContaining({ code: 'ERR_TRUNCATED' }));
    expect(() => new TcgEventLog(new Uint8Array(0), quiet)).toThrow(EventLogError);
  });

  test('warnings are logged strongSwan-style on subsystem PTS', () => {
    const lines: string[] = [];
    [...iterateEventLog(log.subarray(0, log.length - 1), { logger: new Logger({ sink: (l) => lines.push(l) }) })];
    expect(lines).toEqual([expect.stringMatching(/^00\[PTS\] event log: event 2 is cut off: \d+ trailing bytes ignored at offset \d+$/)]);
  });
});
