// Our IKEv2 responder from the BUILT package, for Debian's charon as initiator. Prints one JSON line per event:
// {"event":"listening"}, {"event":"established",...}, {"event":"esp",...}, {"event":"deleted",...}, {"event":"child-deleted",...}. Runs until killed.
// Usage: ip netns exec tnc-ikev2-gw node responder-server.mjs '{"cert":…,"key":…,"localTs":"10.2.0.0/24"[,"cookieThreshold":0]}'
import { readFileSync } from 'node:fs';
import { EapAuthenticator, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { ttlsServerFactory } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import { IkeResponder, icmpEchoReply, parseIcmpEcho } from '@tncjs/ikev2';

const o = JSON.parse(process.argv[2]);
const emit = (x) => process.stdout.write(JSON.stringify(x) + '\n');
const logger = new Logger({ defaultLevel: 1, sink: (l) => o.log && process.stderr.write(l + '\n') });
const secrets = new MemorySecretsStore({ [o.identity]: o.password });
const responder = new IkeResponder({
  identity: 'moon.strongswan.org',
  eap: (id) => new EapAuthenticator({
    methods: [ttlsServerFactory({ cert: readFileSync(o.cert, 'utf8'), key: readFileSync(o.key, 'utf8'), phase2: { methods: [md5Factory(secrets)] }, fragmentSize: 1024, maxVersion: 'TLSv1.2' })],
    requestIdentity: false, identity: id, serverIdentity: 'moon.strongswan.org', logger,
  }),
  localTs: [o.localTs],
  cookieThreshold: o.cookieThreshold,
  fakeNat: true,
  transport: { localAddress: o.address, ikePort: 500, nattPort: 4500 },
  logger,
});
await responder.listen();
responder.onEstablished((info) => {
  const { child, ...rest } = info;
  emit({ event: 'established', ...rest, child: child && { proposal: child.proposal, spiIn: Buffer.from(child.spiIn).toString('hex'), spiOut: Buffer.from(child.spiOut).toString('hex') } });
  if (!child) return;
  const tunnel = responder.openEspTunnel(info.spiI);
  tunnel.onPacket((p) => {
    const e = parseIcmpEcho(p);
    emit({ event: 'esp', src: e?.src, dst: e?.dst, type: e?.type, seq: e?.seq });
    const reply = icmpEchoReply(p);
    if (reply) tunnel.send(reply);
  });
});
responder.onDeleted((spiI) => emit({ event: 'deleted', spiI }));
responder.onRekeyed((info) => emit({ event: 'rekeyed', ...info }));
responder.onChildDeleted((info) => emit({ event: 'child-deleted', ...info }));
emit({ event: 'listening' });
