/**
 * One TncGateway, several clients at once over real UDP on 127.0.0.1, each with its own swtpm-backed machine: two
 * clients share the identity carol@strongswan.org, one compliant and one tampered (one IMA entry edited after the
 * PCRs were extended). The gateway links each TNC decision to its IKE_SA by SPI (not by identity), gives the
 * Quarantined client a CHILD_SA narrowed to the remediation network (`isolatedTs`, RFC 7296 §2.9), routes each
 * client's ESP to its own tunnel, counts traffic per client, and records a third client's wrong password as a
 * failed session (`onFailed`) whose TNC connection is gone.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@tncjs/common';
import { icmpEchoRequest, parseIcmpEcho } from '@tncjs/ikev2';
import { connectTnc, type TncSession } from '@tncjs/client';
import { TncGateway, type GatewaySession } from '../src/index.js';
import { platformTpm, seedBiosEvents, seedImaFiles, bootMachine, type Machine } from '../../../test-support/seed-machine.js';
import type { SwtpmInstance } from '../../../test-support/swtpm.js';
import type { Tpm } from '@tncjs/tss';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

jest.setTimeout(300_000);
const CAROL = 'carol@strongswan.org';
const DAVE = 'dave@strongswan.org';
const MOON = 'moon.strongswan.org';

interface Box {
  tpm: Tpm;
  swtpm: SwtpmInstance;
  machine: Machine;
}

let pki: TestPki;
const boxes: Box[] = [];

async function box(tamper?: number): Promise<Box> {
  const t = await platformTpm();
  const machine = await bootMachine(t.tpm, seedBiosEvents(), seedImaFiles(), { tamperImaEntry: tamper });
  writeFileSync(join(machine.dir, 'ip_forward'), '0\n');
  const b = { tpm: t.tpm, swtpm: t.swtpm, machine };
  boxes.push(b);
  return b;
}

beforeAll(async () => {
  pki = await makePki();
});
afterAll(async () => {
  for (const b of boxes) {
    await b.tpm.close();
    await b.swtpm.stop();
    rmSync(b.machine.dir, { recursive: true, force: true });
  }
});

async function ping(s: TncSession, dst: string, seq: number) {
  const t = s.openEspTunnel();
  const back = new Promise<Uint8Array>((r) => t.onPacket(r));
  t.send(icmpEchoRequest('127.0.0.1', dst, 11, seq, Uint8Array.of(seq)));
  return parseIcmpEcho(await back);
}

describe('TncGateway with concurrent clients', () => {
  test('same identity, compliant and tampered at once: decisions linked by SPI, the Quarantined one narrowed to isolatedTs; a wrong password fails alone', async () => {
    const [good, bad] = await Promise.all([box(), box(700)]);
    const moon: string[] = [];
    const gw = new TncGateway({
      identity: MOON, certificate: pki.moon.pem, key: pki.leafKey.pem, secrets: { [CAROL]: 'Ar3etTnp', [DAVE]: 'W7R0g3do' },
      address: '127.0.0.1', ikePort: 0, nattPort: 0,
      localTs: ['10.1.0.0/28'], isolatedTs: ['10.1.0.8/29'], remoteTs: ['dynamic'],
      imvs: { attestation: { metadataPath: good.machine.tncConfig } },
      logger: new Logger({ defaultLevel: 1, sink: (l) => moon.push(l) }),
    });
    const failed: GatewaySession[] = [];
    gw.onFailed((s) => failed.push(s));
    const ports = await gw.start();
    const connect = (b: Box, identity: string, password: string) =>
      connectTnc({
        gateway: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port, identity: MOON },
        identity, password, trust: [pki.ca.pem], revocation: 'off', tpm: b.tpm, biosLog: b.machine.bios, imaLog: b.machine.ima,
        localAddress: '127.0.0.1', retransmit: { timeout: 3000, tries: 4 }, logger: new Logger({ defaultLevel: -1, sink: () => {} }),
      });
    try {
      const [a, q, wrong] = await Promise.allSettled([connect(good, CAROL, 'Ar3etTnp'), connect(bad, CAROL, 'Ar3etTnp'), connect(good, DAVE, 'not-his')]);
      expect(a.status).toBe('fulfilled');
      expect(q.status).toBe('fulfilled');
      expect(wrong.status).toBe('rejected');
      const allowed = (a as PromiseFulfilledResult<TncSession>).value;
      const isolated = (q as PromiseFulfilledResult<TncSession>).value;
      expect(allowed).toMatchObject({ outcome: 'allowed', recommendation: 'Access Allowed', assessment: 'compliant' });
      expect(isolated).toMatchObject({ outcome: 'isolated', recommendation: 'Quarantined' });

      // each client got its own decision at the gateway, found by its IKE_SA's SPI
      const sessions = gw.clients.filter((s) => s.state === 'established');
      expect(sessions).toHaveLength(2);
      const gwAllowed = sessions.find((s) => s.spiI === allowed.status().ike?.spiI)!;
      const gwIsolated = sessions.find((s) => s.spiI === isolated.status().ike?.spiI)!;
      expect(gwAllowed).toMatchObject({ peerIdentity: CAROL, recommendation: 'Access Allowed', evaluation: 'compliant', peer: '127.0.0.1' });
      expect(gwIsolated).toMatchObject({ peerIdentity: CAROL, recommendation: 'Quarantined' });
      expect(gwIsolated.evaluation).toMatch(/^non-compliant/);

      // the CHILD_SAs: moon's network for the compliant one, the remediation network for the Quarantined one
      expect(allowed.child).toMatchObject({ tsi: ['127.0.0.1/32'], tsr: ['10.1.0.0/28'] });
      expect(isolated.child).toMatchObject({ tsi: ['127.0.0.1/32'], tsr: ['10.1.0.8/29'] });
      expect(gwIsolated.child).toMatchObject({ tsr: ['10.1.0.8/29'], tsi: ['127.0.0.1/32'] });
      expect(moon).toContain(`00[CFG] peer '${CAROL}' is isolated: CHILD_SA limited to 10.1.0.8/29`);

      // ESP: each client's packets reach its own tunnel and come back through it
      expect(await ping(allowed, '10.1.0.1', 1)).toMatchObject({ type: 0, src: '10.1.0.1', seq: 1, checksumOk: true });
      expect(await ping(isolated, '10.1.0.9', 2)).toMatchObject({ type: 0, src: '10.1.0.9', seq: 2, checksumOk: true });
      expect(await ping(allowed, '10.1.0.1', 3)).toMatchObject({ seq: 3 });
      expect([gwAllowed.pingsAnswered, gwIsolated.pingsAnswered]).toEqual([2, 1]);
      const ta = gw.traffic(gwAllowed.spiI!)!;
      const tq = gw.traffic(gwIsolated.spiI!)!;
      expect([ta.espPacketsIn, ta.espPacketsOut, tq.espPacketsIn, tq.espPacketsOut]).toEqual([2, 2, 1, 1]);
      expect(ta.ikeBytesIn).toBe(allowed.stats().bytesSent);
      expect(gw.transportStats.espUnknownSpi).toBe(0);

      // the wrong password: a failed session of its own, its TNC connection never reached the others
      const f = gw.clients.filter((s) => s.peerIdentity === DAVE);
      expect(f.map((s) => s.state)).toEqual(['failed']);
      expect(failed).toHaveLength(1);
      expect(failed[0].failure).toMatch(/EAP method failed/);

      expect(await allowed.close()).toEqual({ acknowledged: true });
      expect(await isolated.close()).toEqual({ acknowledged: true });
      expect(gw.activeSas).toBe(0);
      expect(sessions.map((s) => s.state)).toEqual(['deleted', 'deleted']);
    } finally {
      await gw.close();
    }
  });

  test('sessionHistory: finished sessions beyond it are forgotten, oldest first', async () => {
    const gw = new TncGateway({
      identity: MOON, certificate: pki.moon.pem, key: pki.leafKey.pem, secrets: { [DAVE]: 'W7R0g3do' }, address: '127.0.0.1', ikePort: 0, nattPort: 0,
      imvs: { attestation: false, os: false }, sessionHistory: 2, logger: new Logger({ defaultLevel: -1, sink: () => {} }),
    });
    const ports = await gw.start();
    try {
      const failedSpis: string[] = [];
      for (let i = 0; i < 4; i++) {
        const err = await connectTnc({
          gateway: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port, identity: MOON },
          identity: DAVE, password: `wrong-${i}`, trust: [pki.ca.pem], revocation: 'off', attestation: false, localAddress: '127.0.0.1',
          retransmit: { timeout: 1000, tries: 2 }, logger: new Logger({ defaultLevel: -1, sink: () => {} }),
        }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'ERR_TNC_IKE' });
        failedSpis.push(gw.clients.at(-1)!.spiI!);
      }
      expect(gw.clients.map((s) => s.state)).toEqual(['failed', 'failed']);
      expect(gw.clients.map((s) => s.spiI)).toEqual(failedSpis.slice(2));
    } finally {
      await gw.close();
    }
  });

  test('bad options: maxEapRounds, isolatedTs, sessionHistory', () => {
    expect(() => new TncGateway({ identity: MOON, certificate: 'x', key: 'y', secrets: {}, maxEapRounds: 0 })).toThrow(TypeError);
    expect(() => new TncGateway({ identity: MOON, certificate: 'x', key: 'y', secrets: {}, isolatedTs: ['10.1.0.300/29'] })).toThrow(TypeError);
    expect(() => new TncGateway({ identity: MOON, certificate: 'x', key: 'y', secrets: {}, sessionHistory: -1 })).toThrow(TypeError);
  });
});
