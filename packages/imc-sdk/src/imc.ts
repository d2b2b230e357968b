/**
 * The IMC API (TCG IF-IMC 1.3) in TypeScript: an IMC is an object with the IF-IMC functions as optional methods; the
 * TNC client manager calls them per connection and hands each call the per-connection {@link ImcConnection}.
 */
import type { ConnectionAttributes, ConnectionState, InitContext, MessageType, OutgoingMessage, ReceivedMessage } from './types.js';

/** Per-connection IMC state: the connection's attributes, its current state and a way to send messages. */
export interface ImcConnection {
  /** TNCCS connection ID. */
  readonly connectionId: number;
  /** This IMC's ID. */
  readonly imcId: number;
  readonly state: ConnectionState;
  readonly attributes: ConnectionAttributes;
  /** Free per-connection storage for the IMC (strongSwan's imc_state_t). */
  data: Record<string, unknown>;
  /** TNC_TNCC_SendMessageLong: queue a message for the next batch. */
  send(message: OutgoingMessage): void;
  /** TNC_TNCC_RequestHandshakeRetry. */
  requestHandshakeRetry(): void;
}

/** An Integrity Measurement Collector. Every method may be async. */
export interface Imc {
  /** Name for log lines ("IMC 1 \"OS\" …"). */
  readonly name: string;
  /** Message types to receive (TNC_IMC_ReportMessageTypesLong); VENDOR_ANY/SUBTYPE_ANY are wildcards. */
  readonly messageTypes: readonly MessageType[];
  /** TNC_IMC_Initialize. */
  initialize?(ctx: InitContext): void | Promise<void>;
  /** TNC_IMC_NotifyConnectionChange (Create, Handshake, Allowed, Isolated, None, Delete). */
  notifyConnectionChange?(c: ImcConnection, state: ConnectionState): void | Promise<void>;
  /** TNC_IMC_BeginHandshake: send the first messages. */
  beginHandshake?(c: ImcConnection): void | Promise<void>;
  /** TNC_IMC_ReceiveMessageLong. */
  receiveMessage?(c: ImcConnection, m: ReceivedMessage): void | Promise<void>;
  /** TNC_IMC_BatchEnding. */
  batchEnding?(c: ImcConnection): void | Promise<void>;
  /** TNC_IMC_Terminate. */
  terminate?(): void | Promise<void>;
}

/** What a module named in tnc_config exports: `export default function createImc(options) { return imc }`. */
export type ImcFactory = (options?: Record<string, unknown>) => Imc | Promise<Imc>;
