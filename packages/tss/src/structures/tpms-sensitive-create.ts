/**
 * TPMS_SENSITIVE_CREATE / TPM2B_SENSITIVE_CREATE (Part 2 §11.1.15, §11.1.16): the userAuth and data of a new object.
 * These bytes are secret: the command layer never logs them below level 4.
 */
import { Writer } from '@tncjs/common';
import { writeTpm2b } from './tpm2b.js';

export interface SensitiveCreate {
  /** The new object's authValue (password). */
  userAuth?: Uint8Array;
  /** Data to seal (keyed-hash objects) or empty. */
  data?: Uint8Array;
}

export function writeSensitiveCreate2b(w: Writer, s: SensitiveCreate = {}): void {
  const inner = new Writer(64);
  writeTpm2b(inner, s.userAuth ?? new Uint8Array(0));
  writeTpm2b(inner, s.data ?? new Uint8Array(0));
  writeTpm2b(w, inner.finish());
}
