/**
 * Our EAP-TTLS client against our EAP-TTLS server through the whole phase-2 sequence the server drives (inner
 * EAP-Identity piggybacked on the TLS Finished → EAP-MD5 → PT-EAP carrying a real PB-TNC exchange
 * CDATA/SDATA/CDATA/RESULT/CLOSE), over real TLS 1.2 and 1.3 at several fragment sizes.
 */
import { decodeEapPacket, EapCode, EapType } from '@tncjs/eap';
import { equalBytes } from '@tncjs/common';
import { AccessRecommendation } from '@tncjs/pb-tnc';
import { decodeTtlsData } from '../src/index.js';
import { makePki, type TestPki } from './support/pki.js';
import { runEap } from './support/run.js';
import { tncSetup } from './support/tnc.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 30_000);

const versions = ['TLSv1.2', 'TLSv1.3'] as const;
const sizes = [1024, 1400, 8000, Infinity];

describe.each(versions)('%s', (version) => {
  test.each(sizes)('full phase 2 (Identity → MD5 → PT-EAP) at fragment size %p', async (fragmentSize) => {
    const t = tncSetup({ pki, tls: { minVersion: version, maxVersion: version }, fragmentSize, clientPaBytes: 12000, serverPaBytes: 3000 });
    const s = await runEap(t.peer, t.auth);
    expect(s.final).toBe('success');
    expect(t.peer.outcome).toBe('success');
    expect(t.auth.outcome).toBe('success');
    // MSK equal on both sides, 64 bytes; EMSK too
    expect(t.peer.msk).toHaveLength(64);
    expect(equalBytes(t.peer.msk!, t.auth.msk!)).toBe(true);
    expect(equalBytes(t.peer.emsk!, t.auth.emsk!)).toBe(true);
    expect(equalBytes(t.peer.msk!, t.peer.emsk!)).toBe(false);
    // every packet within the fragment size
    expect(s.largestPacket).toBeLessThanOrEqual(Math.min(fragmentSize, 65535));
    // the inner sequence, in the order the server drives it
    const tunneled = t.lines.filter((l) => l.includes('received tunneled EAP-TTLS AVP')).map((l) => l.replace(/^.*\[(EAP\/[A-Z]+\/[A-Z0-9]+)\].*$/, '$1'));
    expect(tunneled.filter((x) => x.startsWith('EAP/REQ'))).toEqual(expect.arrayContaining(['EAP/REQ/ID', 'EAP/REQ/MD5', 'EAP/REQ/PT']));
    const order = tunneled.filter((x) => x.startsWith('EAP/REQ')).map((x) => x.split('/')[2]);
    expect([...new Set(order)]).toEqual(['ID', 'MD5', 'PT']);
    expect(t.lines.some((l) => l.includes(`negotiated TLS ${version.slice(4)} using suite`))).toBe(true);
    expect(t.lines).toContainEqual(expect.stringContaining('EAP method EAP_MD5 succeeded'));
    expect(t.lines).toContainEqual(expect.stringContaining('EAP method EAP_PT_EAP succeeded'));
    // a real PB-TNC exchange: CDATA, SDATA with the IMV's request, CDATA with the answer, RESULT, CLOSE
    expect(t.batches[0]).toBe('C:CDATA');
    expect(t.batches).toContain('S:SDATA');
    expect(t.batches.slice(-2)).toEqual(['S:RESULT', 'C:CLOSE']);
    expect(t.got.server).toBeGreaterThanOrEqual(12000);
    expect(t.got.client).toBe(3000);
    expect(t.result()).toMatchObject({ recommendation: AccessRecommendation.ALLOWED });
    // the inner identity request rides on the server's TLS Finished: no empty round between handshake and phase 2
    if (version === 'TLSv1.2') expect(t.lines.findIndex((l) => l.includes('01[IKE] sending tunneled EAP-TTLS AVP [EAP/REQ/ID]'))).toBeGreaterThan(-1);
    // fragmentation actually happened at small sizes
    if (fragmentSize <= 1400) expect(t.lines.some((l) => l.includes('first fragment'))).toBe(true);
    if (fragmentSize === Infinity) expect(t.lines.some((l) => l.includes('first fragment'))).toBe(false);
  }, 30_000);
});

test('the server sends the TLS Message Length in unfragmented packets too (strongSwan behaviour), the client accepts it', async () => {
  const t = tncSetup({ pki, fragmentSize: 1024 });
  const s = await runEap(t.peer, t.auth);
  expect(s.final).toBe('success');
  const serverTtls = s.packets.filter((p) => p.dir === 'req').map((p) => decodeEapPacket(p.bytes)).filter((p) => p.code === EapCode.REQUEST && p.type === EapType.TTLS).map((p) => decodeTtlsData(p.data));
  const unfragmentedWithData = serverTtls.filter((d) => !d.more && !d.start && d.data.byteLength > 0 && d.tlsMessageLength === d.data.byteLength);
  expect(unfragmentedWithData.length).toBeGreaterThan(0);
  expect(unfragmentedWithData.every((d) => d.length)).toBe(true);
  // every fragment of a fragmented message is acknowledged by an empty response
  expect(serverTtls.some((d) => d.more)).toBe(true);
});

test('RFC 5281 length mode (L only on first fragments) interoperates too', async () => {
  const t = tncSetup({ pki, fragmentSize: 1400, includeLength: false });
  const s = await runEap(t.peer, t.auth);
  expect(s.final).toBe('success');
  const all = s.packets.map((p) => decodeEapPacket(p.bytes)).filter((p) => p.type === EapType.TTLS).map((p) => decodeTtlsData(p.data));
  expect(all.filter((d) => d.length).every((d) => d.more)).toBe(true);
});

test('wrong MD5 password → EAP-Failure, no MSK', async () => {
  const t = tncSetup({ pki, password: 'wrong' });
  const s = await runEap(t.peer, t.auth);
  expect(s.final).toBe('failure');
  expect(t.auth.outcome).toBe('failure');
  expect(t.peer.outcome).toBe('failure');
  expect(t.peer.msk).toBeUndefined();
  expect(t.auth.msk).toBeUndefined();
  expect(t.lines).toContainEqual(expect.stringContaining('EAP-MD5 verification failed'));
  expect(t.lines.join('\n')).not.toContain('wrong');
  // PT-EAP never started
  expect(t.batches).toEqual([]);
});

test('access denied by the IMVs → PT-EAP fails → EAP-Failure', async () => {
  const t = tncSetup({ pki, recommendation: AccessRecommendation.DENIED });
  const s = await runEap(t.peer, t.auth);
  expect(s.final).toBe('failure');
  expect(t.batches.slice(-2)).toEqual(['S:RESULT', 'C:CLOSE']);
  expect(t.lines).toContainEqual(expect.stringContaining("final PB-TNC access recommendation is 'Access Denied'"));
});

test('TLS 1.3 with strongSwan-compatible key derivation gives equal MSKs on both sides', async () => {
  const a = tncSetup({ pki, tls: { minVersion: 'TLSv1.3', tls13Keys: 'strongswan' } });
  expect((await runEap(a.peer, a.auth)).final).toBe('success');
  expect(equalBytes(a.peer.msk!, a.auth.msk!)).toBe(true);
});

test('mismatched fragment sizes in the two directions (server 1024 like strongSwan, client unlimited)', async () => {
  const t = tncSetup({ pki, fragmentSize: 1024, peerFragmentSize: Infinity, clientPaBytes: 30000 });
  const s = await runEap(t.peer, t.auth);
  expect(s.final).toBe('success');
  const resp = s.packets.filter((p) => p.dir === 'resp').map((p) => p.bytes.byteLength);
  expect(Math.max(...resp)).toBeGreaterThan(1024);
});
