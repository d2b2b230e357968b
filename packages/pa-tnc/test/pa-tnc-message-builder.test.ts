/** The PA-TNC message builder fills messages up to the maximum size and starts new ones (the seed's 5 evidence messages). */
import { Logger, encodeVendorTlv } from '@tncjs/common';
import { PaTncMessageBuilder, decodePaTncMessage, createAttributeRegistry, dummyOfSize, ItaDeviceId } from '../src/index.js';

test('1,300 attributes of evidence size spread over 5 messages of at most 32,722 bytes', () => {
  // Simple Component Evidence attributes in the seed are ~110–130 bytes on the wire; use 113-byte attributes
  let id = 0;
  const b = new PaTncMessageBuilder({ maxMessageSize: 32722, nextIdentifier: () => ++id });
  for (let i = 0; i < 1300; i++) b.add(dummyOfSize(101 + (i % 20)));
  const msgs = b.finish();
  expect(msgs).toHaveLength(5);
  const registry = createAttributeRegistry();
  let total = 0;
  for (const [i, m] of msgs.entries()) {
    expect(m.byteLength).toBeLessThanOrEqual(32722);
    const d = decodePaTncMessage(m, { registry });
    expect(d.identifier).toBe(i + 1);
    total += d.attributes.length;
    // a message is only closed when the next attribute would not fit
    if (i < msgs.length - 1) expect(m.byteLength + 12 + 101).toBeGreaterThan(32722 - 20);
  }
  expect(total).toBe(1300);
});

test('log lines as strongSwan prints them, and the oversize refusal', () => {
  const lines: string[] = [];
  const b = new PaTncMessageBuilder({ maxMessageSize: 100, nextIdentifier: () => 0x54936c39, logger: new Logger({ defaultLevel: 2, sink: (l) => lines.push(l) }) });
  b.add(ItaDeviceId.create({ deviceId: 'e61276cae552799c71cc84abae619ab14c8b0b8b' }));
  expect(lines).toEqual([
    '00[TNC] creating PA-TNC message with ID 0x54936c39',
    "00[TNC] creating PA-TNC attribute type 'ITA-HSR/Device ID' 0x00902a/0x00000008",
  ]);
  expect(() => b.add(dummyOfSize(81))).toThrow(RangeError);
  b.add(encodeVendorTlv(dummyOfSize(28))); // 60 + 40 = 100: fits exactly
  b.add(dummyOfSize(29)); // would make 141: starts a new message
  expect(b.finish().map((m) => m.byteLength)).toEqual([100, 8 + 41]);
});
