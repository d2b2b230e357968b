/** TCG IF-M segmentation: the seed's contract arithmetic, splitting and reassembly both ways, limits. */
import { Logger, encodeVendorTlv } from '@tncjs/common';
import {
  answerContractRequest,
  SegmentationContract,
  createAttributeRegistry,
  ItaDummy,
  ItaSymlinks,
  AttributeSegmentEnvelope,
  NextSegmentRequest,
  PaTncDecodeError,
  describeLimits,
  dummyOfSize,
} from '../src/index.js';

const registry = createAttributeRegistry();

test("the seed's IMC lowers moon's 65446-byte segments to 32678 for a 32722-byte PA-TNC message limit", () => {
  const lines: string[] = [];
  const log = new Logger({ defaultLevel: 2, sink: (l) => lines.push(l), thread: 6 });
  const r = answerContractRequest(
    { maxAttributeSize: 100000000, maxSegmentSize: 65446 },
    { role: 'IMC', id: 2, peerId: 1, maxMessageSize: 32722, paType: "'TCG/PTS' 0x005597/0x00000001" },
    log,
  );
  expect(r).toEqual({ maxAttributeSize: 100000000, maxSegmentSize: 32678 });
  expect(lines).toEqual([
    "06[IMC] IMC 2 received a segmentation contract request from IMV 1 for PA message type 'TCG/PTS' 0x005597/0x00000001",
    '06[IMC]   maximum attribute size of 100000000 bytes with maximum segment size of 65446 bytes',
    '06[IMC]   lowered maximum segment size to 32678 bytes',
  ]);
  // moon's own figure: a 65490-byte PA-TNC limit leaves 65490 − 44 = 65446 bytes per segment
  expect(65490 - 44).toBe(65446);
  expect(describeLimits({ maxAttributeSize: 0xffffffff, maxSegmentSize: 0xffffffff })).toBe('no attribute size limit with no segmentation');
});

test.each([1, 100, 32677, 32678, 32679, 100000])('a %i-byte value goes through segmentation and back unchanged', (size) => {
  const sender = new SegmentationContract(100000000, 32678, registry);
  const receiver = new SegmentationContract(100000000, 32678, registry);
  const attr = dummyOfSize(size);
  const encoded = encodeVendorTlv(attr);
  if (!sender.needsSegmentation(encoded.byteLength)) {
    expect(encoded.byteLength).toBeLessThanOrEqual(32678);
    return;
  }
  let env = sender.firstSegment(attr);
  let rounds = 0;
  for (;;) {
    rounds++;
    expect(AttributeSegmentEnvelope.is(env)).toBe(true);
    const v = env.value as { flags: { more: boolean; start: boolean }; baseAttributeId: number; segment: Uint8Array };
    expect(v.segment.byteLength).toBeLessThanOrEqual(32678);
    // each envelope fits a 32722-byte PA-TNC message with room for one more small attribute
    expect(8 + encodeVendorTlv(env).byteLength + 20).toBeLessThanOrEqual(32722);
    const got = receiver.receive(v);
    if (got.attribute) {
      expect(ItaDummy.is(got.attribute)).toBe(true);
      expect(encodeVendorTlv(got.attribute)).toEqual(encoded);
      break;
    }
    expect(NextSegmentRequest.is(got.request!)).toBe(true);
    env = sender.nextSegment((got.request!.value as { baseAttributeId: number }).baseAttributeId)!;
  }
  expect(rounds).toBe(Math.ceil(encoded.byteLength / 32678));
});

test('reassembly refuses more bytes than the announced length and attributes over the maximum size', () => {
  const receiver = new SegmentationContract(1000, 64, registry);
  const big = encodeVendorTlv(ItaSymlinks.create({ symlinks: [{ symlink: '/sbin', directory: '/usr/sbin' }] }));
  const header = big.slice(0, 12);
  new DataView(header.buffer).setUint32(8, 2000); // announce 2000 bytes > maximum 1000
  expect(() => receiver.receive({ flags: { more: true, start: true }, baseAttributeId: 1, segment: header })).toThrow(PaTncDecodeError);
  const h2 = big.slice(0, 16);
  new DataView(h2.buffer).setUint32(8, 14); // announce 14, send 16
  expect(() => receiver.receive({ flags: { more: true, start: true }, baseAttributeId: 2, segment: h2 })).toThrow(PaTncDecodeError);
  // a last segment that leaves the value short
  const h3 = big.slice(0, 14);
  expect(() => receiver.receive({ flags: { more: false, start: true }, baseAttributeId: 3, segment: h3 })).toThrow(/insufficient/);
  // unknown base attribute IDs are ignored, as strongSwan does
  expect(receiver.receive({ flags: { more: false, start: false }, baseAttributeId: 99, segment: new Uint8Array(3) })).toEqual({});
});
