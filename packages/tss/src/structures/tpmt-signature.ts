/**
 * TPMT_SIGNATURE (Part 2 §11.3.4) with TPMS_SIGNATURE_RSA (§11.3.1), TPMS_SIGNATURE_ECC (§11.3.2) and TPMT_HA for
 * HMAC signatures.
 */
import { Reader, Writer } from '@tncjs/common';
import { TPM_ALG, digestSize, algName } from '../constants.js';
import { readTpm2b, writeTpm2b, decodeFail } from './tpm2b.js';

export type TpmtSignature =
  | { sigAlg: typeof TPM_ALG.RSASSA | typeof TPM_ALG.RSAPSS; hash: number; sig: Uint8Array }
  | { sigAlg: typeof TPM_ALG.ECDSA | typeof TPM_ALG.ECDAA | typeof TPM_ALG.SM2 | typeof TPM_ALG.ECSCHNORR; hash: number; r: Uint8Array; s: Uint8Array }
  | { sigAlg: typeof TPM_ALG.HMAC; hash: number; digest: Uint8Array }
  | { sigAlg: typeof TPM_ALG.NULL };

export function writeSignature(w: Writer, s: TpmtSignature): void {
  w.u16(s.sigAlg);
  switch (s.sigAlg) {
    case TPM_ALG.RSASSA:
    case TPM_ALG.RSAPSS:
      w.u16(s.hash);
      writeTpm2b(w, s.sig);
      break;
    case TPM_ALG.ECDSA:
    case TPM_ALG.ECDAA:
    case TPM_ALG.SM2:
    case TPM_ALG.ECSCHNORR:
      w.u16(s.hash);
      writeTpm2b(w, s.r);
      writeTpm2b(w, s.s);
      break;
    case TPM_ALG.HMAC:
      w.u16(s.hash).bytes(s.digest);
      break;
    case TPM_ALG.NULL:
      break;
  }
}

export function readSignature(r: Reader): TpmtSignature {
  const sigAlg = r.u16('TPMT_SIGNATURE.sigAlg');
  switch (sigAlg) {
    case TPM_ALG.RSASSA:
    case TPM_ALG.RSAPSS:
      return { sigAlg, hash: r.u16('TPMS_SIGNATURE_RSA.hash'), sig: readTpm2b(r, 'TPMS_SIGNATURE_RSA.sig', 512) };
    case TPM_ALG.ECDSA:
    case TPM_ALG.ECDAA:
    case TPM_ALG.SM2:
    case TPM_ALG.ECSCHNORR:
      return {
        sigAlg,
        hash: r.u16('TPMS_SIGNATURE_ECC.hash'),
        r: readTpm2b(r, 'TPMS_SIGNATURE_ECC.signatureR', 128),
        s: readTpm2b(r, 'TPMS_SIGNATURE_ECC.signatureS', 128),
      };
    case TPM_ALG.HMAC: {
      const hash = r.u16('TPMT_HA.hashAlg');
      const n = digestSize(hash);
      if (n === 0) decodeFail(r, `HMAC signature with unknown hash ${algName(hash)}`);
      return { sigAlg, hash, digest: r.bytes(n, 'TPMT_HA.digest') };
    }
    case TPM_ALG.NULL:
      return { sigAlg };
    default:
      return decodeFail(r, `unsupported TPMT_SIGNATURE algorithm ${algName(sigAlg)}`);
  }
}

export function encodeSignature(s: TpmtSignature): Uint8Array {
  const w = new Writer(300);
  writeSignature(w, s);
  return w.finish();
}

/** Parse a TPMT_SIGNATURE that fills `b` (tpm2-tools' `-f tss` signature file). */
export function decodeSignature(b: Uint8Array): TpmtSignature {
  const r = new Reader(b);
  const s = readSignature(r);
  r.end('TPMT_SIGNATURE');
  return s;
}
