/**
 * The TNC server (IF-TNCCS server side, strongSwan's tnc_imv_manager + tnccs_20_server): loads IMVs, routes the
 * client's PB-PA messages to subscribed IMVs (EXCL: only to the addressed IMV), calls BatchEnding, and once every IMV
 * has provided a recommendation — or the client sent an empty CDATA batch and the IMVs were solicited — combines them
 * into the PB-TNC assessment result and access recommendation of the RESULT batch.
 */
import { getLogger, type Logger } from '@tncjs/common';
import { PbTncConnection, ACCESS_RECOMMENDATION_NAMES, type PaMessage, type PbTncConnectionOptions } from '@tncjs/pb-tnc';
import type { Imv, ImvConnection, ImvVerdict } from './imv.js';
import { CONNECTION_STATE_NAMES, ConnectionState, ID_ANY, IMV_EVALUATION_NAMES, IMV_RECOMMENDATION_NAMES, type ConnectionAttributes, type OutgoingMessage } from './types.js';
import { connectionAttributes, logCreatedState, logMessageTypes, sendMessage, subscribes, type Module } from './session.js';
import { combineRecommendations, type CombinedDecision } from './recommendation.js';

interface LoadedImv extends Module {
  imv: Imv;
}

export interface TncServerOptions {
  logger?: Logger;
}

export class TncServer {
  private readonly list: LoadedImv[] = [];
  /** The manager's logger (IMCs/IMVs get it at initialization). */
  readonly logger: Logger;

  constructor(options: TncServerOptions = {}) {
    this.logger = options.logger ?? getLogger();
  }

  private get log(): Logger {
    return this.logger;
  }

  get imvs(): readonly { id: number; name: string; imv: Imv }[] {
    return this.list;
  }

  /** Add an IMV: next ID, TNC_IMV_Initialize, report its message types. */
  async add(imv: Imv, source?: string, name = imv.name): Promise<number> {
    const id = this.list.length + 1;
    const m: LoadedImv = { id, name, messageTypes: [...imv.messageTypes], imv };
    await imv.initialize?.({ id, logger: this.log });
    logMessageTypes(this.log, 'IMV', m);
    if (source !== undefined) this.log.log('TNC', 1, `IMV ${id} "${name}" loaded from '${source}'`);
    this.list.push(m);
    return id;
  }

  connect(options: Omit<PbTncConnectionOptions, 'role' | 'handler'> & { ifT?: ConnectionAttributes['ifT'] } = {}): TncServerConnection {
    return new TncServerConnection(this.list, options, options.logger ?? this.log);
  }

  async terminate(): Promise<void> {
    for (const m of [...this.list].reverse()) {
      await m.imv.terminate?.();
      this.log.log('IMV', 1, `IMV ${m.id} "${m.name}" terminated`);
    }
    this.list.length = 0;
  }
}

class ImvState implements ImvConnection {
  state: ConnectionState = ConnectionState.CREATE;
  data: Record<string, unknown> = {};
  verdict: ImvVerdict | undefined;
  /** The IMC that last wrote to us (default destination of replies). */
  peer = ID_ANY;
  constructor(
    readonly m: LoadedImv,
    private readonly owner: TncServerConnection,
    readonly attributes: ConnectionAttributes,
    private readonly log: Logger,
  ) {}
  get connectionId(): number {
    return this.owner.connectionId;
  }
  get imvId(): number {
    return this.m.id;
  }
  send(message: OutgoingMessage): void {
    this.owner.send(this, message);
  }
  provideRecommendation(v: ImvVerdict): void {
    this.verdict = { ...v, reasons: [...(v.reasons ?? [])] };
    this.log.log('IMV', 1, `IMV ${this.m.id} "${this.m.name}" provides recommendation '${IMV_RECOMMENDATION_NAMES[v.recommendation]}' and evaluation '${IMV_EVALUATION_NAMES[v.evaluation]}'`);
  }
}

/** One IF-TNCCS 2.0 connection on the server side: `receive(batch)` returns the answer. */
export class TncServerConnection {
  readonly pb: PbTncConnection;
  private readonly states: ImvState[];
  private readonly inbox: PaMessage[] = [];
  private started = false;
  private deleted = false;
  private sent = 0;
  private decided: CombinedDecision | undefined;

  constructor(
    imvs: readonly LoadedImv[],
    options: Omit<PbTncConnectionOptions, 'role' | 'handler'> & { ifT?: ConnectionAttributes['ifT'] },
    private readonly log: Logger,
  ) {
    this.pb = new PbTncConnection({ ...options, role: 'server', logger: log, handler: { paMessage: (m) => this.inbox.push(m) } });
    this.log.log('TNC', 1, `assigned TNCCS Connection ID ${this.pb.connectionId}`);
    const attrs = connectionAttributes(this.pb, options.ifT);
    this.states = imvs.map((m) => new ImvState(m, this, attrs, log));
  }

  get connectionId(): number {
    return this.pb.connectionId;
  }

  /** The combined decision once made. */
  get decision(): CombinedDecision | undefined {
    return this.decided;
  }

  stateOf(id: number): ImvConnection | undefined {
    return this.states.find((s) => s.imvId === id);
  }

  /** @internal */
  send(s: ImvState, message: OutgoingMessage): void {
    sendMessage(this.pb, s.m, 'IMV', message, s.peer, this.log);
    this.sent++;
  }

  private async change(s: ImvState, state: ConnectionState): Promise<void> {
    s.state = state;
    if (state === ConnectionState.CREATE) logCreatedState(this.log, 'IMV', s.m, this.connectionId, s.attributes);
    else if (state === ConnectionState.DELETE) this.log.log('IMV', 1, `IMV ${s.m.id} "${s.m.name}" deleted the state of Connection ID ${this.connectionId}`);
    else this.log.log('IMV', 1, `IMV ${s.m.id} "${s.m.name}" changed state of Connection ID ${this.connectionId} to '${CONNECTION_STATE_NAMES[state]}'`);
    await s.m.imv.notifyConnectionChange?.(s, state);
  }

  /** Process a batch from the client; returns the answer (SDATA, RESULT or CLOSE) or undefined. */
  async receive(batch: Uint8Array): Promise<Uint8Array | undefined> {
    if (!this.started) {
      this.started = true;
      for (const s of this.states) await this.change(s, ConnectionState.CREATE);
      for (const s of this.states) await this.change(s, ConnectionState.HANDSHAKE);
    }
    this.pb.receive(batch);
    const messages = this.inbox.splice(0);
    if (this.pb.closed || this.pb.failed) return this.pb.build();
    for (const pa of messages) {
      const targets = this.states.filter((s) => subscribes(s.m, pa.paVendorId, pa.paSubtype) && (!pa.exclusive || s.m.id === pa.validatorId));
      if (targets.length === 0) this.log.log('TNC', 1, `no IMV subscribed to PA message type 0x${pa.paVendorId.toString(16).padStart(6, '0')}/0x${pa.paSubtype.toString(16).padStart(8, '0')}`);
      for (const s of targets) {
        s.peer = pa.collectorId;
        this.log.log('IMV', 1, `IMV ${s.m.id} "${s.m.name}" received message for Connection ID ${this.connectionId} from IMC ${pa.collectorId}`);
        await s.m.imv.receiveMessage?.(s, { vendorId: pa.paVendorId, subtype: pa.paSubtype, sourceId: pa.collectorId, destinationId: pa.validatorId, exclusive: pa.exclusive === true, body: pa.body });
      }
    }
    this.sent = 0;
    if (!this.decided) {
      for (const s of this.states) await s.m.imv.batchEnding?.(s);
      let pending = this.states.filter((s) => !s.verdict);
      // the client has nothing more to say and no IMV asked for more: TNC_IMV_SolicitRecommendation
      if (pending.length > 0 && this.pb.lastCdataEmpty && this.sent === 0) {
        for (const s of pending) await s.m.imv.solicitRecommendation?.(s);
        pending = this.states.filter((s) => !s.verdict);
        for (const s of pending) s.provideRecommendation({ recommendation: 3, evaluation: 4 });
      }
      if (pending.length === 0) this.decide();
    }
    return this.pb.build();
  }

  private decide(): void {
    const d = combineRecommendations(this.states.map((s) => s.verdict));
    this.decided = d;
    this.log.log('TNC', 1, `final recommendation is '${IMV_RECOMMENDATION_NAMES[d.action]}' and evaluation is '${IMV_EVALUATION_NAMES[d.evaluation]}'`);
    this.log.log('TNC', 1, `PB-TNC access recommendation is '${ACCESS_RECOMMENDATION_NAMES[d.recommendation]}'`);
    this.pb.setRecommendation({ assessment: d.evaluation, recommendation: d.recommendation, reasons: d.reasons.map((reason) => ({ reason, languageCode: 'en' })) });
  }

  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    for (const s of this.states) await this.change(s, ConnectionState.DELETE);
    this.log.log('TNC', 1, `removed TNCCS Connection ID ${this.connectionId}`);
  }
}
