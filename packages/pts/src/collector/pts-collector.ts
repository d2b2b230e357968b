/**
 * The Attestation IMC's protocol logic (strongSwan imc_attestation): answers the IMV's PTS requests — segmentation
 * contract, capabilities, measurement algorithm, file metadata, DH nonce, TPM version info, AIK, symlinks, functional
 * component evidence — and produces the evidence: one Simple Component Evidence per BIOS event and per IMA entry,
 * streamed, then Simple Evidence Final with a TPM 2.0 quote over the PCRs the evidence touched.
 */
import { readFile, stat, readdir, lstat, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PEN, getLogger, toHex, TncjsError, type Logger } from '@tncjs/common';
import {
  MaxAttributeSizeRequest,
  contractResponse,
  answerContractRequest,
  PaTncError,
  ItaGetSymlinks,
  ItaSymlinks,
  type PaTncAttribute,
} from '@tncjs/pa-tnc';
import { RequestPtsProtocolCapabilities, PtsProtocolCapabilities, protoCapsString, type ProtoCaps } from '../attributes/proto-caps.js';
import { PtsMeasurementAlgorithmRequest, PtsMeasurementAlgorithm, MEAS_ALGO_HASH_NAMES, MEAS_ALGO_NODE, algorithmSetFromBits, algorithmSetToBits, strongestAlgorithm } from '../attributes/meas-algo.js';
import { DhNonceParametersRequest, DhNonceParametersResponse, DhNonceFinish } from '../attributes/dh-nonce.js';
import { GetTpmVersionInformation, GetAttestationIdentityKey, GenerateAttestationEvidence } from '../attributes/simple-requests.js';
import { TpmVersionInformation } from '../attributes/tpm-version-information.js';
import { AttestationIdentityKey } from '../attributes/attestation-identity-key.js';
import { RequestFunctionalComponentEvidence } from '../attributes/request-functional-component-evidence.js';
import { SimpleComponentEvidence, Validation, Transform, MEASUREMENT_TYPE_HASH, measurementTimeString } from '../attributes/simple-component-evidence.js';
import { SimpleEvidenceFinal, QuoteMode } from '../attributes/simple-evidence-final.js';
import { RequestFileMetadata, UnixStyleFileMetadata } from '../attributes/file-metadata.js';
import { PtsDh, selectDhGroup, dhGroupSetToBits, DH_GROUP_NAMES } from '../dh/groups.js';
import { secretAssessmentValue, PTS_MIN_NONCE_LEN } from '../dh/assessment-secret.js';
import { describeComponent, ItaComponent, type FunctionalName } from '../components/functional-name.js';
import { iterateEventLog } from '../eventlog/event-log.js';
import { iterateImaLog } from '../ima/ima-log.js';
import { describeImaEntry } from '../ima/ima-entry.js';
import { computeTemplateDigest } from '../ima/template-hash.js';
import { hashAlgorithmByName } from '../eventlog/algorithms.js';
import { ShadowPcrs } from '../verifier/shadow-pcrs.js';
import { imaNgTemplateHash } from '../verifier/ima-template.js';
import { MEAS_TO_TPM_ALG } from '../verifier/quote-info.js';
import { splitQuoteInfo, signatureBytes, type AttestationTpm } from './attestation-tpm.js';
import { createHash, randomBytes, createPublicKey } from 'node:crypto';

/** TCG PTS error codes the collector sends (PA-TNC Error, vendor TCG). */
const PtsError = { HASH_ALG_NOT_SUPPORTED: 1, INVALID_PATH: 2, FILE_NOT_FOUND: 3, DH_GRPS_NOT_SUPPORTED: 6, BAD_NONCE_LENGTH: 7, INVALID_DELIMITER: 10, UNABLE_DET_PCR: 16 } as const;

export interface CollectorOptions {
  tpm: AttestationTpm;
  /** BIOS/UEFI event log (default the kernel's securityfs path). */
  biosLog?: string;
  /** IMA runtime log (default the kernel's securityfs path). */
  imaLog?: string;
  /** Measurement algorithms we offer (default SHA-1, SHA-256, SHA-384 as the seed's IMC). */
  algorithms?: number;
  /** D-H groups we support (default all five). */
  dhGroups?: number;
  /** Our DH nonce length (default 20). */
  nonceLength?: number;
  /** Our PTS capabilities (default V, D, T). */
  capabilities?: ProtoCaps;
  /** Maximum PA-TNC message size of the connection (for the segmentation contract answer). */
  maxMessageSize?: number;
  /** IMC and IMV IDs for log lines. */
  imcId?: number;
  logger?: Logger;
  /** Clock for measurement times (seconds); default: the log files' change time as strongSwan. */
  now?: () => number;
}

interface Session {
  caps?: ProtoCaps;
  algorithm?: number;
  dh?: PtsDh;
  responderNonce?: Uint8Array;
  secret?: Uint8Array;
  components: FunctionalName[];
}

export class PtsCollector {
  private readonly log: Logger;
  private readonly s: Session = { components: [] };

  constructor(private readonly o: CollectorOptions) {
    this.log = o.logger ?? getLogger();
  }

  /** The negotiated measurement algorithm (after a PTS Measurement Algorithm Request). */
  get algorithm(): number | undefined {
    return this.s.algorithm;
  }

  /** The secret assessment value (after DH Nonce Finish). */
  get secret(): Uint8Array | undefined {
    return this.s.secret;
  }

  /**
   * Answer one PA-TNC message from the IMV: the attributes to send back, in order (evidence is generated lazily, so
   * a 100,000-entry IMA log is never held twice).
   */
  async *handle(attributes: PaTncAttribute<any>[], imvId = 1): AsyncGenerator<PaTncAttribute<any>> {
    let evidenceRequested = false;
    for (const a of attributes) {
      if (MaxAttributeSizeRequest.is(a)) {
        const answer = answerContractRequest(a.value, {
          role: 'IMC',
          id: this.o.imcId ?? 2,
          peerId: imvId,
          maxMessageSize: this.o.maxMessageSize ?? 32722,
          paType: "'TCG/PTS' 0x005597/0x00000001",
        }, this.log);
        yield contractResponse(answer);
      } else if (RequestPtsProtocolCapabilities.is(a)) {
        const mine = this.o.capabilities ?? { current: false, verification: true, dhNonce: true, trustedPlatform: true, xml: false };
        const caps = { current: mine.current && a.value.flags.current, verification: mine.verification && a.value.flags.verification, dhNonce: mine.dhNonce && a.value.flags.dhNonce, trustedPlatform: mine.trustedPlatform && a.value.flags.trustedPlatform, xml: mine.xml && a.value.flags.xml };
        this.s.caps = caps;
        this.log.log('PTS', 2, `supported PTS protocol capabilities: ${protoCapsString(caps)}`);
        yield PtsProtocolCapabilities.create({ flags: caps });
      } else if (PtsMeasurementAlgorithmRequest.is(a)) {
        const offered = algorithmSetToBits(a.value.algorithms);
        const alg = strongestAlgorithm(offered & (this.o.algorithms ?? 0xe000));
        if (!alg) {
          yield this.ptsError(PtsError.HASH_ALG_NOT_SUPPORTED, new Uint8Array([0, 0, (this.o.algorithms ?? 0xe000) >> 8, 0]));
          continue;
        }
        this.s.algorithm = alg;
        this.log.log('PTS', 2, `selected PTS measurement algorithm is ${MEAS_ALGO_HASH_NAMES[alg]}`);
        yield PtsMeasurementAlgorithm.create({ algorithms: algorithmSetFromBits(alg) });
      } else if (RequestFileMetadata.is(a)) {
        yield await this.fileMetadata(a.value.pathname, a.value.delimiter, a.value.flags.directory);
      } else if (DhNonceParametersRequest.is(a)) {
        yield this.dhParameters(a.value.minNonceLength, dhGroupSetToBits(a.value.groups));
      } else if (DhNonceFinish.is(a)) {
        this.dhFinish(a.value.hashAlgorithm, a.value.publicValue, a.value.nonce);
      } else if (GetTpmVersionInformation.is(a)) {
        const v = await this.o.tpm.versionInfo();
        yield TpmVersionInformation.create({ versionInfo: v });
      } else if (GetAttestationIdentityKey.is(a)) {
        yield AttestationIdentityKey.create({ flags: { publicKey: true }, aik: await this.o.tpm.aikPublicKey() });
      } else if (ItaGetSymlinks.is(a)) {
        const links = await this.symlinks(a.value.directories);
        if (links) yield links;
      } else if (RequestFunctionalComponentEvidence.is(a)) {
        this.log.log('IMC', 1, `evidence requested for ${a.value.components.length} functional components`);
        for (const c of a.value.components) {
          this.log.log('PTS', 2, describeComponent(c.component, '* '));
          this.s.components.push(c.component);
        }
      } else if (GenerateAttestationEvidence.is(a)) {
        evidenceRequested = true;
      }
    }
    if (evidenceRequested) yield* this.evidence();
  }

  private ptsError(code: number, info: Uint8Array): PaTncAttribute<any> {
    return PaTncError.create({ errorVendorId: PEN.TCG, errorCode: code, info });
  }

  private async fileMetadata(path: string, delimiter: number, directory: boolean): Promise<PaTncAttribute<any>> {
    this.log.log('IMC', 2, `metadata request for ${directory ? 'directory' : 'file'} '${path}'`);
    if (delimiter !== 0x2f && delimiter !== 0x5c) return this.ptsError(PtsError.INVALID_DELIMITER, new Uint8Array(0));
    try {
      const names = directory ? (await readdir(path, { withFileTypes: true })).filter((d) => d.isFile() && !d.name.startsWith('.')).map((d) => d.name) : [null];
      const files = [];
      for (const n of names) {
        const st = await stat(n === null ? path : join(path, n));
        files.push({
          type: st.isFile() ? 8 : st.isDirectory() ? 4 : st.isSymbolicLink() ? 10 : st.isFIFO() ? 1 : st.isSocket() ? 12 : st.isBlockDevice() ? 6 : st.isCharacterDevice() ? 2 : 0,
          size: BigInt(st.size),
          created: BigInt(Math.floor(st.ctimeMs / 1000)),
          modified: BigInt(Math.floor(st.mtimeMs / 1000)),
          accessed: BigInt(Math.floor(st.atimeMs / 1000)),
          owner: BigInt(st.uid),
          group: BigInt(st.gid),
          filename: n ?? basename(path),
        });
      }
      return UnixStyleFileMetadata.create({ files }, { noskip: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      this.log.log('IMC', 1, `file/directory does not exist ${path}`);
      return this.ptsError(code === 'ENOENT' || code === 'ENOTDIR' ? PtsError.FILE_NOT_FOUND : PtsError.INVALID_PATH, new Uint8Array(0));
    }
  }

  private dhParameters(minNonceLength: number, offered: number): PaTncAttribute<any> {
    const n = this.o.nonceLength ?? 20;
    if (n < PTS_MIN_NONCE_LEN || (minNonceLength > 0 && n < minNonceLength)) return this.ptsError(PtsError.BAD_NONCE_LENGTH, new Uint8Array([n >> 8, n & 0xff, 0xff, 0xff]));
    const group = selectDhGroup(offered, this.o.dhGroups ?? 0xf800);
    if (!group) return this.ptsError(PtsError.DH_GRPS_NOT_SUPPORTED, new Uint8Array([0, 0, ((this.o.dhGroups ?? 0xf800) >> 8) & 0xff, (this.o.dhGroups ?? 0xf800) & 0xff]));
    this.s.dh = new PtsDh(group);
    this.s.responderNonce = new Uint8Array(randomBytes(n));
    this.log.log('PTS', 2, `selected PTS DH group is ${DH_GROUP_NAMES[group]}`);
    this.log.log('PTS', 2, `nonce length is ${n}`);
    // strongSwan's IMC offers only its selected measurement algorithm as DH hash
    return DhNonceParametersResponse.create({ group, hashAlgorithms: algorithmSetFromBits(this.s.algorithm ?? 0x8000), nonce: this.s.responderNonce, publicValue: this.s.dh.publicValue() });
  }

  private dhFinish(hashAlgorithm: number, initiatorValue: Uint8Array, initiatorNonce: Uint8Array): void {
    if (!this.s.dh || !this.s.responderNonce) throw new CollectorError('DH Nonce Finish without DH Nonce Parameters');
    if (initiatorNonce.byteLength !== this.s.responderNonce.byteLength) throw new CollectorError('initiator and responder DH nonces have differing lengths');
    this.log.log('PTS', 2, `selected DH hash algorithm is ${MEAS_ALGO_HASH_NAMES[hashAlgorithm] ?? hashAlgorithm}`);
    const shared = this.s.dh.sharedSecret(initiatorValue);
    this.s.secret = secretAssessmentValue(hashAlgorithm, initiatorNonce, this.s.responderNonce, shared);
    this.log.dump('PTS', 3, 'initiator nonce:', initiatorNonce);
    this.log.dump('PTS', 3, 'responder nonce:', this.s.responderNonce);
    this.log.dump('PTS', 4, 'shared DH secret:', shared);
    this.log.dump('PTS', 4, 'secret assessment value:', this.s.secret);
  }

  private async symlinks(dir: string): Promise<PaTncAttribute<any> | undefined> {
    let entries;
    try {
      entries = await readdir(dir);
    } catch {
      return undefined;
    }
    const symlinks = [];
    for (const name of entries) {
      const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
      try {
        if (!(await lstat(p)).isSymbolicLink() || !(await stat(p)).isDirectory()) continue;
        const target = await readlink(p);
        symlinks.push({ symlink: p, directory: target.startsWith('/') ? target : `/${target}` });
      } catch {
        /* dangling link or no permission: not reported, as strongSwan */
      }
    }
    return ItaSymlinks.create({ symlinks });
  }

  private async *evidence(): AsyncGenerator<PaTncAttribute<any>> {
    const alg = this.s.algorithm ?? 0x8000;
    const bank = MEAS_ALGO_NODE[alg].hash;
    const version = await this.o.tpm.versionInfo();
    const shadow = new ShadowPcrs(alg, version[0] === 0x02 ? version[3] : 0);
    for (const c of this.s.components) {
      if (c.vendorId !== PEN.ITA || c.name !== ItaComponent.IMA) {
        this.log.log('PTS', 2, '    not registered: no evidence provided');
        continue;
      }
      const q = c.qualifier & 0x3f;
      if (q === 0x21) yield* this.biosEvidence(c, alg, bank, shadow);
      else if (q === 0x22) yield* this.imaEvidence(c, alg, bank, shadow);
      else this.log.log('PTS', 1, 'unsupported functional component name qualifier');
    }
    yield await this.final(alg, shadow);
  }

  private async *biosEvidence(c: FunctionalName, alg: number, bank: string, shadow: ShadowPcrs): AsyncGenerator<PaTncAttribute<any>> {
    const path = this.o.biosLog ?? '/sys/kernel/security/tpm0/binary_bios_measurements';
    const bytes = new Uint8Array(await readFile(path));
    const time = measurementTimeString(this.o.now?.() ?? Math.floor((await stat(path)).ctimeMs / 1000));
    let n = 0;
    for (const ev of iterateEventLog(bytes, { logger: this.log })) {
      const d = ev.digests.find((x) => x.algorithm === bank);
      if (!d || ev.eventType === 3 /* EV_NO_ACTION */ || ev.pcrIndex > 23) continue;
      n++;
      shadow.extend(ev.pcrIndex, d.digest);
      this.logEvidence(c, time, ev.pcrIndex, d.digest);
      yield SimpleComponentEvidence.create({
        validation: Validation.NONE,
        depth: 0,
        component: c,
        measurementType: MEASUREMENT_TYPE_HASH,
        extendedPcr: ev.pcrIndex,
        hashAlgorithm: alg,
        transform: Transform.MATCH,
        measurementTime: time,
        measurement: new Uint8Array(d.digest),
      });
    }
    this.log.log('PTS', 1, `loaded bios measurements '${path}' (${n} entries)`);
  }

  private async *imaEvidence(c: FunctionalName, alg: number, bank: string, shadow: ShadowPcrs): AsyncGenerator<PaTncAttribute<any>> {
    const path = this.o.imaLog ?? '/sys/kernel/security/ima/binary_runtime_measurements';
    const bytes = new Uint8Array(await readFile(path));
    const time = measurementTimeString(this.o.now?.() ?? Math.floor((await stat(path)).ctimeMs / 1000));
    const hashAlg = hashAlgorithmByName(bank)!;
    let n = 0;
    for (const e of iterateImaLog(bytes, { logger: this.log })) {
      const info = describeImaEntry(e);
      const name = info.fileName ?? '';
      let measurement: Uint8Array;
      if (e.violation) measurement = new Uint8Array(shadow.size).fill(0xff);
      else if (e.templateDigest.byteLength === shadow.size && bank === 'sha1') measurement = new Uint8Array(e.templateDigest);
      else measurement = computeTemplateDigest(e, hashAlg);
      if (n === 0) {
        if (name !== 'boot_aggregate') throw new CollectorError(`first IMA entry must be boot_aggregate, is '${name}'`);
        const last = bank === 'sha1' ? 7 : 9;
        const agg = createHash(bank);
        for (let i = 0; i <= last; i++) agg.update(shadow.get(i));
        const prefix = info.fileDigest && e.templateName !== 'ima' ? `${info.fileDigest.algorithm}:` : '';
        const expected = imaNgTemplateHash(bank, prefix, new Uint8Array(agg.digest()), 'boot_aggregate');
        const ok = e.templateName === 'ima' || toHex(expected) === toHex(measurement);
        this.log.log('PTS', 1, `boot aggregate value is ${ok ? 'correct' : 'incorrect'}`);
        if (!ok) throw new CollectorError('boot aggregate value is incorrect');
      }
      n++;
      shadow.extend(e.pcrIndex, measurement);
      this.logEvidence(c, time, e.pcrIndex, measurement);
      const uri = e.templateName === 'ima' || !info.fileDigest ? name : `${info.fileDigest.algorithm}:${name}`;
      this.log.log('PTS', 3, `'${uri}'`);
      yield SimpleComponentEvidence.create({
        validation: Validation.PASSED,
        depth: 0,
        component: c,
        measurementType: MEASUREMENT_TYPE_HASH,
        extendedPcr: e.pcrIndex,
        hashAlgorithm: alg,
        transform: Transform.MATCH,
        measurementTime: time,
        policyUri: uri,
        measurement,
      });
    }
    this.log.log('PTS', 1, `loaded ima measurements '${path}' (${n} entries)`);
  }

  private logEvidence(c: FunctionalName, time: string, pcr: number, m: Uint8Array): void {
    this.log.log('PTS', 3, () => `${describeComponent(c)}\nmeasurement time: ${time}\nPCR ${String(pcr).padStart(2)} extended with: ${Array.from(m, (x) => x.toString(16).padStart(2, '0')).join(':')}`);
  }

  /** Field size of an ECC AIK (r and s are sent padded to it), 0 for RSA. */
  private async curveSize(): Promise<number> {
    const key = createPublicKey({ key: Buffer.from(await this.o.tpm.aikPublicKey()), format: 'der', type: 'spki' });
    return { prime256v1: 32, secp384r1: 48, secp521r1: 66 }[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 0;
  }

  private async final(alg: number, shadow: ShadowPcrs): Promise<PaTncAttribute<any>> {
    if (!this.s.secret) throw new CollectorError('no secret assessment value: the DH nonce exchange did not happen');
    const pcrs = shadow.selection();
    if (pcrs.length === 0) return this.ptsError(PtsError.UNABLE_DET_PCR, new Uint8Array(0));
    const q = await this.o.tpm.quote(MEAS_TO_TPM_ALG[alg], pcrs, this.s.secret);
    const parts = splitQuoteInfo(q.quoted);
    const sigHash = 'hash' in q.signature ? q.signature.hash : 0;
    const composite = Object.entries(MEAS_TO_TPM_ALG).find(([, v]) => v === sigHash)?.[0];
    this.log.dump('PTS', 2, 'TPM Quote Info:', q.quoted);
    return SimpleEvidenceFinal.create({
      flags: QuoteMode.TPM2,
      compositeAlgorithm: Number(composite ?? 0),
      pcrComposite: parts.pcrDigest,
      qualifiedSigner: parts.qualifiedSigner,
      clockInfo: parts.clockInfo,
      firmwareVersion: parts.firmwareVersion,
      pcrSelect: parts.pcrSelect,
      quoteSignature: signatureBytes(q.signature, await this.curveSize()),
    });
  }
}

export class CollectorError extends TncjsError {
  constructor(message: string) {
    super('ERR_PTS_COLLECTOR', message);
  }
}
