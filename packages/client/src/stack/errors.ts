/** Typed errors of the client stack (`connectTnc`); stable codes for the CLI's messages and exit code 1. */
import { TncjsError } from '@tncjs/common';

export const TncConnectErrorCode = {
  /** Bad options (trust anchors unreadable, …). */
  CONFIG: 'ERR_TNC_CONFIG',
  /** The TPM or the AIK could not be used. */
  TPM: 'ERR_TNC_TPM',
  /** IKE/EAP failed without an access decision (timeout, wrong password, untrusted gateway, …); `cause` has the IkeError. */
  IKE: 'ERR_TNC_IKE',
  /** Operation not possible in this state (no CHILD_SA). */
  STATE: 'ERR_TNC_STATE',
  /** The kernel refused the CHILD_SA (`kernel: true`); `cause` has the IkeError ERR_IKE_KERNEL. */
  KERNEL: 'ERR_TNC_KERNEL',
  /** The `signal` was aborted while connecting. */
  ABORTED: 'ERR_TNC_ABORTED',
} as const;

export class TncConnectError extends TncjsError {}
