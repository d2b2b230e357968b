/**
 * PT-EAP over an asynchronous IF-TNCCS 2.0 endpoint: the same RFC 7171 method as `PtEapPeer` / `PtEapServer`, but the
 * PB-TNC batches come from a TNC client or TNC server (e.g. `@tncjs/imc-sdk`'s `TncClientConnection` /
 * `TncServerConnection`) whose IMCs/IMVs run asynchronously (a TPM quote, reading a log) between two batches. The
 * endpoint is typed structurally, so this package does not depend on the IMC SDK.
 */
import { EapType, type EapMethodContext, type EapMethodFactory, type EapMethodResult, type EapPacket } from '@tncjs/eap';
import { AccessRecommendation, BatchType, peekBatchHeader, type PbTncConnection } from '@tncjs/pb-tnc';
import type { Logger } from '@tncjs/common';
import { PtEapMethod } from './pt-eap.js';
import type { EapRole } from '@tncjs/eap';
import { PtEapErrorCode } from './errors.js';

/** The TNC client side of one IF-TNCCS connection: `start()` gives the first CDATA, `receive()` the next batch. */
export interface TnccsClientEndpoint {
  readonly pb: PbTncConnection;
  start(): Promise<Uint8Array>;
  /** @returns the next batch to send, or undefined when the exchange is over */
  receive(batch: Uint8Array): Promise<Uint8Array | undefined>;
}

/** The TNC server side of one IF-TNCCS connection. */
export interface TnccsServerEndpoint {
  readonly pb: PbTncConnection;
  receive(batch: Uint8Array): Promise<Uint8Array | undefined>;
  /** The combined decision once made (`recommendation` is a PB-TNC access recommendation). */
  readonly decision?: { recommendation: number } | undefined;
}

export interface PtEapTnccsOptions<E> {
  /** A fresh endpoint per method instance (one per EAP conversation). */
  endpoint: (ctx: { identity: string; serverIdentity?: string }) => E;
  /** Server: which recommendation makes the method succeed (default Access Allowed or Quarantined, as strongSwan). */
  acceptRecommendation?: (recommendation: number | undefined) => boolean;
  /** Called with the endpoint once the method instance exists (e.g. to keep it for the session's result). */
  onEndpoint?: (endpoint: E) => void;
  logger?: Logger;
}

const batchType = (b: Uint8Array): number | undefined => {
  try {
    return peekBatchHeader(b).type;
  } catch {
    return undefined;
  }
};

/** PT-EAP peer driven by an asynchronous TNC client. */
export class PtEapTnccsPeer extends PtEapMethod {
  readonly role: EapRole = 'peer';
  private result = false;
  private readonly tnccs: () => TnccsClientEndpoint;

  /** @param tnccs the endpoint, or a function creating it when the server's Start arrives (see `PtEapMethod`) */
  constructor(tnccs: TnccsClientEndpoint | (() => TnccsClientEndpoint), logger?: Logger) {
    let endpoint: TnccsClientEndpoint | undefined;
    const get = typeof tnccs === 'function' ? () => (endpoint ??= tnccs()) : () => tnccs;
    super(() => get().pb, logger);
    this.tnccs = get;
  }

  async process(p: EapPacket, ctx: EapMethodContext): Promise<EapMethodResult> {
    const d = this.decode(p);
    if ('status' in d) return d;
    if (d.start) {
      if (this.started) return this.fail(PtEapErrorCode.STATE, 'received unexpected EAP_PT_EAP start packet');
      this.log.log('TLS', 1, `EAP_PT_EAP version is v${d.version}`);
      if (d.version !== 1) return this.fail(PtEapErrorCode.VERSION, `received EAP_PT_EAP packet with unsupported version v${d.version}`);
      this.started = true;
      return this.message(ctx.identifier, await this.tnccs().start());
    }
    if (!this.started) return this.fail(PtEapErrorCode.STATE, 'EAP_PT_EAP start packet expected');
    if (d.version !== 1) return this.fail(PtEapErrorCode.VERSION, `received EAP_PT_EAP packet with unsupported version v${d.version}`);
    let next: Uint8Array | undefined;
    if (d.data.byteLength) {
      if (batchType(d.data) === BatchType.RESULT) this.result = true;
      next = await this.tnccs().receive(d.data);
    }
    return this.message(ctx.identifier, next);
  }

  canSucceed(): boolean {
    return this.result || (this.hasConnection && this.pb.closed);
  }
}

/** PT-EAP server driven by an asynchronous TNC server. */
export class PtEapTnccsServer extends PtEapMethod {
  readonly role: EapRole = 'server';

  constructor(
    private readonly tnccs: TnccsServerEndpoint,
    private readonly acceptFn: (r: number | undefined) => boolean = (r) => r === AccessRecommendation.ALLOWED || r === AccessRecommendation.ISOLATED,
    logger?: Logger,
  ) {
    super(tnccs.pb, logger);
  }

  initiate(identifier: number): EapPacket {
    this.started = true;
    return (this.message(identifier, undefined, true) as { packet: EapPacket }).packet;
  }

  async process(p: EapPacket, ctx: EapMethodContext): Promise<EapMethodResult> {
    const d = this.decode(p);
    if ('status' in d) return d;
    if (d.start) return this.fail(PtEapErrorCode.STATE, 'received unexpected EAP_PT_EAP start from client');
    if (d.version !== 1) return this.fail(PtEapErrorCode.VERSION, `received EAP_PT_EAP packet with unsupported version v${d.version}`);
    const next = d.data.byteLength ? await this.tnccs.receive(d.data) : this.pb.closed ? undefined : this.pb.build();
    if (next) return this.message(ctx.identifier, next);
    if (!this.pb.closed) return this.fail(PtEapErrorCode.STATE, 'PB-TNC connection has nothing to send and is not closed');
    if (this.pb.failed) return this.fail(PtEapErrorCode.TNC, 'PB-TNC connection closed with a fatal PB-TNC error');
    const r = this.tnccs.decision?.recommendation;
    const name = r === undefined ? 'none' : `'${({ 1: 'Access Allowed', 2: 'Access Denied', 3: 'Quarantined' } as Record<number, string>)[r] ?? r}'`;
    if (!this.acceptFn(r)) return this.fail(PtEapErrorCode.TNC, `final PB-TNC access recommendation is ${name}, PT-EAP fails`);
    this.log.log('TNC', 1, `final PB-TNC access recommendation is ${name}`);
    return { status: 'success' };
  }

  get accessRecommendation(): number | undefined {
    return this.tnccs.decision?.recommendation;
  }
}

/** PT-EAP method factory (peer role) over an asynchronous TNC client endpoint. */
export function ptEapTnccsPeerFactory(options: PtEapTnccsOptions<TnccsClientEndpoint>): EapMethodFactory {
  return {
    methodType: { type: EapType.PT_EAP },
    create: (ctx) => {
      if (ctx.role !== 'peer') throw new TypeError('ptEapTnccsPeerFactory is for the EAP peer role');
      // the IF-TNCCS connection is created when the server's Start arrives (strongSwan's order of log lines)
      return new PtEapTnccsPeer(() => {
        const e = options.endpoint({ identity: ctx.identity, serverIdentity: ctx.serverIdentity });
        options.onEndpoint?.(e);
        return e;
      }, options.logger ?? ctx.logger);
    },
  };
}

/** PT-EAP method factory (server role) over an asynchronous TNC server endpoint. */
export function ptEapTnccsServerFactory(options: PtEapTnccsOptions<TnccsServerEndpoint>): EapMethodFactory {
  return {
    methodType: { type: EapType.PT_EAP },
    create: (ctx) => {
      if (ctx.role !== 'server') throw new TypeError('ptEapTnccsServerFactory is for the EAP server role');
      const e = options.endpoint({ identity: ctx.identity, serverIdentity: ctx.serverIdentity });
      options.onEndpoint?.(e);
      return new PtEapTnccsServer(e, options.acceptRecommendation, options.logger ?? ctx.logger);
    },
  };
}
