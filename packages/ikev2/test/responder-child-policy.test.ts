/**
 * The responder's CHILD_SA decision (RFC 7296 §1.2, §2.9) against our initiator over UDP on 127.0.0.1 with EAP-TTLS +
 * inner EAP-MD5: TSi/TSr narrowed to `remoteTs` (`dynamic` = the peer's address) and `localTs`, a per-SA
 * `childPolicy` (narrower selectors, or a refusal answered TS_UNACCEPTABLE while the IKE_SA stays), no common selectors
 * → TS_UNACCEPTABLE, `onFailed` for an EAP failure; and the initiator refusing a responder that widens its selectors.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { Logger } from '@tncjs/common';
import {
  IkeInitiator, IkeResponder, describeSelector, selectorFromCidr, type ChildSaPolicy, type ResponderFailureInfo, type ResponderOptions,
  type ResponderSaInfo, type ResponderSaRef,
} from '../src/index.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

const secrets = new MemorySecretsStore({ 'carol@strongswan.org': 'Ar3etTnp' });
let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 60_000);

function responder(lines: string[], extra: Partial<ResponderOptions> = {}) {
  return new IkeResponder({
    identity: 'moon.strongswan.org',
    eap: (id) => new EapAuthenticator({
      methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] } })],
      requestIdentity: false, identity: id, serverIdentity: 'moon.strongswan.org',
    }),
    fakeNat: true,
    transport: { localAddress: '127.0.0.1' },
    logger: new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) }),
    ...extra,
  });
}

function initiator(ports: Awaited<ReturnType<IkeResponder['listen']>>, o: { tsi?: string[]; tsr?: string[]; password?: string; lines?: string[] } = {}) {
  const pw = o.password ? new MemorySecretsStore({ 'carol@strongswan.org': o.password }) : secrets;
  return new IkeInitiator({
    remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port },
    identity: 'carol@strongswan.org',
    tsi: o.tsi,
    tsr: o.tsr,
    eap: new EapPeer({
      identity: 'carol@strongswan.org',
      serverIdentity: 'moon.strongswan.org',
      methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(pw)] })],
    }),
    retransmit: { timeout: 500, base: 1.5, tries: 3 },
    transport: { localAddress: '127.0.0.1' },
    logger: new Logger({ defaultLevel: 1, sink: (l) => o.lines?.push(l) }),
  });
}

async function run(r: IkeResponder, o: Parameters<typeof initiator>[1] = {}) {
  const ports = await r.listen();
  const established: ResponderSaInfo[] = [];
  const failed: ResponderFailureInfo[] = [];
  r.onEstablished((i) => established.push(i));
  r.onFailed((i) => failed.push(i));
  const c = initiator(ports, o);
  try {
    const info = await c.connect().catch((e: unknown) => e as Error);
    return { info, established, failed };
  } finally {
    await c.close().catch(() => {});
    await r.close();
  }
}

const ts = (t: { tsi: { start: Uint8Array }[]; tsr: { start: Uint8Array }[] } | undefined) =>
  t && { tsi: (t.tsi as Parameters<typeof describeSelector>[0][]).map(describeSelector), tsr: (t.tsr as Parameters<typeof describeSelector>[0][]).map(describeSelector) };

describe('responder CHILD_SA policy', () => {
  it("narrows the initiator's TSi to `dynamic` (its address/32) and TSr to localTs", async () => {
    const lines: string[] = [];
    const r = await run(responder(lines, { localTs: ['10.1.0.0/28'], remoteTs: ['dynamic'] }), { tsi: ['127.0.0.0/8'], tsr: ['0.0.0.0/0'] });
    expect(r.info).not.toBeInstanceOf(Error);
    const info = r.info as Awaited<ReturnType<IkeInitiator['connect']>>;
    expect(ts(info.child)).toEqual({ tsi: ['127.0.0.1/32'], tsr: ['10.1.0.0/28'] });
    expect(ts(r.established[0].child)).toEqual({ tsi: ['127.0.0.1/32'], tsr: ['10.1.0.0/28'] });
    expect(lines.some((l) => /\[CHD\] CHILD_SA established with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o and TS 10\.1\.0\.0\/28 === 127\.0\.0\.1\/32$/.test(l))).toBe(true);
  }, 30_000);

  it('a per-SA policy narrows further; it is asked with the IKE_SA it decides', async () => {
    const asked: ResponderSaRef[] = [];
    const childPolicy = (sa: ResponderSaRef): ChildSaPolicy => {
      asked.push(sa);
      return { localTs: ['10.1.0.8/29'] };
    };
    const r = await run(responder([], { localTs: ['10.1.0.0/28'], childPolicy }), { tsr: ['10.1.0.0/24'] });
    const info = r.info as Awaited<ReturnType<IkeInitiator['connect']>>;
    expect(ts(info.child)).toEqual({ tsi: ['127.0.0.1/32'], tsr: ['10.1.0.8/29'] });
    expect(asked).toEqual([{ spiI: info.spiI, spiR: info.spiR, peer: expect.objectContaining({ address: '127.0.0.1' }), peerIdentity: 'carol@strongswan.org' }]);
  }, 30_000);

  it('a refusing policy: TS_UNACCEPTABLE, the IKE_SA is established without a CHILD_SA and says why', async () => {
    const lines: string[] = [];
    const carol: string[] = [];
    const r = await run(responder(lines, { childPolicy: () => ({ refuse: 'remediation only' }) }), { lines: carol });
    const info = r.info as Awaited<ReturnType<IkeInitiator['connect']>>;
    expect(info.child).toBeUndefined();
    expect(r.established[0]).toMatchObject({ child: undefined, childRefused: 'CHILD_SA refused by policy: remediation only' });
    expect(lines).toContain('00[CHD] CHILD_SA refused by policy: remediation only');
    expect(carol).toContain('00[CHD] received TS_UNACCEPTABLE notify, no CHILD_SA built');
  }, 30_000);

  it('no selectors in common, or a policy that throws: TS_UNACCEPTABLE', async () => {
    const a = await run(responder([], { localTs: ['10.1.0.0/28'] }), { tsr: ['10.2.0.0/16'] });
    expect((a.info as { child?: unknown }).child).toBeUndefined();
    expect(a.established[0].childRefused).toBe('no acceptable traffic selectors found (proposed 127.0.0.1/32 === 10.2.0.0/16)');
    const b = await run(responder([], { childPolicy: () => ({ localTs: ['10.1.0.300/28'] }) }));
    expect(b.established[0].childRefused).toMatch(/^CHILD_SA policy has a bad traffic selector: invalid IPv4 address in 10\.1\.0\.300\/28/);
    const c = await run(responder([], { childPolicy: () => { throw new Error('database down'); } }));
    expect(c.established[0].childRefused).toBe('CHILD_SA policy failed, refusing CHILD_SA: database down');
  }, 60_000);

  it('onFailed: a wrong EAP password fails the IKE_SA, reported with the peer and the reason', async () => {
    const r = await run(responder([]), { password: 'wrong' });
    expect(r.info).toBeInstanceOf(Error);
    expect(r.established).toEqual([]);
    expect(r.failed).toEqual([expect.objectContaining({ peerIdentity: 'carol@strongswan.org', peer: expect.objectContaining({ address: '127.0.0.1' }), reason: expect.stringMatching(/^EAP method failed/) })]);
  }, 30_000);

  it("bad options: malformed CIDRs are TypeErrors at construction", () => {
    expect(() => responder([], { localTs: ['10.1.0.0/33'] })).toThrow(TypeError);
    expect(() => responder([], { remoteTs: ['moon'] })).toThrow(TypeError);
  });
});

describe('initiator: RFC 7296 §2.9, the responder may only narrow', () => {
  it('a responder answering wider selectors than proposed is refused (ERR_IKE_PROTOCOL)', async () => {
    const r = responder([], { localTs: ['0.0.0.0/0'] });
    // below the real responder: rewrite its TSr answer to something we did not propose
    const real = (r as unknown as { child: (sa: unknown, out: { type: number; selectors?: unknown[] }[]) => unknown }).child.bind(r);
    (r as unknown as { child: typeof real }).child = (sa, out) => {
      const c = real(sa, out);
      for (const p of out) if (p.type === 45) p.selectors = [selectorFromCidr('0.0.0.0/0')];
      return c;
    };
    const res = await run(r, { tsr: ['10.1.0.0/28'] });
    expect(res.info).toBeInstanceOf(Error);
    expect(res.info).toMatchObject({ code: 'ERR_IKE_PROTOCOL', message: expect.stringMatching(/traffic selectors 127\.0\.0\.1\/32 === 0\.0\.0\.0\/0 are not within ours \(127\.0\.0\.1\/32 === 10\.1\.0\.0\/28 \)/) });
  }, 30_000);
});
