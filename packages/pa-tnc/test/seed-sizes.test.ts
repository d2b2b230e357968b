/**
 * The seed's byte sizes, reproduced by our encoders from the seed's values:
 * "sending PB-TNC CDATA batch (269 bytes) for Connection ID 1" — Language-Preference + PB-PA with the OS IMC's 7
 * attributes. The same code path, fed strongSwan 6.0.6's values, reproduces that run's real 266-byte batch exactly.
 */
import { fromHex, toHex, PEN } from '@tncjs/common';
import { PbTncConnection } from '@tncjs/pb-tnc';
import { readVectorJson, strongSwanRuns } from '../../../test-support/vectors.js';
import {
  PaTncMessageBuilder,
  ProductInformation,
  StringVersion,
  NumericVersion,
  OperationalStatus,
  ForwardingEnabled,
  FactoryDefaultPasswordEnabled,
  ItaDeviceId,
} from '../src/index.js';

interface OsValues {
  messageId: number;
  productVendorId: number;
  productName: string;
  version: string;
  major: number;
  minor: number;
  lastUse: string;
  forwarding: number;
  deviceId: string;
}

/** The OS IMC's first batch, built the way tnc-client builds it. */
function firstCdata(v: OsValues): Uint8Array {
  const b = new PaTncMessageBuilder({ maxMessageSize: 65490, nextIdentifier: () => v.messageId });
  b.add(ProductInformation.create({ productVendorId: v.productVendorId, productId: 0, productName: v.productName }));
  b.add(StringVersion.create({ productVersion: v.version, internalBuild: '', configurationVersion: '' }));
  b.add(NumericVersion.create({ major: v.major, minor: v.minor, build: 0, servicePackMajor: 0, servicePackMinor: 0 }));
  b.add(OperationalStatus.create({ status: 3, result: 1, lastUse: v.lastUse }));
  b.add(ForwardingEnabled.create({ status: v.forwarding }));
  b.add(FactoryDefaultPasswordEnabled.create({ status: 0 }));
  b.add(ItaDeviceId.create({ deviceId: v.deviceId }));
  const [pa] = b.finish();
  const conn = new PbTncConnection({ role: 'client', connectionId: 1 });
  conn.sendPa({ paVendorId: PEN.IETF, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: pa });
  return conn.build()!;
}

interface SeedVector {
  seedLine: string;
  values: OsValues;
  bytes: number;
  hex: string;
}

const seed = readVectorJson<SeedVector>('seed/first-cdata-269.json');

test('the same encoder reproduces strongSwan 6.0.6\'s real first CDATA batch (266 bytes) exactly', () => {
  const real = strongSwanRuns()['os-only-6.0.6.json'][0];
  const ours = firstCdata({
    messageId: 0xc4bc69d8,
    productVendorId: 0x002572, // Debian Project
    productName: 'Debian',
    version: '12 x86_64',
    major: 12,
    minor: 0,
    lastUse: '2026-11-26T14:52:18Z',
    forwarding: 0,
    deviceId: '0123456789abcdef0123456789abcdef01234567',
  });
  expect(toHex(ours)).toBe(real.hex);
});

test(`seed: "${seed.seedLine}"`, () => {
  const ours = firstCdata(seed.values);
  expect(ours.byteLength).toBe(269);
  expect(seed.bytes).toBe(269);
  expect(toHex(ours)).toBe(seed.hex);
  expect(fromHex(seed.hex).byteLength).toBe(269);
});
