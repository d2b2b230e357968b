/**
 * IMA template digests (`ima_calc_field_array_hash()` in ima_crypto.c): the hash, in a bank's algorithm, of the
 * template data. For every template but `ima` that is each field's u32 length and data, i.e. exactly the template data
 * as the binary list carries it; for the legacy `ima` template it is the 20-byte file digest followed by the file name
 * zero-padded to IMA_EVENT_NAME_LEN_MAX + 1 = 256 bytes, without length fields.
 */
import { equalBytes } from '@tncjs/common';
import { digest, digestParts, type HashAlgorithm } from '../eventlog/algorithms.js';
import { IMA_DIGEST_SIZE, IMA_EVENT_NAME_LEN_MAX, type ImaEntry } from './ima-entry.js';


/** The template digest of `e` in algorithm `alg` (what the kernel extends into that bank). */
export function computeTemplateDigest(e: ImaEntry, alg: HashAlgorithm): Uint8Array {
  if (e.templateName !== 'ima') return digest(alg, e.templateData);
  const d = e.templateData;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const n = v.getUint32(IMA_DIGEST_SIZE, !e.bigEndian);
  const name = new Uint8Array(IMA_EVENT_NAME_LEN_MAX + 1);
  name.set(d.subarray(IMA_DIGEST_SIZE + 4, IMA_DIGEST_SIZE + 4 + Math.min(n, IMA_EVENT_NAME_LEN_MAX)));
  return digestParts(alg, [d.subarray(0, IMA_DIGEST_SIZE), name]);
}

/** Outcome of a template-digest check. */
export type TemplateHashResult = 'ok' | 'mismatch' | 'violation';

/**
 * Check the logged template digest of `e` against its template data, in the list's algorithm `alg`. A violation
 * (all-zero digest) has no template digest to check.
 */
export function verifyTemplateDigest(e: ImaEntry, alg: HashAlgorithm): TemplateHashResult {
  if (e.violation) return 'violation';
  return equalBytes(computeTemplateDigest(e, alg), e.templateDigest) ? 'ok' : 'mismatch';
}

