/**
 * SIGINT while connecting: the BUILT `tnc-client` (dist/tnc-client.js) against our TncGateway on loopback, carol's
 * machine on a private swtpm (the seed's 23 BIOS events and 1,287 IMA entries), EAP-TTLS at strongSwan's 1,024-byte
 * fragments so the evidence upload takes many IKE_AUTH round trips. SIGINT once the first large PB-TNC CDATA batch
 * (IMA evidence) is being sent: the command's contract (help: "During connection setup: abort, status 1") — exit 1,
 * "aborted (SIGINT) before the assessment finished" — the half-open IKE_SA is deleted on the gateway (our DELETE
 * reached it), and the swtpm is still usable: the next connection with the same TPM and AIK is compliant.
 */
import { killLeftovers, spawnCaptured } from './support/child-process.js';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@tncjs/common';
import { TncGateway } from '../../gateway/src/index.js';
import { platformTpm, seedBiosEvents, seedImaFiles, bootMachine, type Machine } from '../../../test-support/seed-machine.js';
import type { SwtpmInstance } from '../../../test-support/swtpm.js';
import { makePki, type TestPki } from '../../eap-ttls/test/support/pki.js';
import { REPO_ROOT } from './helpers.js';

jest.setTimeout(300_000);
const BIN = join(REPO_ROOT, 'packages/client/dist/tnc-client.js');
const CAROL = 'carol@strongswan.org';
const MOON = 'moon.strongswan.org';
const PASSWORD = 'Ar3etTnp';

let pki: TestPki;
let tmp: string;
let caFile: string;
let swtpm: SwtpmInstance | undefined;
let machine: Machine | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tnc-client-sigint-'));
  pki = await makePki();
  caFile = join(tmp, 'ca.pem');
  writeFileSync(caFile, pki.ca.pem);
  const t = await platformTpm();
  swtpm = t.swtpm;
  try {
    machine = await bootMachine(t.tpm, seedBiosEvents(), seedImaFiles());
  } finally {
    await t.tpm.close();
  }
});
afterEach(killLeftovers);
afterAll(async () => {
  await swtpm?.stop();
  if (machine) rmSync(machine.dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

async function startGateway(): Promise<{ gw: TncGateway; ike: number; natt: number; moon: string[] }> {
  const moon: string[] = [];
  const gw = new TncGateway({
    identity: MOON, certificate: pki.moon.pem, key: pki.leafKey.pem, secrets: { [CAROL]: PASSWORD }, address: '127.0.0.1', ikePort: 0, nattPort: 0,
    localTs: ['10.1.0.0/28'], imvs: { attestation: { metadataPath: machine!.tncConfig } },
    logger: new Logger({ defaultLevel: 1, sink: (l) => moon.push(l) }),
  });
  const ports = await gw.start();
  return { gw, ike: ports.ike.port, natt: ports.natt.port, moon };
}

function tncClient(g: { ike: number; natt: number }, extra: string[]) {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (cd packages/client && npx tsup), then run the tests again`);
  const e: NodeJS.ProcessEnv = { ...process.env, TNC_CLIENT_RUNDIR: join(tmp, 'run'), TNC_EAP_PASSWORD: PASSWORD };
  const args = [
    'connect', '--name', 'home', '--host', '127.0.0.1', '--remote-port', String(g.ike), '--remote-natt-port', String(g.natt), '--local-address', '127.0.0.1',
    '--identity', CAROL, '--remote-identity', MOON, '--cacert', caFile, '--tpm', swtpm!.spec, '--aik-handle', '0x81010003',
    '--bios-log', machine!.bios, '--ima-log', machine!.ima, '--remote-ts', '10.1.0.0/28', '--no-kernel', ...extra,
  ];
  return spawnCaptured(process.execPath, [BIN, ...args], e);
}

/** Wait for a condition the test then asserts on (bounded: a missing event fails the test with the log). */
async function until(cond: () => boolean, what: string, log: () => string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A PB-TNC CDATA batch of at least 10,000 bytes: IMA evidence (the earlier batches are a few hundred bytes). */
const EVIDENCE_BATCH = /\[TNC\] sending PB-TNC CDATA batch \((\d{5,}) bytes\)/;

describe('tnc-client: SIGINT during the attestation upload', () => {
  test('exit 1 (aborted while connecting), DELETE of the half-open IKE_SA reaches the gateway, the swtpm serves the next connection', async () => {
    const g = await startGateway();
    try {
      const p = tncClient(g, ['--ttls-fragment-size', '1024']);
      await until(() => EVIDENCE_BATCH.test(p.err()) || p.child.exitCode !== null, 'the first IMA evidence batch', () => `${p.out()}\n${p.err()}`);
      expect(p.child.exitCode).toBeNull();
      p.child.kill('SIGINT');
      const exit = await p.exit;
      expect(exit).toEqual({ code: 1, signal: null });
      const err = p.err();
      expect(err).toContain('00[DMN] signal of type SIGINT received. Shutting down');
      expect(p.out()).toBe("connection 'home' aborted (SIGINT) before the assessment finished\n");
      // interrupted mid-upload: the gateway never decided, no SA came up
      expect(err).not.toMatch(/PB-TNC assessment result is|access recommendation is|IKE_SA home\[\d+\] established/);
      expect(err).toMatch(/\[IKE\] deleting IKE_SA home\[\d+\] between 127\.0\.0\.1\[carol@strongswan\.org\]\.\.\.127\.0\.0\.1/);
      expect(err).toMatch(/\[IKE\] sending DELETE for IKE_SA home\[\d+\]/);
      expect(err).not.toContain(PASSWORD);

      // the gateway got the DELETE and holds no IKE_SA of ours (none half-open either)
      await until(() => g.moon.some((l) => /received DELETE for IKE_SA [0-9a-f]{16}_i [0-9a-f]{16}_r, deleting/.test(l)), "the gateway's DELETE log line", () => g.moon.join('\n'), 10_000);
      expect(g.gw.activeSas).toBe(0);
      expect(g.gw.clients.some((s) => s.state === 'established')).toBe(false);
    } finally {
      await g.gw.close();
    }

    // the TPM (and the AIK) was released cleanly: the same swtpm attests the next connection, compliant
    const g2 = await startGateway();
    try {
      const p = tncClient(g2, ['--once']);
      expect(await p.exit).toEqual({ code: 0, signal: null });
      expect(p.err()).toContain("[TNC] PB-TNC assessment result is 'compliant'");
      expect(p.out()).toContain("connection 'home' closed (--once)");
    } finally {
      await g2.gw.close();
    }
  });
});
