/**
 * Property tests of the parsing the attestation database adds: database locations (strongSwan's
 * `sqlite:///path`), the directories/files split of a path, `tncjs attest` arguments, and the import of an IMA list:
 * for any list the kernel could write (ima-ng or legacy ima, any file digest algorithm), every file entry's logged
 * template hash is among the references after import, in the SHA-1 bank — and a one-bit change of a digest is not.
 */
import fc from 'fast-check';
import { toHex } from '@tncjs/common';
import { encodeImaLog, dngField, nngField, iterateImaLog, type ImaEntrySpec } from '@tncjs/pts';
import { SqliteAttestationStore, formatDatabaseUri, importImaLog, joinFilePath, parseAttestArgs, parseDatabaseUri, splitFilePath } from '../src/index.js';

const enc = new TextEncoder();
const RUNS = { numRuns: 200 };

describe('database locations', () => {
  test('parse(format(p)) = p for any non-empty path, and a plain path is itself', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (p) => {
        expect(parseDatabaseUri(formatDatabaseUri(p))).toEqual({ driver: 'sqlite', path: p });
        if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) expect(parseDatabaseUri(p).path).toBe(p);
      }),
      RUNS,
    );
  });

  test('another driver or an empty path is a TypeError, never a silent file', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.string(), (driver, rest) => {
        fc.pre(driver !== 'sqlite');
        expect(() => parseDatabaseUri(`${driver}://${rest}`)).toThrow(TypeError);
      }),
      RUNS,
    );
    expect(() => parseDatabaseUri('')).toThrow(TypeError);
    expect(() => parseDatabaseUri('sqlite://')).toThrow(TypeError);
    expect(parseDatabaseUri('sqlite:///etc/pts/config.db').path).toBe('/etc/pts/config.db');
  });
});

describe('directories/files split', () => {
  test('join(split(p)) = p, the name has no slash, the directory is empty or ends with one', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.constantFrom('/', 'a', 'b', '.', 'ü'), { maxLength: 12 }).map((x) => x.join(''))), (p) => {
        const [d, n] = splitFilePath(p);
        expect(joinFilePath(d, n)).toBe(p);
        expect(n.includes('/')).toBe(false);
        expect(d === '' || d.endsWith('/')).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('tncjs attest arguments', () => {
  test('positionals survive in order; value options take the next argument or =value', () => {
    const word = fc.stringMatching(/^[a-z0-9/._]{1,12}$/);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), fc.option(word, { nil: undefined }), fc.boolean(), (pos, product, eq) => {
        const argv = [...pos, ...(product === undefined ? [] : eq ? [`--product=${product}`] : ['--product', product])];
        const r = parseAttestArgs(argv);
        expect(r.positional).toEqual(pos);
        expect(r.options.product).toBe(product);
      }),
      RUNS,
    );
    expect(() => parseAttestArgs(['db', 'devices', '--nope'])).toThrow('unknown option');
    expect(() => parseAttestArgs(['db', 'sessions', '--limit'])).toThrow('needs a value');
  });
});

describe('IMA list import', () => {
  const HASHES: Record<string, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
  const name = fc.oneof(fc.stringMatching(/^\/[a-z0-9_./-]{1,40}$/), fc.string({ minLength: 1, maxLength: 40 }).map((s) => `/x/${s.replace(/\0/g, '')}`));
  const entry = fc.record({
    legacy: fc.boolean(),
    algorithm: fc.constantFrom(...Object.keys(HASHES)),
    name,
    seed: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  });

  function spec(e: { legacy: boolean; algorithm: string; name: string; seed: Uint8Array }): ImaEntrySpec {
    if (e.legacy) {
      const name = e.name.slice(0, 255);
      return { templateName: 'ima', fields: [e.seed.slice(0, 20), enc.encode(name)] };
    }
    return { templateName: 'ima-ng', fields: [dngField(e.algorithm, e.seed.slice(0, HASHES[e.algorithm])), nngField(e.name)] };
  }

  test('every logged template hash is a reference after import; a flipped digest bit is not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), fc.nat(), async (entries, flip) => {
        fc.pre(entries.every((e) => !e.seed.slice(0, HASHES[e.legacy ? 'sha1' : e.algorithm]).every((b) => b === 0)));
        const store = new SqliteAttestationStore();
        try {
          const log = encodeImaLog(entries.map(spec));
          const r = await importImaLog(store, log);
          expect(r.entries).toBe(entries.length);
          const logged = [...iterateImaLog(log)];
          for (const e of logged) {
            const nameOf = entries[e.index].legacy ? entries[e.index].name.slice(0, 255) : entries[e.index].name;
            expect(store.imaMeasurements(nameOf, 0x8000)).toContain(toHex(e.templateDigest));
          }
          // change one bit of one entry's file digest: the name is known, the template hash is not a reference
          const i = flip % entries.length;
          const changed = entries.map((e, j) => (j === i ? { ...e, seed: Uint8Array.from(e.seed, (b, k) => (k === 0 ? b ^ 1 : b)) } : e));
          const tampered = [...iterateImaLog(encodeImaLog(changed.map(spec)))][i];
          const nameOf = entries[i].legacy ? entries[i].name.slice(0, 255) : entries[i].name;
          const sameFileElsewhere = entries.some((e, j) => j !== i && (e.legacy ? e.name.slice(0, 255) : e.name) === nameOf);
          if (!sameFileElsewhere) expect(store.imaMeasurements(nameOf, 0x8000)).not.toContain(toHex(tampered.templateDigest));
        } finally {
          store.close();
        }
      }),
      { numRuns: 100 },
    );
  });

  test('a truncated or garbled list imports nothing (all or nothing) or throws the IMA parser error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 2, maxLength: 4 }), fc.nat(), async (entries, cut) => {
        const log = encodeImaLog(entries.map(spec));
        const at = 1 + (cut % (log.byteLength - 1));
        const store = new SqliteAttestationStore();
        try {
          await importImaLog(store, log.subarray(0, at));
        } catch (e) {
          expect((e as Error).name).toBe('ImaLogError');
          expect(entries.every((x) => store.fileHashes(x.legacy ? x.name.slice(0, 255) : x.name).length === 0)).toBe(true);
        } finally {
          store.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});
