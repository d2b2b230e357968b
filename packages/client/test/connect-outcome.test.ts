/**
 * connectTnc's decision once IKE_AUTH ended (`decideTncOutcome`), and the bound on the EAP-TTLS conversation: the TTLS
 * peer gets `maxEapRounds` as its `maxPackets`, so it is the same limit as the IKE_AUTH rounds (checked over real UDP
 * against our TncGateway: the TTLS peer's own default, 1,000, would otherwise be the limit of a large evidence upload).
 */
import { jest } from '@jest/globals';
import { Logger } from '@tncjs/common';
import { AccessRecommendation } from '@tncjs/pb-tnc';
import { TncGateway } from '../../gateway/src/index.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';
import { connectTnc, decideTncOutcome, tncExitCode, TncExitCode } from '../src/stack/connect.js';
import { TncConnectError } from '../src/stack/errors.js';

jest.setTimeout(120_000);

describe('decideTncOutcome: the outcome after IKE_AUTH', () => {
  test.each([
    [AccessRecommendation.ALLOWED, 'allowed'],
    [AccessRecommendation.ISOLATED, 'isolated'],
    [AccessRecommendation.DENIED, 'denied'],
  ] as const)('IKE_SA up, PB-TNC recommendation %i → %s, no note', (rec, outcome) => {
    expect(decideTncOutcome(true, true, rec)).toEqual({ outcome });
  });

  test('IKE_SA up, the gateway never started PT-EAP (a plain strongSwan gateway): allowed, and the log says why', () => {
    const d = decideTncOutcome(true, false, undefined);
    expect(d).toEqual({ outcome: 'allowed', note: expect.stringContaining('gateway ran no TNC assessment') });
    expect(tncExitCode({ outcome: d!.outcome })).toBe(TncExitCode.ALLOWED);
  });

  test('IKE_SA up, PT-EAP ran but no recommendation came: allowed, with its own note', () => {
    expect(decideTncOutcome(true, true, undefined)).toEqual({ outcome: 'allowed', note: expect.stringContaining('no PB-TNC access recommendation') });
  });

  test('IKE_AUTH failed after Access Denied / Quarantined: that outcome (the gateway decided)', () => {
    expect(decideTncOutcome(false, true, AccessRecommendation.DENIED)).toEqual({ outcome: 'denied' });
    expect(decideTncOutcome(false, true, AccessRecommendation.ISOLATED)).toEqual({ outcome: 'isolated' });
  });

  test('IKE_AUTH failed without a recommendation, or after Access Allowed: no outcome (a connection error)', () => {
    expect(decideTncOutcome(false, false, undefined)).toBeUndefined();
    expect(decideTncOutcome(false, true, undefined)).toBeUndefined();
    expect(decideTncOutcome(false, true, AccessRecommendation.ALLOWED)).toBeUndefined();
  });
});

describe('maxEapRounds bounds the EAP-TTLS packets too (TtlsCommonOptions.maxPackets)', () => {
  const CAROL = 'carol@strongswan.org';
  const MOON = 'moon.strongswan.org';
  let pki: TestPki;
  beforeAll(async () => {
    pki = await makePki();
  });

  test('maxEapRounds 5: the TTLS peer stops at its 6th packet, before IKE would (it checks only after round 5)', async () => {
    const gw = new TncGateway({
      identity: MOON, certificate: pki.moon.pem, key: pki.leafKey.pem, secrets: { [CAROL]: 'Ar3etTnp' }, address: '127.0.0.1', ikePort: 0, nattPort: 0,
      imvs: { attestation: false }, logger: new Logger({ defaultLevel: -1, sink: () => {} }),
    });
    try {
      const ports = await gw.start();
      const lines: string[] = [];
      const err = await connectTnc({
        gateway: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port, identity: MOON },
        identity: CAROL, password: 'Ar3etTnp', trust: [pki.ca.pem], revocation: 'off', attestation: false, localAddress: '127.0.0.1',
        retransmit: { timeout: 1000, tries: 2 }, ttlsFragmentSize: 200, maxEapRounds: 5,
        logger: new Logger({ defaultLevel: 1, sink: (l) => lines.push(l) }),
      }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(TncConnectError);
      expect((err as Error).message).toMatch(/EAP_TTLS packet count exceeded \(6 > 5\)/);
      expect(lines.join('\n')).not.toContain('Ar3etTnp');
    } finally {
      await gw.close();
    }
  });
});
