/**
 * The EAP authenticator/server (RFC 3748 §2, RFC 4137 server state machine, simplified): sends an Identity Request,
 * then runs a sequence of methods (each step may list alternatives the peer can choose with a Nak), checks every
 * Response's identifier (a Response to anything but the outstanding Request is silently discarded, §4.1), and ends
 * with Success (identifier of the last Response, §4.2) or Failure.
 */
import { randomInt } from 'node:crypto';
import { getLogger, type Logger } from '@tncjs/common';
import { decodeEapPacket, encodeEapPacket, describeEapPacket, failurePacket, successPacket, methodTypeOf, type EapPacket } from './packet.js';
import { EapCode, EapType, describeMethodType, sameMethodType } from './types.js';
import { EapError, EapErrorCode } from './errors.js';
import { decodeNak, isExpandedNak } from './nak.js';
import { EapIdentityServer } from './identity.js';
import type { EapMethod, EapMethodFactory, EapMethodResult } from './method.js';
import { hex2, type EapOutcome } from './peer.js';

export interface EapAuthenticatorOptions {
  /** Methods run in order after Identity; a step given as a list offers alternatives (first preferred, Nak picks). */
  methods: readonly (EapMethodFactory | readonly EapMethodFactory[])[];
  /** Start with EAP-Identity (default true); when false, `identity` must be given (e.g. the IKE IDi). */
  requestIdentity?: boolean;
  /** The peer identity when not requested over EAP. */
  identity?: string;
  /** Our identity (handed to methods, e.g. for secrets look-up). */
  serverIdentity?: string;
  /** First Request identifier (default random). */
  initialIdentifier?: number;
  logger?: Logger;
}

/** What the authenticator wants sent after a Response. */
export type EapAuthenticatorResult =
  | { status: 'continue'; packet: Uint8Array }
  | { status: 'success'; packet: Uint8Array }
  | { status: 'failure'; packet: Uint8Array; error: EapError }
  | { status: 'discard' };

export class EapAuthenticator {
  private readonly log: Logger;
  private readonly steps: (readonly EapMethodFactory[])[];
  private step = -1;
  private method: EapMethod | undefined;
  private identifier: number;
  private lastRequest: Uint8Array | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private outcomeValue: EapOutcome = 'running';
  private mskValue: Uint8Array | undefined;
  private emskValue: Uint8Array | undefined;
  /** The peer identity (from EAP-Identity or the options). */
  identity: string | undefined;
  error: EapError | undefined;
  /** Types of the methods that succeeded, in order. */
  readonly completed: string[] = [];

  constructor(private readonly options: EapAuthenticatorOptions) {
    this.log = options.logger ?? getLogger();
    this.steps = options.methods.map((m) => (Array.isArray(m) ? m : [m as EapMethodFactory]));
    this.identifier = options.initialIdentifier ?? randomInt(256);
    this.identity = options.identity;
    if (options.requestIdentity === false && options.identity === undefined) throw new TypeError('identity required when not requesting it');
  }

  get outcome(): EapOutcome {
    return this.outcomeValue;
  }

  get msk(): Uint8Array | undefined {
    return this.mskValue?.slice();
  }

  get emsk(): Uint8Array | undefined {
    return this.emskValue?.slice();
  }

  /** The identifier of the outstanding Request. */
  get currentIdentifier(): number {
    return this.identifier;
  }

  /** The first Request. */
  async initiate(): Promise<Uint8Array> {
    if (this.options.requestIdentity !== false) {
      this.method = new EapIdentityServer('', this.log);
      return this.send(await this.method.initiate!(this.identifier));
    }
    const r = await this.nextStep();
    if (r.status !== 'continue') throw r.status === 'failure' ? r.error : new EapError(EapErrorCode.PROTOCOL, 'no EAP method configured');
    return r.packet;
  }

  /** The outstanding Request again (for a lower layer's retransmission timer). */
  retransmit(): Uint8Array | undefined {
    return this.lastRequest;
  }

  /** Process a Response (bytes). Calls are serialised. */
  process(bytes: Uint8Array): Promise<EapAuthenticatorResult> {
    const run = this.chain.then(() => this.processBytes(bytes));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private send(p: EapPacket): Uint8Array {
    const bytes = encodeEapPacket({ ...p, code: EapCode.REQUEST, identifier: this.identifier });
    this.lastRequest = bytes;
    return bytes;
  }

  private async processBytes(bytes: Uint8Array): Promise<EapAuthenticatorResult> {
    let p: EapPacket;
    try {
      p = decodeEapPacket(bytes);
    } catch (e) {
      this.log.log('IKE', 1, `received invalid EAP packet: ${(e as Error).message}, discarded`);
      return { status: 'discard' };
    }
    if (this.outcomeValue !== 'running' || !this.method) {
      this.log.log('IKE', 1, `received ${describeEapPacket(p)} after EAP ${this.outcomeValue}, discarded`);
      return { status: 'discard' };
    }
    if (p.code !== EapCode.RESPONSE) {
      this.log.log('IKE', 1, `received ${describeEapPacket(p)}, EAP_RESPONSE expected, discarded`);
      return { status: 'discard' };
    }
    if (p.identifier !== this.identifier) {
      this.log.log('IKE', 1, `received EAP response with identifier 0x${hex2(p.identifier)}, expected 0x${hex2(this.identifier)}, discarded`);
      return { status: 'discard' };
    }
    const type = methodTypeOf(p);
    if ((type.type === EapType.NAK || isExpandedNak(p)) && this.method.methodType.type !== EapType.IDENTITY) return this.nak(p);
    if (!sameMethodType(type, this.method.methodType)) {
      return this.fail(new EapError(EapErrorCode.PROTOCOL, `received ${describeMethodType(type)} response, expected ${describeMethodType(this.method.methodType)}`));
    }
    let r: EapMethodResult;
    const next = (this.identifier + 1) & 0xff;
    try {
      r = await this.method.process(p, { identifier: next });
    } catch (e) {
      r = { status: 'failure', error: e instanceof EapError ? e : new EapError(EapErrorCode.PROTOCOL, (e as Error).message, { cause: e }) };
    }
    if (r.status === 'continue') {
      this.identifier = next;
      return { status: 'continue', packet: this.send(r.packet) };
    }
    if (r.status === 'failure') {
      this.log.log('IKE', 1, `${describeMethodType(this.method.methodType)} method failed`);
      return this.fail(r.error);
    }
    // method succeeded
    const done: EapMethod = this.method;
    if (done instanceof EapIdentityServer) this.identity = (done as EapIdentityServer).identity;
    else {
      this.log.log('IKE', 1, `EAP method ${describeMethodType(done.methodType)} succeeded for '${this.identity ?? ''}'`);
      this.completed.push(describeMethodType(done.methodType));
    }
    const msk = (done as EapMethod).getMsk?.();
    if (msk) {
      this.mskValue?.fill(0);
      this.emskValue?.fill(0);
      this.mskValue = msk.slice();
      this.emskValue = (done as EapMethod).getEmsk?.()?.slice();
    }
    (done as EapMethod).destroy?.();
    this.method = undefined;
    this.identifier = next;
    return this.nextStep(p.identifier);
  }

  private async nextStep(lastResponseId = this.identifier): Promise<EapAuthenticatorResult> {
    this.step++;
    if (this.step >= this.steps.length) {
      this.outcomeValue = 'success';
      this.log.log('IKE', 1, `EAP authentication of '${this.identity ?? ''}' successful${this.mskValue ? ', MSK established' : ''}`);
      return { status: 'success', packet: encodeEapPacket(successPacket(lastResponseId)) };
    }
    return this.start(this.steps[this.step][0], lastResponseId);
  }

  private async start(factory: EapMethodFactory, lastResponseId: number): Promise<EapAuthenticatorResult> {
    this.log.log('IKE', 1, `initiating ${describeMethodType(factory.methodType)} method (id 0x${hex2(this.identifier)})`);
    try {
      this.method = factory.create({ role: 'server', identity: this.identity ?? '', serverIdentity: this.options.serverIdentity, logger: this.log });
      if (!this.method.initiate) throw new EapError(EapErrorCode.PROTOCOL, `${describeMethodType(factory.methodType)} cannot initiate`);
      return { status: 'continue', packet: this.send(await this.method.initiate(this.identifier)) };
    } catch (e) {
      return this.fail(e instanceof EapError ? e : new EapError(EapErrorCode.PROTOCOL, (e as Error).message, { cause: e }), lastResponseId);
    }
  }

  private async nak(p: EapPacket): Promise<EapAuthenticatorResult> {
    let wanted;
    try {
      wanted = decodeNak(p);
    } catch (e) {
      return this.fail(new EapError(EapErrorCode.PROTOCOL, 'received invalid EAP_NAK', { cause: e }));
    }
    const current = this.method!.methodType;
    this.log.log('IKE', 1, `received EAP_NAK, peer does not support ${describeMethodType(current)}${wanted.length ? `, it supports ${wanted.map(describeMethodType).join(', ')}` : ''}`);
    const alternatives = this.steps[this.step] ?? [];
    const pick = alternatives.find((f) => !sameMethodType(f.methodType, current) && wanted.some((w) => sameMethodType(w, f.methodType)));
    if (!pick) return this.fail(new EapError(EapErrorCode.NO_METHOD, `peer does not support ${describeMethodType(current)} and no alternative fits`));
    this.method!.destroy?.();
    this.identifier = (this.identifier + 1) & 0xff;
    return this.start(pick, p.identifier);
  }

  private fail(error: EapError, lastResponseId = this.identifier): EapAuthenticatorResult {
    this.outcomeValue = 'failure';
    this.error = error;
    this.method?.destroy?.();
    this.method = undefined;
    this.log.log('IKE', 1, `EAP authentication failed: ${error.message}`);
    return { status: 'failure', packet: encodeEapPacket(failurePacket(lastResponseId)), error };
  }

  /** Zeroize keys and end the current method. */
  destroy(): void {
    this.mskValue?.fill(0);
    this.emskValue?.fill(0);
    this.method?.destroy?.();
    this.method = undefined;
  }
}
