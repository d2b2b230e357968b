/**
 * TCG_EfiSpecIDEvent (PFP §10.4.5.1, "Spec ID Event03"): the first event of a crypto-agile log, in SHA-1 format,
 * declaring every PCR bank the log carries and the digest size of each. Also the legacy TCG_EfiSpecIdEventStruct
 * ("Spec ID Event00" / "Spec ID Event02") of SHA-1-format logs, which has no algorithm list.
 */
import { DecodeError, toHex } from '@tncjs/common';
import { algorithmName } from './algorithms.js';
import { LeReader } from './le-reader.js';

/** One entry of the Spec ID event's `digestSizes` array. */
export interface SpecIdAlgorithm {
  /** TPM_ALG_ID. */
  algorithmId: number;
  /** Bank name (`sha256`; `alg_0x….` when unknown to tncjs). */
  algorithm: string;
  /** Digest size in bytes as the log declares it: the parser always uses this, never its own table. */
  digestSize: number;
}

/** A decoded Spec ID event. */
export interface SpecIdEvent {
  /** `Spec ID Event03` (crypto-agile) or `Spec ID Event00` / `Spec ID Event02` (SHA-1 format). */
  signature: string;
  platformClass: number;
  specVersionMinor: number;
  specVersionMajor: number;
  specErrata: number;
  uintnSize: number;
  /** The banks of a crypto-agile log (empty for the legacy structures). */
  algorithms: SpecIdAlgorithm[];
  vendorInfo: Uint8Array;
}

const SIG03 = 'Spec ID Event03';
const LEGACY = ['Spec ID Event00', 'Spec ID Event02'];

/** Digest sizes above this are not a hash any TPM implements: the Spec ID event is rejected. */
export const MAX_DIGEST_SIZE = 128;

function signatureOf(data: Uint8Array): string | undefined {
  if (data.length < 16 || data[15] !== 0) return undefined;
  let s = '';
  for (let i = 0; i < 15; i++) s += String.fromCharCode(data[i]);
  return s;
}

/** True when `data` (an EV_NO_ACTION event's data) starts with the signature `Spec ID Event03\0`. */
export function isSpecIdEvent03(data: Uint8Array): boolean {
  return signatureOf(data) === SIG03;
}

/** True when `data` starts with a legacy Spec ID signature (`Spec ID Event00\0` / `Spec ID Event02\0`). */
export function isLegacySpecIdEvent(data: Uint8Array): boolean {
  const s = signatureOf(data);
  return s !== undefined && LEGACY.includes(s);
}

/**
 * Length of the TCG_EfiSpecIDEvent structure that starts `b` (which may run past the event's `eventSize` bytes), from
 * its own numberOfAlgorithms and vendorInfoSize fields, when only its vendorInfo lies past `eventSize`; otherwise
 * `eventSize`. tpm2-tools and tpm2-tss locate the next event this way, and one of their fixtures
 * (specid-vendordata.bin) has its vendorInfo outside eventSize.
 */
export function specIdEventStructLength(b: Uint8Array, eventSize: number): number {
  if (eventSize < 28 || b.length < 28) return eventSize;
  const count = (b[24] | (b[25] << 8) | (b[26] << 16) | (b[27] << 24)) >>> 0;
  const vendorAt = 28 + count * 4;
  // Only the vendorInfo bytes may lie outside the event: everything up to vendorInfoSize must be inside it.
  if (count === 0 || vendorAt >= eventSize) return eventSize;
  return Math.max(eventSize, vendorAt + 1 + b[vendorAt]);
}

/**
 * Decode a Spec ID event's data. `base` is the offset of `data` in the log (for error offsets).
 * @throws DecodeError when the structure is malformed: no algorithm, a zero or oversized digest size, a duplicate
 *   algorithm, or fields past the end of the event
 */
export function decodeSpecIdEvent(data: Uint8Array, base = 0): SpecIdEvent {
  const r = new LeReader(data, base);
  const sigBytes = r.borrow(16, 'Spec ID signature');
  const signature = signatureOf(sigBytes);
  if (signature !== SIG03 && !(signature !== undefined && LEGACY.includes(signature))) {
    throw new DecodeError(`not a Spec ID event (signature ${JSON.stringify(String.fromCharCode(...sigBytes))})`, base, { code: 'ERR_SPEC_ID' });
  }
  const platformClass = r.u32('platformClass');
  const specVersionMinor = r.u8('specVersionMinor');
  const specVersionMajor = r.u8('specVersionMajor');
  const specErrata = r.u8('specErrata');
  const uintnSize = r.u8('uintnSize');
  const algorithms: SpecIdAlgorithm[] = [];
  if (signature === SIG03) {
    const countAt = r.offset;
    const count = r.u32('numberOfAlgorithms');
    if (count === 0) throw new DecodeError('Spec ID event declares no algorithm', countAt, { code: 'ERR_SPEC_ID' });
    if (count > r.remaining / 4) {
      throw new DecodeError(`numberOfAlgorithms ${count} exceeds the event data`, countAt, { code: 'ERR_LENGTH' });
    }
    const seen = new Set<number>();
    for (let i = 0; i < count; i++) {
      const at = r.offset;
      const algorithmId = r.u16('algorithmId');
      const digestSize = r.u16('digestSize');
      if (digestSize === 0 || digestSize > MAX_DIGEST_SIZE) {
        throw new DecodeError(`digest size ${digestSize} of ${algorithmName(algorithmId)} out of range 1..${MAX_DIGEST_SIZE}`, at + 2, { code: 'ERR_SPEC_ID' });
      }
      if (seen.has(algorithmId)) throw new DecodeError(`algorithm ${algorithmName(algorithmId)} declared twice`, at, { code: 'ERR_SPEC_ID' });
      seen.add(algorithmId);
      algorithms.push({ algorithmId, algorithm: algorithmName(algorithmId), digestSize });
    }
  }
  const vendorInfoSize = r.u8('vendorInfoSize');
  const vendorInfo = r.bytes(vendorInfoSize, 'vendorInfo');
  return { signature: signature!, platformClass, specVersionMinor, specVersionMajor, specErrata, uintnSize, algorithms, vendorInfo };
}

/** JSON-friendly form (tpm2-tools' SpecID fields). */
export function specIdEventToJson(s: SpecIdEvent): Record<string, unknown> {
  return {
    signature: s.signature,
    platformClass: s.platformClass,
    specVersionMinor: s.specVersionMinor,
    specVersionMajor: s.specVersionMajor,
    specErrata: s.specErrata,
    uintnSize: s.uintnSize,
    numberOfAlgorithms: s.algorithms.length,
    algorithms: s.algorithms.map((a) => ({ algorithmId: a.algorithm, digestSize: a.digestSize })),
    vendorInfoSize: s.vendorInfo.length,
    ...(s.vendorInfo.length ? { vendorInfo: toHex(s.vendorInfo) } : {}),
  };
}
