/**
 * The ReferenceStore compliance suite (@tncjs/pts's interface, which the evidence verifier calls): every
 * implementation — memory, JSON file, SQLite — must give the same answers, so a server database written later can run
 * the same suite.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '@tncjs/common';
import { FileReferenceStore, MemoryReferenceStore, type ReferenceStore } from '@tncjs/pts';
import { SqliteAttestationStore } from '../src/index.js';

const sha1 = (s: string) => new Uint8Array(createHash('sha1').update(s).digest());
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tncjs-refstore-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Impl = { name: string; open: () => ReferenceStore; reopen?: (s: ReferenceStore) => ReferenceStore };
let n = 0;
const IMPLEMENTATIONS: Impl[] = [
  { name: 'MemoryReferenceStore', open: () => new MemoryReferenceStore() },
  {
    name: 'FileReferenceStore',
    open: () => new FileReferenceStore(join(dir, `refs-${n++}.json`)),
    reopen: (s) => {
      const f = s as FileReferenceStore;
      f.flush();
      return new FileReferenceStore(f.path);
    },
  },
  {
    name: 'SqliteAttestationStore',
    open: () => new SqliteAttestationStore(join(dir, `pts-${n++}.db`)),
    reopen: (s) => {
      const q = s as SqliteAttestationStore;
      q.close();
      return new SqliteAttestationStore(q.path);
    },
  },
];

describe.each(IMPLEMENTATIONS)('ReferenceStore compliance: $name', ({ open, reopen }) => {
  test('unknown names and devices are undefined, not empty', () => {
    const s = open();
    expect(s.imaMeasurements('/usr/bin/ls', 0x8000)).toBeUndefined();
    expect(s.biosEvidence('e61276cae552799c71cc84abae619ab14c8b0b8b', 0x8000)).toBeUndefined();
  });

  test('IMA measurements per name and bank, deduplicated, in registration order', () => {
    const s = open();
    // sha1('b') > sha1('a') > sha1('c') as hex: registration order is neither sorted nor reverse-sorted
    for (const x of ['b', 'a', 'c', 'a']) s.registerImaMeasurement('/usr/bin/ls', 0x8000, sha1(x));
    s.registerImaMeasurement('/usr/bin/ls', 0x4000, sha1('c'));
    expect(s.imaMeasurements('/usr/bin/ls', 0x8000)).toEqual([toHex(sha1('b')), toHex(sha1('a')), toHex(sha1('c'))]);
    expect(s.imaMeasurements('/usr/bin/ls', 0x4000)).toEqual([toHex(sha1('c'))]);
    expect(s.imaMeasurements('/usr/bin/l', 0x8000)).toBeUndefined();
    expect(s.imaMeasurements('/usr/bin/ls ', 0x8000)).toBeUndefined();
  });

  test('names are exact strings (case, unicode, no slash, trailing slash)', () => {
    const s = open();
    for (const name of ['/USR/bin/ls', '/usr/bin/ls', 'boot_aggregate', '/opt/ünïcödé', '/dir/', '//double']) s.registerImaMeasurement(name, 0x8000, sha1(name));
    for (const name of ['/USR/bin/ls', '/usr/bin/ls', 'boot_aggregate', '/opt/ünïcödé', '/dir/', '//double']) expect(s.imaMeasurements(name, 0x8000)).toEqual([toHex(sha1(name))]);
    expect(s.imaMeasurements('/double', 0x8000)).toBeUndefined();
  });

  test('BIOS evidence per device and bank, replaced as a whole, copied', () => {
    const s = open();
    const e = [
      { pcr: 0, measurement: toHex(sha1('0')) },
      { pcr: 4, measurement: toHex(sha1('4')) },
    ];
    s.registerBiosEvidence('dev', 0x8000, e);
    e[0].pcr = 9;
    expect(s.biosEvidence('dev', 0x8000)).toEqual([
      { pcr: 0, measurement: toHex(sha1('0')) },
      { pcr: 4, measurement: toHex(sha1('4')) },
    ]);
    s.registerBiosEvidence('dev', 0x8000, [{ pcr: 1, measurement: toHex(sha1('1')) }]);
    expect(s.biosEvidence('dev', 0x8000)).toEqual([{ pcr: 1, measurement: toHex(sha1('1')) }]);
    expect(s.biosEvidence('dev', 0x4000)).toBeUndefined();
  });

  // (memory stores have nothing to re-open: the test exists for the persistent ones only)
  if (reopen) test('persistent stores keep everything across a re-open', () => {
    const s = open();
    s.registerImaMeasurement('/etc/tnc_config', 0x8000, sha1('cfg'));
    s.registerBiosEvidence('dev', 0x8000, [{ pcr: 0, measurement: toHex(sha1('0')) }]);
    const t = reopen(s);
    expect(t.imaMeasurements('/etc/tnc_config', 0x8000)).toEqual([toHex(sha1('cfg'))]);
    expect(t.biosEvidence('dev', 0x8000)).toEqual([{ pcr: 0, measurement: toHex(sha1('0')) }]);
  });
});
