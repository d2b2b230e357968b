/**
 * Tickets (Part 2 §10.7): TPMT_TK_CREATION, TPMT_TK_VERIFIED, TPMT_TK_AUTH and TPMT_TK_HASHCHECK share one layout:
 * tag, hierarchy, digest. A NULL ticket is `{ tag, hierarchy: TPM_RH_NULL, digest: empty }`.
 */
import type { Reader, Writer } from '@tncjs/common';
import { TPM_RH, TPM_ST } from '../constants.js';
import { readTpm2b, writeTpm2b } from './tpm2b.js';

export interface Ticket {
  tag: number;
  hierarchy: number;
  digest: Uint8Array;
}

export function readTicket(r: Reader): Ticket {
  return { tag: r.u16('ticket.tag'), hierarchy: r.u32('ticket.hierarchy'), digest: readTpm2b(r, 'ticket.digest', 64) };
}

export function writeTicket(w: Writer, t: Ticket): void {
  w.u16(t.tag).u32(t.hierarchy);
  writeTpm2b(w, t.digest);
}

/** The NULL TPMT_TK_HASHCHECK TPM2_Sign takes for digests the TPM did not compute (unrestricted keys only). */
export function nullHashcheck(): Ticket {
  return { tag: TPM_ST.HASHCHECK, hierarchy: TPM_RH.NULL, digest: new Uint8Array(0) };
}
