/**
 * TPM_RC response codes (TPM 2.0 Library Part 2 §6.6): names, one-line explanations and the decoding of format-0
 * (errors and warnings, bit 7 clear) and format-1 codes (bit 7 set, with the number of the handle, session or
 * parameter that is at fault in bits 8..11).
 *
 *  format 0:  | 11 S | 10 T | 9 r | 8 V | 7 F=0 | 6..0 E |   V=1: TPM 2.0 code; T: vendor; S: warning
 *  format 1:  | 11..8 N | 7 F=1 | 6 P | 5..0 E |             P=1: N = parameter 1..15; P=0: N<8 handle, N≥8 session N-8
 *
 * Bits 16..23 carry the TSS layer (tpm2-tss numbering) when a software stack, not the TPM, produced the code.
 */

/** Format-0 error codes, TPM_RC_VER1 (0x100) + n. */
const FMT0_ERRORS: Record<number, [string, string]> = {
  0x000: ['TPM_RC_INITIALIZE', 'TPM not initialized by TPM2_Startup or already initialized'],
  0x001: ['TPM_RC_FAILURE', 'the TPM is in failure mode: commands other than TPM2_GetTestResult and TPM2_GetCapability are refused'],
  0x003: ['TPM_RC_SEQUENCE', 'improper use of a sequence handle'],
  0x00b: ['TPM_RC_PRIVATE', 'not currently used'],
  0x019: ['TPM_RC_HMAC', 'not currently used'],
  0x020: ['TPM_RC_DISABLED', 'the command is disabled'],
  0x021: ['TPM_RC_EXCLUSIVE', 'the command failed because an audit sequence required exclusivity'],
  0x024: ['TPM_RC_AUTH_TYPE', 'authorization handle is not correct for the command'],
  0x025: ['TPM_RC_AUTH_MISSING', 'the command requires an authorization session for a handle and it is not present'],
  0x026: ['TPM_RC_POLICY', 'policy failure in math operation or an invalid authPolicy value'],
  0x027: ['TPM_RC_PCR', 'PCR check fail'],
  0x028: ['TPM_RC_PCR_CHANGED', 'the PCRs have changed since the policy session evaluated them'],
  0x02d: ['TPM_RC_UPGRADE', 'the TPM is in field upgrade mode'],
  0x02e: ['TPM_RC_TOO_MANY_CONTEXTS', 'context ID counter is at maximum'],
  0x02f: ['TPM_RC_AUTH_UNAVAILABLE', 'authValue or authPolicy is not available for the selected entity'],
  0x030: ['TPM_RC_REBOOT', 'a _TPM_Init and TPM2_Startup(CLEAR) is required before the TPM can resume operation'],
  0x031: ['TPM_RC_UNBALANCED', 'the protection algorithms (hash and symmetric) are not reasonably balanced'],
  0x042: ['TPM_RC_COMMAND_SIZE', 'command commandSize value is inconsistent with the contents of the command buffer'],
  0x043: ['TPM_RC_COMMAND_CODE', 'the command code is not supported'],
  0x044: ['TPM_RC_AUTHSIZE', 'the value of authorizationSize is out of range or the number of sessions is wrong'],
  0x045: ['TPM_RC_AUTH_CONTEXT', 'an authorization session was used with a command that takes none, or a session is missing'],
  0x046: ['TPM_RC_NV_RANGE', 'NV offset + size is out of range'],
  0x047: ['TPM_RC_NV_SIZE', 'requested allocation size is larger than allowed'],
  0x048: ['TPM_RC_NV_LOCKED', 'NV access locked'],
  0x049: ['TPM_RC_NV_AUTHORIZATION', 'NV access authorization fails in command actions'],
  0x04a: ['TPM_RC_NV_UNINITIALIZED', 'an NV Index is used before being initialized or its state could not be restored'],
  0x04b: ['TPM_RC_NV_SPACE', 'insufficient space for NV allocation'],
  0x04c: ['TPM_RC_NV_DEFINED', 'NV Index or persistent object already defined'],
  0x050: ['TPM_RC_BAD_CONTEXT', 'context in TPM2_ContextLoad is not valid'],
  0x051: ['TPM_RC_CPHASH', 'cpHash value already set or not correct for use'],
  0x052: ['TPM_RC_PARENT', 'handle for parent is not a valid parent'],
  0x053: ['TPM_RC_NEEDS_TEST', 'some function needs testing'],
  0x054: ['TPM_RC_NO_RESULT', 'the command could not produce a result (an internal function failed)'],
  0x055: ['TPM_RC_SENSITIVE', 'the sensitive area did not unmarshal correctly after decryption'],
};

/** Format-0 warnings, TPM_RC_WARN (0x900) + n. */
const FMT0_WARNINGS: Record<number, [string, string]> = {
  0x001: ['TPM_RC_CONTEXT_GAP', 'gap for context ID is too large'],
  0x002: ['TPM_RC_OBJECT_MEMORY', 'out of memory for object contexts: flush transient objects'],
  0x003: ['TPM_RC_SESSION_MEMORY', 'out of memory for session contexts: flush sessions'],
  0x004: ['TPM_RC_MEMORY', 'out of shared object/session memory or need space for internal operations'],
  0x005: ['TPM_RC_SESSION_HANDLES', 'out of session handles: a session must be flushed before a new session may be created'],
  0x006: ['TPM_RC_OBJECT_HANDLES', 'out of object handles: the handle space for objects is depleted and a reboot is required'],
  0x007: ['TPM_RC_LOCALITY', 'bad locality'],
  0x008: ['TPM_RC_YIELDED', 'the TPM has suspended operation on the command; forward progress was made and the command may be retried'],
  0x009: ['TPM_RC_CANCELED', 'the command was canceled'],
  0x00a: ['TPM_RC_TESTING', 'TPM is performing self-tests'],
  0x010: ['TPM_RC_REFERENCE_H0', 'the 1st handle in the handle area references a transient object or session that is not loaded'],
  0x011: ['TPM_RC_REFERENCE_H1', 'the 2nd handle in the handle area references a transient object or session that is not loaded'],
  0x012: ['TPM_RC_REFERENCE_H2', 'the 3rd handle in the handle area references a transient object or session that is not loaded'],
  0x013: ['TPM_RC_REFERENCE_H3', 'the 4th handle in the handle area references a transient object or session that is not loaded'],
  0x014: ['TPM_RC_REFERENCE_H4', 'the 5th handle in the handle area references a transient object or session that is not loaded'],
  0x015: ['TPM_RC_REFERENCE_H5', 'the 6th handle in the handle area references a transient object or session that is not loaded'],
  0x016: ['TPM_RC_REFERENCE_H6', 'the 7th handle in the handle area references a transient object or session that is not loaded'],
  0x018: ['TPM_RC_REFERENCE_S0', 'the 1st authorization session handle references a session that is not loaded'],
  0x019: ['TPM_RC_REFERENCE_S1', 'the 2nd authorization session handle references a session that is not loaded'],
  0x01a: ['TPM_RC_REFERENCE_S2', 'the 3rd authorization session handle references a session that is not loaded'],
  0x01b: ['TPM_RC_REFERENCE_S3', 'the 4th authorization session handle references a session that is not loaded'],
  0x01c: ['TPM_RC_REFERENCE_S4', 'the 5th authorization session handle references a session that is not loaded'],
  0x01d: ['TPM_RC_REFERENCE_S5', 'the 6th authorization session handle references a session that is not loaded'],
  0x01e: ['TPM_RC_REFERENCE_S6', 'the 7th authorization session handle references a session that is not loaded'],
  0x020: ['TPM_RC_NV_RATE', 'the TPM is rate-limiting accesses to prevent wearout of NV'],
  0x021: ['TPM_RC_LOCKOUT', 'authorizations for objects subject to DA protection are not allowed at this time because the TPM is in DA lockout mode'],
  0x022: ['TPM_RC_RETRY', 'the TPM was not able to start the command'],
  0x023: ['TPM_RC_NV_UNAVAILABLE', 'the command may require writing of NV and NV is not currently accessible'],
  0x07f: ['TPM_RC_NOT_USED', 'this value is reserved and shall not be returned by the TPM'],
};

/** Format-1 codes, TPM_RC_FMT1 (0x080) + n. */
const FMT1: Record<number, [string, string]> = {
  0x001: ['TPM_RC_ASYMMETRIC', 'asymmetric algorithm not supported or not correct'],
  0x002: ['TPM_RC_ATTRIBUTES', 'inconsistent attributes'],
  0x003: ['TPM_RC_HASH', 'hash algorithm not supported or not appropriate'],
  0x004: ['TPM_RC_VALUE', 'value is out of range or is not correct for the context'],
  0x005: ['TPM_RC_HIERARCHY', 'hierarchy is not enabled or is not correct for the use'],
  0x007: ['TPM_RC_KEY_SIZE', 'key size is not supported'],
  0x008: ['TPM_RC_MGF', 'mask generation function not supported'],
  0x009: ['TPM_RC_MODE', 'mode of operation not supported'],
  0x00a: ['TPM_RC_TYPE', 'the type of the value is not appropriate for the use'],
  0x00b: ['TPM_RC_HANDLE', 'the handle is not correct for the use'],
  0x00c: ['TPM_RC_KDF', 'unsupported key derivation function or function not appropriate for use'],
  0x00d: ['TPM_RC_RANGE', 'value was out of allowed range'],
  0x00e: ['TPM_RC_AUTH_FAIL', 'the authorization HMAC check failed and the DA counter was incremented (wrong password or authValue)'],
  0x00f: ['TPM_RC_NONCE', 'invalid nonce size or nonce value mismatch'],
  0x010: ['TPM_RC_PP', 'authorization requires assertion of physical presence'],
  0x012: ['TPM_RC_SCHEME', 'unsupported or incompatible scheme'],
  0x015: ['TPM_RC_SIZE', 'structure is the wrong size'],
  0x016: ['TPM_RC_SYMMETRIC', 'unsupported symmetric algorithm or key size, or not appropriate for the instance'],
  0x017: ['TPM_RC_TAG', 'incorrect structure tag'],
  0x018: ['TPM_RC_SELECTOR', 'union selector is incorrect'],
  0x01a: ['TPM_RC_INSUFFICIENT', 'the TPM was unable to unmarshal a value because there were not enough octets in the input buffer'],
  0x01b: ['TPM_RC_SIGNATURE', 'the signature is not valid'],
  0x01c: ['TPM_RC_KEY', 'key fields are not compatible with the selected use'],
  0x01d: ['TPM_RC_POLICY_FAIL', 'a policy check failed'],
  0x01f: ['TPM_RC_INTEGRITY', 'integrity check failed'],
  0x020: ['TPM_RC_TICKET', 'invalid ticket'],
  0x021: ['TPM_RC_RESERVED_BITS', 'reserved bits not set to zero as required'],
  0x022: ['TPM_RC_BAD_AUTH', 'authorization failure without DA implications'],
  0x023: ['TPM_RC_EXPIRED', 'the policy has expired'],
  0x024: ['TPM_RC_POLICY_CC', 'the commandCode in the policy is not the commandCode of the command or the command code in a policy command references a command that is not implemented'],
  0x025: ['TPM_RC_BINDING', 'public and sensitive portions of an object are not cryptographically bound'],
  0x026: ['TPM_RC_CURVE', 'curve not supported'],
  0x027: ['TPM_RC_ECC_POINT', 'point is not on the required curve'],
};

/** TSS layers (tpm2-tss `TSS2_*_RC_LAYER`): bits 16..23 of a code a software stack produced. */
const LAYERS: Record<number, string> = {
  1: 'tpm-feature',
  5: 'ESAPI',
  6: 'FAPI',
  7: 'SAPI',
  8: 'SYS',
  9: 'MU',
  10: 'TCTI',
  11: 'resource manager',
  12: 'resource manager (TPM)',
};

/** TPM_RC_SUCCESS. */
export const TPM_RC_SUCCESS = 0;

/** A response code, taken apart. */
export interface DecodedResponseCode {
  /** The whole 32-bit code. */
  rc: number;
  /** Base code (format-1: the code without N and P; format-0: the code itself). */
  base: number;
  /** `TPM_RC_AUTH_FAIL`, or a description for codes without a name (`TPM 1.2 code 0x0a`, `vendor code 0x401`). */
  name: string;
  /** One-line explanation. */
  explanation: string;
  kind: 'success' | 'error' | 'warning' | 'tpm12' | 'vendor' | 'layer';
  format: 0 | 1;
  /** Format 1: the parameter (1..15) that is wrong. */
  parameter?: number;
  /** Format 1: the handle (1..7) that is wrong. */
  handle?: number;
  /** Format 1: the authorization session (1..7) that is wrong. */
  session?: number;
  /** TSS layer number when bits 16..23 are set (the code did not come from the TPM itself). */
  layer?: number;
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16);

/** Take a TPM_RC apart into name, explanation, format and the number of the parameter/handle/session at fault. */
export function decodeResponseCode(rcIn: number): DecodedResponseCode {
  const rc = rcIn >>> 0;
  const layer = (rc >>> 16) & 0xff;
  if (layer !== 0) {
    const inner = decodeResponseCode(rc & 0xffff);
    const layerName = LAYERS[layer] ?? `layer ${layer}`;
    return {
      ...inner,
      rc,
      kind: 'layer',
      layer,
      name: layer === 11 || layer === 12 || layer === 1 ? inner.name : `${layerName} code ${hex(rc & 0xffff)}`,
      explanation: `${layerName}: ${inner.explanation}`,
    };
  }
  if (rc === 0) return { rc, base: 0, name: 'TPM_RC_SUCCESS', explanation: 'success', kind: 'success', format: 0 };
  if (rc & 0x80) {
    const e = rc & 0x3f;
    const base = 0x80 | e;
    const [name, explanation] = FMT1[e] ?? [`TPM_RC_FMT1+${hex(e)}`, 'unknown format-1 error'];
    const out: DecodedResponseCode = { rc, base, name, explanation, kind: 'error', format: 1 };
    const n = (rc >>> 8) & 0xf;
    if (rc & 0x40) out.parameter = n;
    else if (n & 0x8) out.session = n & 0x7;
    else if (n) out.handle = n;
    return out;
  }
  if ((rc & 0x100) === 0) {
    return { rc, base: rc, name: `TPM 1.2 code ${hex(rc)}`, explanation: 'a TPM 1.2 response code (the command was not understood as TPM 2.0)', kind: 'tpm12', format: 0 };
  }
  if (rc & 0x400) {
    return { rc, base: rc, name: `vendor code ${hex(rc)}`, explanation: 'a vendor-defined response code', kind: 'vendor', format: 0 };
  }
  const e = rc & 0x7f;
  if (rc & 0x800) {
    const [name, explanation] = FMT0_WARNINGS[e] ?? [`TPM_RC_WARN+${hex(e)}`, 'unknown warning'];
    return { rc, base: rc, name, explanation, kind: 'warning', format: 0 };
  }
  const [name, explanation] = FMT0_ERRORS[e] ?? [`TPM_RC_VER1+${hex(e)}`, 'unknown error'];
  return { rc, base: rc, name, explanation, kind: 'error', format: 0 };
}

/** `TPM_RC_AUTH_FAIL (0x98e): the authorization HMAC check failed … (session 1)`. */
export function explainResponseCode(rc: number): string {
  const d = decodeResponseCode(rc);
  const where = d.parameter ? ` (parameter ${d.parameter})` : d.handle ? ` (handle ${d.handle})` : d.session ? ` (session ${d.session})` : '';
  return `${d.name} (${hex(d.rc)}): ${d.explanation}${where}`;
}

/** Base name → base code, for matching (`rcIs(e.rc, 'TPM_RC_AUTH_FAIL')`). */
export const TPM_RC: Readonly<Record<string, number>> = (() => {
  const out: Record<string, number> = { TPM_RC_SUCCESS: 0 };
  for (const [k, [n]] of Object.entries(FMT0_ERRORS)) out[n] = 0x100 + Number(k);
  for (const [k, [n]] of Object.entries(FMT0_WARNINGS)) out[n] = 0x900 + Number(k);
  for (const [k, [n]] of Object.entries(FMT1)) out[n] = 0x80 + Number(k);
  return out;
})();

/** True when `rc` (any format, any N/P) is the named code. */
export function rcIs(rc: number, name: string): boolean {
  return decodeResponseCode(rc).name === name;
}
