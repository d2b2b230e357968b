/**
 * RFC 7171 PT-EAP in both roles: the EAP method that carries one PB-TNC batch per EAP message between a
 * `PbTncConnection` on the TNC client (EAP peer) and one on the TNC server (EAP server). The server starts with a
 * Start message carrying its version; the peer answers with the version and its first CDATA batch; then each Request
 * carries the server's batch and each Response the client's, until the client's CLOSE.
 *
 * Version negotiation (RFC 7171 §4.1, as strongSwan): only version 1 exists; a peer receiving another version in
 * Start fails ("received EAP_PT_EAP packet with unsupported version"), and so does a server receiving a Response with
 * another version.
 */
import { getLogger, type Logger } from '@tncjs/common';
import { EapCode, EapType, type EapMethod, type EapMethodContext, type EapMethodFactory, type EapMethodFactoryContext, type EapMethodResult, type EapPacket, type EapRole } from '@tncjs/eap';
import { AccessRecommendation, defaultMessageRegistry, BatchType, PbAccessRecommendation, PbTncConnection, batchTypeName, decodeBatch, peekBatchHeader, type PbTncConnectionOptions } from '@tncjs/pb-tnc';
import { decodePtEapData, encodePtEapData, PT_EAP_HEADER_SIZE, PT_EAP_START, PT_EAP_VERSION } from './header.js';
import { PtEapError, PtEapErrorCode } from './errors.js';

/**
 * Maximum PB-TNC batch size over PT-EAP. The seed's strongSwan (5.9.x) announces "IF-T for Tunneled EAP 2.0 with
 * maximum PA-TNC message size of 32722 bytes", i.e. batches of at most 32,754 bytes; strongSwan 6 uses 65,522
 * (PA-TNC 65,490). We send at most the seed value by default (accepted by both) and receive up to the EAP limit.
 */
export const PT_EAP_SEED_MAX_BATCH_SIZE = 32754;
export const STRONGSWAN6_MAX_BATCH_SIZE = 65522;
/** PB-TNC batch overhead around a PA message (batch header 8, message header 12, PB-PA header 12). */
export const PB_PA_OVERHEAD = 32;

const PT = { type: EapType.PT_EAP };

/** A PbTncConnection configured for PT-EAP (maximum batch size defaulting to the seed's 32,754 bytes). */
export function createPtEapConnection(options: PbTncConnectionOptions): PbTncConnection {
  return new PbTncConnection({ ...options, maxBatchSize: options.maxBatchSize ?? PT_EAP_SEED_MAX_BATCH_SIZE });
}

export interface PtEapOptions {
  /** The PB-TNC connection of this exchange (or a function creating it per method instance). */
  connection: PbTncConnection | ((ctx: EapMethodFactoryContext) => PbTncConnection);
  /**
   * Server: which access recommendation makes the method succeed (default: Access Allowed or Quarantined, as
   * strongSwan's "allow"/"isolate"; Access Denied or none fails it).
   */
  acceptRecommendation?: (recommendation: number | undefined) => boolean;
  logger?: Logger;
}

/** Shared by both roles (header coding, logging, failure results); subclasses implement `process`. */
export abstract class PtEapMethod implements EapMethod {
  readonly methodType = PT;
  abstract readonly role: EapRole;
  protected readonly log: Logger;
  protected started = false;
  private pbValue?: PbTncConnection;

  /**
   * @param pb the PB-TNC connection, or a function creating it when first needed (the peer creates its IF-TNCCS
   *   connection when the server's Start arrives, after "EAP_PT_EAP version is v1", as strongSwan does)
   */
  constructor(private readonly pbSource: PbTncConnection | (() => PbTncConnection), logger?: Logger) {
    this.log = logger ?? getLogger();
    if (typeof pbSource !== 'function') void this.pb;
  }

  /** The carried PB-TNC connection (created on first use when given as a function). */
  protected get pb(): PbTncConnection {
    if (!this.pbValue) {
      this.pbValue = typeof this.pbSource === 'function' ? this.pbSource() : this.pbSource;
      this.log.log('TNC', 2, `PT-EAP transport: IF-T for Tunneled EAP 2.0 with maximum PA-TNC message size of ${this.pbValue.maxMessageSize} bytes`);
    }
    return this.pbValue;
  }

  /** Whether the PB-TNC connection exists yet. */
  protected get hasConnection(): boolean {
    return this.pbValue !== undefined;
  }

  abstract process(p: EapPacket, ctx: EapMethodContext): EapMethodResult | Promise<EapMethodResult>;

  /** The carried PB-TNC connection. */
  get connection(): PbTncConnection {
    return this.pb;
  }

  protected fail(code: string, message: string): EapMethodResult {
    this.log.log('TNC', 1, message);
    return { status: 'failure', error: new PtEapError(code, message) };
  }

  protected message(identifier: number, batch: Uint8Array | undefined, start = false): EapMethodResult {
    const data = encodePtEapData({ start, version: PT_EAP_VERSION, data: batch ?? new Uint8Array(0) });
    this.log.log('TNC', 2, `sending EAP_PT_EAP ${start ? 'start ' : ''}packet (${PT_EAP_HEADER_SIZE - 1 + data.byteLength} bytes)`);
    return { status: 'continue', packet: { code: this.role === 'server' ? EapCode.REQUEST : EapCode.RESPONSE, identifier, type: EapType.PT_EAP, data } };
  }

  protected decode(p: EapPacket) {
    try {
      return decodePtEapData(p.data);
    } catch (e) {
      return this.fail(PtEapErrorCode.DECODE, `invalid EAP_PT_EAP packet: ${(e as Error).message}`);
    }
  }
}

/** PT-EAP on the EAP peer (TNC client). */
export class PtEapPeer extends PtEapMethod {
  readonly role: EapRole = 'peer';
  private resultReceived = false;

  process(p: EapPacket, ctx: EapMethodContext): EapMethodResult {
    const d = this.decode(p);
    if ('status' in d) return d;
    if (d.start) {
      if (this.started) return this.fail(PtEapErrorCode.STATE, 'received unexpected EAP_PT_EAP start packet');
      this.log.log('TLS', 1, `EAP_PT_EAP version is v${d.version}`);
      if (d.version !== PT_EAP_VERSION) return this.fail(PtEapErrorCode.VERSION, `received EAP_PT_EAP packet with unsupported version v${d.version}`);
      this.started = true;
      if (d.data.byteLength) this.pb.receive(d.data);
      return this.message(ctx.identifier, this.pb.build());
    }
    if (!this.started) return this.fail(PtEapErrorCode.STATE, 'EAP_PT_EAP start packet expected');
    if (d.version !== PT_EAP_VERSION) return this.fail(PtEapErrorCode.VERSION, `received EAP_PT_EAP packet with unsupported version v${d.version}`);
    if (d.data.byteLength) {
      if (safeType(d.data) === BatchType.RESULT) this.resultReceived = true;
      this.pb.receive(d.data);
    }
    return this.message(ctx.identifier, this.pb.build());
  }

  /** An (outer) EAP-Success is acceptable once the server's decision arrived or PB-TNC closed. */
  canSucceed(): boolean {
    return this.resultReceived || (this.hasConnection && this.pb.closed);
  }
}

/** PT-EAP on the EAP server (TNC server). */
export class PtEapServer extends PtEapMethod {
  readonly role: EapRole = 'server';
  private recommendation: number | undefined;

  constructor(
    pb: PbTncConnection,
    private readonly accept: (r: number | undefined) => boolean = (r) => r === AccessRecommendation.ALLOWED || r === AccessRecommendation.ISOLATED,
    logger?: Logger,
  ) {
    super(pb, logger);
  }

  initiate(identifier: number): EapPacket {
    this.started = true;
    return (this.message(identifier, undefined, true) as { packet: EapPacket }).packet;
  }

  process(p: EapPacket, ctx: EapMethodContext): EapMethodResult {
    const d = this.decode(p);
    if ('status' in d) return d;
    if (d.start) return this.fail(PtEapErrorCode.STATE, 'received unexpected EAP_PT_EAP start from client');
    if (d.version !== PT_EAP_VERSION) return this.fail(PtEapErrorCode.VERSION, `received EAP_PT_EAP packet with unsupported version v${d.version}`);
    if (d.data.byteLength) this.pb.receive(d.data);
    const next = this.pb.closed ? undefined : this.pb.build();
    if (next) {
      this.noteResult(next);
      return this.message(ctx.identifier, next);
    }
    if (!this.pb.closed) return this.fail(PtEapErrorCode.STATE, 'PB-TNC connection has nothing to send and is not closed');
    if (this.pb.failed) return this.fail(PtEapErrorCode.TNC, 'PB-TNC connection closed with a fatal PB-TNC error');
    const name = this.recommendation === undefined ? 'none' : `'${({ 1: 'Access Allowed', 2: 'Access Denied', 3: 'Quarantined' } as Record<number, string>)[this.recommendation] ?? this.recommendation}'`;
    if (!this.accept(this.recommendation)) return this.fail(PtEapErrorCode.TNC, `final PB-TNC access recommendation is ${name}, PT-EAP fails`);
    this.log.log('TNC', 1, `final PB-TNC access recommendation is ${name}`);
    return { status: 'success' };
  }

  /** The access recommendation the server sent (after RESULT). */
  get accessRecommendation(): number | undefined {
    return this.recommendation;
  }

  private noteResult(batch: Uint8Array): void {
    if (safeType(batch) !== BatchType.RESULT) return;
    try {
      const b = decodeBatch(batch, { registry: defaultMessageRegistry() });
      for (const m of b.messages) if (PbAccessRecommendation.is(m)) this.recommendation = m.value.recommendation;
    } catch {
      /* our own batch: cannot be malformed */
    }
  }
}

function safeType(batch: Uint8Array): number | undefined {
  try {
    return peekBatchHeader(batch).type;
  } catch {
    return undefined;
  }
}

/** PT-EAP method factory for either role. */
export function ptEapFactory(options: PtEapOptions): EapMethodFactory {
  return {
    methodType: PT,
    create: (ctx) => {
      const pb = typeof options.connection === 'function' ? options.connection(ctx) : options.connection;
      const log = options.logger ?? ctx.logger;
      return ctx.role === 'peer' ? new PtEapPeer(pb, log) : new PtEapServer(pb, options.acceptRecommendation, log);
    },
  };
}

export { PT_EAP_START, batchTypeName };
