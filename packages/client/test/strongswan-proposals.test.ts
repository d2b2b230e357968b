/**
 * strongSwan proposal strings → @tncjs/ikev2 proposals (proposal.c `proposal_create_from_string`, keyword table
 * proposal_keywords_static.txt): what is accepted, what strongSwan itself refuses, and what tnc-client cannot do.
 */
import { DEFAULT_ESP_PROPOSALS, DEFAULT_IKE_PROPOSALS, DhGroup, Encr, Integ, Prf } from '@tncjs/ikev2';
import { ConfigError, parseEspProposals, parseIkeProposals } from '../src/config/index.js';

function refused(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('IKE proposals', () => {
  test('aes128-sha256-x25519: AES-CBC-128, HMAC-SHA2-256-128, the PRF taken from the integrity algorithm, Curve25519', () => {
    expect(parseIkeProposals(['aes128-sha256-x25519'])).toEqual([{ encr: Encr.AES_CBC, keyBits: 128, integ: Integ.HMAC_SHA2_256_128, prf: Prf.HMAC_SHA2_256, groups: [DhGroup.CURVE_25519] }]);
  });

  test('an AEAD proposal names its PRF and takes no integrity algorithm', () => {
    expect(parseIkeProposals(['aes256gcm16-prfsha384-ecp384'])).toEqual([{ encr: Encr.AES_GCM_16, keyBits: 256, prf: Prf.HMAC_SHA2_384, groups: [DhGroup.ECP_384] }]);
    expect(parseIkeProposals(['aes128gcm128-prfsha256-modp2048'])[0]).toMatchObject({ encr: Encr.AES_GCM_16, keyBits: 128 });
    expect(refused(() => parseIkeProposals(['aes128gcm16-x25519'])).reason).toMatch(/PRF is mandatory/);
    expect(refused(() => parseIkeProposals(['aes128gcm16-sha256-prfsha256-x25519'])).reason).toMatch(/takes no integrity algorithm/);
  });

  test('several algorithms of a kind become the cross product, in order; groups stay together', () => {
    const p = parseIkeProposals(['aes128-aes256-sha256-sha384-ecp256-modp2048']);
    expect(p.map((x) => [x.keyBits, x.integ, x.prf])).toEqual([
      [128, Integ.HMAC_SHA2_256_128, Prf.HMAC_SHA2_256],
      [128, Integ.HMAC_SHA2_256_128, Prf.HMAC_SHA2_384],
      [128, Integ.HMAC_SHA2_384_192, Prf.HMAC_SHA2_256],
      [128, Integ.HMAC_SHA2_384_192, Prf.HMAC_SHA2_384],
      [256, Integ.HMAC_SHA2_256_128, Prf.HMAC_SHA2_256],
      [256, Integ.HMAC_SHA2_256_128, Prf.HMAC_SHA2_384],
      [256, Integ.HMAC_SHA2_384_192, Prf.HMAC_SHA2_256],
      [256, Integ.HMAC_SHA2_384_192, Prf.HMAC_SHA2_384],
    ]);
    for (const x of p) expect(x.groups).toEqual([DhGroup.ECP_256, DhGroup.MODP_2048]);
  });

  test("'default' is the stack's default proposals; a trailing '!' and upper case are accepted", () => {
    expect(parseIkeProposals(['default'])).toEqual(DEFAULT_IKE_PROPOSALS);
    expect(parseIkeProposals(['AES128-SHA256-X25519!', 'default'])).toEqual([...parseIkeProposals(['aes128-sha256-x25519']), ...DEFAULT_IKE_PROPOSALS]);
  });

  test('strongSwan refuses an IKE proposal without a DH group, so do we', () => {
    expect(refused(() => parseIkeProposals(['aes128-sha256'])).reason).toMatch(/DH group is mandatory/);
  });

  test.each([
    ['aes128-md5-x25519', /'md5' is a strongSwan algorithm that tnc-client does not implement/],
    ['3des-sha1-modp2048', /'3des' is a strongSwan algorithm that tnc-client does not implement/],
    ['aes128-sha256-modp1024', /'modp1024' is a strongSwan algorithm/],
    ['aes128-sha256-mlkem768', /'mlkem768' is a strongSwan algorithm/],
    ['aes128-sha257-x25519', /'sha257' is not a strongSwan algorithm keyword/],
    ['aes128--sha256-x25519', /empty algorithm/],
    ['sha256-x25519', /no encryption algorithm/],
    ['aes128-aes128gcm16-prfsha256-x25519', /AEAD and non-AEAD/],
  ])('%s is refused with ERR_CONFIG_PROPOSAL', (proposal, reason) => {
    const e = refused(() => parseIkeProposals([proposal]));
    expect(e.code).toBe('ERR_CONFIG_PROPOSAL');
    expect(e.reason).toMatch(reason);
    expect(e.reason).toContain(`'${proposal}'`);
  });
});

describe('ESP proposals', () => {
  test('aes128gcm16-x25519: AES-GCM-16 and the DH group as the PFS group of rekeyings', () => {
    expect(parseEspProposals(['aes128gcm16-x25519'])).toEqual({ esp: [{ encr: Encr.AES_GCM_16, keyBits: 128 }], pfs: [DhGroup.CURVE_25519] });
  });

  test('aes256-sha256-noesn: no DH group, no PFS; noesn is what the stack does anyway', () => {
    expect(parseEspProposals(['aes256-sha256-noesn'])).toEqual({ esp: [{ encr: Encr.AES_CBC, keyBits: 256, integ: Integ.HMAC_SHA2_256_128 }], pfs: [] });
  });

  test("'default' and lists", () => {
    expect(parseEspProposals(['aes128gcm16', 'default']).esp).toEqual([{ encr: Encr.AES_GCM_16, keyBits: 128 }, ...DEFAULT_ESP_PROPOSALS]);
  });

  test.each([
    ['aes128-sha256-esn', /extended sequence numbers/],
    ['aes128', /no integrity algorithm/],
    ['aes128-sha256-prfsha256', /'prfsha256' is a PRF, which only IKE proposals have/],
    ['aes128gcm8', /'aes128gcm8' is a strongSwan algorithm that tnc-client does not implement/],
  ])('%s is refused', (proposal, reason) => {
    expect(refused(() => parseEspProposals([proposal])).reason).toMatch(reason);
  });
});
