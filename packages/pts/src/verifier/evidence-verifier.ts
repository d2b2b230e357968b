/**
 * The Attestation IMV's evidence check (strongSwan imv_attestation / ita_comp_ima verify): replay every Simple
 * Component Evidence into shadow PCRs, check the boot aggregate against PCR 0–7 (0–9 for non-SHA-1 banks), compare
 * with reference measurements, then rebuild the quote the TPM signed (with the IMV's own secret assessment value)
 * and verify the PCR digest and the AIK signature.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { getLogger, toHex, type Logger } from '@tncjs/common';
import { MEAS_ALGO_NODE, MEAS_ALGO_HASH_NAMES } from '../attributes/meas-algo.js';
import { Validation, type SimpleComponentEvidenceValue } from '../attributes/simple-component-evidence.js';
import { QuoteMode, quoteMode, type SimpleEvidenceFinalValue } from '../attributes/simple-evidence-final.js';
import { describeComponent, QualifierType } from '../components/functional-name.js';
import { ShadowPcrs } from './shadow-pcrs.js';
import { imaNgTemplateHash, imaTemplateHash, splitPolicyUri } from './ima-template.js';
import { expectedPcrDigest, parsePcrSelect, tpm2QuoteInfo, tpm12CompositeHash, tpm12QuoteInfo, verifyQuoteSignature } from './quote-info.js';
import type { ReferenceStore, BiosReference } from './reference-store.js';

export interface VerifierOptions {
  /** PTS measurement algorithm (= PCR bank), e.g. 0x8000 SHA-1. */
  algorithm: number;
  /** TPM 2.0 startup locality from the TPM Version Information (PCR 0's initial last byte). */
  locality?: number;
  /** Device ID (hex key id of the AIK) for the reference store. */
  deviceId?: string;
  store?: ReferenceStore;
  /**
   * Register unknown measurements in the store (strongSwan's first contact with a device). They are written only once
   * the closing quote verified (signature and PCR composite): evidence that a TPM did not vouch for never becomes a
   * reference, so a tampered or forged log cannot poison the reference store for the devices that come after it.
   */
  register?: boolean;
  logger?: Logger;
}

export interface EvidenceFinding {
  /** Index of the evidence in the order received (0-based). */
  index: number;
  component: string;
  pcr: number;
  /** IMA file name, or `BIOS event N`. */
  name: string;
  result: 'differs' | 'failed' | 'missing';
  message: string;
}

export interface VerificationReport {
  compliant: boolean;
  bios: { count: number; ok: number; differ: number; missing: number; registered: number };
  ima: { count: number; ok: number; unknown: number; differ: number; failed: number };
  bootAggregate: 'correct' | 'incorrect' | 'missing';
  pcrDigest: boolean;
  signature: boolean;
  /** PCR values replayed from the evidence, hex by index. */
  pcrs: Record<number, string>;
  findings: EvidenceFinding[];
  reasons: string[];
}

const BIOS = 0x21;
const IMA = 0x22;

export class EvidenceVerifier {
  private readonly pcrs: ShadowPcrs;
  private readonly log: Logger;
  private readonly hash: string;
  private index = 0;
  private readonly biosSeen: BiosReference[] = [];
  private readonly biosIndex: number[] = [];
  private imaSeen = 0;
  /** Registrations (first contact) held back until `finish()` has verified the quote. */
  private readonly pendingIma: { name: string; measurement: Uint8Array }[] = [];
  private pendingBios = false;
  private readonly report: VerificationReport;

  constructor(private readonly options: VerifierOptions) {
    this.pcrs = new ShadowPcrs(options.algorithm, options.locality ?? 0);
    this.hash = MEAS_ALGO_NODE[options.algorithm].hash;
    this.log = options.logger ?? getLogger();
    this.report = {
      compliant: false,
      bios: { count: 0, ok: 0, differ: 0, missing: 0, registered: 0 },
      ima: { count: 0, ok: 0, unknown: 0, differ: 0, failed: 0 },
      bootAggregate: 'missing',
      pcrDigest: false,
      signature: false,
      pcrs: {},
      findings: [],
      reasons: [],
    };
  }

  /** Take one Simple Component Evidence (in the order received). */
  add(e: SimpleComponentEvidenceValue): void {
    const index = this.index++;
    const component = describeComponent(e.component);
    if (e.hashAlgorithm !== this.options.algorithm) {
      this.finding(index, component, e.extendedPcr, `entry ${index}`, 'failed', `received ${MEAS_ALGO_HASH_NAMES[e.hashAlgorithm] ?? e.hashAlgorithm} measurement hash but PCR bank is ${MEAS_ALGO_HASH_NAMES[this.options.algorithm]}`);
      return;
    }
    const q = e.component.qualifier & 0x3f;
    if (q === BIOS || (q & 0x0f) === QualifierType.TRUSTED_PLATFORM) this.addBios(index, e);
    else if (q === IMA || (q & 0x0f) === QualifierType.OPERATING_SYSTEM) this.addIma(index, component, e);
    this.replay(index, component, e);
  }

  private replay(index: number, component: string, e: SimpleComponentEvidenceValue): void {
    try {
      if (e.pcrBefore && e.pcrAfter) {
        if (toHex(e.pcrBefore) !== toHex(this.pcrs.get(e.extendedPcr))) {
          this.log.log('PTS', 1, `PCR ${String(e.extendedPcr).padStart(2)}: pcr_before is not equal to register value`);
        }
        this.pcrs.set(e.extendedPcr, e.pcrAfter);
      } else {
        this.pcrs.extend(e.extendedPcr, e.measurement);
      }
      this.log.log('PTS', 3, () => `PCR ${String(e.extendedPcr).padStart(2)} extended with: ${hexColons(e.measurement)}`);
    } catch (err) {
      this.finding(index, component, e.extendedPcr, `entry ${index}`, 'failed', (err as Error).message);
    }
  }

  private addBios(index: number, e: SimpleComponentEvidenceValue): void {
    this.report.bios.count++;
    this.biosSeen.push({ pcr: e.extendedPcr, measurement: toHex(e.measurement) });
    this.biosIndex.push(index);
  }

  private addIma(index: number, component: string, e: SimpleComponentEvidenceValue): void {
    const { algoPrefix, name } = splitPolicyUri(e.policyUri ?? '');
    if (this.imaSeen++ === 0) {
      this.checkBios();
      this.checkBootAggregate(index, component, e, algoPrefix, name);
      return;
    }
    this.report.ima.count++;
    if (e.validation !== Validation.PASSED) {
      this.report.ima.failed++;
      this.finding(index, component, e.extendedPcr, name, 'failed', `evidence validation failed for '${name}'`);
      return;
    }
    const store = this.options.store;
    const known = store?.imaMeasurements(name, this.options.algorithm);
    const hex = toHex(e.measurement);
    if (!known) {
      this.report.ima.unknown++;
      this.log.log('PTS', 2, `  ${hexColons(e.measurement)} for '${name}' is not found`);
      if (this.options.register && store) this.pendingIma.push({ name, measurement: e.measurement.slice() });
    } else if (known.includes(hex)) {
      this.report.ima.ok++;
      this.log.log('PTS', 3, `  ${hexColons(e.measurement)} for '${name}' is ok`);
    } else {
      this.report.ima.differ++;
      this.finding(index, component, e.extendedPcr, name, 'differs', `measurement ${hexColons(e.measurement)} for '${name}' differs`);
    }
  }

  private checkBootAggregate(index: number, component: string, e: SimpleComponentEvidenceValue, algoPrefix: string, name: string): void {
    if (name !== 'boot_aggregate') {
      this.report.bootAggregate = 'incorrect';
      this.finding(index, component, e.extendedPcr, name, 'failed', `ima: name must be 'boot_aggregate' but is '${name}'`);
      return;
    }
    const last = this.options.algorithm === 0x8000 ? 7 : 9;
    const aggregate = createHash(this.hash);
    for (let i = 0; i <= last; i++) aggregate.update(this.pcrs.get(i));
    const digest = new Uint8Array(aggregate.digest());
    const expected = algoPrefix ? imaNgTemplateHash(this.hash, algoPrefix, digest, 'boot_aggregate') : imaTemplateHash(this.hash, digest, 'boot_aggregate');
    if (equal(expected, e.measurement)) {
      this.report.bootAggregate = 'correct';
      this.log.log('PTS', 1, `boot aggregate computed over PCR0..PCR${last} is correct`);
    } else {
      this.report.bootAggregate = 'incorrect';
      this.log.log('PTS', 1, `boot aggregate computed over PCR0..PCR${last} is incorrect`);
      this.finding(index, component, e.extendedPcr, 'boot_aggregate', 'differs', `boot aggregate ${hexColons(e.measurement)} does not match PCR0..PCR${last}`);
    }
  }

  private checkBios(): void {
    const store = this.options.store;
    const id = this.options.deviceId ?? '';
    if (!store || this.biosSeen.length === 0) return;
    const ref = store.biosEvidence(id, this.options.algorithm);
    if (!ref) {
      if (this.options.register) this.pendingBios = true;
      return;
    }
    this.log.log('PTS', 2, `checking ${ref.length} BIOS evidence measurements`);
    for (let i = 0; i < Math.max(ref.length, this.biosSeen.length); i++) {
      const got = this.biosSeen[i];
      const want = ref[i];
      if (!got) {
        this.report.bios.missing++;
        continue;
      }
      if (want && want.pcr === got.pcr && want.measurement === got.measurement) this.report.bios.ok++;
      else {
        this.report.bios.differ++;
        this.finding(this.biosIndex[i], 'BIOS', got.pcr, `BIOS event ${i + 1}`, 'differs', `BIOS evidence measurement ${i + 1} (PCR ${got.pcr}) differs`);
      }
    }
    if (this.report.bios.missing) this.log.log('PTS', 1, `${this.report.bios.missing} of ${ref.length} BIOS evidence measurements missing`);
    else if (!this.report.bios.differ) this.log.log('PTS', 1, `${this.report.bios.ok} BIOS evidence measurements are ok`);
  }

  /**
   * Check the closing quote against the replayed PCRs and decide.
   * @param secret the IMV's secret assessment value (the quote's qualifying data)
   * @param aikSpki the AIK public key (DER SubjectPublicKeyInfo)
   */
  finish(sef: SimpleEvidenceFinalValue, secret: Uint8Array, aikSpki: Uint8Array, tpmVersionInfo?: Uint8Array): VerificationReport {
    const r = this.report;
    if (this.imaSeen === 0) this.checkBios();
    const mode = quoteMode(sef.flags);
    let selection = this.pcrs.selection();
    if (selection.length === 0) r.reasons.push('No extended PCR entries available, unable to construct TPM Quote Info');
    else if (mode === QuoteMode.TPM2) {
      const sel = sef.pcrSelect && parsePcrSelect(sef.pcrSelect);
      if (sel) selection = sel.pcrs;
      const digest = expectedPcrDigest(this.pcrs, sef.compositeAlgorithm, selection);
      r.pcrDigest = sef.pcrComposite !== undefined && equal(digest, sef.pcrComposite);
      if (!r.pcrDigest) this.log.log('PTS', 1, 'received PCR Composite digest does not match constructed one');
      const info = tpm2QuoteInfo(sef, secret);
      r.signature = verifyQuoteSignature(aikSpki, sef.compositeAlgorithm, info, sef.quoteSignature ?? new Uint8Array(0));
    } else if (mode !== QuoteMode.NONE) {
      const composite = tpm12CompositeHash(this.pcrs, selection);
      r.pcrDigest = sef.pcrComposite !== undefined && equal(composite, sef.pcrComposite);
      if (!r.pcrDigest) this.log.log('PTS', 1, 'received PCR Composite does not match constructed one');
      const info = tpm12QuoteInfo(mode, composite, secret, selection, tpmVersionInfo);
      r.signature = verifyQuoteSignature(aikSpki, 0x8000, info, sef.quoteSignature ?? new Uint8Array(0));
    } else r.reasons.push('no TPM quote received');
    if (mode !== QuoteMode.NONE) {
      this.log.log('PTS', r.signature ? 2 : 1, r.signature ? 'TPM Quote Info signature verification successful' : 'signature verification failed for TPM Quote Info');
    }
    for (const i of selection) r.pcrs[i] = toHex(this.pcrs.get(i));
    if (r.ima.count || this.imaSeen) {
      this.log.log('PTS', 1, `processed ${r.ima.count} IMA file evidence measurements: ${r.ima.ok} ok, ${r.ima.unknown} unknown, ${r.ima.differ} differ, ${r.ima.failed} failed`);
    }
    if (!r.pcrDigest || !r.signature) r.reasons.push('Invalid TPM Quote signature received');
    if (r.findings.length) r.reasons.push('Incorrect component evidence');
    if (r.bootAggregate === 'incorrect') r.reasons.push('boot aggregate incorrect');
    r.compliant = r.reasons.length === 0;
    this.commitRegistrations(r.pcrDigest && r.signature && r.bootAggregate !== 'incorrect');
    return r;
  }

  /** Write the first-contact registrations, or drop them when the quote did not vouch for the evidence. */
  private commitRegistrations(verified: boolean): void {
    const store = this.options.store;
    const count = this.pendingIma.length + (this.pendingBios ? this.biosSeen.length : 0);
    if (!store || count === 0) return;
    if (!verified) {
      this.log.log('PTS', 1, `not registering ${count} unknown measurements: the TPM quote does not vouch for them`);
    } else {
      if (this.pendingBios) {
        store.registerBiosEvidence(this.options.deviceId ?? '', this.options.algorithm, this.biosSeen);
        this.report.bios.registered = this.biosSeen.length;
        this.log.log('PTS', 1, `registered ${this.biosSeen.length} BIOS evidence measurements`);
      }
      for (const m of this.pendingIma) store.registerImaMeasurement(m.name, this.options.algorithm, m.measurement);
      if (this.pendingIma.length) this.log.log('PTS', 1, `registered ${this.pendingIma.length} IMA file measurements`);
    }
    this.pendingIma.length = 0;
    this.pendingBios = false;
  }

  private finding(index: number, component: string, pcr: number, name: string, result: EvidenceFinding['result'], message: string): void {
    this.report.findings.push({ index, component, pcr, name, result, message });
    this.log.log('PTS', 1, message);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** strongSwan's `%#B`: `c4:2f:ed:…`. */
export function hexColons(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}
