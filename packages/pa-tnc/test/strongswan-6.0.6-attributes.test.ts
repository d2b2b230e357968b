/**
 * Every PA-TNC message inside the real strongSwan 6.0.6 batches decodes: IETF, ITA-HSR and TCG segmentation attributes
 * with their fields, the TCG PTS ones (decoded by @tncjs/pts) kept raw but named; all re-encode byte-exact.
 */
import { toHex } from '@tncjs/common';
import { decodeBatch, createMessageRegistry, PbPa } from '@tncjs/pb-tnc';
import { strongSwanRuns } from '../../../test-support/vectors.js';
import {
  decodePaTncMessage,
  encodePaTncMessage,
  createAttributeRegistry,
  ProductInformation,
  StringVersion,
  NumericVersion,
  OperationalStatus,
  ForwardingEnabled,
  FactoryDefaultPasswordEnabled,
  ItaDeviceId,
  MaxAttributeSizeRequest,
  MaxAttributeSizeResponse,
  ItaSymlinks,
  ItaGetSymlinks,
  AssessmentResult,
  type PaTncMessage,
} from '../src/index.js';

const pbRegistry = createMessageRegistry();
const registry = createAttributeRegistry();
const runs = strongSwanRuns();

/** Every PA-TNC message of a run, with the batch it came from. */
function paMessages(run: string) {
  const out: { batch: number; body: Uint8Array }[] = [];
  runs[run].forEach((b, i) => {
    for (const m of decodeBatch(b.data, { registry: pbRegistry }).messages) if (PbPa.is(m)) out.push({ batch: i, body: m.value.body });
  });
  return out;
}

describe.each(Object.keys(runs))('%s', (run) => {
  test.each(paMessages(run).map((m, i) => [i, m.batch, m] as const))('PA-TNC message %i (batch %i) round-trips', (_i, _b, m) => {
    const msg = decodePaTncMessage(m.body, { registry, keepUnknownNoskip: true });
    expect(msg.version).toBe(1);
    for (const a of msg.attributes) {
      // every attribute has a strongSwan name, never the numeric fallback
      expect(registry.nameOf(a.vendorId, a.typeId)).toMatch(/^(IETF|ITA-HSR|TCG)\/[A-Z]/);
      if (a.vendorId !== 0x5597 || a.typeId <= 0x25) expect(a.type).toBeDefined();
    }
    expect(toHex(encodePaTncMessage(msg))).toBe(toHex(m.body));
  });
});

test('the OS IMC message of strongSwan 6.0.6, field by field', () => {
  const [first] = paMessages('os-only-6.0.6.json');
  const msg: PaTncMessage = decodePaTncMessage(first.body, { registry });
  const json = msg.attributes.map((a) => [registry.nameOf(a.vendorId, a.typeId), a.type!.body.toJSON(a.value as never)]);
  expect(json).toEqual([
    ['IETF/Product Information', { productVendorId: 0x002572, productId: 0, productName: 'Debian' }],
    ['IETF/String Version', { productVersion: '12 x86_64', internalBuild: '', configurationVersion: '' }],
    ['IETF/Numeric Version', { major: 12, minor: 0, build: 0, servicePackMajor: 0, servicePackMinor: 0 }],
    ['IETF/Operational Status', { status: 'operational', result: 'successful', lastUse: '2026-11-26T14:52:18Z' }],
    ['IETF/Forwarding Enabled', { status: 'disabled' }],
    ['IETF/Factory Default Password Enabled', { status: 'disabled' }],
    ['ITA-HSR/Device ID', { deviceId: '0123456789abcdef0123456789abcdef01234567' }],
  ]);
  expect([ProductInformation, StringVersion, NumericVersion, OperationalStatus, ForwardingEnabled, FactoryDefaultPasswordEnabled, ItaDeviceId].every((t, i) => t.is(msg.attributes[i]))).toBe(true);
});

test("moon's segmentation contract request and carol's response", () => {
  const att = paMessages('pts-attestation-6.0.6.json');
  const req = decodePaTncMessage(att[2].body, { registry, keepUnknownNoskip: true }).attributes[0];
  expect(MaxAttributeSizeRequest.is(req) && req.value).toEqual({ maxAttributeSize: 0xffffffff, maxSegmentSize: 65466 });
  const resp = decodePaTncMessage(att[3].body, { registry, keepUnknownNoskip: true }).attributes[0];
  expect(MaxAttributeSizeResponse.is(resp) && resp.value).toEqual({ maxAttributeSize: 0xffffffff, maxSegmentSize: 65466 });
});

test('ITA-HSR Get Symlinks / Symlinks and the final IETF Assessment Result', () => {
  const all = paMessages('pts-attestation-6.0.6.json').map((m) => decodePaTncMessage(m.body, { registry, keepUnknownNoskip: true }));
  const get = all.flatMap((m) => m.attributes).find((a) => ItaGetSymlinks.is(a));
  expect(get?.value).toEqual({ directories: '/' });
  const links = all.flatMap((m) => m.attributes).find((a) => ItaSymlinks.is(a));
  expect((links?.value as { symlinks: unknown[] }).symlinks[0]).toEqual({ symlink: '/sbin', directory: '/usr/sbin' });
  const last = all[all.length - 1].attributes[0];
  expect(AssessmentResult.is(last) && AssessmentResult.body.toJSON(last.value)).toEqual({ result: 'compliant' });
});
