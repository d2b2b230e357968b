/**
 * IMA template descriptors and template fields (Linux `security/integrity/ima/ima_template.c` and
 * `ima_template_lib.c`; Documentation/security/IMA-templates.rst).
 *
 * A template is a list of field identifiers. The kernel names the built-in ones (`ima-ng` = `d-ng|n-ng`); a template
 * configured with `ima_template_fmt=` has no name, and its format string itself appears as the name in the log (e.g.
 * `d-ng|n-ng|sig`). In the binary list every field but those of the legacy `ima` template is a u32 length followed by
 * that many bytes.
 */
import { toHex } from '@tncjs/common';

/** Built-in template descriptors (ima_template.c `builtin_templates`). */
export const BUILTIN_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  ima: ['d', 'n'],
  'ima-ng': ['d-ng', 'n-ng'],
  'ima-ngv2': ['d-ngv2', 'n-ng'],
  'ima-sig': ['d-ng', 'n-ng', 'sig'],
  'ima-sigv2': ['d-ngv2', 'n-ng', 'sig'],
  'ima-buf': ['d-ng', 'n-ng', 'buf'],
  'ima-modsig': ['d-ng', 'n-ng', 'sig', 'd-modsig', 'modsig'],
  'evm-sig': ['d-ng', 'n-ng', 'evmsig', 'xattrnames', 'xattrlengths', 'xattrvalues', 'iuid', 'igid', 'imode'],
};

/** Field identifiers the kernel defines (ima_template.c `supported_fields`). */
export const TEMPLATE_FIELD_IDS: readonly string[] = [
  'd', 'n', 'd-ng', 'd-ngv2', 'n-ng', 'sig', 'buf', 'd-modsig', 'modsig', 'evmsig', 'iuid', 'igid', 'imode',
  'xattrnames', 'xattrlengths', 'xattrvalues',
];

/**
 * The field identifiers of template `name`: a built-in descriptor, or a custom format string (`d-ng|n-ng|sig`), or
 * undefined when the name is neither (the fields are then still framed, but not interpreted).
 */
export function templateFields(name: string): readonly string[] | undefined {
  const builtin = BUILTIN_TEMPLATES[name];
  if (builtin) return builtin;
  const ids = name.split('|');
  return ids.every((id) => TEMPLATE_FIELD_IDS.includes(id)) ? ids : undefined;
}

/** One field of an entry's template data. */
export interface ImaTemplateField {
  /** Field identifier (`d-ng`, `n-ng`, `sig`, …), or `field<i>` for a template tncjs cannot interpret. */
  id: string;
  /** The field data (a view into the list). */
  data: Uint8Array;
}

/** A file digest field (`d`, `d-ng`, `d-ngv2`, `d-modsig`) decoded. */
export interface ImaFileDigest {
  /** Hash algorithm as the kernel names it (`sha1`, `sha256`, `sm3`, `md5`); `sha1` for the legacy `d` field. */
  algorithm: string;
  /** `ima` or `verity` for d-ngv2 (the digest type), absent otherwise. */
  digestType?: string;
  digest: Uint8Array;
}

/**
 * Decode a digest field. d-ng is `<algo>:\0` + digest; d-ngv2 is `<type>:<algo>:\0` + digest; `d` is a bare 20-byte
 * digest (SHA-1, or MD5 zero-padded).
 */
export function decodeDigestField(id: string, data: Uint8Array): ImaFileDigest | undefined {
  if (id === 'd') return { algorithm: 'sha1', digest: data };
  const nul = data.indexOf(0);
  if (nul < 0 || nul > 64) return undefined;
  const prefix = String.fromCharCode(...data.subarray(0, nul));
  if (!prefix.endsWith(':')) return undefined;
  const parts = prefix.slice(0, -1).split(':');
  const digest = data.subarray(nul + 1);
  if (id === 'd-ngv2' && parts.length === 2) return { digestType: parts[0], algorithm: parts[1], digest };
  if (parts.length === 1) return { algorithm: parts[0], digest };
  return undefined;
}

/** A name field (`n`, `n-ng`): the path, without the trailing NUL of n-ng. */
export function decodeNameField(data: Uint8Array): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  const b = data.subarray(0, end);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return s;
  }
}

/** A field as the kernel's ascii_runtime_measurements prints it. */
export function fieldToText(f: ImaTemplateField, littleEndian = true): string {
  switch (f.id) {
    case 'd':
      return toHex(f.data);
    case 'd-ng':
    case 'd-modsig':
    case 'd-ngv2': {
      if (f.data.length === 0) return '';
      const d = decodeDigestField(f.id, f.data);
      if (!d) return toHex(f.data);
      return `${d.digestType ? d.digestType + ':' : ''}${d.algorithm}:${toHex(d.digest)}`;
    }
    case 'n':
    case 'n-ng':
      return decodeNameField(f.data);
    case 'iuid':
    case 'igid':
    case 'imode': {
      const v = new DataView(f.data.buffer, f.data.byteOffset, f.data.byteLength);
      if (f.data.length === 2) return String(v.getUint16(0, littleEndian));
      if (f.data.length === 4) return String(v.getUint32(0, littleEndian));
      return toHex(f.data);
    }
    default:
      return toHex(f.data);
  }
}
