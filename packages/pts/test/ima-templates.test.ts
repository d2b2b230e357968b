/**
 * IMA templates (Documentation/security/IMA-templates.rst, ima_template.c): every built-in template, custom
 * `ima_template_fmt` format strings as template names (ibmtss imatest.log style), unknown templates, big-endian lists,
 * per-bank digest lengths, and the template-digest rules of ima_calc_field_array_hash().
 */
import { describe, expect, test } from '@jest/globals';
import { Logger, encodeUtf8, toHex } from '@tncjs/common';
import { hashDigest as digest, hashAlgorithmByName } from '../src/eventlog/index.js';
import {
  BUILTIN_TEMPLATES,
  ImaLog,
  ImaLogError,
  computeTemplateDigest,
  describeImaEntry,
  dngField,
  encodeImaLog,
  imaEntryText,
  iterateImaLog,
  nngField,
  replayImaLog,
  verifyTemplateDigest,
} from '../src/ima/index.js';

const quiet = { logger: Logger.silent };
const sha1 = hashAlgorithmByName('sha1')!;
const sha256 = hashAlgorithmByName('sha256')!;
const fileDigest = digest(sha256, encodeUtf8('file contents'));
const bootAggregate = { templateName: 'ima-ng', fields: [dngField('sha256', new Uint8Array(32).fill(0x11)), nngField('boot_aggregate')] };

function le32(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
}

describe('built-in templates', () => {
  const sig = new Uint8Array([0x03, 0x02, 0x04, 0xaa, 0xbb]);
  const cases: [string, Uint8Array[], Record<string, unknown>][] = [
    ['ima-ng', [dngField('sha256', fileDigest), nngField('/usr/bin/bash')], { fileName: '/usr/bin/bash' }],
    ['ima-ngv2', [dngField('ima:sha256', fileDigest), nngField('/usr/bin/ls')], { fileName: '/usr/bin/ls', fileDigest: { digestType: 'ima', algorithm: 'sha256' } }],
    ['ima-sig', [dngField('sha256', fileDigest), nngField('/usr/lib/libc.so.6'), sig], { signature: sig }],
    ['ima-sig', [dngField('sha256', fileDigest), nngField('/etc/hosts'), new Uint8Array(0)], { fileName: '/etc/hosts' }],
    ['ima-sigv2', [dngField('verity:sha256', fileDigest), nngField('/v'), sig], { fileDigest: { digestType: 'verity' } }],
    ['ima-buf', [dngField('sha256', fileDigest), nngField('kexec-cmdline'), encodeUtf8('root=/dev/sda1 ro')], { buffer: encodeUtf8('root=/dev/sda1 ro') }],
    [
      'ima-modsig',
      [dngField('sha256', fileDigest), nngField('/lib/modules/x.ko'), sig, dngField('sha256', new Uint8Array(32).fill(2)), new Uint8Array([9, 9])],
      { modsig: new Uint8Array([9, 9]), modsigDigest: { algorithm: 'sha256' } },
    ],
    [
      'evm-sig',
      [dngField('sha256', fileDigest), nngField('/f'), new Uint8Array([5]), encodeUtf8('security.ima'), new Uint8Array([2, 0]), new Uint8Array([7, 7]), le32(0), le32(0), new Uint8Array([0xa4, 0x81])],
      { fileName: '/f' },
    ],
  ];

  test.each(cases)('%s: fields named, decoded, template digest checks', (templateName, fields, expected) => {
    const list = encodeImaLog([bootAggregate, { templateName, fields }]);
    const log = new ImaLog(list, quiet);
    const [, e] = log.entries();
    expect(e.templateName).toBe(templateName);
    const info = describeImaEntry(e);
    expect(info.fields.map((f) => f.id)).toEqual(BUILTIN_TEMPLATES[templateName]);
    expect(info).toMatchObject(expected);
    expect(verifyTemplateDigest(e, sha1)).toBe('ok');
    // template digest = H(template data as the list carries it: per field u32 length + data)
    expect(toHex(e.templateDigest)).toBe(toHex(digest(sha1, e.templateData)));
  });

  test('ascii_runtime_measurements layout of an entry', () => {
    const [e] = new ImaLog(encodeImaLog([{ templateName: 'ima-ng', fields: [dngField('sha256', fileDigest), nngField('/usr/bin/bash')] }]), quiet).entries();
    expect(imaEntryText(e)).toBe(`10 ${toHex(e.templateDigest)} ima-ng sha256:${toHex(fileDigest)} /usr/bin/bash`);
  });

  test('"ima" template: template digest over the 20-byte digest and the name padded to 256 bytes', () => {
    const d = digest(sha1, encodeUtf8('x'));
    const list = encodeImaLog([{ templateName: 'ima', fields: [d, encodeUtf8('/bin/sh')] }]);
    const [e] = new ImaLog(list, quiet).entries();
    const padded = new Uint8Array(256);
    padded.set(encodeUtf8('/bin/sh'));
    expect(toHex(e.templateDigest)).toBe(toHex(digest(sha1, new Uint8Array([...d, ...padded]))));
    expect(toHex(computeTemplateDigest(e, sha256))).toBe(toHex(digest(sha256, new Uint8Array([...d, ...padded]))));
    expect(imaEntryText(e)).toBe(`10 ${toHex(e.templateDigest)} ima ${toHex(d)} /bin/sh`);
  });
});

describe('custom and unknown templates', () => {
  test.each(['d-ng|n-ng', 'd-ng|n-ng|sig', 'd|n-ng', 'd-ng|n-ng|buf', 'd-ngv2|n-ng|sig|d-modsig|modsig'])('format string %s as the template name', (fmt) => {
    const ids = fmt.split('|');
    const data: Record<string, Uint8Array> = {
      d: digest(sha1, encodeUtf8('d')),
      'd-ng': dngField('sha256', fileDigest),
      'd-ngv2': dngField('ima:sha256', fileDigest),
      'n-ng': nngField('/custom'),
      sig: new Uint8Array([3, 2, 1]),
      buf: encodeUtf8('buffer'),
      'd-modsig': new Uint8Array(0),
      modsig: new Uint8Array(0),
    };
    const list = encodeImaLog([{ templateName: fmt, fields: ids.map((id) => data[id]) }]);
    const [e] = new ImaLog(list, quiet).entries();
    expect(e.templateName).toBe(fmt);
    const info = describeImaEntry(e);
    expect(info.fields.map((f) => f.id)).toEqual(ids);
    expect(info.fileName).toBe('/custom');
    expect(verifyTemplateDigest(e, sha1)).toBe('ok');
  });

  test('a template name tncjs does not know: fields framed as field0…, template digest still checks', () => {
    const list = encodeImaLog([{ templateName: 'vendor-x', fields: [encodeUtf8('a'), encodeUtf8('bc')] }]);
    const [e] = new ImaLog(list, quiet).entries();
    expect(describeImaEntry(e).fields.map((f) => [f.id, toHex(f.data)])).toEqual([
      ['field0', '61'],
      ['field1', '6263'],
    ]);
    expect(verifyTemplateDigest(e, sha1)).toBe('ok');
  });
});

describe('list layouts', () => {
  const entries = [bootAggregate, { templateName: 'ima-ng', fields: [dngField('sha256', fileDigest), nngField('/a')] }];

  test.each(['sha1', 'sha256', 'sha384', 'sha512'])('per-bank list with %s template digests: length detected', (alg) => {
    const log = new ImaLog(encodeImaLog(entries, { templateHashAlgorithm: alg }), quiet);
    expect(log.algorithm?.name).toBe(alg);
    const es = log.entries();
    expect(es.map((e) => verifyTemplateDigest(e, log.algorithm!))).toEqual(['ok', 'ok']);
    // and any bank replays the same from any list
    expect(replayImaLog(log, { banks: ['sha1', 'sha512'] })).toEqual(replayImaLog(encodeImaLog(entries), { banks: ['sha1', 'sha512'] }));
  });

  test('a 32-byte SM3 list: the algorithm must be named (32 bytes reads as sha256 by default)', () => {
    const list = encodeImaLog(entries, { templateHashAlgorithm: 'sm3_256' });
    expect(new ImaLog(list, quiet).algorithm?.name).toBe('sha256');
    const log = new ImaLog(list, { ...quiet, templateHashAlgorithm: 'sm3' });
    expect(log.algorithm?.name).toBe('sm3_256');
    expect(log.entries().map((e) => verifyTemplateDigest(e, log.algorithm!))).toEqual(['ok', 'ok']);
  });

  test('big-endian list (no ima_canonical_fmt on a big-endian kernel): detected from the PCR index', () => {
    const be = encodeImaLog(entries, { bigEndian: true });
    const log = new ImaLog(be, quiet);
    expect(log.bigEndian).toBe(true);
    const es = log.entries();
    expect(es.map((e) => [e.pcrIndex, describeImaEntry(e).fileName, verifyTemplateDigest(e, sha1)])).toEqual([
      [10, 'boot_aggregate', 'ok'],
      [10, '/a', 'ok'],
    ]);
    // the kernel hashes the field lengths in its own byte order: the big-endian digests differ from little-endian ones
    expect(replayImaLog(log)).not.toEqual(replayImaLog(encodeImaLog(entries)));
  });

  test('entries extending another PCR (policy pcr=11) replay into that PCR', () => {
    const list = encodeImaLog([bootAggregate, { ...entries[1], pcrIndex: 11 }]);
    expect(Object.keys(replayImaLog(list).sha1)).toEqual(['10', '11']);
  });

  test('a wrong template digest is reported as a mismatch, not a parse error', () => {
    const list = encodeImaLog([{ ...entries[1], templateDigest: new Uint8Array(20).fill(1) }]);
    const [e] = new ImaLog(list, quiet).entries();
    expect(verifyTemplateDigest(e, sha1)).toBe('mismatch');
  });
});

describe('malformed entries: ImaLogError with offset and entry index', () => {
  const good = encodeImaLog([bootAggregate, { templateName: 'ima-ng', fields: [dngField('sha1', new Uint8Array(20)), nngField('/x')] }]);
  const second = [...iterateImaLog(good, quiet)][1].offset;
  const mutate = (at: number, v: number) => {
    const b = good.slice();
    new DataView(b.buffer).setUint32(at, v, true);
    return b;
  };

  test.each([
    ['PCR index 32', second, 32, 'ERR_FIELD', second, /invalid PCR index 32/],
    ['template name length 0', second + 24, 0, 'ERR_LENGTH', second + 24, /template name length 0/],
    ['template name length 256', second + 24, 256, 'ERR_LENGTH', second + 24, /template name length 256/],
    ['template data length 0xFFFFFFFF', second + 34, 0xffffffff, 'ERR_LENGTH', second + 34, /exceeds the limit/],
    ['field length past the template data', second + 38, 1000, 'ERR_LENGTH', second + 38, /field length 1000 exceeds/],
  ])('%s', (_n, at, v, code, offset, message) => {
    expect(() => [...iterateImaLog(mutate(at, v), quiet)]).toThrow(expect.objectContaining({ name: 'ImaLogError', code, offset, entry: 1, message: expect.stringMatching(message) }));
  });

  test('non-printable template name', () => {
    const b = good.slice();
    b[second + 28] = 0x01;
    expect(() => [...iterateImaLog(b, quiet)]).toThrow(ImaLogError);
  });

  test('"ima" template file name above 255 bytes', () => {
    const list = encodeImaLog([{ templateName: 'ima', fields: [new Uint8Array(20), new Uint8Array(10).fill(0x41)] }]);
    new DataView(list.buffer).setUint32(4 + 20 + 4 + 3 + 20, 256, true);
    expect(() => [...iterateImaLog(list, quiet)]).toThrow(expect.objectContaining({ code: 'ERR_LENGTH', message: expect.stringMatching(/file name length 256/) }));
  });

  test('first bytes that are no IMA list: cannot determine the digest size', () => {
    expect(() => new ImaLog(encodeUtf8('this is not an IMA log, not at all, definitely not'.repeat(3)), quiet)).toThrow(
      expect.objectContaining({ code: 'ERR_FIELD' }),
    );
    const noName = new Uint8Array(200);
    noName[0] = 10;
    expect(() => new ImaLog(noName, quiet)).toThrow(expect.objectContaining({ message: expect.stringMatching(/cannot determine the template digest size/) }));
  });
});

test('ImaLog.replay() and TcgEventLog-style convenience: same as replayImaLog', () => {
  const list = encodeImaLog([bootAggregate]);
  const log = new ImaLog(list, quiet);
  expect(log.replay({ banks: ['sha1', 'sha256'] })).toEqual(replayImaLog(list, { banks: ['sha1', 'sha256'] }));
  expect(new ImaLog(new Uint8Array(0), quiet).replay({ banks: ['sha1'] })).toEqual({ sha1: {} });
});
