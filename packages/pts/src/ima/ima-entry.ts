/**
 * One entry of the IMA binary measurement list (`/sys/kernel/security/ima/binary_runtime_measurements[_<alg>]`,
 * `ima_measurements_show()` in ima_fs.c), in the kernel's byte order (little-endian, or canonical with
 * `ima_canonical_fmt`):
 *
 *     pcr u32 | template digest (20 bytes, or the bank's size in a per-bank list) | template name length u32 |
 *     template name | template data length u32 (not for the `ima` template) | template data
 *
 * For the legacy `ima` template the data is the 20-byte file digest, then a u32 length and the file name (no NUL).
 */
import { ImaLogError } from './errors.js';
import { decodeDigestField, decodeNameField, templateFields, type ImaFileDigest, type ImaTemplateField } from './template-fields.js';

/** One measurement. Byte fields are views into the list (zero-copy). */
export interface ImaEntry {
  /** Position in the list, 0-based (0 is normally boot_aggregate). */
  index: number;
  /** Byte offset of the entry in the list. */
  offset: number;
  /** Total size in bytes. */
  size: number;
  pcrIndex: number;
  /** Template digest as logged (the list's bank). All zero for a violation. */
  templateDigest: Uint8Array;
  /** Template name: a built-in (`ima-ng`) or a custom format string (`d-ng|n-ng|sig`). */
  templateName: string;
  /**
   * Template data as hashed for the template digest: for every template but `ima`, the bytes after the data length
   * (field length + field data, per field); for `ima`, the 20-byte digest, the name length and the name.
   */
  templateData: Uint8Array;
  /** True when the template digest is all zero: a measurement violation (PCR extended with 0xFF…FF). */
  violation: boolean;
  /** True for a big-endian list (non-x86 kernel without ima_canonical_fmt). */
  bigEndian: boolean;
}

/** Kernel limit on template names (longest built-in format string is 67 bytes; 255 leaves room). */
export const MAX_TEMPLATE_NAME_LENGTH = 255;
/** IMA_EVENT_NAME_LEN_MAX: the `ima` template's file-name limit. */
export const IMA_EVENT_NAME_LEN_MAX = 255;
/** Highest PCR index IMA may be configured to extend. */
export const MAX_IMA_PCR = 31;
/** Digest size of the legacy `ima` template's `d` field. */
export const IMA_DIGEST_SIZE = 20;

export interface ImaFramingLimits {
  maxTemplateDataSize: number;
}

function u32(b: Uint8Array, at: number, be: boolean): number {
  return be
    ? ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0
    : (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function templateNameAt(b: Uint8Array, at: number, n: number): string | undefined {
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = b[at + i];
    if (c <= 0x20 || c >= 0x7f) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Template names seen, so that the 100 000th `ima-ng` costs a comparison, not a string build. */
const NAME_CACHE = new Map<string, string>();

function cachedName(b: Uint8Array, at: number, n: number): string | undefined {
  if (n <= 16) {
    let key = '';
    for (let i = 0; i < n; i++) key += String.fromCharCode(b[at + i]);
    const hit = NAME_CACHE.get(key);
    if (hit !== undefined) return hit;
    const name = templateNameAt(b, at, n);
    if (name !== undefined && NAME_CACHE.size < 64) NAME_CACHE.set(key, name);
    return name;
  }
  return templateNameAt(b, at, n);
}

/**
 * Size of the entry at `b[at]`, or -1 when `b` ends before it does. `base` is the list offset of `b[0]`; `digestSize`
 * the template-digest length of the list.
 * @throws ImaLogError for a PCR index above 31, a template name length of 0 or above 255 or with non-printable
 *   characters, an `ima` file name above 255 bytes, a template data length above the limit, or template data whose
 *   fields do not add up to its length
 */
export function measureImaEntry(
  b: Uint8Array,
  at: number,
  base: number,
  index: number,
  digestSize: number,
  be: boolean,
  limits: ImaFramingLimits,
): number {
  const avail = b.length - at;
  if (avail < 4) return -1;
  const pcr = u32(b, at, be);
  if (pcr > MAX_IMA_PCR) throw new ImaLogError(`invalid PCR index ${pcr}`, base + at, index, 'ERR_FIELD');
  let pos = 4 + digestSize;
  if (avail < pos + 4) return -1;
  const nameLen = u32(b, at + pos, be);
  if (nameLen === 0 || nameLen > MAX_TEMPLATE_NAME_LENGTH) {
    throw new ImaLogError(`template name length ${nameLen} out of range 1..${MAX_TEMPLATE_NAME_LENGTH}`, base + at + pos, index, 'ERR_LENGTH');
  }
  pos += 4;
  if (avail < pos + nameLen) return -1;
  const name = cachedName(b, at + pos, nameLen);
  if (name === undefined) throw new ImaLogError('template name is not printable ASCII', base + at + pos, index, 'ERR_FIELD');
  pos += nameLen;
  if (name === 'ima') {
    if (avail < pos + IMA_DIGEST_SIZE + 4) return -1;
    const n = u32(b, at + pos + IMA_DIGEST_SIZE, be);
    if (n > IMA_EVENT_NAME_LEN_MAX) {
      throw new ImaLogError(`file name length ${n} exceeds ${IMA_EVENT_NAME_LEN_MAX}`, base + at + pos + IMA_DIGEST_SIZE, index, 'ERR_LENGTH');
    }
    const total = pos + IMA_DIGEST_SIZE + 4 + n;
    return avail < total ? -1 : total;
  }
  if (avail < pos + 4) return -1;
  const dataLen = u32(b, at + pos, be);
  if (dataLen > limits.maxTemplateDataSize) {
    throw new ImaLogError(`template data length ${dataLen} exceeds the limit of ${limits.maxTemplateDataSize} bytes`, base + at + pos, index, 'ERR_LENGTH');
  }
  pos += 4;
  const total = pos + dataLen;
  if (avail < total) return -1;
  // The fields must tile the template data exactly.
  let f = at + pos;
  const end = at + total;
  while (f < end) {
    if (end - f < 4) throw new ImaLogError(`${end - f} stray bytes at the end of the template data`, base + f, index, 'ERR_FIELD');
    const len = u32(b, f, be);
    if (len > end - f - 4) throw new ImaLogError(`template field length ${len} exceeds the template data`, base + f, index, 'ERR_LENGTH');
    f += 4 + len;
  }
  return total;
}

/** Decode the entry of `size` bytes (from `measureImaEntry`) at `b[at]`; `offset` is its offset in the list. */
export function decodeImaEntry(b: Uint8Array, at: number, size: number, index: number, offset: number, digestSize: number, be: boolean): ImaEntry {
  const templateDigest = b.subarray(at + 4, at + 4 + digestSize);
  const nameLen = u32(b, at + 4 + digestSize, be);
  const nameAt = at + 8 + digestSize;
  const templateName = cachedName(b, nameAt, nameLen)!;
  const dataAt = templateName === 'ima' ? nameAt + nameLen : nameAt + nameLen + 4;
  return {
    index,
    offset,
    size,
    pcrIndex: u32(b, at, be),
    templateDigest,
    templateName,
    templateData: b.subarray(dataAt, at + size),
    violation: isZero(templateDigest),
    bigEndian: be,
  };
}

/**
 * The fields of an entry's template data, named after its template (`field0`, `field1`, … for a template name tncjs
 * cannot interpret). Never throws: the framing already checked that the fields tile the data.
 */
export function imaTemplateFields(e: ImaEntry): ImaTemplateField[] {
  const d = e.templateData;
  if (e.templateName === 'ima') {
    const n = u32(d, IMA_DIGEST_SIZE, e.bigEndian);
    return [
      { id: 'd', data: d.subarray(0, IMA_DIGEST_SIZE) },
      { id: 'n', data: d.subarray(IMA_DIGEST_SIZE + 4, IMA_DIGEST_SIZE + 4 + n) },
    ];
  }
  const ids = templateFields(e.templateName);
  const out: ImaTemplateField[] = [];
  let at = 0;
  while (at + 4 <= d.length) {
    const len = u32(d, at, e.bigEndian);
    const i = out.length;
    out.push({ id: ids && i < ids.length ? ids[i] : `field${i}`, data: d.subarray(at + 4, at + 4 + len) });
    at += 4 + len;
  }
  return out;
}

/** What an entry measured, from its template fields. */
export interface ImaEntryInfo {
  fields: ImaTemplateField[];
  /** From `d`, `d-ng` or `d-ngv2`. */
  fileDigest?: ImaFileDigest;
  /** From `n` or `n-ng`. */
  fileName?: string;
  /** From `sig` (absent when empty). */
  signature?: Uint8Array;
  /** From `buf` (ima-buf: kexec command line, keys, critical data). */
  buffer?: Uint8Array;
  /** From `d-modsig` and `modsig` (absent when empty). */
  modsigDigest?: ImaFileDigest;
  modsig?: Uint8Array;
}

/** Decode what an entry measured. Never throws (fields that do not decode are left out). */
export function describeImaEntry(e: ImaEntry): ImaEntryInfo {
  const fields = imaTemplateFields(e);
  const info: ImaEntryInfo = { fields };
  for (const f of fields) {
    switch (f.id) {
      case 'd':
      case 'd-ng':
      case 'd-ngv2': {
        const d = decodeDigestField(f.id, f.data);
        if (d) info.fileDigest = d;
        break;
      }
      case 'n':
      case 'n-ng':
        info.fileName = decodeNameField(f.data);
        break;
      case 'sig':
        if (f.data.length) info.signature = f.data;
        break;
      case 'buf':
        info.buffer = f.data;
        break;
      case 'd-modsig': {
        const d = f.data.length ? decodeDigestField(f.id, f.data) : undefined;
        if (d) info.modsigDigest = d;
        break;
      }
      case 'modsig':
        if (f.data.length) info.modsig = f.data;
        break;
    }
  }
  return info;
}
