/**
 * Simple Evidence Final (0x00400000): the quote closing the evidence.
 *
 *   flags u8 (quote mode = flags & 0xd0: 0x00 none, 0x40 TPM_QUOTE_INFO, 0x80 TPM_QUOTE_INFO2, 0xc0 QUOTE_INFO2 with
 *            version info, 0x10 TPM 2.0 (strongSwan); 0x20 evidence signature included), reserved u8,
 *   composite hash algorithm u16
 *   [mode ≠ none: u32-length PCR composite (TPM 1.2: composite hash; TPM 2.0: TPMS_ATTEST.pcrDigest)]
 *   [TPM 2.0: u16-length qualifiedSigner, clockInfo (17), firmwareVersion (8), pcrSelect (TPML_PCR_SELECTION)]
 *   [mode ≠ none: u32-length TPM quote signature]
 *   [0x20: evidence signature (the rest)]
 */
import { PEN, custom, toHex, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { obj, int, optHex } from './json-fields.js';
import { TcgPtsAttr } from './names.js';

export const QuoteMode = { NONE: 0x00, TPM_QUOTE_INFO: 0x40, TPM_QUOTE_INFO2: 0x80, TPM_QUOTE_INFO2_VER: 0xc0, TPM2: 0x10 } as const;
export const EVIDENCE_SIGNATURE_FLAG = 0x20;

export interface SimpleEvidenceFinalValue {
  /** The whole flags byte (quote mode | evidence signature flag). */
  flags: number;
  compositeAlgorithm: number;
  pcrComposite?: Uint8Array;
  qualifiedSigner?: Uint8Array;
  clockInfo?: Uint8Array;
  firmwareVersion?: Uint8Array;
  pcrSelect?: Uint8Array;
  quoteSignature?: Uint8Array;
  evidenceSignature?: Uint8Array;
}

export function quoteMode(flags: number): number {
  const m = flags & 0xd0;
  return m === 0x40 || m === 0x80 || m === 0xc0 || m === 0x10 ? m : QuoteMode.NONE;
}

const TPM2_FIELDS = ['qualifiedSigner', 'clockInfo', 'firmwareVersion', 'pcrSelect'] as const;

function encode(w: Writer, v: SimpleEvidenceFinalValue): void {
  w.u8(v.flags).u8(0).u16(v.compositeAlgorithm);
  const mode = quoteMode(v.flags);
  if (mode !== QuoteMode.NONE) {
    const c = v.pcrComposite ?? new Uint8Array(0);
    w.u32(c.byteLength).bytes(c);
    if (mode === QuoteMode.TPM2) {
      for (const k of TPM2_FIELDS) {
        const b = v[k] ?? new Uint8Array(0);
        w.u16(b.byteLength).bytes(b);
      }
    }
    const s = v.quoteSignature ?? new Uint8Array(0);
    w.u32(s.byteLength).bytes(s);
  }
  if (v.flags & EVIDENCE_SIGNATURE_FLAG && v.evidenceSignature) w.bytes(v.evidenceSignature);
}

function decode(r: Reader): SimpleEvidenceFinalValue {
  const flags = r.u8('flags');
  r.skip(1, 'reserved');
  const v: SimpleEvidenceFinalValue = { flags, compositeAlgorithm: r.u16('composite hash algorithm') };
  const mode = quoteMode(flags);
  if (mode !== QuoteMode.NONE) {
    v.pcrComposite = r.bytes(r.u32('PCR composite length'), 'PCR composite');
    if (mode === QuoteMode.TPM2) for (const k of TPM2_FIELDS) v[k] = r.bytes(r.u16(`${k} length`), k);
    v.quoteSignature = r.bytes(r.u32('TPM quote signature length'), 'TPM quote signature');
  }
  if (flags & EVIDENCE_SIGNATURE_FLAG) v.evidenceSignature = r.rest();
  return v;
}

const HEX_FIELDS = ['pcrComposite', ...TPM2_FIELDS, 'quoteSignature', 'evidenceSignature'] as const;

function toJSON(v: SimpleEvidenceFinalValue): Json {
  const o: Record<string, Json> = { flags: v.flags, compositeAlgorithm: v.compositeAlgorithm };
  for (const k of HEX_FIELDS) if (v[k]) o[k] = toHex(v[k]!);
  return o;
}

function fromJSON(j: unknown, path: string): SimpleEvidenceFinalValue {
  const o = obj(j, path);
  const v: SimpleEvidenceFinalValue = { flags: int(o, 'flags', path, 0xff), compositeAlgorithm: int(o, 'compositeAlgorithm', path, 0xffff) };
  for (const k of HEX_FIELDS) {
    const b = optHex(o, k, path);
    if (b) v[k] = b;
  }
  return v;
}

export const SimpleEvidenceFinal = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.SIMPLE_EVID_FINAL,
  name: 'TCG/Simple Evidence Final',
  body: custom<SimpleEvidenceFinalValue>('SimpleEvidenceFinal', { encode, decode, toJSON, fromJSON }),
});
