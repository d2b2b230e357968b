/**
 * Sealing and opening the SK payload (RFC 7296 §3.14) and the SKF payload (RFC 7383 §2.5) with AES-CBC + HMAC
 * (encrypt, then ICV over the whole message) or AES-GCM-16 (RFC 5282: AAD = IKE header … SK/SKF header, nonce = salt ‖ IV).
 */
import { type CipherGCMTypes, createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Writer } from '@tncjs/common';
import { IkeError, IkeErrorCode } from '../errors.js';
import { IKE_HEADER_SIZE, PayloadType } from '../constants.js';
import { encodeHeader, type IkeMessage } from '../message.js';
import { encodePayloads, type AnyPayload } from '../payloads/index.js';
import type { EncrAlg, IntegAlg } from './algorithms.js';

export interface SkContext {
  encr: EncrAlg;
  integ?: IntegAlg;
  /** SK_e (key ‖ salt for GCM) and SK_a of the sending direction. */
  encrKey: Uint8Array;
  integKey?: Uint8Array;
}

const aesName = (keyBytes: number, mode: 'cbc' | 'gcm') => `aes-${keyBytes * 8}-${mode}`;
const gcmName = (keyBytes: number) => `aes-${keyBytes * 8}-gcm` as CipherGCMTypes;

/** Size of the protected data (IV ‖ ciphertext ‖ ICV) for `plainLen` bytes of inner payloads. */
export function protectedSize(ctx: SkContext, plainLen: number): number {
  const icv = ctx.encr.aead ? ctx.encr.icvSize : ctx.integ!.icvSize;
  const bs = ctx.encr.blockSize;
  const padded = Math.ceil((plainLen + 1) / bs) * bs;
  return ctx.encr.ivSize + padded + icv;
}

/**
 * Build an encrypted message: header, `outer` plaintext payloads, then SK (or SKF when `fragment` is given) holding
 * `inner` (already encoded payload chain whose first payload type is `innerType`).
 */
export function sealMessage(
  header: Omit<IkeMessage, 'payloads'>,
  inner: Uint8Array,
  innerType: number,
  ctx: SkContext,
  fragment?: { number: number; total: number },
): Uint8Array {
  const { encr } = ctx;
  const icvSize = encr.aead ? encr.icvSize : ctx.integ?.icvSize;
  if (icvSize === undefined || (!encr.aead && !ctx.integKey)) throw new RangeError('non-AEAD cipher without integrity key');
  const bs = encr.blockSize;
  const padded = Math.ceil((inner.byteLength + 1) / bs) * bs;
  const plain = new Uint8Array(padded);
  plain.set(inner);
  plain[padded - 1] = padded - inner.byteLength - 1;
  const iv = new Uint8Array(randomBytes(encr.ivSize));
  const skHeader = fragment ? 8 : 4;
  const dataLen = encr.ivSize + padded + icvSize;
  const total = IKE_HEADER_SIZE + skHeader + dataLen;
  const w = new Writer(total);
  encodeHeader(w, header, fragment ? PayloadType.SKF : PayloadType.SK, total);
  w.u8(innerType).u8(0).u16(skHeader + dataLen);
  if (fragment) w.u16(fragment.number).u16(fragment.total);
  const aadEnd = w.length;
  w.bytes(iv);
  w.zeros(padded + icvSize);
  const out = w.finish();
  const ctAt = aadEnd + encr.ivSize;
  if (encr.aead) {
    const keyLen = ctx.encrKey.byteLength - encr.saltSize;
    const nonce = new Uint8Array(12);
    nonce.set(ctx.encrKey.subarray(keyLen), 0);
    nonce.set(iv, 4);
    const c = createCipheriv(gcmName(keyLen), ctx.encrKey.subarray(0, keyLen), nonce, { authTagLength: icvSize });
    c.setAAD(out.subarray(0, aadEnd));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    out.set(ct, ctAt);
    out.set(c.getAuthTag(), ctAt + padded);
  } else {
    const c = createCipheriv(aesName(ctx.encrKey.byteLength, 'cbc'), ctx.encrKey, iv);
    c.setAutoPadding(false);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    out.set(ct, ctAt);
    const mac = createHmac(ctx.integ!.hash, ctx.integKey!).update(out.subarray(0, total - icvSize)).digest();
    out.set(mac.subarray(0, icvSize), total - icvSize);
  }
  plain.fill(0);
  return out;
}

/** Seal a payload list as one SK message. */
export function sealPayloads(header: Omit<IkeMessage, 'payloads'>, inner: readonly AnyPayload[], ctx: SkContext): Uint8Array {
  const w = new Writer();
  encodePayloads(w, inner);
  return sealMessage(header, w.finish(), inner.length ? inner[0].type : 0, ctx);
}

/**
 * Verify and decrypt the SK/SKF payload at the end of `message` (its protected bytes `data`); returns the inner
 * payload chain bytes without padding.
 * @throws IkeError ERR_IKE_INTEGRITY when the ICV does not verify or the padding is invalid
 */
export function openMessage(message: Uint8Array, data: Uint8Array, fragment: boolean, ctx: SkContext): Uint8Array {
  const { encr } = ctx;
  const icvSize = encr.aead ? encr.icvSize : ctx.integ!.icvSize;
  const fail = (why: string) => new IkeError(IkeErrorCode.INTEGRITY, `could not decrypt payloads: ${why}`);
  const ctLen = data.byteLength - encr.ivSize - icvSize;
  if (ctLen <= 0 || ctLen % encr.blockSize !== 0) throw fail(`invalid length ${data.byteLength}`);
  const aadEnd = message.byteLength - data.byteLength;
  if (aadEnd < IKE_HEADER_SIZE + (fragment ? 8 : 4)) throw fail('SK payload outside message');
  const iv = data.subarray(0, encr.ivSize);
  const ct = data.subarray(encr.ivSize, encr.ivSize + ctLen);
  const icv = data.subarray(encr.ivSize + ctLen);
  let plain: Uint8Array;
  try {
    if (encr.aead) {
      const keyLen = ctx.encrKey.byteLength - encr.saltSize;
      const nonce = new Uint8Array(12);
      nonce.set(ctx.encrKey.subarray(keyLen), 0);
      nonce.set(iv, 4);
      const d = createDecipheriv(gcmName(keyLen), ctx.encrKey.subarray(0, keyLen), nonce, { authTagLength: icvSize });
      d.setAAD(message.subarray(0, aadEnd));
      d.setAuthTag(icv);
      plain = new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
    } else {
      const mac = createHmac(ctx.integ!.hash, ctx.integKey!).update(message.subarray(0, message.byteLength - icvSize)).digest().subarray(0, icvSize);
      if (!timingSafeEqual(mac, icv)) throw fail('integrity check failed');
      const d = createDecipheriv(aesName(ctx.encrKey.byteLength, 'cbc'), ctx.encrKey, iv);
      d.setAutoPadding(false);
      plain = new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
    }
  } catch (e) {
    if (e instanceof IkeError) throw e;
    throw new IkeError(IkeErrorCode.INTEGRITY, 'could not decrypt payloads: integrity check failed', { cause: e });
  }
  const padLen = plain[plain.byteLength - 1];
  if (padLen + 1 > plain.byteLength) throw fail(`invalid pad length ${padLen}`);
  return plain.subarray(0, plain.byteLength - padLen - 1);
}
