/**
 * The BUILT `tnc-client` executable (dist/tnc-client.js) as operators run it, against our TncGateway on loopback, with
 * carol's machine on a private swtpm (the seed's 23 BIOS events and 1,287 IMA entries measured into its PCRs, an AIK
 * at 0x81010003): `connect` (flags) and `up home` (swanctl.conf + secrets file) run IKE_SA_INIT → IKE_AUTH with
 * EAP-TTLS (MD5, PT-EAP/PB-TNC with the OS and Attestation IMCs) → CHILD_SA, hold it until SIGINT, then DELETE.
 * A tampered IMA log ends isolated (exit 3), a wrong password fails with exit 1, and the kernel question (this
 * machine's kernel may lack ESP) is answered in the log. The suite runs after `npm run build`; a missing build fails.
 */
import { killLeftovers, spawnCaptured, type Proc } from './support/child-process.js';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger, Writer } from '@tncjs/common';
import { TPM_RH, aikTemplate, srkTemplate, writePublic2b, writeTpm2b } from '@tncjs/tss';
import { probeKernelEsp, type KernelEspProbe } from '@tncjs/ikev2';
import { TncGateway, type GatewaySession } from '../../gateway/src/index.js';
import { platformTpm, seedBiosEvents, seedImaFiles, bootMachine, type Machine } from '../../../test-support/seed-machine.js';
import type { SwtpmInstance } from '../../../test-support/swtpm.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';
import { REPO_ROOT } from './helpers.js';
import { runTncClient } from '../src/cli/tnc-client.js';
import { defaultStartSession } from '../src/cli/default-stack.js';

jest.setTimeout(300_000);
const BIN = join(REPO_ROOT, 'packages/client/dist/tnc-client.js');
const CAROL = 'carol@strongswan.org';
const MOON = 'moon.strongswan.org';
const PASSWORD = 'Ar3etTnp';

interface Carol {
  swtpm: SwtpmInstance;
  machine: Machine;
}

/** carol's machine: swtpm booted as in the seed; the test's own TPM connection is closed so tnc-client can connect. */
async function bootCarol(tamper?: number, aikKeyFile?: string): Promise<Carol> {
  const t = await platformTpm();
  try {
    const machine = await bootMachine(t.tpm, seedBiosEvents(), seedImaFiles(), { tamperImaEntry: tamper });
    if (aikKeyFile) {
      // a second AIK kept as a key file (tpm2_create's .pub and .priv, concatenated), not made persistent
      const srk = await t.tpm.createPrimary(TPM_RH.OWNER, srkTemplate('rsa'));
      const created = await t.tpm.create(srk.handle, aikTemplate('rsa'));
      await t.tpm.flushContext(srk.handle);
      const w = new Writer(4096);
      writePublic2b(w, created.public);
      writeTpm2b(w, created.private);
      writeFileSync(aikKeyFile, w.finish());
    }
    return { swtpm: t.swtpm, machine };
  } finally {
    await t.tpm.close();
  }
}

async function stopCarol(c: Carol | undefined): Promise<void> {
  if (!c) return;
  await c.swtpm.stop();
  rmSync(c.machine.dir, { recursive: true, force: true });
}

interface Gw {
  gw: TncGateway;
  ike: number;
  natt: number;
  moon: string[];
  established: Promise<GatewaySession>;
  deleted: Promise<GatewaySession>;
}

async function startGateway(carol: Carol, secret = PASSWORD): Promise<Gw> {
  const moon: string[] = [];
  const gw = new TncGateway({
    identity: MOON,
    certificate: pki.moon.pem,
    key: pki.leafKey.pem,
    secrets: { [CAROL]: secret },
    address: '127.0.0.1',
    ikePort: 0,
    nattPort: 0,
    localTs: ['10.1.0.0/28'],
    imvs: { attestation: { metadataPath: carol.machine.tncConfig } },
    logger: new Logger({ defaultLevel: 1, sink: (l) => moon.push(l) }),
  });
  const ports = await gw.start();
  return {
    gw,
    ike: ports.ike.port,
    natt: ports.natt.port,
    moon,
    established: new Promise<GatewaySession>((r) => gw.onEstablished(r)),
    deleted: new Promise<GatewaySession>((r) => gw.onDeleted(r)),
  };
}

afterEach(killLeftovers);

function tncClient(args: string[], env: Record<string, string> = {}): Proc {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (cd packages/client && npx tsup), then run the tests again`);
  const e: NodeJS.ProcessEnv = { ...process.env, TNC_CLIENT_RUNDIR: join(tmp, 'run'), ...env };
  delete e.TNC_EAP_PASSWORD;
  Object.assign(e, env);
  return spawnCaptured(process.execPath, [BIN, ...args], e);
}

async function until(cond: () => boolean, what: string, p: Proc, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (p.child.exitCode !== null) throw new Error(`tnc-client exited (${p.child.exitCode}) before ${what}:\n${p.out()}\n${p.err()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${p.out()}\n${p.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The flags form for carol against `g`. */
function connectArgs(c: Carol, g: Gw, extra: string[] = []): string[] {
  return [
    'connect', '--name', 'home', '--host', '127.0.0.1', '--remote-port', String(g.ike), '--remote-natt-port', String(g.natt),
    '--local-address', '127.0.0.1', '--identity', CAROL, '--remote-identity', MOON, '--cacert', caFile,
    '--tpm', c.swtpm.spec, '--aik-handle', '0x81010003', '--bios-log', c.machine.bios, '--ima-log', c.machine.ima,
    '--remote-ts', '10.1.0.0/28', ...extra,
  ];
}

let pki: TestPki;
let tmp: string;
let caFile: string;
let pwFile: string;
let carol: Carol | undefined;
let probe: KernelEspProbe;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tnc-client-e2e-'));
  pki = await makePki();
  caFile = join(tmp, 'strongswanCert.pem');
  writeFileSync(caFile, pki.ca.pem);
  pwFile = join(tmp, 'password');
  writeFileSync(pwFile, PASSWORD + '\n');
  chmodSync(pwFile, 0o600);
  carol = await bootCarol(undefined, join(tmp, 'aik.blob'));
  probe = await probeKernelEsp();
});
afterAll(async () => {
  await stopCarol(carol);
  rmSync(tmp, { recursive: true, force: true });
});

/** Run until established, SIGINT, and check the DELETE reached the gateway. */
async function holdAndInterrupt(p: Proc, g: Gw, whileUp?: () => Promise<void>) {
  await until(() => p.out().includes('established'), 'the connection to be established', p);
  const gwSession = await g.established;
  await whileUp?.();
  p.child.kill('SIGINT');
  const exit = await p.exit;
  const deleted = await g.deleted;
  return { exit, gwSession, deleted };
}

describe('tnc-client against tnc-gateway on loopback, swtpm', () => {
  test('connect (flags form): compliant, CHILD_SA home{n} established, SIGINT → DELETE, exit 0', async () => {
    const g = await startGateway(carol!);
    try {
      const p = tncClient(connectArgs(carol!, g, ['--eap-password-file', pwFile]));
      const r = await holdAndInterrupt(p, g);
      expect(r.exit).toEqual({ code: 0, signal: null });
      const err = p.err();
      expect(err).toContain("[TNC] PB-TNC assessment result is 'compliant'");
      expect(err).toContain("[TNC] PB-TNC access recommendation is 'Access Allowed'");
      expect(err).toMatch(/\[IKE\] IKE_SA home\[\d+\] established between 127\.0\.0\.1\[carol@strongswan\.org\]\.\.\.127\.0\.0\.1\[moon\.strongswan\.org\]/);
      expect(err).toMatch(/\[IKE\] CHILD_SA home\{\d+\} established with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o and TS 127\.0\.0\.1\/32 === 10\.1\.0\.0\/28/);
      expect(err).toContain('00[DMN] signal of type SIGINT received. Shutting down');
      expect(p.out()).toContain("connection 'home' established with 127.0.0.1: access allowed");
      expect(p.out()).toContain("connection 'home' closed (SIGINT)");
      expect(r.gwSession).toMatchObject({ peerIdentity: CAROL, recommendation: 'Access Allowed', evaluation: 'compliant' });
      expect(r.deleted.state).toBe('deleted');
      expect(g.gw.activeSas).toBe(0);
      expect(`${p.out()}${err}`).not.toContain(PASSWORD);
    } finally {
      await g.gw.close();
    }
  });

  test('up home (swanctl.conf + secrets file): the same flow, exit 0 after SIGINT', async () => {
    const g = await startGateway(carol!);
    try {
      const conf = join(tmp, 'swanctl.conf');
      const secrets = join(tmp, 'secrets.conf');
      writeFileSync(
        conf,
        `connections {
   home {
      remote_addrs = 127.0.0.1
      local_addrs = 127.0.0.1
      remote_port = ${g.ike}
      remote_natt_port = ${g.natt}
      proposals = aes128-sha256-ecp256
      local {
         auth = eap-ttls
         id = ${CAROL}
      }
      remote {
         auth = eap-ttls
         id = ${MOON}
         cacerts = ${caFile}
      }
      children {
         home {
            remote_ts = 10.1.0.0/28
            esp_proposals = aes128-sha256
         }
      }
   }
}
tnc {
   tpm = ${carol!.swtpm.spec}
   aik_handle = 0x81010003
   bios_log = ${carol!.machine.bios}
   ima_log = ${carol!.machine.ima}
   ttls_fragment_size = 4000
}
`,
      );
      writeFileSync(secrets, `secrets {\n   eap-carol {\n      id = ${CAROL}\n      secret = ${PASSWORD}\n   }\n}\n`);
      chmodSync(secrets, 0o600);
      const p = tncClient(['up', 'home', '--config', conf, '--secrets', secrets]);
      let status: Record<string, any> = {};
      const r = await holdAndInterrupt(p, g, async () => {
        let out = '';
        const code = await runTncClient(['status', 'home', '--json'], { stdout: (x) => void (out += x), stderr: () => {} }, { startSession: defaultStartSession, env: { TNC_CLIENT_RUNDIR: join(tmp, 'run') } });
        expect(code).toBe(0);
        status = JSON.parse(out);
      });
      // the configured proposals were offered: ECP_256 (not the default's first group), ESP AES-CBC + SHA-256
      expect(status).toMatchObject({ connection: 'home', state: 'established', outcome: 'allowed', session: { state: 'established', ikeSa: expect.stringMatching(/^home\[\d+\]$/), assessment: 'compliant' } });
      expect(status.session.ike.proposal).toMatch(/ECP_256/);
      expect(status.session.child.proposal).toMatch(/AES_CBC_128.*HMAC_SHA2_256_128/);
      expect(status.session.kernel).toMatchObject({ installed: probe.supported === true });
      expect(JSON.stringify(status)).not.toContain(PASSWORD);
      expect(r.exit).toEqual({ code: 0, signal: null });
      const err = p.err();
      expect(err).toContain("[TNC] PB-TNC assessment result is 'compliant'");
      expect(err).toMatch(/CHILD_SA home\{\d+\} established/);
      expect(err).toMatch(/selected proposal: IKE:AES_CBC_128\/PRF_HMAC_SHA2_256\/HMAC_SHA2_256_128\/ECP_256/);
      // ttls_fragment_size = 4000: no EAP-TTLS message of ours is larger
      expect(err).not.toMatch(/splitting IKE message \((4[1-9]\d\d|[5-9]\d{3}|\d{5,}) bytes\)/);
      expect(r.gwSession).toMatchObject({ recommendation: 'Access Allowed', evaluation: 'compliant' });
      expect(r.deleted.state).toBe('deleted');
      expect(`${p.out()}${err}`).not.toContain(PASSWORD);
    } finally {
      await g.gw.close();
    }
  });

  test('--json: one JSON object per stdout line (established, closed), JSON log lines on stderr', async () => {
    const g = await startGateway(carol!);
    try {
      const p = tncClient(connectArgs(carol!, g, ['--json']), { TNC_EAP_PASSWORD: PASSWORD });
      const r = await holdAndInterrupt(p, g);
      expect(r.exit).toEqual({ code: 0, signal: null });
      const events = p.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(events).toEqual([
        { event: 'established', connection: 'home', remote: '127.0.0.1', outcome: 'allowed' },
        { event: 'closed', connection: 'home', reason: 'SIGINT', outcome: 'allowed' },
      ]);
      const logs = p.err().trim().split('\n').map((l) => JSON.parse(l) as { subsystem?: string; message?: string });
      expect(logs.some((l) => /assessment result is 'compliant'/.test(String(l.message)))).toBe(true);
    } finally {
      await g.gw.close();
    }
  });

  test('kernel: the default (auto) says plainly whether the kernel has ESP, and which data path runs; --kernel forces it', async () => {
    const g = await startGateway(carol!);
    try {
      const p = tncClient(connectArgs(carol!, g, ['--once']), { TNC_EAP_PASSWORD: PASSWORD });
      expect(await p.exit).toEqual({ code: 0, signal: null });
      if (probe.supported === true) expect(p.err()).toMatch(/\[KNL\] CHILD_SA home\{\d+\} installed in the kernel \(XFRM\)/);
      else expect(p.err()).toMatch(/\[KNL\] .*; CHILD_SA home\{\d+\} uses the userspace ESP data path/);
      if (probe.supported === false) expect(p.err()).toMatch(/kernel has XFRM but no ESP support|kernel has no XFRM/);
    } finally {
      await g.gw.close();
    }
    const g2 = await startGateway(carol!);
    try {
      const p = tncClient(connectArgs(carol!, g2, ['--once', '--no-kernel', '--debug', '1']), { TNC_EAP_PASSWORD: PASSWORD });
      expect(await p.exit).toEqual({ code: 0, signal: null });
      expect(p.err()).toMatch(/\[KNL\] kernel installation disabled \(--no-kernel\); CHILD_SA home\{\d+\} uses the userspace ESP data path/);
      expect(p.err()).not.toMatch(/encr_i/);
    } finally {
      await g2.gw.close();
    }
    const g3 = await startGateway(carol!);
    try {
      const p = tncClient(connectArgs(carol!, g3, ['--once', '--kernel']), { TNC_EAP_PASSWORD: PASSWORD });
      const exit = await p.exit;
      if (probe.supported === true) {
        expect(exit.code).toBe(0);
        expect(p.err()).toMatch(/installed in the kernel \(XFRM\)/);
      } else {
        expect(exit.code).toBe(1);
        expect(p.err()).toMatch(/tnc-client: connection 'home' failed: CHILD_SA home\{\d+\} could not be installed in the kernel: .*--no-kernel/);
        // the IKE_SA was deleted on the way out
        expect((await g3.deleted).state).toBe('deleted');
      }
    } finally {
      await g3.gw.close();
    }
  });

  test('--no-kernel --debug 4: the userspace CHILD_SA keys are logged (level 4 only)', async () => {
    const g = await startGateway(carol!);
    try {
      const p = tncClient(connectArgs(carol!, g, ['--once', '--no-kernel', '--log', 'chd=4']), { TNC_EAP_PASSWORD: PASSWORD });
      expect(await p.exit).toEqual({ code: 0, signal: null });
      expect(p.err()).toMatch(/\[CHD\] CHILD_SA home\{\d+\} keys: encr_i [0-9a-f]{40} integ_i {2}encr_r [0-9a-f]{40} integ_r $/m);
    } finally {
      await g.gw.close();
    }
  });

  test('--aik-key: the AIK loaded from a key file (TPM2B_PUBLIC + TPM2B_PRIVATE) quotes; compliant, exit 0', async () => {
    const g = await startGateway(carol!);
    try {
      const args = connectArgs(carol!, g, ['--once']);
      args.splice(args.indexOf('--aik-handle'), 2, '--aik-key', join(tmp, 'aik.blob'));
      const p = tncClient(args, { TNC_EAP_PASSWORD: PASSWORD });
      expect(await p.exit).toEqual({ code: 0, signal: null });
      expect(p.err()).toContain(`[PTS] using AIK from '${join(tmp, 'aik.blob')}' of TPM '${carol!.swtpm.spec}'`);
      expect(p.err()).toContain("[TNC] PB-TNC assessment result is 'compliant'");
    } finally {
      await g.gw.close();
    }
  });

  test('wrong password: exit 1, a clear message, and the password appears nowhere', async () => {
    const g = await startGateway(carol!, 'another-secret');
    try {
      const p = tncClient(connectArgs(carol!, g, ['--eap-password-file', pwFile]));
      const exit = await p.exit;
      expect(exit.code).toBe(1);
      expect(p.err()).toMatch(/tnc-client: connection 'home' failed: connecting to 127\.0\.0\.1 failed \(ERR_IKE_\w+\): .*(EAP|MD5|AUTHENTICATION_FAILED)/i);
      expect(`${p.out()}${p.err()}`).not.toContain(PASSWORD);
      expect(`${p.out()}${p.err()}`).not.toContain('another-secret');
    } finally {
      await g.gw.close();
    }
  });
});

describe('tampered IMA log', () => {
  let bad: Carol | undefined;
  beforeAll(async () => {
    bad = await bootCarol(700);
  });
  afterAll(() => stopCarol(bad));

  test("the gateway isolates: non-compliant / Quarantined, exit 3 (--once closes the SA)", async () => {
    const g = await startGateway(bad!);
    try {
      const p = tncClient(connectArgs(bad!, g, ['--once']), { TNC_EAP_PASSWORD: PASSWORD });
      expect(await p.exit).toEqual({ code: 3, signal: null });
      expect(p.err()).toMatch(/PB-TNC assessment result is 'non-compliant/);
      expect(p.err()).toContain("PB-TNC access recommendation is 'Quarantined'");
      expect(p.out()).toContain("connection 'home' established with 127.0.0.1: access isolated (remediation network only)");
      expect(p.out()).toContain("connection 'home' closed (--once)");
    } finally {
      await g.gw.close();
    }
  });
});
