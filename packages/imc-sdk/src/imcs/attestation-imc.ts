/**
 * The Attestation IMC (strongSwan imc_attestation): one {@link PtsCollector} per connection, fed every 'TCG/PTS'
 * message from the IMV; its answers (evidence streamed from the BIOS and IMA logs, a TPM 2.0 quote by the AIK) go
 * back in PA-TNC messages split at the connection's maximum message size.
 */
import { PEN, type Logger } from '@tncjs/common';
import { PtsCollector, type AttestationTpm, type CollectorOptions } from '@tncjs/pts';
import type { PaTncAttribute } from '@tncjs/pa-tnc';
import type { Imc, ImcConnection } from '../imc.js';
import { ConnectionState, type InitContext, type ReceivedMessage } from '../types.js';
import { logAssessment, processPaTncMessage } from '../pa-tnc-messages.js';

export interface AttestationImcOptions extends Omit<CollectorOptions, 'tpm' | 'logger' | 'imcId' | 'maxMessageSize'> {
  /** The TPM with its AIK (see `tssAttestationTpm`), or a function opening it on first use. */
  tpm: AttestationTpm | (() => Promise<AttestationTpm>);
}

export class AttestationImc implements Imc {
  readonly name = 'Attestation';
  readonly messageTypes = [{ vendorId: PEN.TCG, subtype: 1 }];
  private id = 0;
  private log!: Logger;
  private tpm: AttestationTpm | undefined;

  constructor(private readonly o: AttestationImcOptions) {}

  initialize(ctx: InitContext): void {
    this.id = ctx.id;
    this.log = ctx.logger;
    this.log.log('IMC', 1, `IMC ${this.id} "${this.name}" initialized`);
  }

  private async getTpm(): Promise<AttestationTpm> {
    this.tpm ??= typeof this.o.tpm === 'function' ? await this.o.tpm() : this.o.tpm;
    return this.tpm;
  }

  async notifyConnectionChange(c: ImcConnection, state: ConnectionState): Promise<void> {
    if (state === ConnectionState.CREATE) {
      const { tpm: _t, ...rest } = this.o;
      c.data.collector = new PtsCollector({ ...rest, tpm: await this.getTpm(), logger: this.log, imcId: this.id, maxMessageSize: c.attributes.maxMessageSize });
    } else if (state === ConnectionState.DELETE) delete c.data.collector;
  }

  async receiveMessage(c: ImcConnection, msg: ReceivedMessage): Promise<void> {
    const collector = c.data.collector as PtsCollector;
    const r = processPaTncMessage(msg, this.log);
    if (r.error) return c.send({ attributes: [r.error], destinationId: msg.sourceId });
    const requests = r.attributes.filter((a) => logAssessment(this.log, { id: this.id, name: this.name }, msg.sourceId, a) === undefined);
    if (requests.length === 0) return;
    const out: PaTncAttribute<any>[] = [];
    for await (const a of collector.handle(requests, msg.sourceId)) out.push(a);
    if (out.length) c.send({ attributes: out, destinationId: msg.sourceId });
  }
}

export function createAttestationImc(options: Record<string, unknown> = {}): Imc {
  if (!options.tpm) throw new TypeError('the Attestation IMC needs a TPM: pass { tpm } (tssAttestationTpm(tpm, aik))');
  return new AttestationImc(options as unknown as AttestationImcOptions);
}
