/**
 * The seed end to end over real UDP on 127.0.0.1: our client stack (`connectTnc`, carol) against our gateway
 * (`TncGateway`, moon). IKE_SA_INIT → IKE_AUTH with EAP-TTLS (inner Identity, MD5, PT-EAP carrying PB-TNC between the
 * OS + Attestation IMCs on a private swtpm — 23 BIOS events, 1,287 IMA entries — and the Attestation + OS IMVs) →
 * AUTH from the MSK → CHILD_SA 192.168.0.254/32-like === 10.1.0.0/28 → ICMP echo through the userspace ESP tunnel →
 * INFORMATIONAL DELETE. The tampered machine (one IMA entry edited after the PCRs were extended) ends non-compliant /
 * Quarantined with exit code 3, and with `isolate: 'deny'` the gateway refuses the IKE_SA (exit code 4).
 */
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@tncjs/common';
import { icmpEchoRequest, parseIcmpEcho } from '@tncjs/ikev2';
import { connectTnc, TncConnectError, type TncSession } from '@tncjs/client';
import { TncGateway, type GatewaySession } from '../src/index.js';
import { platformTpm, seedBiosEvents, seedImaFiles, bootMachine, type Machine } from '../../../test-support/seed-machine.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';

jest.setTimeout(240_000);
const CAROL = 'carol@strongswan.org';
const MOON = 'moon.strongswan.org';

/** The seed's OS values as files: Ubuntu 14.04 on x86_64, forwarding off (the test host's own /proc may differ). */
function seedOs(dir: string) {
  writeFileSync(join(dir, 'os-release'), 'NAME="Ubuntu"\nVERSION_ID="14.04"\n');
  writeFileSync(join(dir, 'stat'), 'cpu 1 2 3\nbtime 1418640310\n');
  writeFileSync(join(dir, 'ip_forward'), '0\n');
  writeFileSync(join(dir, 'machine-id'), 'e61276cae552799c71cc84abae619ab1\n');
  return { osRelease: join(dir, 'os-release'), procStat: join(dir, 'stat'), ipForward: join(dir, 'ip_forward'), machineId: join(dir, 'machine-id'), arch: 'x86_64' };
}

let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
});

interface Run {
  session?: TncSession;
  error?: unknown;
  gwSession?: GatewaySession;
  carol: string[];
  moon: string[];
  ping?: ReturnType<typeof parseIcmpEcho>;
  closed?: { acknowledged: boolean };
  deleted: boolean;
  ms: number;
  gatewayActiveAfter: number;
}

async function run(opts: { tamper?: number; isolate?: 'allow' | 'deny' } = {}): Promise<Run> {
  const t = await platformTpm();
  let m: Machine | undefined;
  const carol: string[] = [];
  const moon: string[] = [];
  m = await bootMachine(t.tpm, seedBiosEvents(), seedImaFiles(), { tamperImaEntry: opts.tamper });
  const gw = new TncGateway({
    identity: MOON,
    certificate: pki.moon.pem,
    key: pki.leafKey.pem,
    secrets: { [CAROL]: 'Ar3etTnp' },
    address: '127.0.0.1',
    ikePort: 0,
    nattPort: 0,
    localTs: ['10.1.0.0/28'],
    isolate: opts.isolate,
    // round 2 asks for a file's metadata: the client's tnc_config (moon's default is /etc/tnc_config)
    imvs: { attestation: { metadataPath: m.tncConfig } },
    logger: new Logger({ defaultLevel: 1, sink: (l) => moon.push(l) }),
  });
  try {
    const ports = await gw.start();
    const established = new Promise<GatewaySession>((r) => gw.onEstablished(r));
    const deleted = new Promise<GatewaySession>((r) => gw.onDeleted(r));
    const t0 = Date.now();
    const out: Run = { carol, moon, deleted: false, ms: 0, gatewayActiveAfter: -1 };
    try {
      out.session = await connectTnc({
        gateway: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port, identity: MOON },
        identity: CAROL,
        password: 'Ar3etTnp',
        trust: [pki.ca.pem],
        revocation: 'off',
        tpm: t.tpm,
        biosLog: m.bios,
        imaLog: m.ima,
        os: { sources: seedOs(m.dir) },
        localAddress: '127.0.0.1',
        retransmit: { timeout: 2000, tries: 3 },
        logger: new Logger({ defaultLevel: 1, sink: (l) => carol.push(l) }),
      });
    } catch (e) {
      out.error = e;
      return out;
    }
    const s = out.session;
    if (s.child) {
      out.gwSession = await established;
      const tunnel = s.openEspTunnel();
      const back = new Promise<Uint8Array>((r) => tunnel.onPacket(r));
      tunnel.send(icmpEchoRequest('127.0.0.1', '10.1.0.1', 7, 1, Uint8Array.of(1, 2, 3)));
      out.ping = parseIcmpEcho(await back);
    }
    out.closed = await s.close();
    if (s.child) out.deleted = (await deleted).state === 'deleted';
    out.ms = Date.now() - t0;
    out.gatewayActiveAfter = gw.activeSas;
    return out;
  } finally {
    await gw.close();
    await t.tpm.close();
    await t.swtpm.stop();
    if (m) rmSync(m.dir, { recursive: true, force: true });
  }
}

describe('seed end to end over IKEv2/UDP: our client ↔ our gateway, swtpm', () => {
  let ok: Run;
  beforeAll(async () => {
    ok = await run();
  });

  test('compliant / Access Allowed, exit code 0, and both sides say so in strongSwan wording', () => {
    expect(ok.error).toBeUndefined();
    const s = ok.session!;
    expect(s.outcome).toBe('allowed');
    expect(s.exitCode).toBe(0);
    expect(s.assessment).toBe('compliant');
    expect(s.recommendation).toBe('Access Allowed');
    expect(ok.carol).toContain("00[TNC] PB-TNC assessment result is 'compliant'");
    expect(ok.carol).toContain("00[TNC] PB-TNC access recommendation is 'Access Allowed'");
    expect(ok.moon).toContain("00[TNC] PB-TNC access recommendation is 'Access Allowed'");
    expect(ok.moon).toContain("00[TNC] final PB-TNC access recommendation is 'Access Allowed'");
    expect(ok.carol).toContain('00[IKE] EAP method EAP_TTLS succeeded, MSK established');
    expect(ok.gwSession).toMatchObject({ peerIdentity: CAROL, recommendation: 'Access Allowed', evaluation: 'compliant', state: 'deleted' });
  });

  test("the seed's flow: IKE_SA_INIT, IKE_AUTH with EAP-TTLS (8,000-byte fragments, IKE fragmentation), AUTH, CHILD_SA", () => {
    const st = ok.session!.stats();
    // the seed (1,024-byte fragments): IKE_SA_INIT + IKE_AUTH 1…171 + INFORMATIONAL 172; ours: fewer, larger ones
    expect(st.ikeExchanges).toBeGreaterThan(15);
    expect(st.bytesSent).toBeGreaterThan(100_000);
    expect(st.bytesReceived).toBeGreaterThan(5_000);
    expect(st.batches.list[0]).toMatch(/^C CDATA \d+$/);
    expect(st.batches.list.at(-2)).toMatch(/^S RESULT \d+$/);
    expect(st.batches.list.at(-1)).toBe('C CLOSE 8');
    expect(ok.carol).toContain('00[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) ]');
    expect(ok.carol.some((l) => /parsed IKE_AUTH response 1 \[ IDr EAP\/REQ\/TTLS \]/.test(l))).toBe(true);
    expect(ok.carol.some((l) => /parsed IKE_AUTH response \d+ \[ EAP\/SUCC \]/.test(l))).toBe(true);
    expect(ok.carol.some((l) => /generating IKE_AUTH request \d+ \[ AUTH \]/.test(l))).toBe(true);
    expect(ok.carol.some((l) => /IKE_SA tncjs\[\d+\] established between 127\.0\.0\.1\[carol@strongswan\.org\]\.\.\.127\.0\.0\.1\[moon\.strongswan\.org\]/.test(l))).toBe(true);
  });

  test('CHILD_SA with the seed\'s traffic selectors: client /32 === 10.1.0.0/28, both sides agree on SPIs', () => {
    const c = ok.session!.child!;
    expect(c.tsi).toEqual(['127.0.0.1/32']);
    expect(c.tsr).toEqual(['10.1.0.0/28']);
    expect(c.udpEncapsulation).toBe(true);
    expect(ok.gwSession!.child).toMatchObject({ spiIn: c.spiOut, spiOut: c.spiIn, tsr: ['10.1.0.0/28'] });
    expect(ok.carol.some((l) => new RegExp(`CHILD_SA tncjs\\{\\d+\\} established with SPIs ${c.spiIn}_i ${c.spiOut}_o and TS 127\\.0\\.0\\.1/32 === 10\\.1\\.0\\.0/28`).test(l))).toBe(true);
    // the gateway's line names the narrowed selectors, its side first
    expect(ok.moon).toContain(`00[CHD] CHILD_SA established with SPIs ${c.spiOut}_i ${c.spiIn}_o and TS 10.1.0.0/28 === 127.0.0.1/32`);
  });

  test('an ICMP echo through the userspace ESP tunnel is answered by the gateway', () => {
    expect(ok.ping).toMatchObject({ type: 0, src: '10.1.0.1', dst: '127.0.0.1', id: 7, seq: 1, checksumOk: true, data: Uint8Array.of(1, 2, 3) });
    expect(ok.gwSession!.pingsAnswered).toBe(1);
  });

  test('DELETE: acknowledged, the gateway removed the IKE_SA', () => {
    expect(ok.closed).toEqual({ acknowledged: true });
    expect(ok.deleted).toBe(true);
    expect(ok.gatewayActiveAfter).toBe(0);
    expect(ok.session!.status()).toMatchObject({ state: 'closed', outcome: 'allowed', exitCode: 0 });
    // timing and traffic, for the report
    const st = ok.session!.stats();
    process.stdout.write(`seed e2e: ${ok.ms} ms connect→DELETE (connect ${st.timings.totalMs} ms), ${st.ikeExchanges} IKE exchanges, ${st.bytesSent} bytes sent / ${st.bytesReceived} received, ${st.batches.sent}+${st.batches.received} PB-TNC batches\n`);
  });

  test('no secret below level 4: the EAP password appears in no log line', () => {
    expect([...ok.carol, ...ok.moon].some((l) => l.includes('Ar3etTnp'))).toBe(false);
  });
});

describe('tampered IMA entry', () => {
  test("non-compliant / Quarantined: exit code 3; the SA comes up (isolate: 'allow') and is deleted", async () => {
    const r = await run({ tamper: 700 });
    expect(r.error).toBeUndefined();
    expect(r.session).toMatchObject({ outcome: 'isolated', exitCode: 3, recommendation: 'Quarantined' });
    expect(r.session!.assessment).toMatch(/^non-compliant/);
    expect(r.carol.some((l) => /PB-TNC assessment result is 'non-compliant/.test(l))).toBe(true);
    expect(r.carol).toContain("00[TNC] PB-TNC access recommendation is 'Quarantined'");
    expect(r.session!.child).toBeDefined();
    expect(r.closed).toEqual({ acknowledged: true });
  });

  test("isolate: 'deny' at the gateway: EAP fails after the decision, no CHILD_SA, outcome denied-for-IKE but still reported", async () => {
    const r = await run({ tamper: 700, isolate: 'deny' });
    expect(r.error).toBeUndefined();
    expect(r.session).toMatchObject({ outcome: 'isolated', exitCode: 3, recommendation: 'Quarantined', child: undefined });
    expect(r.closed).toEqual({ acknowledged: false });
    expect(r.moon.some((l) => /final PB-TNC access recommendation is 'Quarantined', PT-EAP fails/.test(l))).toBe(true);
  });
});

describe('errors', () => {
  test('wrong password: TncConnectError ERR_TNC_IKE (cause ERR_IKE_EAP), no session', async () => {
    const t = await platformTpm();
    const gw = new TncGateway({ identity: MOON, certificate: pki.moon.pem, key: pki.leafKey.pem, secrets: { [CAROL]: 'Ar3etTnp' }, address: '127.0.0.1', ikePort: 0, nattPort: 0, imvs: { attestation: false } });
    try {
      const ports = await gw.start();
      const err = await connectTnc({
        gateway: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port, identity: MOON },
        identity: CAROL, password: 'wrong', trust: [pki.ca.pem], revocation: 'off', tpm: t.tpm, attestation: false, localAddress: '127.0.0.1',
        retransmit: { timeout: 1000, tries: 2 },
      }).catch((e) => e);
      expect(err).toBeInstanceOf(TncConnectError);
      expect(err).toMatchObject({ code: 'ERR_TNC_IKE' });
      expect((err as Error & { cause: { code: string } }).cause.code).toBe('ERR_IKE_EAP');
    } finally {
      await gw.close();
      await t.tpm.close();
      await t.swtpm.stop();
    }
  });

  test('bad options are TypeErrors', async () => {
    await expect(connectTnc({} as never)).rejects.toThrow(TypeError);
    expect(() => new TncGateway({ identity: '' } as never)).toThrow(TypeError);
  });
});
