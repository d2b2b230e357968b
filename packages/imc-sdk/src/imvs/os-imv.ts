/**
 * The OS IMV (strongSwan imv_os): reads the 'IETF/Operating System' attributes, optionally asks for the installed
 * packages with an Attribute Request, and decides: IPv4 forwarding enabled or a factory default password →
 * 'isolate' / non-compliant minor with a reason string; otherwise 'allow' / compliant. Unknown attributes are fine.
 */
import { PEN, type Logger } from '@tncjs/common';
import {
  AssessmentResult,
  AttributeRequest,
  FactoryDefaultPasswordEnabled,
  ForwardingEnabled,
  IetfAttr,
  InstalledPackages,
  ItaDeviceId,
  NumericVersion,
  OperationalStatus,
  ProductInformation,
  StringVersion,
} from '@tncjs/pa-tnc';
import type { Imv, ImvConnection } from '../imv.js';
import { ImvEvaluation, ImvRecommendation, type InitContext, type ReceivedMessage } from '../types.js';
import { processPaTncMessage } from '../pa-tnc-messages.js';

export interface OsImvOptions {
  /** Ask for the installed packages (IETF Attribute Request) after the first message (default false, as the seed's moon). */
  requestPackages?: boolean;
}

interface OsImvState {
  productName?: string;
  forwarding?: boolean;
  factoryDefaultPassword?: boolean;
  osReceived: boolean;
  packagesRequested: boolean;
  packages?: number;
  reasons: string[];
}

export class OsImv implements Imv {
  readonly name = 'OS';
  readonly messageTypes = [{ vendorId: PEN.IETF, subtype: 1 }];
  private id = 0;
  private log!: Logger;

  constructor(private readonly o: OsImvOptions = {}) {}

  initialize(ctx: InitContext): void {
    this.id = ctx.id;
    this.log = ctx.logger;
    this.log.log('IMV', 1, `IMV ${this.id} "${this.name}" initialized`);
  }

  private state(c: ImvConnection): OsImvState {
    return ((c.data.os as OsImvState | undefined) ??= { osReceived: false, packagesRequested: false, reasons: [] }) as OsImvState;
  }

  receiveMessage(c: ImvConnection, msg: ReceivedMessage): void {
    const s = this.state(c);
    const r = processPaTncMessage(msg, this.log);
    if (r.error) return c.send({ attributes: [r.error], destinationId: msg.sourceId });
    for (const a of r.attributes) {
      if (ProductInformation.is(a)) {
        s.productName = a.value.productName;
        s.osReceived = true;
        this.log.log('IMV', 1, `operating system name is '${a.value.productName}'`);
      } else if (StringVersion.is(a)) this.log.log('IMV', 1, `operating system version is '${a.value.productVersion}'`);
      else if (NumericVersion.is(a)) this.log.log('IMV', 1, `operating system numeric version is ${a.value.major}.${a.value.minor}`);
      else if (OperationalStatus.is(a)) this.log.log('IMV', 1, `last boot: ${a.value.lastUse}`);
      else if (ForwardingEnabled.is(a)) {
        s.forwarding = a.value.status === 1;
        this.log.log('IMV', 1, `IPv4 forwarding is ${a.value.status === 1 ? 'enabled' : a.value.status === 0 ? 'disabled' : 'unknown'}`);
      } else if (FactoryDefaultPasswordEnabled.is(a)) {
        s.factoryDefaultPassword = a.value.status === 1;
        this.log.log('IMV', 1, `factory default password is ${a.value.status === 1 ? 'enabled' : 'disabled'}`);
      } else if (ItaDeviceId.is(a)) this.log.log('IMV', 1, `device ID is ${a.value.deviceId}`);
      else if (InstalledPackages.is(a)) {
        s.packages = a.value.packages.length;
        this.log.log('IMV', 1, `received ${a.value.packages.length} installed packages`);
      }
      // anything else: not our business, not an error
    }
  }

  batchEnding(c: ImvConnection): void {
    const s = this.state(c);
    if (c.verdict || !s.osReceived) return;
    if (this.o.requestPackages && !s.packagesRequested) {
      s.packagesRequested = true;
      c.send({ attributes: [AttributeRequest.create({ requests: [{ vendorId: PEN.IETF, type: IetfAttr.INSTALLED_PACKAGES }] })] });
      return;
    }
    if (this.o.requestPackages && s.packages === undefined) return;
    this.decide(c, s);
  }

  solicitRecommendation(c: ImvConnection): void {
    const s = this.state(c);
    if (!s.osReceived) {
      c.provideRecommendation({ recommendation: ImvRecommendation.NO_RECOMMENDATION, evaluation: ImvEvaluation.DONT_KNOW });
      return;
    }
    this.decide(c, s);
  }

  private decide(c: ImvConnection, s: OsImvState): void {
    if (s.forwarding) s.reasons.push('IPv4 forwarding is enabled');
    if (s.factoryDefaultPassword) s.reasons.push('factory default password is enabled');
    const bad = s.reasons.length > 0;
    const evaluation = bad ? ImvEvaluation.NONCOMPLIANT_MINOR : ImvEvaluation.COMPLIANT;
    c.send({ attributes: [AssessmentResult.create({ result: evaluation })] });
    c.provideRecommendation({ recommendation: bad ? ImvRecommendation.ISOLATE : ImvRecommendation.ALLOW, evaluation, reasons: s.reasons });
  }
}

export function createOsImv(options: Record<string, unknown> = {}): Imv {
  return new OsImv(options as OsImvOptions);
}
