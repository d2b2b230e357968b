/**
 * TPMT_PUBLIC and TPM2B_PUBLIC (Part 2 §12.2.4, §12.2.5) with the parameter structures TPMS_RSA_PARMS (§12.2.3.5),
 * TPMS_ECC_PARMS (§12.2.3.6), TPMS_KEYEDHASH_PARMS (§12.2.3.3), TPMS_SYMCIPHER_PARMS (§11.1.9) and the unique
 * field (TPMU_PUBLIC_ID, §12.2.3.2). Also the object Name (Part 1 §16): nameAlg ‖ H(TPMT_PUBLIC).
 */
import { createHash } from 'node:crypto';
import { Reader, Writer } from '@tncjs/common';
import { TPM_ALG, digestSize, nodeHashName, algName } from '../constants.js';
import { readTpm2b, writeTpm2b, decodeFail } from './tpm2b.js';
import { readScheme, readSymDef, writeScheme, writeSymDef, type Scheme, type SymDef } from './tpmt-scheme.js';

interface PublicBase {
  nameAlg: number;
  objectAttributes: number;
  authPolicy: Uint8Array;
}

export interface RsaPublic extends PublicBase {
  type: typeof TPM_ALG.RSA;
  parameters: { symmetric: SymDef; scheme: Scheme; keyBits: number; /** 0 means 65537 */ exponent: number };
  /** The modulus (TPM2B_PUBLIC_KEY_RSA). */
  unique: Uint8Array;
}

export interface EccPublic extends PublicBase {
  type: typeof TPM_ALG.ECC;
  parameters: { symmetric: SymDef; scheme: Scheme; curveId: number; kdf: Scheme };
  /** The point (TPMS_ECC_POINT). */
  unique: { x: Uint8Array; y: Uint8Array };
}

export interface KeyedHashPublic extends PublicBase {
  type: typeof TPM_ALG.KEYEDHASH;
  parameters: { scheme: Scheme };
  unique: Uint8Array;
}

export interface SymCipherPublic extends PublicBase {
  type: typeof TPM_ALG.SYMCIPHER;
  parameters: { symmetric: SymDef };
  unique: Uint8Array;
}

/** A public area. */
export type TpmtPublic = RsaPublic | EccPublic | KeyedHashPublic | SymCipherPublic;

export function writePublic(w: Writer, p: TpmtPublic): void {
  w.u16(p.type).u16(p.nameAlg).u32(p.objectAttributes >>> 0);
  writeTpm2b(w, p.authPolicy);
  switch (p.type) {
    case TPM_ALG.RSA:
      writeSymDef(w, p.parameters.symmetric);
      writeScheme(w, p.parameters.scheme);
      w.u16(p.parameters.keyBits).u32(p.parameters.exponent >>> 0);
      writeTpm2b(w, p.unique);
      break;
    case TPM_ALG.ECC:
      writeSymDef(w, p.parameters.symmetric);
      writeScheme(w, p.parameters.scheme);
      w.u16(p.parameters.curveId);
      writeScheme(w, p.parameters.kdf);
      writeTpm2b(w, p.unique.x);
      writeTpm2b(w, p.unique.y);
      break;
    case TPM_ALG.KEYEDHASH:
      writeScheme(w, p.parameters.scheme);
      writeTpm2b(w, p.unique);
      break;
    case TPM_ALG.SYMCIPHER:
      writeSymDef(w, p.parameters.symmetric);
      writeTpm2b(w, p.unique);
      break;
    default:
      throw new RangeError(`unsupported public area type ${algName((p as { type: number }).type)}`);
  }
}

export function readPublic(r: Reader): TpmtPublic {
  const type = r.u16('TPMT_PUBLIC.type');
  const nameAlg = r.u16('TPMT_PUBLIC.nameAlg');
  const objectAttributes = r.u32('TPMT_PUBLIC.objectAttributes');
  const authPolicy = readTpm2b(r, 'TPMT_PUBLIC.authPolicy', 64);
  const base = { nameAlg, objectAttributes, authPolicy };
  switch (type) {
    case TPM_ALG.RSA: {
      const symmetric = readSymDef(r);
      const scheme = readScheme(r);
      const keyBits = r.u16('TPMS_RSA_PARMS.keyBits');
      const exponent = r.u32('TPMS_RSA_PARMS.exponent');
      const unique = readTpm2b(r, 'TPM2B_PUBLIC_KEY_RSA', 512);
      return { type, ...base, parameters: { symmetric, scheme, keyBits, exponent }, unique };
    }
    case TPM_ALG.ECC: {
      const symmetric = readSymDef(r);
      const scheme = readScheme(r);
      const curveId = r.u16('TPMS_ECC_PARMS.curveID');
      const kdf = readScheme(r);
      const x = readTpm2b(r, 'TPMS_ECC_POINT.x', 128);
      const y = readTpm2b(r, 'TPMS_ECC_POINT.y', 128);
      return { type, ...base, parameters: { symmetric, scheme, curveId, kdf }, unique: { x, y } };
    }
    case TPM_ALG.KEYEDHASH:
      return { type, ...base, parameters: { scheme: readScheme(r) }, unique: readTpm2b(r, 'TPMU_PUBLIC_ID.keyedHash', 64) };
    case TPM_ALG.SYMCIPHER:
      return { type, ...base, parameters: { symmetric: readSymDef(r) }, unique: readTpm2b(r, 'TPMU_PUBLIC_ID.sym', 64) };
    default:
      return decodeFail(r, `unsupported TPMT_PUBLIC type ${algName(type)}`);
  }
}

/** Marshalled TPMT_PUBLIC. */
export function encodePublic(p: TpmtPublic): Uint8Array {
  const w = new Writer(512);
  writePublic(w, p);
  return w.finish();
}

/** Parse a TPMT_PUBLIC that fills `b` exactly. */
export function decodePublic(b: Uint8Array): TpmtPublic {
  const r = new Reader(b);
  const p = readPublic(r);
  r.end('TPMT_PUBLIC');
  return p;
}

/** TPM2B_PUBLIC: size ‖ TPMT_PUBLIC. */
export function writePublic2b(w: Writer, p: TpmtPublic): void {
  writeTpm2b(w, encodePublic(p));
}

/** Read a TPM2B_PUBLIC; also returns the raw TPMT_PUBLIC bytes (what the Name is computed over). */
export function readPublic2b(r: Reader): { public: TpmtPublic; bytes: Uint8Array } {
  const at = r.offset;
  const bytes = readTpm2b(r, 'TPM2B_PUBLIC', 2048);
  const inner = new Reader(bytes, at + 2);
  const pub = readPublic(inner);
  inner.end('TPM2B_PUBLIC');
  return { public: pub, bytes };
}

/** Marshalled TPM2B_PUBLIC (tpm2-tools' `.pub` file format, strongSwan's public key blob). */
export function encodePublic2b(p: TpmtPublic): Uint8Array {
  const w = new Writer(512);
  writePublic2b(w, p);
  return w.finish();
}

/** Parse a TPM2B_PUBLIC blob (e.g. a tpm2-tools `.pub` file). */
export function decodePublic2b(b: Uint8Array): TpmtPublic {
  const r = new Reader(b);
  const p = readPublic2b(r).public;
  r.end('TPM2B_PUBLIC');
  return p;
}

/** Name of an object: nameAlg ‖ H_nameAlg(TPMT_PUBLIC) (Part 1 §16). */
export function objectName(p: TpmtPublic | Uint8Array): Uint8Array {
  const bytes = p instanceof Uint8Array ? p : encodePublic(p);
  const nameAlg = (bytes[2] << 8) | bytes[3];
  if (digestSize(nameAlg) === 0) throw new RangeError(`cannot compute a Name with nameAlg ${algName(nameAlg)}`);
  const d = createHash(nodeHashName(nameAlg)).update(bytes).digest();
  const out = new Uint8Array(2 + d.length);
  out[0] = nameAlg >> 8;
  out[1] = nameAlg & 0xff;
  out.set(d, 2);
  return out;
}
