/**
 * The seed's PTS batch sizes from the seed's values: capability discovery SDATA 92 / CDATA 92 and the DH nonce
 * SDATA 87 ("received TNCCS batch (92 bytes)", "sending PB-TNC CDATA batch (92 bytes)", "received TNCCS batch
 * (87 bytes)"). The same code path, fed strongSwan 6.0.6's values, reproduces that run's real CDATA 92 exactly.
 */
import { toHex, PEN } from '@tncjs/common';
import { PbTncConnection, encodeBatch, BatchType, PbPa } from '@tncjs/pb-tnc';
import { PaTncMessageBuilder, MaxAttributeSizeRequest, MaxAttributeSizeResponse, type PaTncAttribute } from '@tncjs/pa-tnc';
import { strongSwanRuns } from '../../../test-support/vectors.js';
import {
  RequestPtsProtocolCapabilities,
  PtsProtocolCapabilities,
  PtsMeasurementAlgorithmRequest,
  PtsMeasurementAlgorithm,
  RequestFileMetadata,
  DhNonceParametersRequest,
  algorithmSetFromBits,
} from '../src/index.js';

const VDT = { current: false, verification: true, dhNonce: true, trustedPlatform: true, xml: false };
const PTS = { paVendorId: PEN.TCG, paSubtype: 1 };

function paMessage(id: number, attrs: PaTncAttribute<any>[]): Uint8Array {
  const b = new PaTncMessageBuilder({ maxMessageSize: 32722, nextIdentifier: () => id });
  for (const a of attrs) b.add(a);
  return b.finish()[0];
}

/** A batch as our TNC server/client roles build it, carrying one TCG/PTS PB-PA message. */
function batch(role: 'client' | 'server', collectorId: number, validatorId: number, body: Uint8Array): Uint8Array {
  // strongSwan's IMC answers with the exclusive flag (to the IMV that asked); the IMV's own messages go without it
  const msg = PbPa.create({ flags: { excl: role === 'client' }, ...PTS, collectorId, validatorId, body });
  return encodeBatch({ fromServer: role === 'server', type: role === 'server' ? BatchType.SDATA : BatchType.CDATA, messages: [msg] });
}

test('capability discovery: SDATA 92 bytes (moon) and CDATA 92 bytes (carol)', () => {
  const request = paMessage(0x56d5c1ea, [
    MaxAttributeSizeRequest.create({ maxAttributeSize: 100000000, maxSegmentSize: 65446 }),
    RequestPtsProtocolCapabilities.create({ flags: VDT }, { noskip: true }),
    PtsMeasurementAlgorithmRequest.create({ algorithms: algorithmSetFromBits(0xe000) }, { noskip: true }),
  ]);
  expect(batch('server', 0xffff, 1, request).byteLength).toBe(92);
  const answer = paMessage(0xc43c8c42, [
    MaxAttributeSizeResponse.create({ maxAttributeSize: 100000000, maxSegmentSize: 32678 }),
    PtsProtocolCapabilities.create({ flags: VDT }),
    PtsMeasurementAlgorithm.create({ algorithms: algorithmSetFromBits(0x8000) }),
  ]);
  // and through a real client connection, as tnc-client sends it
  const conn = new PbTncConnection({ role: 'client', languagePreference: '' });
  conn.build(); // the first CDATA
  conn.receive(batch('server', 0xffff, 1, request));
  conn.sendPa({ ...PTS, collectorId: 2, validatorId: 1, exclusive: true, body: answer });
  expect(conn.build()!.byteLength).toBe(92);
});

test('DH nonce parameters: SDATA 87 bytes with the metadata request for /etc/tnc_config', () => {
  const request = paMessage(0xcac35af3, [
    RequestFileMetadata.create({ flags: { directory: false }, delimiter: 0x2f, pathname: '/etc/tnc_config' }, { noskip: true }),
    DhNonceParametersRequest.create({ minNonceLength: 0, groups: { ike2: true, ike5: true, ike14: true, ike19: true, ike20: true } }, { noskip: true }),
  ]);
  expect(batch('server', 0xffff, 1, request).byteLength).toBe(87);
});

test("the same encoder reproduces strongSwan 6.0.6's real CDATA 92 byte-exact", () => {
  const real = strongSwanRuns()['pts-attestation-6.0.6.json'][2];
  const answer = paMessage(0x4c069d67, [
    MaxAttributeSizeResponse.create({ maxAttributeSize: 0xffffffff, maxSegmentSize: 65466 }),
    PtsProtocolCapabilities.create({ flags: VDT }),
    PtsMeasurementAlgorithm.create({ algorithms: algorithmSetFromBits(0x8000) }),
  ]);
  expect(toHex(batch('client', 2, 2, answer))).toBe(real.hex);
});
