/**
 * The seed's whole TNC exchange in-process over two PB-TNC connections: carol's TNC client with the OS and Attestation
 * IMCs (the Attestation IMC on a private swtpm with a fresh AIK, 23 BIOS + 1,287 IMA entries), moon's TNC server with
 * the Attestation and OS IMVs, at the seed's maximum batch size of 32,754 bytes. Untouched logs → compliant /
 * Access Allowed; one IMA entry edited after the TPM was extended → non-compliant / Quarantined. moon's Attestation
 * IMV keeps its references in the SQLite attestation database (the default store): first contact registers them;
 * references imported from a known-good list are matched entry by entry, and a file that differs from its reference
 * is named; an AIK not registered as trusted is refused when the IMV requires trusted AIKs.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@tncjs/common';
import { peekBatchHeader } from '@tncjs/pb-tnc';
import { tssAttestationTpm, encodeImaLog, dngField, nngField } from '@tncjs/pts';
import { createHash } from 'node:crypto';
import type { Aik } from '@tncjs/tss';
import { platformTpm, seedBiosEvents, seedImaFiles, bootMachine, type Machine } from '../../../test-support/seed-machine.js';
import { TncClient, TncServer, loadTncConfig, SqliteAttestationStore, importImaLog, ImvRecommendation, ImvEvaluation } from '../src/index.js';

jest.setTimeout(180_000);
const TYPES = ['', 'CDATA', 'SDATA', 'RESULT', 'CRETRY', 'SRETRY', 'CLOSE'];

/** The seed's OS values as files: Ubuntu 14.04 on x86_64, booted Dec 15 10:45:10 UTC 2014, forwarding off. */
function seedOs(dir: string) {
  writeFileSync(join(dir, 'os-release'), 'NAME="Ubuntu"\nVERSION_ID="14.04"\n');
  writeFileSync(join(dir, 'stat'), 'cpu 1 2 3\nbtime 1418640310\n');
  writeFileSync(join(dir, 'ip_forward'), '0\n');
  writeFileSync(join(dir, 'machine-id'), 'e61276cae552799c71cc84abae619ab1\n');
  return { osRelease: join(dir, 'os-release'), procStat: join(dir, 'stat'), ipForward: join(dir, 'ip_forward'), machineId: join(dir, 'machine-id'), arch: 'x86_64' };
}

/** Prepare moon's attestation database before the exchange; returns extra Attestation IMV options. */
type Prepare = (m: Machine, aik: Aik, database: string) => Promise<Record<string, unknown>>;

async function run(tamper?: number, prepare?: Prepare) {
  const t = await platformTpm();
  const m: Machine = await bootMachine(t.tpm, seedBiosEvents(), seedImaFiles(), {
    tamperImaEntry: tamper,
    tncConfig: '# carol\nIMC "OS"          /usr/lib/ipsec/imcvs/imc-os.so\nIMC "Attestation" /usr/lib/ipsec/imcvs/imc-attestation.so\n# moon\nIMV "Attestation" builtin:attestation\nIMV "OS" builtin:os\n',
  });
  const carolLines: string[] = [];
  const moonLines: string[] = [];
  const carolLog = new Logger({ defaultLevel: 1, levels: { TNC: 2, IMC: 2 }, sink: (l) => carolLines.push(l.trimEnd()) });
  const moonLog = new Logger({ defaultLevel: 1, sink: (l) => moonLines.push(l.trimEnd()) });
  try {
    const client = new TncClient({ logger: carolLog });
    await loadTncConfig(m.tncConfig, client, {
      options: {
        OS: { sources: seedOs(m.dir), devicePublicKey: t.aik.spki, devicePublicKeySource: '/etc/pts/aikPub.der', now: () => new Date(1418640310_000 + 2276_000) },
        Attestation: { tpm: tssAttestationTpm(t.tpm, t.aik), biosLog: m.bios, imaLog: m.ima },
      },
    });
    const server = new TncServer({ logger: moonLog });
    const database = join(m.dir, 'pts.db');
    const extra = prepare ? await prepare(m, t.aik, database) : {};
    await loadTncConfig(m.tncConfig, server, { options: { Attestation: { metadataPath: m.tncConfig, database, ...extra } } });
    const carol = client.connect({ connectionId: 1, maxBatchSize: 32754 });
    const moon = server.connect({ connectionId: 1, maxBatchSize: 32754 });
    const batches: string[] = [];
    let batch: Uint8Array | undefined = await carol.start();
    let toMoon = true;
    while (batch) {
      batches.push(`${toMoon ? 'C' : 'S'} ${TYPES[peekBatchHeader(batch).type]} ${batch.byteLength}`);
      batch = toMoon ? await moon.receive(batch) : await carol.receive(batch);
      toMoon = !toMoon;
    }
    await carol.delete();
    await moon.delete();
    await client.terminate();
    await server.terminate();
    const db = new SqliteAttestationStore(database);
    const sessions = db.sessions();
    const ls1 = db.imaMeasurements('/usr/lib/x86_64-linux-gnu/lib1.so.1', 0x8000);
    db.close();
    return { batches, carolLines, moonLines, result: carol.result!, decision: moon.decision!, sessions, ls1, deviceId: t.aik.deviceId };
  } finally {
    await t.tpm.close();
    await t.swtpm.stop();
    rmSync(m.dir, { recursive: true, force: true });
  }
}

describe("the seed's TNC exchange: OS + Attestation over PB-TNC against swtpm", () => {
  let ok: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    ok = await run();
  });

  test('compliant, Access Allowed, with the IMCs told so', () => {
    expect(ok.result).toMatchObject({ assessment: 0, recommendation: 1 });
    expect(ok.carolLines).toContain("00[TNC] PB-TNC access recommendation is 'Access Allowed'");
    expect(ok.carolLines).toContain("00[IMC] assessment result is 'compliant'");
    expect(ok.carolLines).toContain('00[IMC] IMC 1 "OS" changed state of Connection ID 1 to \'Allowed\'');
    expect(ok.carolLines).toContain('00[IMC] IMC 2 "Attestation" changed state of Connection ID 1 to \'Allowed\'');
  });

  test("the seed's start-up and handshake lines", () => {
    const l = ok.carolLines;
    for (const line of [
      expect.stringMatching(/^00\[TNC\] loading IMCs from '.+tnc_config'$/),
      '00[IMC] IMC 1 "OS" initialized',
      "00[IMC] operating system name is 'Ubuntu'",
      "00[IMC] operating system version is '14.04 x86_64'",
      "00[TNC] IMC 1 supports 1 message type: 'IETF/Operating System' 0x000000/0x00000001",
      '00[TNC] IMC 1 "OS" loaded from \'/usr/lib/ipsec/imcvs/imc-os.so\'',
      "00[TNC] IMC 2 supports 1 message type: 'TCG/PTS' 0x005597/0x00000001",
      '00[TNC] IMC 2 "Attestation" loaded from \'/usr/lib/ipsec/imcvs/imc-attestation.so\'',
      '00[IMC] IMC 1 "OS" created a state for IF-TNCCS 2.0 Connection ID 1: +long +excl -soh',
      '00[IMC]   over IF-T for Tunneled EAP 2.0 with maximum PA-TNC message size of 32722 bytes',
      '00[IMC] IMC 1 "OS" changed state of Connection ID 1 to \'Handshake\'',
      '00[IMC] IMC 2 "Attestation" changed state of Connection ID 1 to \'Handshake\'',
      '00[IMC] operating system numeric version is 14.4',
      '00[IMC] last boot: Dec 15 10:45:10 UTC 2014, 2276 s ago',
      '00[IMC] IPv4 forwarding is disabled',
      '00[IMC] factory default password is disabled',
      '00[IMC] IMC 2 "Attestation" received message for Connection ID 1 from IMV 1',
      '00[IMC]   lowered maximum segment size to 32678 bytes',
      '00[IMC] ***** assessment of IMC 2 "Attestation" from IMV 1 *****',
      '00[IMC] IMC 1 "OS" deleted the state of Connection ID 1',
      '00[IMC] IMC 2 "Attestation" terminated',
    ]) expect(l).toContainEqual(line);
    expect(l.indexOf('00[IMC] IMC 2 "Attestation" terminated')).toBeLessThan(l.indexOf('00[IMC] IMC 1 "OS" terminated'));
    expect(l).toContain('00[PTS] boot aggregate value is correct');
    expect(ok.moonLines).toContain("00[TNC] final recommendation is 'allow' and evaluation is 'compliant'");
  });

  test("the batch sequence: the seed's 269-byte CDATA first, PTS rounds, evidence within 32,754 bytes, RESULT", () => {
    const b = ok.batches;
    expect(b[0]).toBe('C CDATA 269');
    expect(b[1]).toMatch(/^S SDATA /);
    expect(b.at(-2)).toMatch(/^S RESULT /);
    expect(b.at(-1)).toBe('C CLOSE 8');
    const sizes = b.map((x) => Number(x.split(' ')[2]));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32754);
    // 1,310 evidence attributes do not fit one batch: several CDATA batches answered by empty SDATA batches
    expect(b.filter((x) => x === 'S SDATA 8').length).toBeGreaterThanOrEqual(3);
  });
});

describe('with one IMA entry edited after the TPM was extended', () => {
  test('non-compliant, Quarantined, with the reason', async () => {
    const r = await run(700);
    expect(r.result.recommendation).toBe(3);
    expect(r.result.assessment).toBe(2);
    expect(r.carolLines).toContain("00[IMC] assessment result is 'non-compliant major'");
    expect(r.carolLines).toContain("00[TNC] PB-TNC access recommendation is 'Quarantined'");
    expect(r.carolLines).toContain('00[IMC] IMC 2 "Attestation" changed state of Connection ID 1 to \'Isolated\'');
    expect(r.result.reasons.map((x) => x.reason)).toContain('Invalid TPM Quote signature received');
  });
});

describe("moon's SQLite attestation database", () => {
  test('first contact: the session, the untrusted AIK and the IMA measurements are recorded', async () => {
    const r = await run();
    expect(r.result.recommendation).toBe(1);
    expect(r.sessions).toHaveLength(1);
    expect(r.sessions[0]).toMatchObject({ connectionId: 1, deviceId: r.deviceId, recommendation: ImvRecommendation.ALLOW, evaluation: ImvEvaluation.COMPLIANT, results: [] });
    expect(r.ls1).toHaveLength(1);
    expect(r.moonLines).toContain(`00[IMV] registered AIK of device ${r.deviceId} (not trusted)`);
  });

  const sha256 = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());
  /** A known-good list of the seed's files (the seed machine's digest is SHA-256 of the file name); `differ` changes one. */
  const referenceList = (differ?: string) =>
    encodeImaLog(seedImaFiles().map((f) => ({ templateName: 'ima-ng', fields: [dngField('sha256', sha256(f === differ ? 'updated' : f)), nngField(f)] })));

  test('references imported from a known-good list, trusted AIK required: all 1,286 files ok, Access Allowed', async () => {
    const r = await run(undefined, async (_m, aik, database) => {
      const db = new SqliteAttestationStore(database);
      expect(await importImaLog(db, referenceList())).toEqual({ entries: 1286, added: 1286, skipped: 0 });
      db.registerAik(aik.spki, { trusted: true, description: 'carol' });
      db.close();
      return { register: false, requireTrustedAik: true };
    });
    expect(r.result).toMatchObject({ assessment: 0, recommendation: 1 });
    expect(r.moonLines).toContain('00[PTS] processed 1286 IMA file evidence measurements: 1286 ok, 0 unknown, 0 differ, 0 failed');
  });

  test('a file that differs from its reference is named, and the result is Quarantined', async () => {
    const changed = '/usr/lib/x86_64-linux-gnu/lib5.so.1';
    const r = await run(undefined, async (_m, _aik, database) => {
      const db = new SqliteAttestationStore(database);
      await importImaLog(db, referenceList(changed));
      db.close();
      return { register: false };
    });
    expect(r.result).toMatchObject({ assessment: 2, recommendation: 3 });
    expect(r.moonLines).toContain('00[PTS] processed 1286 IMA file evidence measurements: 1285 ok, 0 unknown, 1 differ, 0 failed');
    expect(r.moonLines.some((l) => l.includes(`for '${changed}' differs`))).toBe(true);
    expect(r.sessions[0].results).toContain('Incorrect component evidence');
  });

  test('an AIK not registered as trusted is refused when trusted AIKs are required', async () => {
    const r = await run(undefined, async () => ({ requireTrustedAik: true }));
    expect(r.result).toMatchObject({ assessment: 2, recommendation: 3 });
    expect(r.result.reasons.map((x) => x.reason)).toContain(`AIK of device ${r.deviceId} is not trusted`);
  });
});
