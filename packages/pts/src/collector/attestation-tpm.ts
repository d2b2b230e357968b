/**
 * What the PTS collector needs from a TPM, and the adapter onto @tncjs/tss. Keeping this small lets the collector run
 * on any TPM 2.0 (/dev/tpmrm0, swtpm) through one interface.
 */
import { Reader } from '@tncjs/common';
import { TPM_ALG, TPM_PT, tpm2VersionInfoFromProperties, publicKeyToSpki, type Tpm, type Aik, type TpmtSignature } from '@tncjs/tss';

export interface QuoteOutput {
  /** TPMS_ATTEST as the TPM signed it. */
  quoted: Uint8Array;
  signature: TpmtSignature;
}

export interface AttestationTpm {
  /** TPM Version Information blob (strongSwan's 16-byte TPM 2.0 form). */
  versionInfo(): Promise<Uint8Array>;
  /** The AIK public key as DER SubjectPublicKeyInfo. */
  aikPublicKey(): Promise<Uint8Array>;
  /** TPM2_Quote with the AIK over `pcrs` of one bank (TPM_ALG_ID), qualifying data = the secret assessment value. */
  quote(bank: number, pcrs: number[], qualifyingData: Uint8Array): Promise<QuoteOutput>;
}

/** The adapter for a @tncjs/tss connection and an AIK (e.g. persisted at 0x81010003). */
export function tssAttestationTpm(tpm: Tpm, aik: Aik): AttestationTpm {
  return {
    async versionInfo() {
      const props = await tpm.getProperties(TPM_PT.MANUFACTURER, 32);
      return tpm2VersionInfoFromProperties(props);
    },
    async aikPublicKey() {
      return publicKeyToSpki(aik.public);
    },
    async quote(bank, pcrs, qualifyingData) {
      const q = await tpm.quote(aik.handle, qualifyingData, [{ hash: bank, pcrs }]);
      return { quoted: q.quoted, signature: q.signature };
    },
  };
}

/** The pieces of a TPMS_ATTEST quote strongSwan puts into Simple Evidence Final (TPM 2.0 mode). */
export function splitQuoteInfo(quoted: Uint8Array): { qualifiedSigner: Uint8Array; extraData: Uint8Array; clockInfo: Uint8Array; firmwareVersion: Uint8Array; pcrSelect: Uint8Array; pcrDigest: Uint8Array } {
  const r = new Reader(quoted);
  r.skip(6, 'magic and type');
  const qualifiedSigner = r.bytes(r.u16(), 'qualifiedSigner');
  const extraData = r.bytes(r.u16(), 'extraData');
  const clockInfo = r.bytes(17, 'clockInfo');
  const firmwareVersion = r.bytes(8, 'firmwareVersion');
  const selStart = r.position;
  const count = r.u32('pcrSelect count');
  for (let i = 0; i < count; i++) {
    r.skip(2, 'hash');
    r.skip(r.u8('sizeofSelect'), 'pcrSelect');
  }
  const pcrSelect = quoted.slice(selStart, r.position);
  const pcrDigest = r.bytes(r.u16(), 'pcrDigest');
  return { qualifiedSigner, extraData, clockInfo, firmwareVersion, pcrSelect, pcrDigest };
}

/** strongSwan's signature encoding in Simple Evidence Final: RSA as is, ECDSA as r ‖ s (each padded to `size`). */
export function signatureBytes(s: TpmtSignature, size = 0): Uint8Array {
  if ('sig' in s) return s.sig;
  if ('r' in s) {
    const n = Math.max(size, s.r.byteLength, s.s.byteLength);
    const out = new Uint8Array(2 * n);
    out.set(s.r, n - s.r.byteLength);
    out.set(s.s, 2 * n - s.s.byteLength);
    return out;
  }
  throw new TypeError(`unsupported quote signature algorithm ${s.sigAlg}`);
}

export { TPM_ALG };
