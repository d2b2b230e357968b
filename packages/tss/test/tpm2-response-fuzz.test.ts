/**
 * Fuzzing the response parser (fast-check, time-budgeted): real responses recorded from swtpm for every command
 * family are replayed mutated — bit flips, overwritten bytes, truncation, insertion, each also with the size field
 * repaired so the damage reaches the inner structures — to the same typed API calls. Property: each call resolves, or
 * rejects with TpmDecodeError / TpmError / TpmResponseAuthError / QuoteVerificationError; nothing else, no hang.
 */
import fc from 'fast-check';
import { concatBytes } from '@tncjs/common';
import {
  Tpm,
  TPM_ALG,
  TPM_RH,
  TpmDecodeError,
  TpmError,
  TpmResponseAuthError,
  QuoteVerificationError,
  createEk,
  createAik,
  srkTemplate,
  verifyQuote,
  type TpmTransport,
} from '../src/index.js';
import { startSwtpm, type SwtpmInstance } from '../../../test-support/swtpm.js';
import { jest } from '@jest/globals';

// real TPM work: RSA key generation in swtpm can take seconds on a loaded CI machine
jest.setTimeout(30_000);

const BUDGET_MS = 3000;

/** Replays a queue of responses; records what it was asked. */
class ReplayTransport implements TpmTransport {
  readonly description = 'replay';
  queue: Uint8Array[] = [];
  async transmit(): Promise<Uint8Array> {
    const r = this.queue.shift();
    if (!r) throw new TpmDecodeError('replay queue empty', 0);
    return r;
  }
  async close(): Promise<void> {}
}

/** Records the responses a live TPM gives. */
class RecordingTransport implements TpmTransport {
  readonly description: string;
  log: Uint8Array[] = [];
  constructor(private readonly inner: TpmTransport) {
    this.description = inner.description;
  }
  async transmit(c: Uint8Array, o?: { timeoutMs?: number }): Promise<Uint8Array> {
    const r = await this.inner.transmit(c, o);
    this.log.push(r);
    return r;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Scenario {
  name: string;
  /** The API call, as a function of the TPM it runs on. */
  run(tpm: Tpm): Promise<unknown>;
  responses: Uint8Array[];
}

let swtpm: SwtpmInstance;
const scenarios: Scenario[] = [];

beforeAll(async () => {
  swtpm = await startSwtpm();
  const live = await swtpm.open();
  const rec = new RecordingTransport(live.transport);
  const tpm = new Tpm(rec);
  const ek = await createEk(tpm, 'rsa');
  const aik = await createAik(tpm, { alg: 'ecc' });
  const session = await tpm.startAuthSession({ salt: { handle: ek.handle, public: ek.public } });
  const ctx = await tpm.contextSave(ek.handle);
  const calls: Omit<Scenario, 'responses'>[] = [
    { name: 'GetRandom', run: (t) => t.getRandom(48) },
    { name: 'GetCapability (info)', run: (t) => t.getInfo() },
    { name: 'PCR_Read (paged)', run: (t) => t.pcrRead('sha1:all+sha256:all') },
    { name: 'CreatePrimary', run: (t) => t.createPrimary(TPM_RH.OWNER, srkTemplate('ecc')) },
    { name: 'ReadPublic', run: (t) => t.readPublic(aik.handle) },
    { name: 'Quote + verify', run: async (t) => {
        const q = await t.quote(aik.handle, new Uint8Array(8), 'sha256:0,1');
        return verifyQuote({ quoted: q.quoted, signature: q.signature, key: aik.public });
      },
    },
    { name: 'ContextSave', run: (t) => t.contextSave(ek.handle) },
    { name: 'ContextLoad', run: (t) => t.contextLoad(ctx) },
    { name: 'PCR_Extend with a salted HMAC session', run: (t) => t.pcrExtend(16, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(32) }], { session }) },
    { name: 'Hash', run: (t) => t.hash(new Uint8Array(100)) },
  ];
  for (const c of calls) {
    rec.log = [];
    const result = await c.run(tpm);
    if (c.name === 'CreatePrimary') await tpm.flushContext((result as { handle: number }).handle);
    if (c.name === 'ContextLoad') await tpm.flushContext(result as number);
    scenarios.push({ ...c, responses: rec.log.slice(0, rec.log.length - (c.name === 'CreatePrimary' || c.name === 'ContextLoad' ? 1 : 0)) });
  }
  await live.close();
}, 30_000);

afterAll(async () => {
  await swtpm?.stop();
});

const fixSize = (b: Uint8Array) => {
  const out = b.slice();
  if (out.length >= 6) new DataView(out.buffer).setUint32(2, out.length);
  return out;
};

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(b: Uint8Array, m: Mutation, repair: boolean): Uint8Array {
  let out: Uint8Array;
  switch (m.kind) {
    case 'flip':
      out = b.slice();
      out[m.at % out.length] ^= 1 << m.bit;
      break;
    case 'set':
      out = b.slice();
      out[m.at % out.length] = m.value;
      break;
    case 'truncate':
      out = b.slice(0, m.at % b.length);
      break;
    case 'insert': {
      const at = m.at % (b.length + 1);
      out = concatBytes([b.subarray(0, at), m.bytes, b.subarray(at)]);
      break;
    }
    case 'random':
      out = concatBytes([b.subarray(0, 10), m.bytes]);
      break;
  }
  return repair ? fixSize(out) : out;
}

test('every scenario was recorded from the live TPM', () => {
  expect(scenarios.map((s) => s.name)).toHaveLength(10);
  for (const s of scenarios) expect(s.responses.length).toBeGreaterThan(0);
});

test(
  'mutated real responses → a result or a typed error, never anything else',
  async () => {
    const replay = new ReplayTransport();
    const tpm = new Tpm(replay);
    const started = Date.now();
    let runs = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), mutation, fc.boolean(), async (si, ri, m, repair) => {
        const s = scenarios[si % scenarios.length];
        const which = ri % s.responses.length;
        replay.queue = s.responses.map((r, i) => (i === which ? mutate(r, m, repair) : r));
        runs++;
        try {
          await s.run(tpm);
          outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
        } catch (e) {
          const ok = e instanceof TpmDecodeError || e instanceof TpmError || e instanceof TpmResponseAuthError || e instanceof QuoteVerificationError;
          if (!ok) throw e;
          outcomes.set((e as { code: string }).code, (outcomes.get((e as { code: string }).code) ?? 0) + 1);
        }
      }),
      { numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS },
    );
    expect(runs).toBeGreaterThan(500);
    expect(outcomes.get('ERR_TPM_DECODE')).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 5000);
  },
  BUDGET_MS * 3 + 10_000,
);
