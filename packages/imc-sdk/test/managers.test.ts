/** TNC client/server managers: routing by (vendor, subtype), EXCL, BatchEnding, recommendation combination, tnc_config. */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, PEN } from '@tncjs/common';
import { AssessmentResult, ForwardingEnabled } from '@tncjs/pa-tnc';
import {
  TncClient,
  TncServer,
  combineRecommendations,
  parseTncConfig,
  loadTncConfig,
  TncConfigError,
  ImvRecommendation as R,
  ImvEvaluation as E,
  ConnectionState,
  VENDOR_ANY,
  SUBTYPE_ANY,
  processPaTncMessage,
  type Imc,
  type Imv,
  type ImvVerdict,
} from '../src/index.js';

const OS: { vendorId: number; subtype: number } = { vendorId: PEN.IETF, subtype: 1 };
const PTS = { vendorId: PEN.TCG, subtype: 1 };
const quiet = () => new Logger({ defaultLevel: -1 });

/** An IMC that records what it gets and sends `first` at BeginHandshake. */
function recordingImc(name: string, types: { vendorId: number; subtype: number }[], first?: { type: { vendorId: number; subtype: number }; to?: number; excl?: boolean }) {
  const got: { from: number; excl: boolean; type: string }[] = [];
  const states: number[] = [];
  let batchEndings = 0;
  const imc: Imc = {
    name,
    messageTypes: types,
    notifyConnectionChange: (_c, s) => void states.push(s),
    beginHandshake: (c) => first && c.send({ type: first.type, destinationId: first.to, exclusive: first.excl, attributes: [ForwardingEnabled.create({ status: 0 })] }),
    receiveMessage: (_c, m) => void got.push({ from: m.sourceId, excl: m.exclusive, type: `${m.vendorId}/${m.subtype}` }),
    batchEnding: () => void batchEndings++,
  };
  return { imc, got, states, batchEndings: () => batchEndings };
}

/** An IMV that answers every message to its sender (EXCL when asked) and decides with `verdict` on the 2nd batch. */
function recordingImv(name: string, types: { vendorId: number; subtype: number }[], verdict: ImvVerdict, opts: { excl?: boolean } = {}) {
  const got: { from: number; to: number }[] = [];
  let batches = 0;
  const imv: Imv = {
    name,
    messageTypes: types,
    receiveMessage: (c, m) => {
      got.push({ from: m.sourceId, to: m.destinationId });
      c.send({ type: { vendorId: m.vendorId, subtype: m.subtype }, destinationId: m.sourceId, exclusive: opts.excl, attributes: [ForwardingEnabled.create({ status: 1 })] });
    },
    batchEnding: (c) => {
      if (++batches === 2) {
        c.send({ type: types[0], attributes: [AssessmentResult.create({ result: verdict.evaluation })] });
        c.provideRecommendation(verdict);
      }
    },
  };
  return { imv, got };
}

async function exchange(client: TncClient, server: TncServer) {
  const carol = client.connect({ maxBatchSize: 32754 });
  const moon = server.connect({ maxBatchSize: 32754 });
  let batch: Uint8Array | undefined = await carol.start();
  let toMoon = true;
  let n = 0;
  while (batch && n++ < 50) {
    batch = toMoon ? await moon.receive(batch) : await carol.receive(batch);
    toMoon = !toMoon;
  }
  return { carol, moon };
}

describe('TNC client and server managers', () => {
  test('PB-PA messages reach the subscribed IMCs/IMVs; wildcards; state changes end in Allowed', async () => {
    const client = new TncClient({ logger: quiet() });
    const os = recordingImc('OS', [OS], { type: OS });
    const pts = recordingImc('Attestation', [PTS], { type: PTS });
    const any = recordingImc('Any', [{ vendorId: VENDOR_ANY, subtype: SUBTYPE_ANY }]);
    for (const x of [os, pts, any]) await client.add(x.imc);
    const server = new TncServer({ logger: quiet() });
    const vos = recordingImv('OS', [OS], { recommendation: R.ALLOW, evaluation: E.COMPLIANT });
    const vpts = recordingImv('Attestation', [PTS], { recommendation: R.ALLOW, evaluation: E.COMPLIANT });
    await server.add(vos.imv);
    await server.add(vpts.imv);
    const { carol, moon } = await exchange(client, server);
    expect(vos.got).toEqual([{ from: 1, to: 0xffff }]);
    expect(vpts.got).toEqual([{ from: 2, to: 0xffff }]);
    // not exclusive: every IMC subscribed to the type gets the IMV's answer, the wildcard IMC gets everything
    expect(os.got.map((g) => g.type)).toEqual([`${PEN.IETF}/1`, `${PEN.IETF}/1`]);
    expect(pts.got.map((g) => g.type)).toEqual([`${PEN.TCG}/1`, `${PEN.TCG}/1`]);
    expect(any.got).toHaveLength(4);
    expect(os.batchEndings()).toBeGreaterThanOrEqual(1);
    expect(os.states).toEqual([ConnectionState.CREATE, ConnectionState.HANDSHAKE, ConnectionState.ACCESS_ALLOWED]);
    expect(carol.result).toMatchObject({ assessment: 0, recommendation: 1 });
    expect(moon.decision?.action).toBe(R.ALLOW);
    await carol.delete();
    expect(os.states.at(-1)).toBe(ConnectionState.DELETE);
  });

  test('EXCL: a message for IMC 2 only reaches IMC 2, although IMC 1 subscribes to the same type', async () => {
    const client = new TncClient({ logger: quiet() });
    const a = recordingImc('A', [OS], { type: OS });
    const b = recordingImc('B', [OS]);
    await client.add(a.imc);
    await client.add(b.imc);
    const server = new TncServer({ logger: quiet() });
    const v = recordingImv('V', [OS], { recommendation: R.ISOLATE, evaluation: E.NONCOMPLIANT_MINOR, reasons: ['because'] }, { excl: true });
    await server.add(v.imv);
    const { carol } = await exchange(client, server);
    expect(a.got[0]).toMatchObject({ from: 1, excl: true });
    expect(b.got.filter((g) => g.excl)).toHaveLength(0);
    expect(carol.result).toMatchObject({ assessment: 1, recommendation: 3, reasons: [{ reason: 'because', languageCode: 'en' }] });
    expect(b.states.at(-1)).toBe(ConnectionState.ACCESS_ISOLATED);
  });

  test('attributes beyond the maximum message size go out in several PA-TNC messages', async () => {
    const client = new TncClient({ logger: quiet() });
    const bodies: number[] = [];
    await client.add({ name: 'Big', messageTypes: [OS], beginHandshake: (c) => c.send({ attributes: Array.from({ length: 50 }, () => ForwardingEnabled.create({ status: 0 })) }) });
    const server = new TncServer({ logger: quiet() });
    await server.add({
      name: 'Sink',
      messageTypes: [OS],
      receiveMessage: (c, m) => {
        bodies.push(m.body.byteLength);
        expect(processPaTncMessage(m, quiet()).attributes).toBeDefined();
      },
      solicitRecommendation: (c) => c.provideRecommendation({ recommendation: R.ALLOW, evaluation: E.COMPLIANT }),
    });
    const carol = client.connect({ maxBatchSize: 32 + 200 });
    const moon = server.connect({ maxBatchSize: 32 + 200 });
    let batch: Uint8Array | undefined = await carol.start();
    for (let toMoon = true, n = 0; batch && n < 50; toMoon = !toMoon, n++) batch = toMoon ? await moon.receive(batch) : await carol.receive(batch);
    expect(bodies.length).toBeGreaterThan(1);
    expect(Math.max(...bodies)).toBeLessThanOrEqual(200);
    expect(bodies.reduce((x, y) => x + y, 0)).toBe(50 * 16 + bodies.length * 8);
    expect(carol.result?.recommendation).toBe(1); // solicited after the client's empty CDATA
  });

  test("combining recommendations follows strongSwan's default policy", () => {
    const v = (recommendation: number, evaluation: number) => ({ recommendation, evaluation }) as ImvVerdict;
    expect(combineRecommendations([v(R.ALLOW, E.COMPLIANT), v(R.ALLOW, E.COMPLIANT)])).toMatchObject({ recommendation: 1, evaluation: 0 });
    expect(combineRecommendations([v(R.ALLOW, E.COMPLIANT), v(R.ISOLATE, E.NONCOMPLIANT_MINOR)])).toMatchObject({ recommendation: 3, evaluation: 1 });
    expect(combineRecommendations([v(R.NO_ACCESS, E.NONCOMPLIANT_MAJOR), v(R.ISOLATE, E.ERROR)])).toMatchObject({ recommendation: 2, evaluation: 3 });
    expect(combineRecommendations([v(R.NO_RECOMMENDATION, E.DONT_KNOW), v(R.ALLOW, E.COMPLIANT)])).toMatchObject({ recommendation: 1, evaluation: 0 });
    expect(combineRecommendations([v(R.NO_RECOMMENDATION, E.DONT_KNOW)])).toMatchObject({ recommendation: 2, evaluation: 4 });
    expect(combineRecommendations([])).toMatchObject({ recommendation: 2 });
  });
});

describe('tnc_config', () => {
  test("parses strongSwan's format with comments", () => {
    expect(parseTncConfig('# IMC configuration\n\nIMC "OS"  /usr/lib/ipsec/imcvs/imc-os.so\nIMV "Attestation" @acme/imv  # ours\n')).toEqual([
      { kind: 'IMC', name: 'OS', module: '/usr/lib/ipsec/imcvs/imc-os.so', line: 3 },
      { kind: 'IMV', name: 'Attestation', module: '@acme/imv', line: 4 },
    ]);
    expect(() => parseTncConfig('IMC OS imc-os.so')).toThrow(TncConfigError);
    expect(() => parseTncConfig('IMX "OS" x')).toThrow(/line 1/);
  });

  test('loads file modules with import() and built-ins, logging the seed lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tncjs-tnc-config-'));
    try {
      writeFileSync(join(dir, 'my-imc.mjs'), "export default (o) => ({ name: 'Mine', messageTypes: [{ vendorId: 0, subtype: 2 }], initialize: () => { globalThis.__mineOptions = o; } });\n");
      writeFileSync(join(dir, 'tnc_config'), `IMC "Mine" ./my-imc.mjs\nIMC "OS" builtin:os\nIMV "OS" imv-os.so\n`);
      const lines: string[] = [];
      const client = new TncClient({ logger: new Logger({ sink: (l) => lines.push(l.trimEnd()) }) });
      expect(await loadTncConfig(join(dir, 'tnc_config'), client, { options: { Mine: { x: 1 } } })).toBe(2);
      expect(client.imcs.map((m) => [m.id, m.name])).toEqual([[1, 'Mine'], [2, 'OS']]);
      expect((globalThis as { __mineOptions?: unknown }).__mineOptions).toEqual({ x: 1 });
      expect(lines).toContain(`00[TNC] loading IMCs from '${join(dir, 'tnc_config')}'`);
      expect(lines).toContain("00[TNC] IMC 1 supports 1 message type: 'IETF/Anti-Virus' 0x000000/0x00000002");
      expect(lines).toContain('00[TNC] IMC 1 "Mine" loaded from \'./my-imc.mjs\'');
      const server = new TncServer({ logger: quiet() });
      expect(await loadTncConfig(join(dir, 'tnc_config'), server)).toBe(1);
      expect(server.imvs[0].name).toBe('OS');
      writeFileSync(join(dir, 'bad.mjs'), 'export const x = 1;\n');
      writeFileSync(join(dir, 'tnc_config'), 'IMC "Bad" ./bad.mjs\n');
      await expect(loadTncConfig(join(dir, 'tnc_config'), new TncClient({ logger: quiet() }))).rejects.toThrow(/exports no factory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
