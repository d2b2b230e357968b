/**
 * The IMV API (TCG IF-IMV 1.3) in TypeScript: an IMV is an object with the IF-IMV functions as optional methods; the
 * TNC server manager calls them per connection with the per-connection {@link ImvConnection}, on which the IMV
 * provides its action recommendation and evaluation result (TNC_TNCS_ProvideRecommendation).
 */
import type { ConnectionAttributes, ConnectionState, ImvEvaluation, ImvRecommendation, InitContext, MessageType, OutgoingMessage, ReceivedMessage } from './types.js';

export interface ImvVerdict {
  recommendation: ImvRecommendation;
  evaluation: ImvEvaluation;
  /** TNC_ATTRIBUTEID_REASON_STRING values, sent as PB-Reason-String. */
  reasons?: string[];
}

/** Per-connection IMV state. */
export interface ImvConnection {
  readonly connectionId: number;
  readonly imvId: number;
  readonly state: ConnectionState;
  readonly attributes: ConnectionAttributes;
  /** Free per-connection storage for the IMV (strongSwan's imv_state_t). */
  data: Record<string, unknown>;
  /** TNC_TNCS_SendMessageLong. */
  send(message: OutgoingMessage): void;
  /** TNC_TNCS_ProvideRecommendation (+ TNC_ATTRIBUTEID_REASON_STRING). */
  provideRecommendation(verdict: ImvVerdict): void;
  /** The verdict provided so far. */
  readonly verdict: ImvVerdict | undefined;
}

/** An Integrity Measurement Verifier. Every method may be async. */
export interface Imv {
  readonly name: string;
  readonly messageTypes: readonly MessageType[];
  /** TNC_IMV_Initialize. */
  initialize?(ctx: InitContext): void | Promise<void>;
  /** TNC_IMV_NotifyConnectionChange. */
  notifyConnectionChange?(c: ImvConnection, state: ConnectionState): void | Promise<void>;
  /** TNC_IMV_ReceiveMessageLong. */
  receiveMessage?(c: ImvConnection, m: ReceivedMessage): void | Promise<void>;
  /** TNC_IMV_BatchEnding. */
  batchEnding?(c: ImvConnection): void | Promise<void>;
  /** TNC_IMV_SolicitRecommendation: the client has nothing more to say; provide a recommendation now. */
  solicitRecommendation?(c: ImvConnection): void | Promise<void>;
  /** TNC_IMV_Terminate. */
  terminate?(): void | Promise<void>;
}

export type ImvFactory = (options?: Record<string, unknown>) => Imv | Promise<Imv>;
