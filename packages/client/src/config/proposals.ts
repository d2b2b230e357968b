/**
 * strongSwan proposal strings (swanctl.conf `proposals` / `esp_proposals`, charon-cmd `--ike-proposal`) → the
 * proposal objects of @tncjs/ikev2.
 *
 * A proposal is keywords joined by `-` (`aes128-sha256-x25519`, `aes256gcm16-prfsha384-ecp384`, `aes128gcm16`), as
 * strongSwan's `proposal_create_from_string()` reads them (libstrongswan/crypto/proposal/proposal.c and the keyword
 * table proposal_keywords_static.txt). Only the algorithms @tncjs/ikev2 implements are accepted; any other keyword
 * is refused with a `ConfigError` naming it (a proposal the stack could not honour must not be dropped silently).
 * As in strongSwan: an IKE proposal needs a PRF (taken from the integrity algorithms when none is named; an AEAD
 * proposal must name one) and a DH group; the word `default` stands for the stack's default proposals.
 *
 * Several algorithms of one kind in one string (`aes128-aes256-sha256-x25519`) are one proposal with several
 * transforms for strongSwan; @tncjs/ikev2 takes one encryption/integrity/PRF per proposal, so the string becomes the
 * cross product (encryption outermost), in order: the same choices, the same preference.
 */
import { DhGroup, Encr, Integ, Prf, DEFAULT_ESP_PROPOSALS, DEFAULT_IKE_PROPOSALS, type EspProposalConfig, type IkeProposalConfig } from '@tncjs/ikev2';
import { ConfigError } from './errors.js';

interface EncrKeyword {
  encr: number;
  keyBits: number;
  aead: boolean;
}

/** Encryption keywords (strongSwan spellings; `aes128gcm16` and `aes128gcm128` are the same 16-byte ICV). */
const ENCR_KEYWORDS: Record<string, EncrKeyword> = {};
for (const bits of [128, 192, 256]) {
  ENCR_KEYWORDS[`aes${bits}`] = { encr: Encr.AES_CBC, keyBits: bits, aead: false };
  for (const icv of ['16', '128']) ENCR_KEYWORDS[`aes${bits}gcm${icv}`] = { encr: Encr.AES_GCM_16, keyBits: bits, aead: true };
}
ENCR_KEYWORDS.aes = ENCR_KEYWORDS.aes128;
ENCR_KEYWORDS.aesgcm16 = ENCR_KEYWORDS.aes128gcm16;
ENCR_KEYWORDS.aesgcm128 = ENCR_KEYWORDS.aes128gcm16;

const INTEG_KEYWORDS: Record<string, number> = {
  sha1: Integ.HMAC_SHA1_96,
  sha: Integ.HMAC_SHA1_96,
  sha256: Integ.HMAC_SHA2_256_128,
  sha2_256: Integ.HMAC_SHA2_256_128,
  sha384: Integ.HMAC_SHA2_384_192,
  sha2_384: Integ.HMAC_SHA2_384_192,
  sha512: Integ.HMAC_SHA2_512_256,
  sha2_512: Integ.HMAC_SHA2_512_256,
};

const PRF_KEYWORDS: Record<string, number> = {
  prfsha1: Prf.HMAC_SHA1,
  prfsha256: Prf.HMAC_SHA2_256,
  prfsha384: Prf.HMAC_SHA2_384,
  prfsha512: Prf.HMAC_SHA2_512,
};

/** strongSwan's implicit PRF of an integrity algorithm (proposal.c check_proposal). */
const PRF_OF_INTEG: Record<number, number> = {
  [Integ.HMAC_SHA1_96]: Prf.HMAC_SHA1,
  [Integ.HMAC_SHA2_256_128]: Prf.HMAC_SHA2_256,
  [Integ.HMAC_SHA2_384_192]: Prf.HMAC_SHA2_384,
  [Integ.HMAC_SHA2_512_256]: Prf.HMAC_SHA2_512,
};

const DH_KEYWORDS: Record<string, number> = {
  modp2048: DhGroup.MODP_2048,
  modp3072: DhGroup.MODP_3072,
  ecp256: DhGroup.ECP_256,
  ecp384: DhGroup.ECP_384,
  curve25519: DhGroup.CURVE_25519,
  x25519: DhGroup.CURVE_25519,
};

/** Keywords strongSwan knows that @tncjs/ikev2 does not implement: refused with this reason. */
const KNOWN_UNSUPPORTED = /^(3des|des|blowfish|cast128|camellia|chacha20poly1305|aes\d*ctr|aes\d*ccm|aes\d*gcm(8|12|64|96)|aes\d*gmac|null|md5|sha256_96|aesxcbc|aescmac|prfmd5|prfaesxcbc|prfaescmac|modp(768|1024|1536|4096|6144|8192)|modp(1024|2048)s\d+|ecp(192|224|521)|ecp224bp|ecp256bp|ecp384bp|ecp512bp|curve448|x448|ke\d_.*|mlkem\d+|ntru.*|newhope.*)$/;

function unknown(kind: 'IKE' | 'ESP', proposal: string, word: string): ConfigError {
  const why = KNOWN_UNSUPPORTED.test(word) ? 'a strongSwan algorithm that tnc-client does not implement' : 'not a strongSwan algorithm keyword';
  return new ConfigError(
    'ERR_CONFIG_PROPOSAL',
    `${kind} proposal '${proposal}': '${word}' is ${why} (supported: aes128/192/256, aes128/192/256gcm16, sha1/sha256/sha384/sha512, ` +
      `prfsha1/prfsha256/prfsha384/prfsha512, modp2048/modp3072/ecp256/ecp384/x25519${kind === 'ESP' ? ', esn/noesn' : ''})`,
  );
}

interface Parsed {
  encrs: EncrKeyword[];
  integs: number[];
  prfs: number[];
  groups: number[];
}

function split(kind: 'IKE' | 'ESP', proposal: string): Parsed {
  // a trailing '!' (ipsec.conf's strict flag) changes nothing here: tnc-client never adds proposals of its own
  const words = proposal.toLowerCase().replace(/!$/, '').split('-');
  const p: Parsed = { encrs: [], integs: [], prfs: [], groups: [] };
  const push = <T>(list: T[], x: T) => {
    if (!list.includes(x)) list.push(x);
  };
  for (const w of words) {
    if (!w) throw new ConfigError('ERR_CONFIG_PROPOSAL', `${kind} proposal '${proposal}': empty algorithm between '-'`);
    if (w in ENCR_KEYWORDS) push(p.encrs, ENCR_KEYWORDS[w]);
    else if (w in INTEG_KEYWORDS) push(p.integs, INTEG_KEYWORDS[w]);
    else if (w in PRF_KEYWORDS) {
      if (kind === 'ESP') throw new ConfigError('ERR_CONFIG_PROPOSAL', `ESP proposal '${proposal}': '${w}' is a PRF, which only IKE proposals have`);
      push(p.prfs, PRF_KEYWORDS[w]);
    }
    else if (w in DH_KEYWORDS) push(p.groups, DH_KEYWORDS[w]);
    else if (kind === 'ESP' && (w === 'esn' || w === 'noesn')) {
      // extended sequence numbers: @tncjs/ikev2 negotiates no ESN; `noesn` is what it does, `esn` alone is refused
      if (w === 'esn' && !words.includes('noesn')) throw new ConfigError('ERR_CONFIG_PROPOSAL', `ESP proposal '${proposal}': extended sequence numbers (esn) are not implemented; use noesn or leave it out`);
    } else throw unknown(kind, proposal, w);
  }
  if (!p.encrs.length) throw new ConfigError('ERR_CONFIG_PROPOSAL', `${kind} proposal '${proposal}': no encryption algorithm (e.g. aes128 or aes128gcm16)`);
  const aead = p.encrs.filter((e) => e.aead).length;
  if (aead && aead !== p.encrs.length) throw new ConfigError('ERR_CONFIG_PROPOSAL', `${kind} proposal '${proposal}': AEAD and non-AEAD encryption algorithms cannot be combined in one proposal`);
  if (aead && p.integs.length) throw new ConfigError('ERR_CONFIG_PROPOSAL', `${kind} proposal '${proposal}': an AEAD algorithm (${words.find((w) => ENCR_KEYWORDS[w]?.aead)}) takes no integrity algorithm`);
  if (!aead && !p.integs.length) throw new ConfigError('ERR_CONFIG_PROPOSAL', `${kind} proposal '${proposal}': no integrity algorithm (e.g. sha256)`);
  return p;
}

/**
 * IKE proposals in strongSwan syntax → `IkeProposalConfig[]`.
 * @throws ConfigError `ERR_CONFIG_PROPOSAL` for an unknown or unsupported keyword, or a proposal strongSwan would refuse
 * @example parseIkeProposals(['aes128-sha256-x25519'])  // [{ encr: 12, keyBits: 128, integ: 12, prf: 5, groups: [31] }]
 */
export function parseIkeProposals(proposals: readonly string[]): IkeProposalConfig[] {
  const out: IkeProposalConfig[] = [];
  for (const proposal of proposals) {
    if (proposal.toLowerCase().replace(/!$/, '') === 'default') {
      out.push(...DEFAULT_IKE_PROPOSALS.map((p) => ({ ...p, groups: [...p.groups] })));
      continue;
    }
    const p = split('IKE', proposal);
    let prfs = p.prfs;
    if (!prfs.length) {
      prfs = [...new Set(p.integs.map((i) => PRF_OF_INTEG[i]))];
      if (!prfs.length) throw new ConfigError('ERR_CONFIG_PROPOSAL', `IKE proposal '${proposal}': a PRF is mandatory in IKE proposals (an AEAD proposal names it, e.g. ${proposal}-prfsha256)`);
    }
    if (!p.groups.length) throw new ConfigError('ERR_CONFIG_PROPOSAL', `IKE proposal '${proposal}': a DH group is mandatory in IKE proposals (e.g. ${proposal}-x25519)`);
    const integs: (number | undefined)[] = p.integs.length ? p.integs : [undefined];
    for (const e of p.encrs) {
      for (const integ of integs) {
        for (const prf of prfs) {
          const c: IkeProposalConfig = { encr: e.encr, keyBits: e.keyBits, prf, groups: [...p.groups] };
          if (integ !== undefined) c.integ = integ;
          out.push(c);
        }
      }
    }
  }
  return out;
}

/**
 * ESP proposals in strongSwan syntax → `EspProposalConfig[]` and the DH groups named in them (strongSwan's PFS groups:
 * not used in IKE_AUTH, offered when the CHILD_SA is rekeyed).
 * @throws ConfigError `ERR_CONFIG_PROPOSAL`
 * @example parseEspProposals(['aes128gcm16-x25519'])  // { esp: [{ encr: 20, keyBits: 128 }], pfs: [31] }
 */
export function parseEspProposals(proposals: readonly string[]): { esp: EspProposalConfig[]; pfs: number[] } {
  const esp: EspProposalConfig[] = [];
  const pfs: number[] = [];
  for (const proposal of proposals) {
    if (proposal.toLowerCase().replace(/!$/, '') === 'default') {
      esp.push(...DEFAULT_ESP_PROPOSALS.map((p) => ({ ...p })));
      continue;
    }
    const p = split('ESP', proposal);
    for (const g of p.groups) if (!pfs.includes(g)) pfs.push(g);
    const integs: (number | undefined)[] = p.integs.length ? p.integs : [undefined];
    for (const e of p.encrs) {
      for (const integ of integs) {
        const c: EspProposalConfig = { encr: e.encr, keyBits: e.keyBits };
        if (integ !== undefined) c.integ = integ;
        esp.push(c);
      }
    }
  }
  return { esp, pfs };
}
