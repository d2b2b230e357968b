/**
 * The EAP peer (RFC 3748 §2, RFC 4137 peer state machine, simplified): answers Identity and Notification itself,
 * creates the method the server asks for or answers Nak with the types it would accept, resends the previous
 * Response to a retransmitted Request without reprocessing it (§4.1), and ends on Success/Failure.
 */
import { equalBytes, getLogger, type Logger } from '@tncjs/common';
import { decodeEapPacket, encodeEapPacket, describeEapPacket, methodTypeOf, type EapPacket } from './packet.js';
import { EapCode, EapType, describeMethodType, eapTypeName, sameMethodType, type EapMethodType } from './types.js';
import { EapError, EapErrorCode, EapDecodeError } from './errors.js';
import { encodeExpandedNak, encodeNak } from './nak.js';
import { EapIdentityPeer, safeText } from './identity.js';
import type { EapMethod, EapMethodFactory } from './method.js';

export type EapOutcome = 'running' | 'success' | 'failure';

export interface EapPeerOptions {
  /** Our identity (EAP-Identity response; also handed to methods). */
  identity: string;
  /** The server's identity if the lower layer knows it (e.g. IKE IDr); used for secrets look-up and logs. */
  serverIdentity?: string;
  /** The methods we accept, in order of preference (this order is offered in a Nak). */
  methods: readonly EapMethodFactory[];
  logger?: Logger;
}

export class EapPeer {
  private readonly log: Logger;
  private method: EapMethod | undefined;
  private last: { identifier: number; request: Uint8Array; response: Uint8Array | undefined } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private outcomeValue: EapOutcome = 'running';
  private mskValue: Uint8Array | undefined;
  private emskValue: Uint8Array | undefined;
  /** Why the exchange failed (after `failure`). */
  error: EapError | undefined;
  /** The type of the method that ran last (for logs and callers). */
  lastMethod: EapMethodType | undefined;

  constructor(private readonly options: EapPeerOptions) {
    this.log = options.logger ?? getLogger();
  }

  get outcome(): EapOutcome {
    return this.outcomeValue;
  }

  /** The MSK of the method that succeeded (a copy; undefined for methods without keys). */
  get msk(): Uint8Array | undefined {
    return this.mskValue?.slice();
  }

  get emsk(): Uint8Array | undefined {
    return this.emskValue?.slice();
  }

  /**
   * Process one received EAP packet (bytes); returns the Response to send, or `undefined` when nothing is sent
   * (Success, Failure, a discarded packet, or a method that ended). Calls are serialised.
   */
  process(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    const run = this.chain.then(() => this.processBytes(bytes));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async processBytes(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    let p: EapPacket;
    try {
      p = decodeEapPacket(bytes);
    } catch (e) {
      this.log.log('IKE', 1, `received invalid EAP packet: ${(e as Error).message}, discarded`);
      return undefined;
    }
    if (this.outcomeValue !== 'running') {
      this.log.log('IKE', 1, `received ${describeEapPacket(p)} after EAP ${this.outcomeValue}, discarded`);
      return undefined;
    }
    switch (p.code) {
      case EapCode.REQUEST:
        return this.request(p, bytes);
      case EapCode.SUCCESS:
        return this.success();
      case EapCode.FAILURE:
        this.log.log('IKE', 1, 'received EAP_FAILURE, EAP authentication failed');
        this.finish('failure', new EapError(EapErrorCode.FAILURE, 'received EAP-Failure'));
        return undefined;
      default:
        this.log.log('IKE', 1, `received unexpected ${describeEapPacket(p)}, discarded`);
        return undefined;
    }
  }

  private async request(p: EapPacket, bytes: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.last && this.last.identifier === p.identifier && equalBytes(this.last.request, bytes)) {
      this.log.log('IKE', 2, `received retransmitted EAP request (id 0x${hex2(p.identifier)}), resending response`);
      return this.last.response;
    }
    const response = await this.answer(p);
    const out = response ? encodeEapPacket(response) : undefined;
    this.last = { identifier: p.identifier, request: bytes.slice(), response: out };
    return out;
  }

  private async answer(p: EapPacket): Promise<EapPacket | undefined> {
    const type = methodTypeOf(p);
    if (type.type === EapType.IDENTITY) {
      this.log.log('IKE', 1, `server requested ${describeMethodType(type)} authentication (id 0x${hex2(p.identifier)})`);
      const r = new EapIdentityPeer(this.options.identity, this.log).process(p, { identifier: p.identifier });
      return r.status === 'continue' ? r.packet : undefined;
    }
    if (type.type === EapType.NOTIFICATION) {
      this.log.log('IKE', 1, `received EAP notification '${safeText(p.data)}'`);
      return { code: EapCode.RESPONSE, identifier: p.identifier, type: EapType.NOTIFICATION, data: new Uint8Array(0) };
    }
    if (type.type === EapType.NAK) {
      this.log.log('IKE', 1, 'received EAP_NAK request, discarded');
      return undefined;
    }
    if (!this.method || !sameMethodType(this.method.methodType, type)) {
      const factory = this.options.methods.find((f) => sameMethodType(f.methodType, type));
      if (!factory) return this.nak(p, type);
      this.log.log('IKE', 1, `server requested ${describeMethodType(type)} authentication (id 0x${hex2(p.identifier)})`);
      this.method?.destroy?.();
      this.method = factory.create({ role: 'peer', identity: this.options.identity, serverIdentity: this.options.serverIdentity, logger: this.log });
      this.lastMethod = type;
    }
    let result;
    try {
      result = await this.method.process(p, { identifier: p.identifier });
    } catch (e) {
      // a method must not throw on peer input; if it does, the exchange fails cleanly
      const err = e instanceof EapError ? e : new EapError(EapErrorCode.PROTOCOL, `${describeMethodType(type)} method failed: ${(e as Error).message}`, { cause: e });
      this.finish('failure', err);
      return undefined;
    }
    if (result.status === 'continue') return { ...result.packet, code: EapCode.RESPONSE, identifier: p.identifier };
    if (result.status === 'failure') {
      this.log.log('IKE', 1, `${describeMethodType(type)} method failed: ${result.error.message}`);
      this.finish('failure', result.error);
    }
    return undefined;
  }

  private nak(p: EapPacket, type: EapMethodType): EapPacket {
    const ours = this.options.methods.map((f) => f.methodType);
    this.log.log('IKE', 1, `server requested ${describeMethodType(type)} authentication, sending ${type.type === EapType.EXPANDED ? 'expanded ' : ''}EAP_NAK offering ${ours.map(describeMethodType).join(', ') || 'none'}`);
    if (type.type === EapType.EXPANDED) return encodeExpandedNak(p.identifier, ours);
    return encodeNak(p.identifier, ours.filter((t) => t.type !== EapType.EXPANDED).map((t) => t.type));
  }

  private success(): undefined {
    if (this.method && this.method.canSucceed && !this.method.canSucceed()) {
      this.log.log('IKE', 1, `received EAP_SUCCESS before ${eapTypeName(this.method.methodType.type)} method completed, EAP authentication failed`);
      this.finish('failure', new EapError(EapErrorCode.PROTOCOL, 'received EAP-Success before the method completed'));
      return undefined;
    }
    const msk = this.method?.getMsk?.();
    this.mskValue = msk?.slice();
    this.emskValue = this.method?.getEmsk?.()?.slice();
    this.log.log('IKE', 1, `EAP method ${this.method ? describeMethodType(this.method.methodType) : 'EAP_IDENTITY'} succeeded, ${msk ? '' : 'no '}MSK established`);
    this.finish('success');
    return undefined;
  }

  private finish(outcome: 'success' | 'failure', error?: EapError): void {
    this.outcomeValue = outcome;
    this.error = error;
    this.method?.destroy?.();
    this.method = undefined;
  }

  /** Zeroize keys and end the current method. */
  destroy(): void {
    this.mskValue?.fill(0);
    this.emskValue?.fill(0);
    this.method?.destroy?.();
    this.method = undefined;
  }
}

export const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

export { EapDecodeError };
