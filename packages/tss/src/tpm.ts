/**
 * The TPM object: one transport, commands executed one at a time, authorization sessions applied, responses checked.
 * Command implementations live in `commands/` (one file per chapter of TPM 2.0 Part 3); this class exposes them as
 * methods.
 */
import { Reader, Writer, getLogger, type Logger } from '@tncjs/common';
import { HR, TPM_HT, commandName, hexHandle } from './constants.js';
import { decodeResponse, encodeCommand, type AuthCommand } from './command.js';
import { TpmError, TpmTransportError } from './errors.js';
import { explainResponseCode } from './response-codes.js';
import { PASSWORD, authBytes, tpmHash, type AuthRef } from './sessions/authorization.js';
import type { TpmTransport } from './transports/transport.js';
import { openTransport, type OpenTransportOptions } from './transports/select.js';
import { SwtpmTransport, type SwtpmControl } from './transports/swtpm.js';
import * as startupCmd from './commands/startup.js';
import * as capabilityCmd from './commands/capability.js';
import * as pcrCmd from './commands/pcr.js';
import * as hierarchyCmd from './commands/hierarchy.js';
import * as objectCmd from './commands/object.js';
import * as contextCmd from './commands/context.js';
import * as attestationCmd from './commands/attestation.js';
import * as signingCmd from './commands/signing.js';
import * as nvCmd from './commands/nv.js';
import * as sessionCmd from './commands/session.js';
import * as policyCmd from './commands/policy.js';
import * as randomCmd from './commands/random.js';
import * as daCmd from './commands/dictionary-attack.js';

/** strongSwan's log label for TPM 2.0 messages (`tpm_tss_tss2_v2.c`). */
export const LABEL = 'TPM 2.0 -';

/** Warnings after which a command is simply sent again: TPM_RC_YIELDED, TPM_RC_TESTING, TPM_RC_RETRY. */
const RETRY_CODES = new Set([0x908, 0x90a, 0x922]);
const MAX_SUBMISSIONS = 5;

/** A handle, optionally with its Name (saves a TPM2_ReadPublic when an HMAC or policy session needs it). */
export type HandleRef = number | { handle: number; name?: Uint8Array };

export interface CommandRequest {
  commandCode: number;
  /** The handle area, in order. Authorized handles come first. */
  handles?: readonly HandleRef[];
  /** One authorization per authorized handle (the first `auths.length` handles). */
  auths?: readonly AuthRef[];
  params?: Uint8Array;
  /** Number of handles the response carries. */
  responseHandles?: number;
  /** Parameters that must not be logged below level 4 (secrets in the command or the response). */
  sensitive?: { command?: boolean; response?: boolean };
  timeoutMs?: number;
}

export interface CommandResult {
  handles: number[];
  /** Reader over the response parameters (offsets count from the start of the response). */
  params: Reader;
}

export interface TpmOptions {
  /** Logger (default: the process-wide one from @tncjs/common, silent unless an application sets one). */
  logger?: Logger;
  /** Per-command deadline in milliseconds. */
  timeoutMs?: number;
}

function handleOf(h: HandleRef): number {
  return typeof h === 'number' ? h : h.handle;
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

export class Tpm {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly transport: TpmTransport,
    private readonly options: TpmOptions = {},
  ) {}

  /**
   * Connect to a TPM: `spec` (`device:/dev/tpmrm0`, `swtpm:tcp://127.0.0.1:2321`, tpm2-tools TCTI syntax), else
   * TNCJS_TPM / TPM2TOOLS_TCTI / TCTI, else /dev/tpmrm0 then /dev/tpm0.
   * @example const tpm = await Tpm.open('swtpm:tcp://127.0.0.1:2321');
   * @throws TypeError for an invalid spec, TpmTransportError when no device can be opened
   */
  static async open(spec?: string, options: TpmOptions & OpenTransportOptions = {}): Promise<Tpm> {
    return new Tpm(await openTransport(spec, options), options);
  }

  /** The logger in effect. */
  get log(): Logger {
    return this.options.logger ?? getLogger();
  }

  /** swtpm's control channel (power on/off), when the transport is a swtpm socket with one. */
  get control(): SwtpmControl | undefined {
    return this.transport instanceof SwtpmTransport ? this.transport.control : undefined;
  }

  /** Close the transport. Pending commands finish first. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => {});
    await this.transport.close();
  }

  /** Name of a handle: the handle itself for PCRs, sessions and permanent handles; else read from the TPM. */
  async nameOf(h: HandleRef): Promise<Uint8Array> {
    if (typeof h !== 'number' && h.name) return h.name;
    const handle = handleOf(h);
    switch (handle >>> 24) {
      case TPM_HT.NV_INDEX:
        return (await nvCmd.nvReadPublic(this, handle)).name;
      case TPM_HT.TRANSIENT:
      case TPM_HT.PERSISTENT:
        return (await objectCmd.readPublic(this, handle)).name;
      default:
        return u32(handle);
    }
  }

  /**
   * Execute one command. Throws TpmError for a non-success response code, TpmDecodeError for a malformed response,
   * TpmTransportError when the TPM cannot be reached or does not answer in time, TpmResponseAuthError when a
   * response HMAC fails.
   */
  async execute(req: CommandRequest): Promise<CommandResult> {
    if (this.closed) throw new TpmTransportError('ERR_TPM_CLOSED', this.transport.description, 'this Tpm was closed');
    const handles = req.handles ?? [];
    const auths = req.auths ?? [];
    if (auths.length > handles.length) throw new RangeError(`${commandName(req.commandCode)}: ${auths.length} authorizations for ${handles.length} handles`);
    const needNames = auths.some((a) => (a.session ?? PASSWORD).needsNames);
    const names = needNames ? await Promise.all(handles.map((h) => this.nameOf(h))) : undefined;
    const raw = handles.map(handleOf);
    const run = async () => {
      // TPM_RC_RETRY, TPM_RC_YIELDED and TPM_RC_TESTING mean "send it again" (tpm2-tss ESAPI resubmits too)
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.transact(req, raw, auths, names);
        } catch (e) {
          if (!(e instanceof TpmError) || !RETRY_CODES.has(e.rc) || attempt >= MAX_SUBMISSIONS) throw e;
          this.log.log('PTS', 2, () => `${LABEL} ${commandName(req.commandCode)}: ${e.rcName}, resubmitting (${attempt}/${MAX_SUBMISSIONS - 1})`);
          await new Promise((r) => setTimeout(r, 5 * attempt));
        }
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  private async transact(req: CommandRequest, handles: number[], auths: readonly AuthRef[], names: Uint8Array[] | undefined): Promise<CommandResult> {
    const cc = req.commandCode;
    const params = req.params ?? new Uint8Array(0);
    const log = this.log;
    const cpCache = new Map<number, Uint8Array>();
    const cpHash = (alg: number) => {
      let v = cpCache.get(alg);
      if (!v) {
        v = tpmHash(alg, u32(cc), ...(names ?? []), params);
        cpCache.set(alg, v);
      }
      return v;
    };
    const authCmds: AuthCommand[] = auths.map((a, i) =>
      (a.session ?? PASSWORD).authCommand({ commandCode: cc, cpHash, authValue: authBytes(a.authValue), entityName: names?.[i] }),
    );
    const cmd = encodeCommand(cc, handles, authCmds, params);
    const name = commandName(cc);
    if (log.enabled('LIB', 3)) {
      if (log.enabled('LIB', 4)) log.dump('LIB', 4, `${LABEL} ${name} command`, cmd.bytes);
      else {
        const red = cmd.bytes.slice();
        red.fill(0, cmd.authOffset, cmd.authOffset + cmd.authLength);
        if (req.sensitive?.command) red.fill(0, cmd.paramsOffset);
        log.dump('LIB', 3, `${LABEL} ${name} command (authorization${req.sensitive?.command ? ' and parameters' : ''} zeroed)`, red);
      }
    }
    const started = Date.now();
    const resp = await this.transport.transmit(cmd.bytes, { timeoutMs: req.timeoutMs ?? this.options.timeoutMs });
    const parsed = decodeResponse(resp, { handles: req.responseHandles ?? 0, sessions: authCmds.length });
    if (log.enabled('LIB', 3)) {
      if (req.sensitive?.response && !log.enabled('LIB', 4)) {
        const red = resp.slice();
        red.fill(0, parsed.paramsOffset, parsed.paramsOffset + parsed.params.byteLength);
        log.dump('LIB', 3, `${LABEL} ${name} response (parameters zeroed)`, red);
      } else log.dump('LIB', log.enabled('LIB', 4) ? 4 : 3, `${LABEL} ${name} response`, resp);
    }
    if (parsed.responseCode !== 0) {
      log.log('PTS', RETRY_CODES.has(parsed.responseCode) ? 2 : 1, () => `${LABEL} ${name} failed: ${explainResponseCode(parsed.responseCode)}`);
      throw new TpmError(parsed.responseCode, cc);
    }
    log.log('PTS', 2, () => `${LABEL} ${name}${handles.length ? ' ' + handles.map(hexHandle).join(' ') : ''} (${resp.byteLength} bytes, ${Date.now() - started} ms)`);
    if (authCmds.length) {
      const rpCache = new Map<number, Uint8Array>();
      const rpHash = (alg: number) => {
        let v = rpCache.get(alg);
        if (!v) {
          v = tpmHash(alg, u32(0), u32(cc), parsed.params);
          rpCache.set(alg, v);
        }
        return v;
      };
      auths.forEach((a, i) => (a.session ?? PASSWORD).authResponse({ commandCode: cc, rpHash, authValue: authBytes(a.authValue), entityName: names?.[i] }, parsed.auths[i]));
    }
    return { handles: parsed.handles, params: new Reader(parsed.params, parsed.paramsOffset) };
  }

  // Part 3 §9 Start-up, §10 Testing
  /** TPM2_Startup (Part 3 §9.3). */ startup = (type: 'clear' | 'state' = 'clear') => startupCmd.startup(this, type);
  /** TPM2_Shutdown (Part 3 §9.4). */ shutdown = (type: 'clear' | 'state' = 'clear') => startupCmd.shutdown(this, type);
  /** TPM2_SelfTest (Part 3 §10.2). */ selfTest = (fullTest = true) => startupCmd.selfTest(this, fullTest);
  /** TPM2_GetTestResult (Part 3 §10.4). */ getTestResult = () => startupCmd.getTestResult(this);
  // §16 Random Number Generator
  /** TPM2_GetRandom (Part 3 §16.1), repeated until `n` bytes. */ getRandom = (n: number) => randomCmd.getRandom(this, n);
  // §30 Capability Commands
  /** TPM2_GetCapability (Part 3 §30.2), one call. */ getCapability = (cap: number, property: number, count: number) => capabilityCmd.getCapability(this, cap, property, count);
  /** TPM properties from `first` on, all pages. */ getProperties = (first?: number, last?: number) => capabilityCmd.getProperties(this, first, last);
  /** Allocated PCR banks and their PCRs. */ getPcrBanks = () => capabilityCmd.getPcrBanks(this);
  /** Implemented algorithms. */ getAlgorithms = () => capabilityCmd.getAlgorithms(this);
  /** Implemented ECC curves. */ getEccCurves = () => capabilityCmd.getEccCurves(this);
  /** Handles of one type (`HR.PERSISTENT`, `HR.NV_INDEX`, …). */ getHandles = (first: number = HR.PERSISTENT) => capabilityCmd.getHandles(this, first);
  /** Manufacturer, vendor strings, firmware, spec revision, PCR banks. */ getInfo = () => capabilityCmd.getInfo(this);
  // §22 Integrity Collection (PCR)
  /** TPM2_PCR_Read (Part 3 §22.4), paged until every selected PCR is read. */ pcrRead = (selection: pcrCmd.PcrSelectionInput) => pcrCmd.pcrRead(this, selection);
  /** TPM2_PCR_Extend (Part 3 §22.2). */ pcrExtend = (pcrIndex: number, digests: pcrCmd.ExtendInput, auth?: AuthRef) => pcrCmd.pcrExtend(this, pcrIndex, digests, auth);
  /** TPM2_PCR_Event (Part 3 §22.3). */ pcrEvent = (pcrIndex: number, data: Uint8Array, auth?: AuthRef) => pcrCmd.pcrEvent(this, pcrIndex, data, auth);
  /** TPM2_PCR_Reset (Part 3 §22.8). */ pcrReset = (pcrIndex: number, auth?: AuthRef) => pcrCmd.pcrReset(this, pcrIndex, auth);
  // §24 Hierarchy Commands
  /** TPM2_CreatePrimary (Part 3 §24.1). */ createPrimary = (primaryHandle: number, template: hierarchyCmd.Template, opts?: hierarchyCmd.CreateOptions) => hierarchyCmd.createPrimary(this, primaryHandle, template, opts);
  // §12 Object Commands
  /** TPM2_Create (Part 3 §12.1). */ create = (parent: HandleRef, template: hierarchyCmd.Template, opts?: hierarchyCmd.CreateOptions) => objectCmd.create(this, parent, template, opts);
  /** TPM2_Load (Part 3 §12.2). */ load = (parent: HandleRef, priv: Uint8Array, pub: hierarchyCmd.Template, opts?: { auth?: AuthRef }) => objectCmd.load(this, parent, priv, pub, opts);
  /** TPM2_ReadPublic (Part 3 §12.4). */ readPublic = (handle: number) => objectCmd.readPublic(this, handle);
  /** TPM2_ActivateCredential (Part 3 §12.5). */ activateCredential = (activate: HandleRef, key: HandleRef, credentialBlob: Uint8Array, secret: Uint8Array, opts?: objectCmd.ActivateOptions) => objectCmd.activateCredential(this, activate, key, credentialBlob, secret, opts);
  /** TPM2_MakeCredential (Part 3 §12.6). */ makeCredential = (handle: number, credential: Uint8Array, objectName: Uint8Array) => objectCmd.makeCredential(this, handle, credential, objectName);
  // §28 Context Management
  /** TPM2_ContextSave (Part 3 §28.2). */ contextSave = (handle: number) => contextCmd.contextSave(this, handle);
  /** TPM2_ContextLoad (Part 3 §28.3). */ contextLoad = (ctx: contextCmd.TpmsContext) => contextCmd.contextLoad(this, ctx);
  /** TPM2_FlushContext (Part 3 §28.4). */ flushContext = (handle: number) => contextCmd.flushContext(this, handle);
  /** TPM2_EvictControl (Part 3 §28.5). */ evictControl = (objectHandle: HandleRef, persistentHandle: number, opts?: contextCmd.EvictOptions) => contextCmd.evictControl(this, objectHandle, persistentHandle, opts);
  // §18 Attestation Commands
  /** TPM2_Quote (Part 3 §18.4). */ quote = (signHandle: HandleRef, qualifyingData: Uint8Array, selection: pcrCmd.PcrSelectionInput, opts?: attestationCmd.QuoteOptions) => attestationCmd.quote(this, signHandle, qualifyingData, selection, opts);
  // §20 Signing and Signature Verification, §15 Hash/HMAC
  /** TPM2_Sign (Part 3 §20.2). */ sign = (keyHandle: HandleRef, digest: Uint8Array, opts?: signingCmd.SignOptions) => signingCmd.sign(this, keyHandle, digest, opts);
  /** TPM2_Hash (Part 3 §15.4). */ hash = (data: Uint8Array, hashAlg?: number, hierarchy?: number) => signingCmd.hash(this, data, hashAlg, hierarchy);
  // §31 Non-volatile Storage
  /** TPM2_NV_ReadPublic (Part 3 §31.6). */ nvReadPublic = (index: number) => nvCmd.nvReadPublic(this, index);
  /** TPM2_NV_Read (Part 3 §31.13), in chunks of TPM_PT_NV_BUFFER_MAX. */ nvRead = (index: number, opts?: nvCmd.NvReadOptions) => nvCmd.nvRead(this, index, opts);
  /** TPM2_NV_DefineSpace (Part 3 §31.3). */ nvDefineSpace = (pub: nvCmd.NvPublic, opts?: nvCmd.NvDefineOptions) => nvCmd.nvDefineSpace(this, pub, opts);
  /** TPM2_NV_Write (Part 3 §31.7), in chunks. */ nvWrite = (index: number, data: Uint8Array, opts?: nvCmd.NvWriteOptions) => nvCmd.nvWrite(this, index, data, opts);
  /** TPM2_NV_UndefineSpace (Part 3 §31.4). */ nvUndefineSpace = (index: number, opts?: nvCmd.NvUndefineOptions) => nvCmd.nvUndefineSpace(this, index, opts);
  // §25 Dictionary Attack Functions
  /** TPM2_DictionaryAttackLockReset (Part 3 §25.2). */ dictionaryAttackLockReset = (auth?: AuthRef) => daCmd.dictionaryAttackLockReset(this, auth);
  /** TPM2_DictionaryAttackParameters (Part 3 §25.3). */ dictionaryAttackParameters = (p: { maxTries: number; recoveryTime: number; lockoutRecovery: number }, auth?: AuthRef) => daCmd.dictionaryAttackParameters(this, p, auth);
  // §11 Session Commands, §23 Enhanced Authorization
  /** TPM2_StartAuthSession (Part 3 §11.1). */ startAuthSession = (opts?: sessionCmd.StartSessionOptions) => sessionCmd.startAuthSession(this, opts);
  /** TPM2_PolicySecret (Part 3 §23.4). */ policySecret = (authHandle: HandleRef, s: sessionCmd.AuthSession, opts?: policyCmd.PolicySecretOptions) => policyCmd.policySecret(this, authHandle, s, opts);
  /** TPM2_PolicyPCR (Part 3 §23.7). */ policyPCR = (s: sessionCmd.AuthSession, selection: pcrCmd.PcrSelectionInput, pcrDigest?: Uint8Array) => policyCmd.policyPCR(this, s, selection, pcrDigest);
  /** TPM2_PolicyAuthValue (Part 3 §23.17). */ policyAuthValue = (s: sessionCmd.AuthSession) => policyCmd.policyAuthValue(this, s);
  /** TPM2_PolicyPassword (Part 3 §23.18). */ policyPassword = (s: sessionCmd.AuthSession) => policyCmd.policyPassword(this, s);
  /** TPM2_PolicyCommandCode (Part 3 §23.11). */ policyCommandCode = (s: sessionCmd.AuthSession, cc: number) => policyCmd.policyCommandCode(this, s, cc);
  /** TPM2_PolicyGetDigest (Part 3 §23.19). */ policyGetDigest = (s: sessionCmd.AuthSession) => policyCmd.policyGetDigest(this, s);
  /** TPM2_PolicyRestart (Part 3 §11.2). */ policyRestart = (s: sessionCmd.AuthSession) => policyCmd.policyRestart(this, s);
}

/** A Writer for command parameters. */
export function params(): Writer {
  return new Writer(256);
}
