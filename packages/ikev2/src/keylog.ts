/**
 * Explicit key export for debugging captures (the IKE counterpart of SSLKEYLOGFILE): the IKE SA keys as a line of
 * Wireshark's `ikev2_decryption_table` and the CHILD_SA keys as lines of its `esp_sa` table. Nothing is exported unless
 * the caller passes a `keylog` option; never use it in production — whoever reads the lines decrypts the traffic.
 */
import { appendFileSync } from 'node:fs';
import { toHex } from '@tncjs/common';
import { Encr, Integ } from './constants.js';
import type { EncrAlg, IntegAlg } from './crypto/algorithms.js';
import type { IkeKeys } from './crypto/ike-keys.js';
import type { ChildKeys } from './crypto/ike-keys.js';

/** The keys of one IKE SA (hex), as Wireshark's IKEv2 decryption table wants them. */
export interface IkeKeylogEntry {
  kind: 'ike';
  spiI: string;
  spiR: string;
  /** SK_ei / SK_er (for AES-GCM: key ‖ 4-byte salt) and SK_ai / SK_ar (empty for AEAD). */
  skEi: string;
  skEr: string;
  skAi: string;
  skAr: string;
  /** Wireshark's names for the algorithms. */
  encr: string;
  integ: string;
  /** One line of the `ikev2_decryption_table` UAT file. */
  wireshark: string;
}

/** The keys of one CHILD_SA (both directions), as lines of Wireshark's `esp_sa` table. */
export interface EspKeylogEntry {
  kind: 'esp';
  /** Our inbound SPI and our outbound SPI (hex). */
  spiIn: string;
  spiOut: string;
  /** Two lines of the `esp_sa` UAT file (inbound, outbound). */
  wireshark: string[];
}

export type KeylogEntry = IkeKeylogEntry | EspKeylogEntry;
/** Receives key material; see `keylogFile` for the file form. */
export type KeylogCallback = (entry: KeylogEntry) => void;

function wiresharkIkeEncr(encr: EncrAlg, keyBits: number): string {
  if (encr.id === Encr.AES_CBC) return `AES-CBC-${keyBits} [RFC3602]`;
  if (encr.id === Encr.AES_GCM_16) return `AES-GCM-${keyBits} with 16 octet ICV [RFC5282]`;
  throw new RangeError(`no Wireshark name for encryption algorithm ${encr.id}`);
}

const IKE_INTEG_NAMES: Record<number, string> = {
  [Integ.HMAC_SHA1_96]: 'HMAC_SHA1_96 [RFC2404]',
  [Integ.HMAC_SHA2_256_128]: 'HMAC_SHA2_256_128 [RFC4868]',
  [Integ.HMAC_SHA2_384_192]: 'HMAC_SHA2_384_192 [RFC4868]',
  [Integ.HMAC_SHA2_512_256]: 'HMAC_SHA2_512_256 [RFC4868]',
};
const ESP_INTEG_NAMES: Record<number, string> = {
  [Integ.HMAC_SHA1_96]: 'HMAC-SHA-1-96 [RFC2404]',
  [Integ.HMAC_SHA2_256_128]: 'HMAC-SHA-256-128 [RFC4868]',
  [Integ.HMAC_SHA2_384_192]: 'HMAC-SHA-384-192 [RFC4868]',
  [Integ.HMAC_SHA2_512_256]: 'HMAC-SHA-512-256 [RFC4868]',
};

/** Build the IKE SA entry. */
export function ikeKeylogEntry(spiI: Uint8Array, spiR: Uint8Array, encr: EncrAlg, keyBits: number, integ: IntegAlg | undefined, keys: IkeKeys): IkeKeylogEntry {
  const e: Omit<IkeKeylogEntry, 'wireshark'> = {
    kind: 'ike', spiI: toHex(spiI), spiR: toHex(spiR), skEi: toHex(keys.skEi), skEr: toHex(keys.skEr), skAi: toHex(keys.skAi), skAr: toHex(keys.skAr),
    encr: wiresharkIkeEncr(encr, keyBits), integ: integ ? IKE_INTEG_NAMES[integ.id] : 'NONE [RFC4306]',
  };
  return { ...e, wireshark: `${e.spiI},${e.spiR},${e.skEi},${e.skEr},"${e.encr}",${e.skAi},${e.skAr},"${e.integ}"` };
}

/**
 * Build the CHILD_SA entry. `local`/`remote` are the outer (tunnel endpoint) addresses; keys `encrI`/`integI` protect
 * initiator → responder.
 */
export function espKeylogEntry(
  child: { spiIn: Uint8Array; spiOut: Uint8Array; encr: EncrAlg; encrKeyBits: number; integ?: IntegAlg; keys: ChildKeys },
  local: string, remote: string, weAreInitiator: boolean,
): EspKeylogEntry {
  const encr = child.encr.id === Encr.AES_GCM_16 ? 'AES-GCM with 16 octet ICV [RFC4106]' : 'AES-CBC [RFC3602]';
  const auth = child.integ ? ESP_INTEG_NAMES[child.integ.id] : 'NULL';
  const k = child.keys;
  const [outE, outA, inE, inA] = weAreInitiator ? [k.encrI, k.integI, k.encrR, k.integR] : [k.encrR, k.integR, k.encrI, k.integI];
  const line = (src: string, dst: string, spi: Uint8Array, ek: Uint8Array, ak: Uint8Array) =>
    `"IPv4","${src}","${dst}","0x${toHex(spi)}","${encr}","0x${toHex(ek)}","${auth}","${ak.byteLength ? `0x${toHex(ak)}` : ''}"`;
  return {
    kind: 'esp', spiIn: toHex(child.spiIn), spiOut: toHex(child.spiOut),
    wireshark: [line(remote, local, child.spiIn, inE, inA), line(local, remote, child.spiOut, outE, outA)],
  };
}

/**
 * A keylog callback that appends to two Wireshark UAT files in `dir`: `ikev2_decryption_table` and `esp_sa` (a
 * Wireshark configuration profile directory, e.g. for `tshark -C <profile>` or `-o gui… ` / `XDG_CONFIG_HOME`).
 */
export function keylogFile(dir: string): KeylogCallback {
  return (e) => {
    if (e.kind === 'ike') appendFileSync(`${dir}/ikev2_decryption_table`, `${e.wireshark}\n`, { mode: 0o600 });
    else appendFileSync(`${dir}/esp_sa`, e.wireshark.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  };
}
