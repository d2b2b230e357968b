/**
 * A complete phase-2 setup for tests and the benchmark: EAP-TTLS server (Identity → MD5 → PT-EAP) and peer, with
 * real PbTncConnections on both sides exchanging PA messages (CDATA/SDATA/RESULT/CLOSE).
 */
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { Logger } from '@tncjs/common';
import { AccessRecommendation, peekBatchHeader, batchTypeName, type PbTncConnection } from '@tncjs/pb-tnc';
import { createPtEapConnection, ptEapFactory } from '@tncjs/pt-eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory, type TtlsCommonOptions } from '../../src/index.js';
import type { TestPki } from './pki.js';

export interface TncSetupOptions {
  pki: TestPki;
  tls?: Pick<TtlsCommonOptions, 'minVersion' | 'maxVersion' | 'tls13Keys' | 'keylog'>;
  fragmentSize?: number;
  /** Peer fragment size (default: same as the server's). */
  peerFragmentSize?: number;
  includeLength?: boolean;
  password?: string;
  serverPassword?: string;
  /** PB-TNC bytes the client sends in PA messages (split into `chunk`-byte PA messages). */
  clientPaBytes?: number;
  serverPaBytes?: number;
  chunk?: number;
  recommendation?: number;
  maxBatchSize?: number;
  logLevel?: number;
  serverIdentity?: string;
}

export function tncSetup(o: TncSetupOptions) {
  const lines: string[] = [];
  const log = new Logger({ defaultLevel: (o.logLevel ?? 2) as 2, sink: (l) => lines.push(l) });
  const identity = 'carol@strongswan.org';
  const serverSecrets = new MemorySecretsStore({ [identity]: o.serverPassword ?? 'Ar3etTnp' });
  const peerSecrets = new MemorySecretsStore({ [identity]: o.password ?? 'Ar3etTnp' });
  const batches: string[] = [];
  const record = (pb: PbTncConnection, side: 'C' | 'S') => {
    const build = pb.build.bind(pb);
    pb.build = () => {
      const b = build();
      if (b) batches.push(`${side}:${batchTypeName(peekBatchHeader(b).type)}`);
      return b;
    };
    return pb;
  };
  const chunk = o.chunk ?? 8000;
  const split = (n: number) => {
    const out: Uint8Array[] = [];
    for (let left = n; left > 0; left -= chunk) out.push(new Uint8Array(Math.min(chunk, left)).fill(0x5a));
    return out;
  };
  const got = { server: 0, client: 0 };
  let result: unknown;
  let serverRound = 0;
  const clientTotal = o.clientPaBytes ?? 2000;
  const serverConn = () =>
    record(
      createPtEapConnection({
        role: 'server',
        maxBatchSize: o.maxBatchSize,
        logger: log.withThread(11),
        handler: {
          paMessage: (m) => (got.server += m.body.byteLength),
          batchEnding: (c) => {
            serverRound++;
            if (serverRound === 1) for (const b of split(o.serverPaBytes ?? 1500)) c.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body: b });
            else if (got.server >= clientTotal) c.setRecommendation({ assessment: 0, recommendation: o.recommendation ?? AccessRecommendation.ALLOWED });
          },
        },
      }),
      'S',
    );
  const clientConn = () => {
    const c = record(
      createPtEapConnection({
        role: 'client',
        maxBatchSize: o.maxBatchSize,
        logger: log.withThread(12),
        handler: {
          paMessage: (m, conn) => {
            got.client += m.body.byteLength;
            conn.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(16) });
          },
          result: (r) => (result = r),
        },
      }),
      'C',
    );
    for (const b of split(clientTotal)) c.sendPa({ paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: b });
    return c;
  };
  const validator = new CertificateValidator({ trust: new TrustStore([o.pki.ca.der]), revocation: { policy: 'off' } });
  const common = { ...o.tls, includeLength: o.includeLength };
  const auth = new EapAuthenticator({
    methods: [
      ttlsServerFactory({
        ...common,
        cert: o.pki.moon.pem,
        key: o.pki.leafKey.pem,
        fragmentSize: o.fragmentSize,
        phase2: { methods: [md5Factory(serverSecrets), ptEapFactory({ connection: serverConn })] },
      }),
    ],
    serverIdentity: 'moon.strongswan.org',
    logger: log.withThread(1),
  });
  const peer = new EapPeer({
    identity,
    serverIdentity: o.serverIdentity ?? 'moon.strongswan.org',
    methods: [ttlsPeerFactory({ ...common, validator, fragmentSize: o.peerFragmentSize ?? o.fragmentSize, phase2: [md5Factory(peerSecrets), ptEapFactory({ connection: clientConn })] })],
    logger: log.withThread(2),
  });
  return { auth, peer, lines, batches, got, result: () => result };
}
