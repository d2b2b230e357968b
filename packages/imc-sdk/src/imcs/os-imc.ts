/**
 * The OS IMC (strongSwan imc_os): at BeginHandshake it sends Product Information, String Version, Numeric Version,
 * Operational Status (last boot), Forwarding Enabled, Factory Default Password Enabled and the ITA-HSR Device ID in one
 * 'IETF/Operating System' message — the seed's 269-byte first CDATA batch; on an Attribute Request it sends what was
 * asked for (Installed Packages from the dpkg status file).
 */
import { PEN, type Logger } from '@tncjs/common';
import {
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
  lastUseString,
  type PaTncAttribute,
} from '@tncjs/pa-tnc';
import { deviceId as aikDeviceId } from '@tncjs/tss';
import type { Imc, ImcConnection } from '../imc.js';
import type { InitContext, ReceivedMessage } from '../types.js';
import { logAssessment, processPaTncMessage } from '../pa-tnc-messages.js';
import { DEFAULT_OS_SOURCES, formatUtc, numericVersion, parseBootTime, parseDpkgStatus, parseOsRelease, readText, type OsInfoSources } from './os-info.js';

/** Known product vendors (strongSwan os_info.c): Ubuntu → Canonical. */
const PRODUCT_VENDOR: Record<string, number> = { Ubuntu: 0x007132 };

export interface OsImcOptions {
  /** Where to read from (tests point these at temporary files). */
  sources?: OsInfoSources;
  /** The AIK's DER SubjectPublicKeyInfo (or a function giving it): device ID = SHA-1 of it, as strongSwan. */
  devicePublicKey?: Uint8Array | (() => Promise<Uint8Array>);
  /** Name of the device key for the log line ("loaded device public key from '…'"). */
  devicePublicKeySource?: string;
  /** Clock (for "N s ago"). */
  now?: () => Date;
}

export interface OsMeasurements {
  name: string;
  version: string;
  numeric: { major: number; minor: number };
  lastBoot?: Date;
  forwarding: boolean;
  factoryDefaultPassword: boolean;
  deviceId?: string;
}

export class OsImc implements Imc {
  readonly name = 'OS';
  readonly messageTypes = [{ vendorId: PEN.IETF, subtype: 1 }];
  private id = 0;
  private log!: Logger;
  private readonly src: Required<OsInfoSources>;
  private osName = '';
  private versionId = '';

  constructor(private readonly o: OsImcOptions = {}) {
    this.src = { ...DEFAULT_OS_SOURCES, ...o.sources };
  }

  async initialize(ctx: InitContext): Promise<void> {
    this.id = ctx.id;
    this.log = ctx.logger;
    this.log.log('IMC', 1, `IMC ${this.id} "${this.name}" initialized`);
    const text = await readText(this.src.osRelease);
    this.log.log('IMC', 1, `processing "${this.src.osRelease}" file`);
    const r = parseOsRelease(text ?? '');
    this.osName = r.NAME ?? 'Linux';
    this.versionId = r.VERSION_ID ?? '';
    this.log.log('IMC', 1, `operating system name is '${this.osName}'`);
    this.log.log('IMC', 1, `operating system version is '${this.version()}'`);
  }

  private version(): string {
    return `${this.versionId}${this.versionId ? ' ' : ''}${this.src.arch}`;
  }

  /** Measure everything the first message reports (logged as strongSwan does). */
  async measure(): Promise<OsMeasurements> {
    const numeric = numericVersion(this.versionId);
    this.log.log('IMC', 1, `operating system numeric version is ${numeric.major}.${numeric.minor}`);
    const lastBoot = parseBootTime((await readText(this.src.procStat)) ?? '');
    if (lastBoot) {
      const now = this.o.now?.() ?? new Date();
      this.log.log('IMC', 1, `last boot: ${formatUtc(lastBoot)}, ${Math.round((now.getTime() - lastBoot.getTime()) / 1000)} s ago`);
    }
    const forwarding = ((await readText(this.src.ipForward)) ?? '0').trim() === '1';
    this.log.log('IMC', 1, `IPv4 forwarding is ${forwarding ? 'enabled' : 'disabled'}`);
    // no generic way to know whether a factory default password is set: reported disabled, as strongSwan on Linux
    this.log.log('IMC', 1, 'factory default password is disabled');
    let deviceId: string | undefined;
    if (this.o.devicePublicKey) {
      const spki = this.o.devicePublicKey instanceof Uint8Array ? this.o.devicePublicKey : await this.o.devicePublicKey();
      this.log.log('IMC', 1, `loaded device public key from '${this.o.devicePublicKeySource ?? 'the TPM AIK'}'`);
      deviceId = aikDeviceId(spki);
    } else {
      deviceId = (await readText(this.src.machineId))?.trim() || undefined;
    }
    if (deviceId) this.log.log('IMC', 1, `device ID is ${deviceId}`);
    else this.log.log('IMC', 1, 'no device ID available');
    return { name: this.osName, version: this.version(), numeric, lastBoot, forwarding, factoryDefaultPassword: false, deviceId };
  }

  async beginHandshake(c: ImcConnection): Promise<void> {
    const m = await this.measure();
    const attrs: PaTncAttribute<any>[] = [
      ProductInformation.create({ productVendorId: PRODUCT_VENDOR[m.name] ?? 0, productId: 0, productName: m.name }),
      StringVersion.create({ productVersion: m.version, internalBuild: '', configurationVersion: '' }),
      NumericVersion.create({ major: m.numeric.major, minor: m.numeric.minor, build: 0, servicePackMajor: 0, servicePackMinor: 0 }),
    ];
    if (m.lastBoot) attrs.push(OperationalStatus.create({ status: 3, result: 1, lastUse: lastUseString(m.lastBoot) }));
    attrs.push(ForwardingEnabled.create({ status: m.forwarding ? 1 : 0 }), FactoryDefaultPasswordEnabled.create({ status: m.factoryDefaultPassword ? 1 : 0 }));
    if (m.deviceId) attrs.push(ItaDeviceId.create({ deviceId: m.deviceId }));
    c.send({ attributes: attrs });
  }

  async receiveMessage(c: ImcConnection, msg: ReceivedMessage): Promise<void> {
    const r = processPaTncMessage(msg, this.log);
    if (r.error) return c.send({ attributes: [r.error], destinationId: msg.sourceId });
    const out: PaTncAttribute<any>[] = [];
    for (const a of r.attributes) {
      if (logAssessment(this.log, { id: this.id, name: this.name }, msg.sourceId, a) !== undefined) continue;
      if (!AttributeRequest.is(a)) continue;
      for (const req of a.value.requests) {
        if (req.vendorId !== PEN.IETF) continue;
        if (req.type === IetfAttr.INSTALLED_PACKAGES) {
          const all = parseDpkgStatus((await readText(this.src.dpkgStatus)) ?? '');
          // one attribute must fit one PA-TNC message (no segmentation here): keep what fits, say so
          const enc = new TextEncoder();
          let size = 8 + 12 + 2;
          const packages: { name: string; version: string }[] = [];
          for (const p of all) {
            size += 2 + enc.encode(p.name).byteLength + enc.encode(p.version).byteLength;
            if (size > c.attributes.maxMessageSize || packages.length === 0xffff) break;
            packages.push(p);
          }
          this.log.log('IMC', 1, `sending ${packages.length} installed packages${packages.length < all.length ? ` (of ${all.length}, limited by the maximum message size)` : ''}`);
          out.push(InstalledPackages.create({ packages }));
        } else if (req.type === IetfAttr.FORWARDING_ENABLED) {
          out.push(ForwardingEnabled.create({ status: ((await readText(this.src.ipForward)) ?? '0').trim() === '1' ? 1 : 0 }));
        }
      }
    }
    if (out.length) c.send({ attributes: out, destinationId: msg.sourceId });
  }
}

/** Factory for tnc_config (`IMC "OS" imc-os`). */
export function createOsImc(options: Record<string, unknown> = {}): Imc {
  return new OsImc(options as OsImcOptions);
}
