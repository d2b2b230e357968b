/** Both PB-TNC roles against each other through complete exchanges (RFC 5793 §3), with strongSwan's log lines. */
import { Logger, fromHex } from '@tncjs/common';
import {
  PbTncConnection,
  PbTncState,
  BatchType,
  peekBatchHeader,
  decodeBatch,
  createMessageRegistry,
  PbError,
  AccessRecommendation,
  encodeBatch,
  type PaMessage,
  type PbTncResult,
  type PbErrorValue,
} from '../src/index.js';

const OS = { paVendorId: 0, paSubtype: 1 };
const PTS = { paVendorId: 0x5597, paSubtype: 1 };

function logger(lines: string[]) {
  return new Logger({ defaultLevel: 2, sink: (l) => lines.push(l) });
}

/** Pass batches between the two roles until neither has anything to send; returns the batch types in wire order. */
function run(client: PbTncConnection, server: PbTncConnection, limit = 100): string[] {
  const types: string[] = [];
  let batch = client.build();
  let toServer = true;
  for (let i = 0; batch && i < limit; i++) {
    const h = peekBatchHeader(batch);
    types.push(`${toServer ? 'C' : 'S'}:${['', 'CDATA', 'SDATA', 'RESULT', 'CRETRY', 'SRETRY', 'CLOSE'][h.type]}`);
    const peer = toServer ? server : client;
    peer.receive(batch);
    batch = peer.build();
    toServer = !toServer;
  }
  return types;
}

test('a full exchange: CDATA with Language-Preference + PB-PA, SDATA rounds, RESULT, CLOSE', () => {
  const cl: string[] = [];
  const sl: string[] = [];
  const serverGot: PaMessage[] = [];
  const clientGot: PaMessage[] = [];
  let result: PbTncResult | undefined;
  let lang = '';
  let rounds = 0;
  const server = new PbTncConnection({
    role: 'server',
    connectionId: 1,
    logger: logger(sl),
    handler: {
      languagePreference: (l) => (lang = l),
      paMessage: (m) => serverGot.push(m),
      batchEnding: (c) => {
        rounds++;
        if (rounds < 3) c.sendPa({ ...PTS, collectorId: 0xffff, validatorId: 2, body: fromHex(`01000000000000${rounds.toString(16).padStart(2, '0')}`) });
        else c.setRecommendation({ assessment: 0, recommendation: AccessRecommendation.ALLOWED, reasons: [{ reason: 'all good', languageCode: 'en' }] });
      },
    },
  });
  const client = new PbTncConnection({
    role: 'client',
    connectionId: 1,
    logger: logger(cl),
    handler: {
      paMessage: (m) => clientGot.push(m),
      batchEnding: (c) => c.sendPa({ ...PTS, collectorId: 2, validatorId: 1, body: fromHex('0100000000000042') }),
      result: (r) => (result = r),
    },
  });
  client.sendPa({ ...OS, collectorId: 1, validatorId: 0xffff, body: fromHex('01000000deadbeef') });
  const types = run(client, server);
  expect(types).toEqual(['C:CDATA', 'S:SDATA', 'C:CDATA', 'S:SDATA', 'C:CDATA', 'S:RESULT', 'C:CLOSE']);
  expect(lang).toBe('en');
  expect(serverGot).toHaveLength(3);
  expect(serverGot[0]).toMatchObject({ ...OS, collectorId: 1, validatorId: 0xffff });
  expect(clientGot).toHaveLength(2);
  expect(result).toEqual({ assessment: 0, recommendation: 1, reasons: [{ reason: 'all good', languageCode: 'en' }], remediation: [] });
  expect(client.state).toBe(PbTncState.END);
  expect(server.state).toBe(PbTncState.END);
  expect(client.build()).toBeUndefined();
  expect(server.build()).toBeUndefined();
  // the seed's client lines, in its order
  const seedOrder = [
    "00[TNC] creating PB-PA message type 'IETF/Operating System' 0x000000/0x00000001",
    "00[TNC] PB-TNC state transition from 'Init' to 'Server Working'",
    '00[TNC] creating PB-TNC CDATA batch',
    '00[TNC] adding IETF/PB-Language-Preference message',
    '00[TNC] adding IETF/PB-PA message',
  ];
  expect(cl.slice(0, seedOrder.length)).toEqual(seedOrder);
  expect(cl).toContain('00[TNC] received TNCCS batch (40 bytes) for Connection ID 1');
  expect(cl).toContain("00[TNC] PB-TNC state transition from 'Server Working' to 'Client Working'");
  expect(cl).toContain('00[TNC] processing PB-TNC SDATA batch');
  expect(cl).toContain("00[TNC] handling PB-PA message type 'TCG/PTS' 0x005597/0x00000001");
  expect(cl).toContain("00[TNC] PB-TNC state transition from 'Server Working' to 'Decided'");
  expect(cl).toContain("00[TNC] PB-TNC assessment result is 'compliant'");
  expect(cl).toContain("00[TNC] PB-TNC access recommendation is 'Access Allowed'");
  expect(cl).toContain("00[TNC] PB-TNC state transition from 'Decided' to 'End'");
  expect(cl).toContain('00[TNC] sending PB-TNC CLOSE batch (8 bytes) for Connection ID 1');
  expect(sl).toContain('00[TNC] processing IETF/PB-Language-Preference message (31 bytes)');
});

test('messages that do not fit are queued for the next batch of the same type; empty SDATA pulls them', () => {
  const lines: string[] = [];
  const server = new PbTncConnection({ role: 'server', handler: {} });
  const client = new PbTncConnection({ role: 'client', connectionId: 7, maxBatchSize: 1000, logger: logger(lines), languagePreference: '' });
  for (let i = 0; i < 10; i++) client.sendPa({ ...PTS, collectorId: 2, validatorId: 1, body: new Uint8Array(300 - 24).fill(i) });
  const sizes: number[] = [];
  let b = client.build();
  while (b) {
    sizes.push(b.byteLength);
    const h = peekBatchHeader(b);
    expect(h.type).toBe(BatchType.CDATA);
    server.receive(b);
    const s = server.build(); // empty SDATA: nothing to say, no recommendation yet
    expect(s).toEqual(fromHex('0280000200000008'));
    client.receive(s!);
    b = client.queued > 0 ? client.build() : undefined;
  }
  expect(sizes).toEqual([908, 908, 908, 308]);
  expect(lines).toContain('00[TNC] queued 7 PB-TNC messages for next CDATA batch');
  expect(lines).toContain('00[TNC] queued 1 PB-TNC message for next CDATA batch');
  expect(lines).toContain('00[TNC] sending PB-TNC CDATA batch (908 bytes) for Connection ID 7');
});

test('a PA message larger than the maximum message size is refused', () => {
  const client = new PbTncConnection({ role: 'client', maxBatchSize: 1000 });
  expect(client.maxMessageSize).toBe(1000 - 32);
  expect(() => client.sendPa({ ...PTS, collectorId: 1, validatorId: 1, body: new Uint8Array(969) })).toThrow(RangeError);
  client.sendPa({ ...PTS, collectorId: 1, validatorId: 1, body: new Uint8Array(968) });
});

test('a malformed batch is answered with a fatal PB-Error in a CLOSE batch; the peer learns the error and closes', () => {
  const errors: PbErrorValue[] = [];
  let closed = false;
  const server = new PbTncConnection({ role: 'server' });
  const client = new PbTncConnection({ role: 'client', handler: { error: (e) => errors.push(e), closed: () => (closed = true) } });
  server.receive(fromHex('0200000100000010000000000000')); // length field says 16, 14 bytes received
  const close = server.build()!;
  const decoded = decodeBatch(close, { registry: createMessageRegistry(), expectFromServer: true });
  expect(decoded.type).toBe(BatchType.CLOSE);
  expect(decoded.messages).toHaveLength(1);
  expect(PbError.is(decoded.messages[0]) && decoded.messages[0].value).toEqual({ fatal: true, errorVendorId: 0, errorCode: 1, offset: 4 });
  expect(server.state).toBe(PbTncState.END);
  expect(server.failed).toBe(true);
  client.build();
  client.receive(close);
  expect(errors).toEqual([{ fatal: true, errorVendorId: 0, errorCode: 1, offset: 4 }]);
  expect(closed).toBe(true);
  expect(client.state).toBe(PbTncState.END);
});

test('an unexpected batch type gets PB-Error Unexpected Batch Type (offset 0) and CLOSE', () => {
  const client = new PbTncConnection({ role: 'client' });
  client.build(); // CDATA → Server Working
  client.receive(encodeBatch({ fromServer: true, type: BatchType.CRETRY, messages: [] }));
  const close = client.build()!;
  const decoded = decodeBatch(close, { registry: createMessageRegistry(), expectFromServer: false });
  expect(decoded.type).toBe(BatchType.CLOSE);
  expect(decoded.messages[0].value).toEqual({ fatal: true, errorVendorId: 0, errorCode: 0, offset: 0 });
});

test('a version 1 batch is answered with Version Not Supported carrying bad/max/min version', () => {
  const server = new PbTncConnection({ role: 'server' });
  server.receive(fromHex('0100000100000008'));
  const close = server.build()!;
  expect(decodeBatch(close, { registry: createMessageRegistry() }).messages[0].value).toEqual({
    fatal: true,
    errorVendorId: 0,
    errorCode: 4,
    badVersion: 1,
    maxVersion: 2,
    minVersion: 2,
  });
});

test('handshake retry: CRETRY from the client in Decided restarts the assessment', () => {
  let recommendations = 0;
  const server = new PbTncConnection({
    role: 'server',
    handler: { batchEnding: (c) => (recommendations++, c.setRecommendation({ assessment: 2, recommendation: AccessRecommendation.ISOLATED })) },
  });
  const results: PbTncResult[] = [];
  const client = new PbTncConnection({ role: 'client', handler: { result: (r, c) => (results.push(r), results.length === 1 && c.requestRetry()) } });
  const types = run(client, server);
  expect(types).toEqual(['C:CDATA', 'S:RESULT', 'C:CRETRY', 'S:RESULT', 'C:CLOSE']);
  expect(results.map((r) => r.recommendation)).toEqual([3, 3]);
  expect(recommendations).toBe(2);
});

test('SRETRY from the server while the client works', () => {
  let n = 0;
  const server = new PbTncConnection({
    role: 'server',
    handler: {
      batchEnding: (c) => {
        n++;
        if (n === 1) c.sendPa({ ...OS, collectorId: 0xffff, validatorId: 1, body: fromHex('0100000000000001') });
        else if (n === 2) c.requestRetry();
        else c.setRecommendation({ assessment: 0, recommendation: 1 });
      },
    },
  });
  const client = new PbTncConnection({ role: 'client' });
  expect(run(client, server)).toEqual(['C:CDATA', 'S:SDATA', 'C:CDATA', 'S:SRETRY', 'C:CDATA', 'S:RESULT', 'C:CLOSE']);
});
