/**
 * EV_NO_ACTION event data (PFP §10.4.5): never extended into a PCR; recognised by a NUL-terminated signature at the
 * start of the data: `Spec ID Event03` (TCG_EfiSpecIDEvent, see spec-id-event.ts), `StartupLocality` (PFP
 * §10.4.5.3: one byte, the locality TPM2_Startup was sent from), `SP800-155 Event` (reference manifest information),
 * `NvIndexInstance` / `NvIndexDynamic` (SPDM), and Windows' SIPA events on PCR 0xFFFFFFFF.
 */
import { DecodeError } from '@tncjs/common';
import { LeReader } from './le-reader.js';

export interface StartupLocalityEvent {
  signature: 'StartupLocality';
  /** 0 (PCR 0 starts at zero), 3 (starts at 00…03) or 4 (H-CRTM). */
  startupLocality: number;
}

/** A NUL-terminated ASCII signature at the start of `data` (up to 16 bytes), or undefined. */
export function noActionSignature(data: Uint8Array): string | undefined {
  let s = '';
  for (let i = 0; i < Math.min(data.length, 16); i++) {
    const c = data[i];
    if (c === 0) return s.length ? s : undefined;
    if (c < 0x20 || c > 0x7e) return undefined;
    s += String.fromCharCode(c);
  }
  return undefined;
}

/** @throws DecodeError unless `data` is `StartupLocality\0` followed by exactly one byte */
export function decodeStartupLocalityEvent(data: Uint8Array, base = 0): StartupLocalityEvent {
  if (noActionSignature(data) !== 'StartupLocality') throw new DecodeError('not a StartupLocality event', base, { code: 'ERR_FIELD' });
  const r = new LeReader(data, base);
  r.skip(16);
  const startupLocality = r.u8('StartupLocality');
  r.end('StartupLocality event');
  return { signature: 'StartupLocality', startupLocality };
}
