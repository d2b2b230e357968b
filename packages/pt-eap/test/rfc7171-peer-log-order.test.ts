/**
 * The PT-EAP peer over an asynchronous TNC client creates its IF-TNCCS connection when the server's Start arrives, so
 * the log reads as the seed (carol's charon): `server requested EAP_PT_EAP authentication`, `EAP_PT_EAP version is
 * v1`, then the connection (`assigned TNCCS Connection ID 1` in the IMC SDK). A PT-EAP method that is created but
 * never started creates no connection at all.
 */
import { Logger } from '@tncjs/common';
import { EapCode, EapPeer, EapType, encodeEapPacket } from '@tncjs/eap';
import { createPtEapConnection, encodePtEapData, ptEapTnccsPeerFactory, type TnccsClientEndpoint } from '../src/index.js';

function setup() {
  const lines: string[] = [];
  const logger = new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) });
  let created = 0;
  const factory = ptEapTnccsPeerFactory({
    logger,
    endpoint: (): TnccsClientEndpoint => {
      created++;
      logger.log('TNC', 1, `assigned TNCCS Connection ID ${created}`); // what the IMC SDK's TNC client prints here
      const pb = createPtEapConnection({ role: 'client', handler: {} });
      return { pb, start: async () => pb.build()!, receive: async (b) => (pb.receive(b), pb.build()) };
    },
  });
  const peer = new EapPeer({ identity: 'carol@strongswan.org', methods: [factory], logger });
  return { lines, peer, created: () => created };
}

const start = (id: number, version = 1) => encodeEapPacket({ code: EapCode.REQUEST, identifier: id, type: EapType.PT_EAP, data: encodePtEapData({ start: true, version, data: new Uint8Array(0) }) });

test('Start → "server requested", "EAP_PT_EAP version is v1", then the IF-TNCCS connection, then the first CDATA', async () => {
  const { lines, peer, created } = setup();
  const resp = await peer.process(start(0xea));
  expect(resp).toBeDefined();
  expect(created()).toBe(1);
  expect(lines).toEqual([
    '00[IKE] server requested EAP_PT_EAP authentication (id 0xEA)',
    '00[TLS] EAP_PT_EAP version is v1',
    '00[TNC] assigned TNCCS Connection ID 1',
  ]);
});

test('a Start with another version fails before any IF-TNCCS connection exists', async () => {
  const { peer, created } = setup();
  await peer.process(start(1, 2));
  expect(peer.outcome).toBe('failure');
  expect(created()).toBe(0);
});
