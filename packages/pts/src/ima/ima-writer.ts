/**
 * Build IMA binary measurement lists: for tests, simulators and benchmarks. Template digests are computed from the
 * template data with the list's algorithm, as the kernel does (or zero for a violation).
 */
import { encodeUtf8, Writer } from '@tncjs/common';
import { hashAlgorithmByName, type HashAlgorithm } from '../eventlog/algorithms.js';
import { le32 } from '../eventlog/event-log-writer.js';
import { IMA_DIGEST_SIZE, type ImaEntry } from './ima-entry.js';
import { computeTemplateDigest } from './template-hash.js';

/** One entry to write. */
export interface ImaEntrySpec {
  /** Default 10. */
  pcrIndex?: number;
  /** Template name or custom format string. */
  templateName: string;
  /** Field data in template order (for `ima`: the 20-byte digest, then the file name bytes). */
  fields: readonly Uint8Array[];
  /** Write a violation: zero template digest. */
  violation?: boolean;
  /** Override the template digest (to write a wrong one). */
  templateDigest?: Uint8Array;
}

/** A d-ng field: `<algo>:\0` + digest. */
export function dngField(algorithm: string, fileDigest: Uint8Array): Uint8Array {
  const prefix = encodeUtf8(`${algorithm}:\0`);
  const out = new Uint8Array(prefix.length + fileDigest.length);
  out.set(prefix);
  out.set(fileDigest, prefix.length);
  return out;
}

/** An n-ng field: the name and its NUL. */
export function nngField(name: string): Uint8Array {
  const b = encodeUtf8(name);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function be32(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

/**
 * Write an IMA binary measurement list with template digests in `templateHashAlgorithm` (default sha1).
 * @throws TypeError for an unknown algorithm; RangeError for an `ima` entry without a 20-byte digest
 */
export function encodeImaLog(
  entries: readonly ImaEntrySpec[],
  options: { templateHashAlgorithm?: string; bigEndian?: boolean } = {},
): Uint8Array {
  const alg: HashAlgorithm | undefined = hashAlgorithmByName(options.templateHashAlgorithm ?? 'sha1');
  if (!alg) throw new TypeError(`unknown template hash algorithm '${options.templateHashAlgorithm}'`);
  const be = options.bigEndian ?? false;
  const u32 = be ? be32 : le32;
  const w = new Writer(entries.length * 128 + 64);
  for (const e of entries) {
    const td = new Writer(256);
    if (e.templateName === 'ima') {
      if (e.fields.length !== 2 || e.fields[0].length !== IMA_DIGEST_SIZE) throw new RangeError('an ima entry needs a 20-byte digest and a name');
      td.bytes(e.fields[0]).bytes(u32(e.fields[1].length)).bytes(e.fields[1]);
    } else {
      for (const f of e.fields) td.bytes(u32(f.length)).bytes(f);
    }
    const templateData = td.finish();
    const probe: ImaEntry = {
      index: 0, offset: 0, size: 0, pcrIndex: 0, templateDigest: new Uint8Array(0), templateName: e.templateName,
      templateData, violation: false, bigEndian: be,
    };
    const digest = e.violation ? new Uint8Array(alg.size) : (e.templateDigest ?? computeTemplateDigest(probe, alg));
    const name = encodeUtf8(e.templateName);
    w.bytes(u32(e.pcrIndex ?? 10)).bytes(digest).bytes(u32(name.length)).bytes(name);
    if (e.templateName !== 'ima') w.bytes(u32(templateData.length));
    w.bytes(templateData);
  }
  return w.finish();
}
