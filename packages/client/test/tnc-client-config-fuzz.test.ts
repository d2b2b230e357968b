/**
 * Fuzz and property tests of the tnc-client configuration readers (swanctl.conf-style text and the flags form):
 * whatever the input, they return or throw a ConfigError (never a TypeError, RangeError or stack overflow), within
 * their size limits; and printing a settings tree and parsing it back gives the same tree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { fuzz, fuzzTimeout } from '../../../test-support/fuzz.js';
import { ConfigError } from '../src/config/errors.js';
import { CONNECT_OPTIONS, clientConfigFromArgs, parseArgs } from '../src/config/flags.js';
import { parseSettings, SETTINGS_LIMITS, type SettingsSection } from '../src/config/settings.js';
import { clientConfigFromSettings } from '../src/config/swanctl.js';

const FIXTURE = readFileSync(fileURLToPath(new URL('./fixtures/tnc-client/swanctl.conf', import.meta.url)), 'utf8');
const SECRETS = readFileSync(fileURLToPath(new URL('./fixtures/tnc-client/secrets.conf', import.meta.url)), 'utf8');
const CORPUS = [FIXTURE, FIXTURE + SECRETS, SECRETS];
const BUDGET = 2000;

/** Parse and build the connection; anything thrown must be a ConfigError with a known code. */
function onlyConfigErrors(text: string): void {
  try {
    const tree = parseSettings(text, { file: 'fuzz.conf' });
    clientConfigFromSettings(tree, undefined, 'home', { baseDir: '/etc/tnc-client', env: {} });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    expect(['ERR_CONFIG_SYNTAX', 'ERR_CONFIG_VALUE', 'ERR_CONFIG_FILE']).toContain(e.code);
    expect(e.message.length).toBeGreaterThan(0);
    if (e.line !== undefined) expect(e.line).toBeGreaterThanOrEqual(0);
  }
}

const TOKENS = [
  '{', '}', '=', '#', '"', '\\', '\n', '\r\n', ' ', '\t', ':', ',', 'connections', 'home', 'local', 'remote', 'children', 'tnc', 'secrets',
  'eap-carol', 'auth', 'eap-ttls', 'eap-md5', 'pubkey', 'id', 'eap_id', 'secret', 'remote_addrs', 'local_addrs', 'remote_ts', 'cacerts',
  'proposals', 'tpm', 'aik_handle', 'aik_key', 'log', 'kernel', 'include', '192.168.0.1', '10.1.0.0/16', '%any', '0x81010003',
  'swtpm:tcp://127.0.0.1:2321', 'device:/dev/tpmrm0', 'ike=2', '\u0000', '\ufeff', 'é', '😀',
];
const tokenText = fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), { maxLength: 120 }).map((t) => t.join(''));

type Edit = { at: number; del: number; ins: string };
const editArb: fc.Arbitrary<Edit> = fc.record({ at: fc.nat(), del: fc.nat(6), ins: fc.oneof(fc.constant(''), fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })) });
const mutated = fc.tuple(fc.nat(CORPUS.length - 1), fc.array(editArb, { minLength: 1, maxLength: 5 })).map(([i, edits]) => {
  let s = CORPUS[i];
  for (const e of edits) {
    const at = e.at % (s.length + 1);
    s = s.slice(0, at) + e.ins + s.slice(at + e.del);
  }
  return s;
});

test('random token soup: parse + build throw only ConfigError', () => {
  fuzz('tnc-client settings token soup', tokenText, onlyConfigErrors, BUDGET);
}, fuzzTimeout(BUDGET));

test('mutated real configurations: parse + build throw only ConfigError', () => {
  fuzz('tnc-client settings mutated', mutated, onlyConfigErrors, BUDGET);
}, fuzzTimeout(BUDGET));

test('arbitrary Unicode text: parse + build throw only ConfigError', () => {
  fuzz('tnc-client settings unicode', fc.string({ unit: 'binary', maxLength: 300 }), onlyConfigErrors, BUDGET);
}, fuzzTimeout(BUDGET));

// --- round trip: print a tree, parse it back -------------------------------------------------------------------

const nameArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.@/-]{0,11}$/).filter((n) => n !== 'include');
const valueArb = fc.string({ unit: 'binary', maxLength: 20 });
interface Tree {
  values: [string, string][];
  sections: [string, Tree][];
}
function treeOf(depth: number): fc.Arbitrary<Tree> {
  return fc.record({
    values: fc.uniqueArray(fc.tuple(nameArb, valueArb), { maxLength: 4, selector: ([k]) => k }),
    sections: depth === 0 ? fc.constant([]) : fc.uniqueArray(fc.tuple(nameArb, treeOf(depth - 1)), { maxLength: 3, selector: ([k]) => k }),
  });
}
const treeArb = treeOf(3);

const quote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
function print(t: Tree, indent = ''): string {
  let s = '';
  for (const [k, v] of t.values) s += `${indent}${k} = ${quote(v)}   # comment\n`;
  for (const [k, sub] of t.sections) s += `${indent}${k} {\n${print(sub, indent + '  ')}${indent}}\n`;
  return s;
}
function plain(s: SettingsSection): Tree {
  return { values: [...s.values].map(([k, v]) => [k, v.value]), sections: [...s.sections].map(([k, sub]) => [k, plain(sub)]) };
}
/** What the parser makes of a tree: a value and a section of the same name live side by side; nothing merges here. */
test('print → parse gives the same tree (quoted values with every escape, comments)', () => {
  fc.assert(
    fc.property(treeArb, (t) => {
      // a name used for both a value and a section is legal; sections with equal names merge, so they are unique
      expect(plain(parseSettings(print(t)))).toEqual(t);
    }),
    { numRuns: 300 },
  );
});

test('line numbers count every line break, also those inside quoted values', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 10 }).map((s) => s.replace(/[\\"]/g, '')), { maxLength: 5 }), fc.nat(5), (lines, blank) => {
      const text = `a = "${lines.join('\n')}"\n${'\n'.repeat(blank)}}`;
      try {
        parseSettings(text);
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).line).toBe(Math.max(1, lines.length) + 1 + blank);
      }
    }),
  );
});

// --- size limits -----------------------------------------------------------------------------------------------

test.each([
  ['nesting 100 000 deep', '{'.repeat(0) + 'a {\n'.repeat(100_000), /nested deeper than 32/],
  ['more than 1 MiB', '#'.repeat(SETTINGS_LIMITS.maxChars + 1), /file too large/],
  ['more than 100 000 entries', 'a = b\n'.repeat(SETTINGS_LIMITS.maxEntries + 1), /more than 100000 settings/],
  ['a name of 10 000 characters', `${'n'.repeat(10_000)} = 1\n`, /name longer than 256/],
  ['an unterminated string of 1 MiB', `a = "${'x'.repeat(SETTINGS_LIMITS.maxChars - 10)}`, /unterminated quoted string/],
])('DoS: %s → ConfigError in well under a second', (_n, text, reason) => {
  const t0 = performance.now();
  expect(() => parseSettings(text)).toThrow(reason);
  expect(performance.now() - t0).toBeLessThan(1000);
});

// --- the flags form --------------------------------------------------------------------------------------------

const FLAG_NAMES = CONNECT_OPTIONS.map((o) => `--${o.name}`);
const argArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FLAG_NAMES, '--eap-password', '--', '-', '-h', '--x=y') },
  { weight: 3, arbitrary: fc.constantFrom('192.168.0.1', 'carol@strongswan.org', '10.1.0.0/16', 'swtpm:tcp://127.0.0.1:2321', '0x81010003', 'ike=2', '/etc/ca.pem', '3', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...FLAG_NAMES).chain((f) => fc.string({ maxLength: 8 }).map((v) => `${f}=${v}`)) },
);

test('random argv: the flags form throws only ConfigError', () => {
  fuzz(
    'tnc-client connect flags',
    fc.array(argArb, { maxLength: 16 }),
    (argv) => {
      try {
        clientConfigFromArgs(parseArgs(argv, CONNECT_OPTIONS), { TNC_EAP_PASSWORD: 'x' });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        expect(e.code).toMatch(/^ERR_CONFIG_(FLAG|FILE|VALUE)$/);
      }
    },
    BUDGET,
  );
}, fuzzTimeout(BUDGET));
