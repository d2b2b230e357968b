/** fast-check arbitraries of canonical IKEv2 payloads (what decode(encode(v)) gives back). */
import fc from 'fast-check';
import type { AnyPayload, Payload } from '../src/index.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });

const attribute = fc.oneof(
  fc.record({ type: fc.integer({ min: 0, max: 0x7fff }), value: u16 }),
  fc.record({ type: fc.integer({ min: 0, max: 0x7fff }), value: bytes(0, 8) }),
);
const transform = fc.record({ type: u8, id: u16, attributes: fc.array(attribute, { maxLength: 3 }) });
const proposal = fc.record({ num: u8, protocol: u8, spi: bytes(0, 8), transforms: fc.array(transform, { maxLength: 5 }) });
const selector = fc.oneof(
  fc.record({ tsType: fc.constant(7), ipProtocol: u8, startPort: u16, endPort: u16, start: bytes(4, 4), end: bytes(4, 4) }),
  fc.record({ tsType: fc.constant(8), ipProtocol: u8, startPort: u16, endPort: u16, start: bytes(16, 16), end: bytes(16, 16) }),
);
const eapPacket = fc.tuple(fc.integer({ min: 1, max: 4 }), u8, bytes(0, 40)).map(([code, id, data]) => {
  const b = new Uint8Array(4 + data.byteLength);
  b[0] = code;
  b[1] = id;
  b[2] = b.byteLength >> 8;
  b[3] = b.byteLength & 255;
  b.set(data, 4);
  return b;
});
const critical = fc.option(fc.constant(true), { nil: undefined });
const withCritical = <T extends object>(a: fc.Arbitrary<T>) =>
  fc.tuple(a, critical).map(([p, c]) => (c ? { ...p, critical: true } : p));

/** Every payload type except SK/SKF (which must be last; see `encryptedLast`). */
export const payload: fc.Arbitrary<Payload> = fc.oneof(
  withCritical(fc.record({ type: fc.constant(33 as const), proposals: fc.array(proposal, { minLength: 1, maxLength: 3 }) })),
  withCritical(fc.record({ type: fc.constant(34 as const), group: u16, data: bytes(0, 64) })),
  withCritical(fc.record({ type: fc.constantFrom(35 as const, 36 as const), idType: u8, data: bytes(0, 32) })),
  withCritical(fc.record({ type: fc.constant(37 as const), encoding: u8, data: bytes(0, 32) })),
  withCritical(fc.record({ type: fc.constant(38 as const), encoding: u8, data: bytes(0, 40) })),
  withCritical(fc.record({ type: fc.constant(39 as const), method: u8, data: bytes(0, 32) })),
  withCritical(fc.record({ type: fc.constant(40 as const), data: bytes(16, 64) })),
  withCritical(fc.record({ type: fc.constant(41 as const), protocol: u8, spi: bytes(0, 8), notifyType: u16, data: bytes(0, 24) })),
  withCritical(
    fc.integer({ min: 0, max: 8 }).chain((spiSize) =>
      fc.record({ type: fc.constant(42 as const), protocol: u8, spiSize: fc.constant(spiSize), spis: spiSize === 0 ? fc.constant([]) : fc.array(bytes(spiSize, spiSize), { maxLength: 4 }) }),
    ),
  ),
  withCritical(fc.record({ type: fc.constant(43 as const), data: bytes(0, 32) })),
  withCritical(fc.record({ type: fc.constantFrom(44 as const, 45 as const), selectors: fc.array(selector, { maxLength: 4 }) })),
  withCritical(fc.record({ type: fc.constant(47 as const), cfgType: u8, attributes: fc.array(fc.record({ type: fc.integer({ min: 0, max: 0x7fff }), value: bytes(0, 16) }), { maxLength: 4 }) })),
  withCritical(fc.record({ type: fc.constant(48 as const), data: eapPacket })),
) as fc.Arbitrary<Payload>;

/** An optional SK or SKF payload to put last. */
export const encryptedLast: fc.Arbitrary<AnyPayload[]> = fc.oneof(
  fc.constant([] as AnyPayload[]),
  fc.record({ type: fc.constant(46 as const), innerType: u8, data: bytes(0, 64) }).map((p) => [p]),
  fc
    .tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), u8, bytes(0, 64))
    .map(([total, extra, innerType, data]) => [{ type: 53 as const, innerType, fragmentNumber: Math.max(1, total - extra), totalFragments: total, data }]),
);

/** A payload chain: known payloads, unknown non-critical ones (kept raw), optionally SK/SKF last. */
export const payloadChain: fc.Arbitrary<AnyPayload[]> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 6, arbitrary: payload }, { weight: 1, arbitrary: fc.record({ type: fc.integer({ min: 1, max: 32 }), raw: bytes(0, 16) }) as fc.Arbitrary<AnyPayload> }), { maxLength: 8 }),
    encryptedLast,
  )
  .map(([a, b]) => [...a, ...b]);

export const message = fc.record({
  spiI: bytes(8, 8),
  spiR: bytes(8, 8),
  exchange: fc.constantFrom(34, 35, 36, 37),
  initiator: fc.boolean(),
  response: fc.boolean(),
  messageId: fc.integer({ min: 0, max: 0xffffffff }),
  payloads: payloadChain,
});
