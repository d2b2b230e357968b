/**
 * A PB-TNC connection (RFC 5793) for either role: receives batches, hands PB-PA messages to a handler, assembles the
 * next batch within the maximum batch size and queues what does not fit, exactly as a half-duplex transport (PT-EAP)
 * needs: one batch in, one batch out.
 */
import { getLogger, type Logger } from '@tncjs/common';
import { BatchType, batchTypeName, decodeBatch, BATCH_HEADER_SIZE, type PbTncBatch } from './batch.js';
import { PbErrorCode, PbTncDecodeError, PB_ERROR_CODE_NAMES } from './errors.js';
import { MESSAGE_HEADER_SIZE, type PbTncMessage, type MessageRegistry } from './message.js';
import { encodeVendorTlv } from '@tncjs/common';
import { encodeBatch } from './batch.js';
import { PbTncStateMachine, PbTncState, type Role } from './state-machine.js';
import { defaultMessageRegistry } from './registry.js';
import { describePaSubtype } from './pa-subtypes.js';
import { PbPa, ANY_ID } from './messages/pa.js';
import { PbError, type PbErrorValue } from './messages/error.js';
import { PbLanguagePreference, acceptLanguage } from './messages/language-preference.js';
import { PbAssessmentResult, ASSESSMENT_RESULT_NAMES } from './messages/assessment-result.js';
import { PbAccessRecommendation, ACCESS_RECOMMENDATION_NAMES } from './messages/access-recommendation.js';
import { PbReasonString } from './messages/reason-string.js';
import { PbRemediationParameters, type RemediationParameters } from './messages/remediation-parameters.js';

/** strongSwan's default maximum PB-TNC batch size over EAP transports (4 × 16384 − 14). */
export const DEFAULT_MAX_BATCH_SIZE = 65522;
/** PB-TNC overhead around a PA message: batch header, PB-TNC message header, PB-PA header. */
export const PB_PA_OVERHEAD = BATCH_HEADER_SIZE + MESSAGE_HEADER_SIZE + 12;

export interface PaMessage {
  paVendorId: number;
  paSubtype: number;
  collectorId: number;
  validatorId: number;
  /** Deliver only to the named collector/validator (EXCL flag). */
  exclusive?: boolean;
  /** The PA message (a PA-TNC message, RFC 5792). */
  body: Uint8Array;
}

export interface PbTncResult {
  assessment?: number;
  recommendation?: number;
  reasons: { reason: string; languageCode: string }[];
  remediation: RemediationParameters[];
}

export interface PbTncHandler {
  /** A PB-PA message arrived (IF-TNCCS → IMC/IMV ReceiveMessage). */
  paMessage?(message: PaMessage, connection: PbTncConnection): void;
  /** Every message of a received batch was handled (IF-IMC/IF-IMV BatchEnding): queue further messages here. */
  batchEnding?(connection: PbTncConnection): void;
  /** Client: the server's decision (RESULT batch). */
  result?(result: PbTncResult, connection: PbTncConnection): void;
  /** Server: the client's PB-Language-Preference. */
  languagePreference?(value: string, connection: PbTncConnection): void;
  /** A PB-Error arrived. */
  error?(error: PbErrorValue, connection: PbTncConnection): void;
  /** The connection reached the End state. */
  closed?(connection: PbTncConnection): void;
}

export interface PbTncConnectionOptions {
  role: Role;
  /** TNCCS connection ID for log lines (default: next number of a process-wide counter, from 1). */
  connectionId?: number;
  /** Maximum batch size in bytes (default 65522, strongSwan's over EAP). */
  maxBatchSize?: number;
  /** Maximum PA message size (default: maximum batch size − 32). */
  maxMessageSize?: number;
  registry?: MessageRegistry;
  logger?: Logger;
  /** Client: language tags sent in PB-Language-Preference (default `en`; empty string sends none). */
  languagePreference?: string;
  handler?: PbTncHandler;
}

let nextConnectionId = 1;

export class PbTncConnection {
  readonly role: Role;
  readonly connectionId: number;
  readonly maxBatchSize: number;
  readonly maxMessageSize: number;
  private readonly sm: PbTncStateMachine;
  private readonly registry: MessageRegistry;
  private readonly log: Logger;
  private readonly handler: PbTncHandler;
  /** Encoded messages waiting for a batch (a chunk list, joined once when the batch is built). */
  private readonly queue: { name: string; bytes: Uint8Array }[] = [];
  private pendingType: BatchType | undefined;
  private recommendation: PbTncResult | undefined;
  private emptyCdataReceived = false;
  private fatal = false;

  constructor(options: PbTncConnectionOptions) {
    this.role = options.role;
    this.connectionId = options.connectionId ?? nextConnectionId++;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (this.maxBatchSize < PB_PA_OVERHEAD + 8) throw new RangeError(`maximum batch size ${this.maxBatchSize} too small`);
    this.maxMessageSize = Math.min(options.maxMessageSize ?? Infinity, this.maxBatchSize - PB_PA_OVERHEAD);
    this.registry = options.registry ?? defaultMessageRegistry();
    this.log = options.logger ?? getLogger();
    this.handler = options.handler ?? {};
    this.sm = new PbTncStateMachine(this.role, this.log);
    const lang = options.languagePreference ?? 'en';
    if (this.role === 'client' && lang !== '') this.queueMessage(PbLanguagePreference.create({ languagePreference: acceptLanguage(lang) }));
  }

  get state(): PbTncState {
    return this.sm.state;
  }

  get stateName(): string {
    return this.sm.stateName;
  }

  /** True once the connection reached End (after CLOSE). */
  get closed(): boolean {
    return this.sm.state === PbTncState.END;
  }

  /** True when a fatal PB-Error was sent or received. */
  get failed(): boolean {
    return this.fatal;
  }

  /** Number of messages waiting for a batch. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queue a PB-PA message for the next CDATA (client) or SDATA/RESULT (server) batch.
   * @throws RangeError when the PA message exceeds the connection's maximum message size
   */
  sendPa(m: PaMessage): void {
    if (m.body.byteLength > this.maxMessageSize) {
      throw new RangeError(`PA message of ${m.body.byteLength} bytes exceeds maximum PA message size of ${this.maxMessageSize} bytes`);
    }
    this.log.log('TNC', 2, `creating PB-PA message type ${describePaSubtype(m.paVendorId, m.paSubtype)}`);
    this.queueMessage(
      PbPa.create({
        flags: { excl: m.exclusive === true && (this.role === 'client' ? m.validatorId : m.collectorId) !== ANY_ID },
        paVendorId: m.paVendorId,
        paSubtype: m.paSubtype,
        collectorId: m.collectorId,
        validatorId: m.validatorId,
        body: m.body,
      }),
    );
  }

  /** Queue any PB-TNC message. */
  queueMessage(m: PbTncMessage<any>): void {
    const bytes = encodeVendorTlv(m);
    if (BATCH_HEADER_SIZE + bytes.byteLength > this.maxBatchSize) {
      throw new RangeError(`PB-TNC message of ${bytes.byteLength} bytes does not fit into a batch of ${this.maxBatchSize} bytes`);
    }
    this.queue.push({ name: this.registry.nameOf(m.vendorId, m.typeId), bytes });
  }

  /** Server: the final decision; the next batch is a RESULT batch. */
  setRecommendation(r: { assessment: number; recommendation: number; reasons?: { reason: string; languageCode: string }[]; remediation?: RemediationParameters[] }): void {
    if (this.role !== 'server') throw new TypeError('only a PB-TNC server sends a recommendation');
    this.recommendation = { assessment: r.assessment, recommendation: r.recommendation, reasons: r.reasons ?? [], remediation: r.remediation ?? [] };
  }

  /** Ask for a handshake retry (CRETRY from a client, SRETRY from a server) with the next batch. */
  requestRetry(): void {
    this.setPending(this.role === 'client' ? BatchType.CRETRY : BatchType.SRETRY);
  }

  /** Close the connection with the next batch. */
  close(): void {
    this.setPending(BatchType.CLOSE);
  }

  private setPending(type: BatchType): void {
    if (this.pendingType !== undefined && this.pendingType !== type && this.queue.length > 0) {
      this.log.log('TNC', 1, `cancelling PB-TNC ${batchTypeName(this.pendingType)} batch`);
    }
    if (type !== this.pendingType) {
      // a retry or CLOSE replaces whatever was queued (CLOSE keeps only PB-Errors, queued by `fail`)
      this.queue.length = 0;
    }
    this.pendingType = type;
  }

  /** Answer a protocol error: PB-Error into a CLOSE batch. */
  private fail(e: PbTncDecodeError): void {
    this.log.log('TNC', 1, e.message);
    this.setPending(BatchType.CLOSE);
    this.fatal = true;
    const v: PbErrorValue = { fatal: true, errorVendorId: 0, errorCode: e.errorCode };
    if (e.errorCode === PbErrorCode.VERSION_NOT_SUPPORTED) Object.assign(v, { badVersion: e.details.badVersion ?? 0, maxVersion: 2, minVersion: 2 });
    else v.offset = e.errorCode === PbErrorCode.UNEXPECTED_BATCH_TYPE || e.errorCode === PbErrorCode.LOCAL_ERROR ? 0 : e.offset;
    this.queueMessage(PbError.create(v));
  }

  /**
   * Process one received batch: state transition, messages to the handler, then BatchEnding.
   * Protocol errors never throw: they are answered with PB-Error in a CLOSE batch, as RFC 5793 says.
   */
  receive(bytes: Uint8Array): void {
    this.log.log('TNC', 1, `received TNCCS batch (${bytes.byteLength} bytes) for Connection ID ${this.connectionId}`);
    if (this.closed) {
      this.log.log('TNC', 1, 'PB-TNC connection already closed, batch ignored');
      return;
    }
    let batch: PbTncBatch;
    try {
      batch = decodeBatch(bytes, { registry: this.registry, expectFromServer: this.role === 'client' });
    } catch (e) {
      if (e instanceof PbTncDecodeError) return this.fail(e);
      throw e;
    }
    if (!this.sm.receive(batch.type)) {
      return this.fail(
        new PbTncDecodeError(`unexpected PB-TNC batch type: ${batchTypeName(batch.type)}`, 0, PbErrorCode.UNEXPECTED_BATCH_TYPE, true),
      );
    }
    this.log.log('TNC', 1, `processing PB-TNC ${batchTypeName(batch.type)} batch`);
    for (const m of batch.messages) {
      this.log.log('TNC', 2, () => `processing ${this.registry.nameOf(m.vendorId, m.typeId)} message (${encodeVendorTlv(m).byteLength} bytes)`);
    }
    if (batch.type === BatchType.CDATA && batch.messages.length === 0) {
      this.emptyCdataReceived = true;
      this.log.log('TNC', 2, 'received empty PB-TNC CDATA batch');
    } else if (batch.type === BatchType.CDATA) this.emptyCdataReceived = false;
    this.dispatch(batch);
    if (batch.type === BatchType.CLOSE) {
      this.queue.length = 0;
      this.pendingType = undefined;
      this.handler.closed?.(this);
      return;
    }
    if (batch.type === BatchType.CRETRY && this.role === 'server') this.recommendation = undefined;
    this.handler.batchEnding?.(this);
  }

  private dispatch(batch: PbTncBatch): void {
    const result: PbTncResult = { reasons: [], remediation: [] };
    for (const m of batch.messages) {
      if (PbPa.is(m)) {
        const v = m.value;
        this.log.log('TNC', 2, `handling PB-PA message type ${describePaSubtype(v.paVendorId, v.paSubtype)}`);
        this.handler.paMessage?.(
          { paVendorId: v.paVendorId, paSubtype: v.paSubtype, collectorId: v.collectorId, validatorId: v.validatorId, exclusive: v.flags.excl, body: v.body },
          this,
        );
      } else if (PbError.is(m)) {
        const v = m.value;
        const name = v.errorVendorId === 0 ? (PB_ERROR_CODE_NAMES[v.errorCode] ?? `(${v.errorCode})`) : `(${v.errorCode})`;
        const detail = v.offset !== undefined && (v.errorCode === 1 || v.errorCode === 3) ? ` (offset ${v.offset} bytes)` : v.badVersion !== undefined ? ` caused by bad version 0x${v.badVersion.toString(16).padStart(2, '0')}` : '';
        this.log.log('TNC', 1, `received ${v.fatal ? 'fatal' : 'non-fatal'} PB-TNC error '${name}'${detail}`);
        if (v.fatal) {
          this.fatal = true;
          if (!this.closed) this.setPending(BatchType.CLOSE);
        }
        this.handler.error?.(v, this);
      } else if (PbLanguagePreference.is(m)) {
        const lang = m.value.languagePreference.slice('Accept-Language: '.length);
        this.log.log('TNC', 2, `setting language preference to '${lang}'`);
        this.handler.languagePreference?.(lang, this);
      } else if (PbAssessmentResult.is(m)) {
        result.assessment = m.value.result;
      } else if (PbAccessRecommendation.is(m)) {
        result.recommendation = m.value.recommendation;
      } else if (PbReasonString.is(m)) {
        result.reasons.push({ reason: m.value.reason, languageCode: m.value.languageCode });
        this.log.log('TNC', 1, `reason string is '${m.value.reason}' [${m.value.languageCode}]`);
      } else if (PbRemediationParameters.is(m)) {
        result.remediation.push(m.value);
      }
    }
    if (batch.type === BatchType.RESULT && this.role === 'client') {
      if (result.assessment !== undefined) this.log.log('TNC', 1, `PB-TNC assessment result is '${ASSESSMENT_RESULT_NAMES[result.assessment]}'`);
      if (result.recommendation !== undefined) {
        this.log.log('TNC', 1, `PB-TNC access recommendation is '${ACCESS_RECOMMENDATION_NAMES[result.recommendation]}'`);
      }
      this.handler.result?.(result, this);
    }
  }

  /**
   * Build the next batch to send, or `undefined` when there is nothing to send in this state (e.g. after CLOSE).
   * Messages that do not fit within the maximum batch size stay queued for the next batch of the same type.
   */
  build(): Uint8Array | undefined {
    const type = this.chooseBatchType();
    if (type === undefined) {
      this.log.log('TNC', 2, 'no PB-TNC batch to send');
      return undefined;
    }
    if (!this.sm.send(type)) {
      this.log.log('TNC', 1, `cancelling PB-TNC ${batchTypeName(type)} batch`);
      this.queue.length = 0;
      this.pendingType = undefined;
      return undefined;
    }
    this.log.log('TNC', 2, `creating PB-TNC ${batchTypeName(type)} batch`);
    const chosen: Uint8Array[] = [];
    let size = BATCH_HEADER_SIZE;
    while (this.queue.length > 0 && size + this.queue[0].bytes.byteLength <= this.maxBatchSize) {
      const m = this.queue.shift()!;
      this.log.log('TNC', 2, `adding ${m.name} message`);
      chosen.push(m.bytes);
      size += m.bytes.byteLength;
    }
    const bytes = encodeBatch({ fromServer: this.role === 'server', type, messages: chosen });
    this.log.log('TNC', 1, `sending PB-TNC ${batchTypeName(type)} batch (${bytes.byteLength} bytes) for Connection ID ${this.connectionId}`);
    if (this.queue.length > 0) {
      const n = this.queue.length;
      this.log.log('TNC', 1, `queued ${n} PB-TNC message${n === 1 ? '' : 's'} for next ${batchTypeName(type === BatchType.RESULT ? BatchType.SDATA : type)} batch`);
    } else {
      this.pendingType = undefined;
    }
    if (type === BatchType.RESULT) this.recommendation = undefined;
    if (type === BatchType.CLOSE) this.handler.closed?.(this);
    return bytes;
  }

  private chooseBatchType(): BatchType | undefined {
    const s = this.sm.state;
    if (s === PbTncState.END) return undefined;
    if (this.pendingType !== undefined) return this.pendingType;
    if (this.role === 'client') {
      if (s === PbTncState.INIT || s === PbTncState.CLIENT_WORKING) {
        if (s === PbTncState.CLIENT_WORKING && this.queue.length === 0) this.log.log('TNC', 2, 'no client data to send, sending empty PB-TNC CDATA batch');
        return BatchType.CDATA;
      }
      if (s === PbTncState.DECIDED) {
        this.setPending(BatchType.CLOSE); // nothing but PB-Error may follow the decision
        return BatchType.CLOSE;
      }
      return undefined;
    }
    if (s === PbTncState.SERVER_WORKING) {
      if (this.recommendation && this.fitsResult()) {
        this.queueResult(this.recommendation);
        return BatchType.RESULT;
      }
      if (this.queue.length === 0) this.log.log('TNC', 2, 'no recommendation available yet, sending empty PB-TNC SDATA batch');
      return BatchType.SDATA;
    }
    return undefined;
  }

  private resultMessages(r: PbTncResult): PbTncMessage<any>[] {
    const out: PbTncMessage<any>[] = [
      PbAssessmentResult.create({ result: r.assessment ?? 4 }),
      PbAccessRecommendation.create({ recommendation: r.recommendation ?? 2 }),
    ];
    for (const x of r.remediation) out.push(PbRemediationParameters.create(x));
    for (const x of r.reasons) out.push(PbReasonString.create(x));
    return out;
  }

  /** Whether the queued messages and the result messages fit into one batch (else send SDATA first). */
  private fitsResult(): boolean {
    let size = BATCH_HEADER_SIZE;
    for (const m of this.queue) size += m.bytes.byteLength;
    for (const m of this.resultMessages(this.recommendation!)) size += encodeVendorTlv(m).byteLength;
    return size <= this.maxBatchSize;
  }

  private queueResult(r: PbTncResult): void {
    for (const m of this.resultMessages(r)) this.queueMessage(m);
  }

  /** Server: whether the last CDATA batch was empty (the client has nothing more to say). */
  get lastCdataEmpty(): boolean {
    return this.emptyCdataReceived;
  }
}
