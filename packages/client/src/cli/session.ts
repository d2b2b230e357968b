/**
 * The seam between the `tnc-client` command and the network stack. The command never builds IKE, EAP or PB-TNC
 * itself: it is given a `StartSession` (the real one adapts `connectTnc(toConnectOptions(cfg))`, tests inject a
 * fake) and drives the Session it returns.
 */
import type { Logger } from '@tncjs/common';
import type { ClientConfig } from '../config/types.js';

/** The TNC access decision the gateway enforces (PB-TNC Access Recommendation / strongSwan's IMV result). */
export type Outcome = 'allowed' | 'isolated' | 'denied';

/** A connection that has been through IKE_AUTH and the TNC assessment. */
export interface Session {
  /** The assessment result. */
  readonly outcome: Outcome;
  /**
   * A JSON-compatible snapshot for `tnc-client status` (SAs, SPIs, traffic selectors, IMC results …). Values under keys
   * that look like secrets (password, secret, msk, key material) are redacted by the command unless log level 4 is set.
   */
  status(): object;
  /** Tear down: INFORMATIONAL DELETE of the IKE_SA, then release everything. Must not throw for an already closed session. */
  close(): Promise<void>;
  /** Optional: settles when the gateway ends the session on its own (DELETE from the peer, dead peer); `up` then exits. */
  readonly closed?: Promise<void>;
}

/** Called by the stack while it uploads attestation evidence: bytes sent so far and the total (0 when unknown). */
export type ProgressFn = (sent: number, total: number) => void;

/** What the command gives the stack besides the configuration and the logger. */
export interface SessionContext {
  /** Report evidence upload progress (rendered on a terminal, silent in --json mode or when stderr is not a TTY). */
  progress: ProgressFn;
  /** Aborted on SIGINT/SIGTERM or `tnc-client down` while the connection is being set up: stop and reject. */
  signal: AbortSignal;
}

/** Bring up one connection. Rejects on failure (typed errors: their message is shown to the operator). */
export type StartSession = (cfg: ClientConfig, log: Logger, ctx: SessionContext) => Promise<Session>;
