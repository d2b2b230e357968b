/** CHILD_SA fixtures for the kernel (XFRM) tests: keys filled with one byte per direction so expected args are readable. */
import { ENCRS, Encr, INTEGS, Integ, selectorFromCidr, type ChildSa } from '../../src/index.js';

export const fill = (n: number, b: number) => new Uint8Array(n).fill(b);

/**
 * Initiator 192.168.0.254 (TSi 192.168.0.254/32) — responder 192.168.0.1 (TSr 10.1.0.0/16); SPIs c0010203 (the
 * initiator's inbound) and c4050607 (the responder's inbound). Keys: encrI 11…, integI 22…, encrR 33…, integR 44….
 * From the responder's view spiIn/spiOut are swapped (`responderView`).
 */
export function childSa(o: { gcm: boolean; natt: boolean; keys?: ChildSa['keys']; tsi?: string[]; tsr?: string[] }): ChildSa {
  const encr = ENCRS[o.gcm ? Encr.AES_GCM_16 : Encr.AES_CBC];
  const integ = o.gcm ? undefined : INTEGS[Integ.HMAC_SHA2_256_128];
  const ek = 16 + encr.saltSize;
  const ik = integ?.keySize ?? 0;
  return {
    spiIn: Uint8Array.of(0xc0, 1, 2, 3),
    spiOut: Uint8Array.of(0xc4, 5, 6, 7),
    encr,
    encrKeyBits: 128,
    integ,
    proposal: o.gcm ? 'ESP:AES_GCM_16_128/NO_EXT_SEQ' : 'ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ',
    tsi: (o.tsi ?? ['192.168.0.254/32']).map((c) => selectorFromCidr(c)),
    tsr: (o.tsr ?? ['10.1.0.0/16']).map((c) => selectorFromCidr(c)),
    keys: o.keys ?? { encrI: fill(ek, 0x11), integI: fill(ik, 0x22), encrR: fill(ek, 0x33), integR: fill(ik, 0x44) },
    udpEncapsulation: o.natt,
  };
}

/** The same CHILD_SA as the responder holds it: its inbound SPI is the initiator's outbound one. */
export function responderView(c: ChildSa): ChildSa {
  return { ...c, spiIn: c.spiOut, spiOut: c.spiIn };
}
