/**
 * The TNC client (IF-TNCCS client side, strongSwan's tnc_imc_manager + tnccs_20_client): loads IMCs, creates their
 * per-connection states on a PB-TNC connection, routes PB-PA messages to subscribed IMCs (EXCL: only to the addressed
 * IMC), calls BatchEnding, and delivers the server's decision as 'Allowed'/'Isolated'/'None' state changes.
 */
import { getLogger, type Logger } from '@tncjs/common';
import { PbTncConnection, AccessRecommendation, type PaMessage, type PbTncResult, type PbTncConnectionOptions } from '@tncjs/pb-tnc';
import type { Imc, ImcConnection } from './imc.js';
import { CONNECTION_STATE_NAMES, ConnectionState, ID_ANY, type ConnectionAttributes, type OutgoingMessage } from './types.js';
import { connectionAttributes, logCreatedState, logMessageTypes, sendMessage, subscribes, type Module } from './session.js';

interface LoadedImc extends Module {
  imc: Imc;
}

export interface TncClientOptions {
  logger?: Logger;
}

export class TncClient {
  private readonly list: LoadedImc[] = [];
  /** The manager's logger (IMCs/IMVs get it at initialization). */
  readonly logger: Logger;

  constructor(options: TncClientOptions = {}) {
    this.logger = options.logger ?? getLogger();
  }

  private get log(): Logger {
    return this.logger;
  }

  /** The loaded IMCs with their IDs, in load order. */
  get imcs(): readonly { id: number; name: string; imc: Imc }[] {
    return this.list;
  }

  /** Add an IMC: assign the next ID, TNC_IMC_Initialize, report its message types ("IMC 1 \"OS\" loaded from '…'"). */
  async add(imc: Imc, source?: string, name = imc.name): Promise<number> {
    const id = this.list.length + 1;
    const m: LoadedImc = { id, name, messageTypes: [...imc.messageTypes], imc };
    await imc.initialize?.({ id, logger: this.log });
    logMessageTypes(this.log, 'IMC', m);
    if (source !== undefined) this.log.log('TNC', 1, `IMC ${id} "${name}" loaded from '${source}'`);
    this.list.push(m);
    return id;
  }

  /** A PB-TNC client connection with every IMC attached. */
  connect(options: Omit<PbTncConnectionOptions, 'role' | 'handler'> & { ifT?: ConnectionAttributes['ifT'] } = {}): TncClientConnection {
    return new TncClientConnection(this.list, options, options.logger ?? this.log);
  }

  /** TNC_IMC_Terminate for every IMC, last loaded first. */
  async terminate(): Promise<void> {
    for (const m of [...this.list].reverse()) {
      await m.imc.terminate?.();
      this.log.log('IMC', 1, `IMC ${m.id} "${m.name}" terminated`);
    }
    this.list.length = 0;
  }
}

class ImcState implements ImcConnection {
  state: ConnectionState = ConnectionState.CREATE;
  data: Record<string, unknown> = {};
  constructor(
    readonly m: LoadedImc,
    private readonly owner: TncClientConnection,
    readonly attributes: ConnectionAttributes,
  ) {}
  get connectionId(): number {
    return this.owner.connectionId;
  }
  get imcId(): number {
    return this.m.id;
  }
  send(message: OutgoingMessage): void {
    this.owner.send(this.m, message);
  }
  requestHandshakeRetry(): void {
    this.owner.pb.requestRetry();
  }
}

/** One IF-TNCCS 2.0 connection on the client side: `start()`, then `receive(batch)` until it returns undefined. */
export class TncClientConnection {
  readonly pb: PbTncConnection;
  private readonly states: ImcState[];
  private readonly inbox: PaMessage[] = [];
  private decision: PbTncResult | undefined;
  private started = false;
  private deleted = false;

  constructor(
    imcs: readonly LoadedImc[],
    options: Omit<PbTncConnectionOptions, 'role' | 'handler'> & { ifT?: ConnectionAttributes['ifT'] },
    private readonly log: Logger,
  ) {
    this.pb = new PbTncConnection({
      ...options,
      role: 'client',
      logger: log,
      handler: { paMessage: (m) => this.inbox.push(m), result: (r) => (this.decision = r) },
    });
    this.log.log('TNC', 1, `assigned TNCCS Connection ID ${this.pb.connectionId}`);
    const attrs = connectionAttributes(this.pb, options.ifT);
    this.states = imcs.map((m) => new ImcState(m, this, attrs));
  }

  get connectionId(): number {
    return this.pb.connectionId;
  }

  /** The server's decision once the RESULT batch arrived. */
  get result(): PbTncResult | undefined {
    return this.decision;
  }

  /** Per-connection state of IMC `id` (for tests and tools). */
  stateOf(id: number): ImcConnection | undefined {
    return this.states.find((s) => s.imcId === id);
  }

  /** @internal */
  send(m: LoadedImc, message: OutgoingMessage): void {
    sendMessage(this.pb, m, 'IMC', message, ID_ANY, this.log);
  }

  private async change(s: ImcState, state: ConnectionState): Promise<void> {
    s.state = state;
    if (state === ConnectionState.CREATE) logCreatedState(this.log, 'IMC', s.m, this.connectionId, s.attributes);
    else if (state === ConnectionState.DELETE) this.log.log('IMC', 1, `IMC ${s.m.id} "${s.m.name}" deleted the state of Connection ID ${this.connectionId}`);
    else this.log.log('IMC', 1, `IMC ${s.m.id} "${s.m.name}" changed state of Connection ID ${this.connectionId} to '${CONNECTION_STATE_NAMES[state]}'`);
    await s.m.imc.notifyConnectionChange?.(s, state);
  }

  /** Create the IMC states, Handshake, TNC_IMC_BeginHandshake; returns the first CDATA batch. */
  async start(): Promise<Uint8Array> {
    if (this.started) throw new TypeError('connection already started');
    this.started = true;
    for (const s of this.states) await this.change(s, ConnectionState.CREATE);
    for (const s of this.states) await this.change(s, ConnectionState.HANDSHAKE);
    for (const s of this.states) await s.m.imc.beginHandshake?.(s);
    return this.pb.build()!;
  }

  /**
   * Process a batch from the server: PB-PA messages to the IMCs, BatchEnding, and after a RESULT the state change.
   * @returns the next batch to send, or undefined when the exchange is over
   */
  async receive(batch: Uint8Array): Promise<Uint8Array | undefined> {
    const before = this.decision;
    this.pb.receive(batch);
    const messages = this.inbox.splice(0);
    for (const pa of messages) {
      const targets = this.states.filter((s) => subscribes(s.m, pa.paVendorId, pa.paSubtype) && (!pa.exclusive || s.m.id === pa.collectorId));
      if (targets.length === 0) this.log.log('TNC', 1, `no IMC subscribed to PA message type 0x${pa.paVendorId.toString(16).padStart(6, '0')}/0x${pa.paSubtype.toString(16).padStart(8, '0')}`);
      for (const s of targets) {
        this.log.log('IMC', 1, `IMC ${s.m.id} "${s.m.name}" received message for Connection ID ${this.connectionId} from IMV ${pa.validatorId}`);
        await s.m.imc.receiveMessage?.(s, { vendorId: pa.paVendorId, subtype: pa.paSubtype, sourceId: pa.validatorId, destinationId: pa.collectorId, exclusive: pa.exclusive === true, body: pa.body });
      }
    }
    if (this.decision && this.decision !== before) {
      const r = this.decision.recommendation;
      const state = r === AccessRecommendation.ALLOWED ? ConnectionState.ACCESS_ALLOWED : r === AccessRecommendation.ISOLATED ? ConnectionState.ACCESS_ISOLATED : ConnectionState.ACCESS_NONE;
      for (const s of this.states) await this.change(s, state);
    } else if (!this.pb.closed) {
      for (const s of this.states) await s.m.imc.batchEnding?.(s);
    }
    return this.pb.build();
  }

  /** Delete the IMC states (after the transport finished). Idempotent. */
  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    for (const s of this.states) await this.change(s, ConnectionState.DELETE);
    this.log.log('TNC', 1, `removed TNCCS Connection ID ${this.connectionId}`);
  }
}
