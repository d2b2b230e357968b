/**
 * IKEv2 initiator (RFC 7296) with EAP-only authentication (RFC 5998): IKE_SA_INIT (NAT detection, COOKIE,
 * INVALID_KE_PAYLOAD retry), IKE_AUTH carrying EAP (the conversation is delegated to an `EapPeer`), AUTH from the
 * MSK, the first CHILD_SA, INFORMATIONAL DELETE; port float 500 → 4500, retransmission, fragmentation (RFC 7383).
 */
import { randomBytes } from 'node:crypto';
import { Reader, Writer, Logger, concatBytes, equalBytes, getLogger, toHex } from '@tncjs/common';
import type { EapPeer } from '@tncjs/eap';
import {
  AuthMethod, CertEncoding, DhGroup, DH_NAMES, Encr, ExchangeType, IKE_HEADER_SIZE, IKE_PORT, Integ, NATT_PORT, NotifyType,
  NOTIFY_NAMES, PayloadType, Prf, ProtocolId, TransformAttr, TransformType, Esn,
} from './constants.js';
import { IkeDecodeError, IkeError, IkeErrorCode } from './errors.js';
import { decodeMessage, describeMessage, encodeHeader, type IkeMessage } from './message.js';
import {
  decodePayloads, describeProposal, describeSelector, encodePayloads, formatIdentity, identificationBody, isErrorNotify,
  keyLength, notify, parseIdentity, selectorFromCidr, type AnyPayload, type AuthenticationPayload, type EapPayload,
  type EncryptedFragmentPayload, type EncryptedPayload, type IdentificationPayload, type KeyExchangePayload,
  narrowTrafficSelectors, type NoncePayload, type NotifyPayload, type CertificatePayload, type Proposal, type SecurityAssociationPayload, type TrafficSelector,
  type TrafficSelectorPayload, type Transform,
} from './payloads/index.js';
import { ENCRS, INTEGS, PRFS, type EncrAlg, type IntegAlg, type PrfAlg } from './crypto/algorithms.js';
import { createKeyExchange, type KeyExchange } from './crypto/diffie-hellman.js';
import { deriveChildKeys, deriveIkeKeys, skeyseed, type ChildKeys, type IkeKeys } from './crypto/ike-keys.js';
import { openMessage, sealMessage, type SkContext } from './crypto/encrypted-payload.js';
import { natDetectionHash, sharedKeyAuth, signedOctets } from './crypto/authentication.js';
import { UdpTransport, type Endpoint, type TransportOptions } from './transport.js';
import { EspSa, EspTunnel } from './esp.js';
import { DEFAULT_FRAGMENT_SIZE, FragmentReassembler, sealMaybeFragmented } from './fragmentation.js';
import { SIGNATURE_HASH_ALGORITHMS, certificateRequest, verifySignatureAuth } from './crypto/signature.js';
import type { CertificateValidator } from '@tncjs/eap-ttls';
import { espKeylogEntry, ikeKeylogEntry, type KeylogCallback } from './keylog.js';
import { chooseEspProposal, lifetimeSchedule, rekeyedIkeKeys, type LifetimeConfig } from './rekey.js';
import type { DeletePayload } from './payloads/index.js';

/** An IKE proposal: one encryption algorithm, PRF, integrity (none for AEAD), DH groups in order of preference. */
export interface IkeProposalConfig {
  encr: number;
  keyBits: number;
  integ?: number;
  prf: number;
  groups: number[];
}
export interface EspProposalConfig {
  encr: number;
  keyBits: number;
  integ?: number;
}

/** Retransmission (strongSwan's defaults: 4 s, base 1.8, 5 retransmits). */
export interface RetransmitConfig {
  timeout: number;
  base: number;
  tries: number;
  /** Upper bound for one wait (default none). */
  maxTimeout?: number;
}
export const STRONGSWAN_RETRANSMIT: RetransmitConfig = { timeout: 4000, base: 1.8, tries: 5 };

export interface InitiatorOptions {
  /**
   * The connection name as strongSwan logs it (`home` in `IKE_SA home[1]`, `CHILD_SA home{1}`); default `'tncjs'`.
   * Every IKE_SA gets a process-wide unique id starting at 1 (`[n]`), every CHILD_SA one too (`{n}`), as in charon.
   */
  name?: string;
  /** The responder; `nattPort` (default 4500) is where we float to when a NAT is detected. */
  remote: { address: string; port?: number; nattPort?: number };
  /** IDi, e.g. `carol@strongswan.org` (also the EAP identity). */
  identity: string;
  /** IDr to send (optional; moon accepts none or `moon.strongswan.org`). */
  remoteIdentity?: string;
  /** The EAP peer that runs the EAP conversation (e.g. with EAP-TTLS + inner MD5). */
  eap: EapPeer;
  ike?: IkeProposalConfig[];
  esp?: EspProposalConfig[];
  /** Traffic selectors (CIDR); default TSi = our address/32, TSr = 0.0.0.0/0. */
  tsi?: string[];
  tsr?: string[];
  retransmit?: Partial<RetransmitConfig>;
  /** Largest IP datagram before we fragment (RFC 7383; default 1280, strongSwan's for IPv4). */
  fragmentSize?: number;
  /** Announce IKEV2_FRAGMENTATION_SUPPORTED (default true). */
  fragmentation?: boolean;
  /** Send NAT detection notifies (default true). */
  natDetection?: boolean;
  /**
   * Accept a responder that authenticates with a certificate (RSA signature AUTH, then EAP): the chain is validated
   * with this validator and must name the IDr. Without it such a responder is refused.
   */
  serverCertificates?: { validator: CertificateValidator; /** CA certificates (DER or PEM) named in our CERTREQ so the responder sends its certificate */ authorities: (Uint8Array | string)[] };
  transport?: TransportOptions;
  logger?: Logger;
  /**
   * Debugging only (like SSLKEYLOGFILE): receives the IKE SA keys and CHILD_SA keys whenever they are derived
   * (IKE_SA_INIT, CHILD_SA, every rekey), e.g. `keylogFile(dir)` for Wireshark's decryption tables. Off by default.
   */
  keylog?: KeylogCallback;
  /** IKE_SA lifetimes (strongSwan `rekey_time`/`life_time`/`rand_time`, seconds): we rekey with CREATE_CHILD_SA. Off by default. */
  ikeLifetime?: LifetimeConfig;
  /** CHILD_SA lifetimes (seconds): we rekey the CHILD_SA with CREATE_CHILD_SA. Off by default. */
  childLifetime?: LifetimeConfig;
  /** DH groups offered for perfect forward secrecy when rekeying the CHILD_SA (default none: KEYMAT from SK_d only). */
  pfs?: number[];
  /** Dead peer detection: an empty INFORMATIONAL after this many idle seconds (strongSwan `dpd_delay`; default off). */
  dpdDelay?: number;
  /**
   * Reauthentication when the responder sends AUTH_LIFETIME (RFC 4478): a fresh EAP peer for the new IKE_SA. Without
   * it the `auth-lifetime` event is emitted and nothing else happens. strongSwan 5.9's default is used:
   * break-before-make (the old IKE_SA is deleted, then a new one is established).
   */
  reauthEap?: () => EapPeer;
  /** Seconds before the AUTH_LIFETIME ends at which we reauthenticate (strongSwan `over_time`; default 10 % of it). */
  reauthMargin?: number;
  /**
   * Most IKE_AUTH round trips the EAP conversation may take (default 100). Each EAP-TTLS fragment costs one; large
   * uploads with small fragments need more (strongSwan's own gateway stops EAP-TTLS after 32 messages).
   */
  maxEapRounds?: number;
}

/** Events of an established IKE_SA (see `IkeInitiator.onEvent`). */
export type IkeEvent =
  | { type: 'child-rekeyed'; initiatedBy: 'us' | 'peer'; oldSpiIn: string; spiIn: string; spiOut: string; pfs: boolean }
  | { type: 'ike-rekeyed'; initiatedBy: 'us' | 'peer'; oldSpiI: string; oldSpiR: string; spiI: string; spiR: string }
  | { type: 'auth-lifetime'; seconds: number; reauthInSeconds: number }
  | { type: 'reauthenticated'; spiI: string; spiR: string }
  | { type: 'dpd'; alive: true }
  | { type: 'dead'; error: IkeError }
  | { type: 'expired'; sa: 'ike' | 'child' }
  | { type: 'deleted'; by: 'peer'; sa: 'ike' | 'child' }
  | { type: 'error'; during: string; error: Error };

export const DEFAULT_IKE_PROPOSALS: IkeProposalConfig[] = [
  { encr: Encr.AES_CBC, keyBits: 128, integ: Integ.HMAC_SHA2_256_128, prf: Prf.HMAC_SHA2_256, groups: [DhGroup.CURVE_25519, DhGroup.ECP_256, DhGroup.MODP_2048] },
];
export const DEFAULT_ESP_PROPOSALS: EspProposalConfig[] = [
  { encr: Encr.AES_GCM_16, keyBits: 128 },
  { encr: Encr.AES_CBC, keyBits: 128, integ: Integ.HMAC_SHA2_256_128 },
];

/** The negotiated CHILD_SA (keys are secret: never log them below level 4). */
export interface ChildSa {
  /** Our inbound SPI and the peer's (our outbound) SPI. */
  spiIn: Uint8Array;
  spiOut: Uint8Array;
  encr: EncrAlg;
  encrKeyBits: number;
  integ?: IntegAlg;
  proposal: string;
  tsi: TrafficSelector[];
  tsr: TrafficSelector[];
  /** Keys: `encrI`/`integI` protect initiator → responder (our outbound). */
  keys: ChildKeys;
  /** ESP travels in UDP on port 4500 (NAT detected). */
  udpEncapsulation: boolean;
  /**
   * charon's CHILD_SA unique id, process-wide (`home{1}`); a rekeyed CHILD_SA gets a new one. Always set by
   * `IkeInitiator` (optional in the type so other producers of a `ChildSa` may leave it out).
   */
  uniqueId?: number;
}

export interface EstablishedInfo {
  /** The connection name (`InitiatorOptions.name`). */
  name: string;
  /** charon's IKE_SA unique id, process-wide (`home[1]`); rekeying and reauthentication give the new IKE_SA a new one. */
  uniqueId: number;
  spiI: string;
  spiR: string;
  proposal: string;
  remoteIdentity: string;
  natDetected: { local: boolean; remote: boolean };
  /** The EAP method gave an MSK that keyed the AUTH payloads. */
  mskUsed: boolean;
  child?: ChildSa;
  /** Our IKE request count and retransmissions, for tests and benchmarks. */
  requests: number;
  retransmits: number;
  /** Message summaries as strongSwan logs them, in order (`generating …` / `parsed …`). */
  exchanges: string[];
  /** Wall-clock ms of IKE_SA_INIT (incl. retries) and of all IKE_AUTH exchanges. */
  timings: { ikeSaInitMs: number; ikeAuthMs: number };
}

interface Pending {
  messageId: number;
  packets: Uint8Array[];
  resolve: (r: Received) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  attempt: number;
}
interface Received {
  header: IkeMessage;
  raw: Uint8Array;
  payloads: AnyPayload[];
}

const randomSpi = (n: number): Uint8Array => {
  for (;;) {
    const s = new Uint8Array(randomBytes(n));
    if (s.some((x) => x !== 0)) return s;
  }
};

function ikeTransforms(p: IkeProposalConfig): Transform[] {
  const t: Transform[] = [{ type: TransformType.ENCR, id: p.encr, attributes: [{ type: TransformAttr.KEY_LENGTH, value: p.keyBits }] }];
  t.push({ type: TransformType.PRF, id: p.prf, attributes: [] });
  if (p.integ !== undefined && !ENCRS[p.encr]?.aead) t.push({ type: TransformType.INTEG, id: p.integ, attributes: [] });
  for (const g of p.groups) t.push({ type: TransformType.DH, id: g, attributes: [] });
  return t;
}

function espTransforms(p: EspProposalConfig): Transform[] {
  const t: Transform[] = [{ type: TransformType.ENCR, id: p.encr, attributes: [{ type: TransformAttr.KEY_LENGTH, value: p.keyBits }] }];
  if (p.integ !== undefined && !ENCRS[p.encr]?.aead) t.push({ type: TransformType.INTEG, id: p.integ, attributes: [] });
  t.push({ type: TransformType.ESN, id: Esn.NO, attributes: [] });
  return t;
}

const one = (p: Proposal, type: number): Transform | undefined => p.transforms.find((t) => t.type === type);
/** charon's `%#R` of a selector list: every selector followed by a space (`10.1.0.0/28 `). */
const tsList = (ts: readonly TrafficSelector[]): string => ts.map((t) => `${describeSelector(t)} `).join('');

/** charon's unique ids: one counter for IKE_SAs, one for CHILD_SAs, shared by every initiator in this process. */
let lastIkeSaId = 0;
let lastChildSaId = 0;
const nextIkeSaId = (): number => ++lastIkeSaId;
const nextChildSaId = (): number => ++lastChildSaId;

/** Options of `IkeInitiator.connect`. */
export interface ConnectOptions {
  /**
   * Aborting cancels the exchange in flight, sends a best-effort DELETE when IKE_SA_INIT already completed, closes the
   * sockets and rejects with IkeError ERR_IKE_ABORTED at once (no retransmission timeouts are waited for).
   */
  signal?: AbortSignal;
}

/** An IKEv2 initiator for one IKE_SA. */
export class IkeInitiator {
  private readonly log: Logger;
  private readonly transport: UdpTransport;
  private readonly retransmit: RetransmitConfig;
  private readonly remote: Endpoint;
  private natt = false;
  private spiI: Uint8Array = randomSpi(8);
  private spiR: Uint8Array = new Uint8Array(8);
  private nextId = 0;
  private pending?: Pending;
  private readonly reassembler = new FragmentReassembler();
  private keys?: IkeKeys;
  private prfAlg?: PrfAlg;
  private skOut?: SkContext;
  private skIn?: SkContext;
  private peerFragmentation = false;
  private state: 'idle' | 'connecting' | 'established' | 'closed' = 'idle';
  private stats = { requests: 0, retransmits: 0 };
  private exchanges: string[] = [];
  private info?: EstablishedInfo;
  private suite?: { encr: EncrAlg; keyBits: number; integ?: IntegAlg; prf: PrfAlg; group: number; ours: IkeProposalConfig };
  private tunnel?: EspTunnel;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((e: IkeEvent) => void)[] = [];
  /** The connection name and charon's unique id of the current IKE_SA. */
  readonly name: string;
  private uniqueIdValue = nextIkeSaId();
  private aborted?: IkeError;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Requests from the peer: next expected message ID and the cached response of the last one. */
  private peerExpect = 0;
  private lastResponse?: { id: number; packets: Uint8Array[] };
  private eap: EapPeer;
  /** Our role in the current IKE_SA: the responder after the peer rekeyed the IKE_SA (RFC 7296 §2.18). */
  private role: 'initiator' | 'responder' = 'initiator';
  /** The IKE_SA the peer rekeyed away from, kept until its DELETE arrives. */
  private previousSa?: { spiI: Uint8Array; spiR: Uint8Array; role: 'initiator' | 'responder'; skIn: SkContext; skOut: SkContext; keys: IkeKeys; peerExpect: number; lastResponse?: { id: number; packets: Uint8Array[] } };

  constructor(private readonly options: InitiatorOptions) {
    this.log = options.logger ?? getLogger();
    this.retransmit = { ...STRONGSWAN_RETRANSMIT, ...options.retransmit };
    this.remote = { address: options.remote.address, port: options.remote.port ?? IKE_PORT };
    this.transport = new UdpTransport({ ...options.transport, logger: options.transport?.logger ?? this.log });
    this.eap = options.eap;
    this.name = options.name ?? 'tncjs';
  }

  /** charon's unique id of the current IKE_SA (`home[1]`): process-wide, a new one after rekeying or reauthentication. */
  get uniqueId(): number {
    return this.uniqueIdValue;
  }

  /** `home[1]`, as charon names an IKE_SA in its log. */
  private get saName(): string {
    return `${this.name}[${this.uniqueIdValue}]`;
  }

  /** Subscribe to rekey, reauthentication, DPD and deletion events. */
  onEvent(cb: (e: IkeEvent) => void): void {
    this.listeners.push(cb);
  }

  private emit(e: IkeEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Transport counters (datagrams sent/received/dropped). */
  get transportStats(): UdpTransport['stats'] {
    return this.transport.stats;
  }

  /**
   * Run IKE_SA_INIT and IKE_AUTH; resolves when the IKE_SA (and the CHILD_SA, when the responder accepted one) is
   * established.
   * @example
   * const ac = new AbortController();
   * const info = await ike.connect({ signal: AbortSignal.any([ac.signal, AbortSignal.timeout(30_000)]) });
   * @throws IkeError ERR_IKE_TIMEOUT (no answer), ERR_IKE_NOTIFY (error notify), ERR_IKE_EAP, ERR_IKE_AUTH,
   *   ERR_IKE_ABORTED (`signal` aborted; the sockets are closed)
   */
  async connect(options: ConnectOptions = {}): Promise<EstablishedInfo> {
    if (this.state !== 'idle') throw new TypeError('connect() may be called once');
    const { signal } = options;
    if (signal?.aborted) {
      this.state = 'closed';
      throw this.abortError(signal);
    }
    this.state = 'connecting';
    await this.transport.open();
    this.transport.setHandlers((m, from, natt) => this.onDatagram(m, from, natt));
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      if (!signal) return;
      onAbort = () => {
        const e = this.abortError(signal);
        this.aborted = e;
        this.cancelPending(e);
        reject(e);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    const run = (async () => {
      const t0 = performance.now();
      const init = await this.ikeSaInit();
      const t1 = performance.now();
      const info = await this.ikeAuth(init);
      info.timings = { ikeSaInitMs: t1 - t0, ikeAuthMs: performance.now() - t1 };
      return info;
    })();
    // after an abort the exchange may still be inside the EAP peer; it ends at its next request (see request())
    run.catch(() => undefined);
    try {
      const info = await Promise.race([run, aborted]);
      this.state = 'established';
      this.info = info;
      this.scheduleAll();
      return info;
    } catch (e) {
      this.state = 'closed';
      this.cancelPending(e as Error);
      if (this.aborted) await this.abortDelete();
      await this.transport.close();
      this.wipe();
      throw e;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private abortError(signal: AbortSignal): IkeError {
    const reason: unknown = signal.reason;
    const why = reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : '';
    return new IkeError(IkeErrorCode.ABORTED, `connecting IKE_SA ${this.saName} to ${this.remote.address} aborted${why}`, { cause: reason });
  }

  /**
   * Best effort after an abort: when IKE_SA_INIT completed the responder holds a half-open IKE_SA; tell it with one
   * INFORMATIONAL DELETE (next message ID, sent once, the response not waited for). A responder still busy with an
   * earlier request of ours may ignore it (charon serialises requests per IKE_SA and processes it after answering).
   */
  private async abortDelete(): Promise<void> {
    if (!this.skOut || !this.keys) return;
    this.log.log('IKE', 0, `deleting IKE_SA ${this.saName} between ${this.betweenText()}`);
    this.log.log('IKE', 1, `sending DELETE for IKE_SA ${this.saName}`);
    const { packets } = this.sealRequest(ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.IKE, spiSize: 0, spis: [] } as DeletePayload]);
    this.sendPackets(packets);
    // dgram resolves the (literal) address on the next tick and then writes at once: let it before the sockets close
    await new Promise<void>((r) => setImmediate(r));
  }

  /** `192.168.0.254[carol@strongswan.org]...192.168.0.1[moon.strongswan.org]` (`%any` before IDr is known). */
  private betweenText(): string {
    return `${this.transport.local(this.natt).address}[${this.options.identity}]...${this.remote.address}[${this.peerId ?? '%any'}]`;
  }

  private peerId?: string;

  // ------------------------------------------------------------------ IKE_SA_INIT

  private async ikeSaInit(): Promise<{ request: Uint8Array; response: Uint8Array; ni: Uint8Array; nr: Uint8Array }> {
    const proposals = this.options.ike ?? DEFAULT_IKE_PROPOSALS;
    const offered = proposals.flatMap((p) => p.groups);
    let group = offered[0];
    let cookie: Uint8Array | undefined;
    const ni = new Uint8Array(randomBytes(32));
    const local = this.transport.local(false);
    this.log.log('IKE', 0, `initiating IKE_SA ${this.saName} to ${this.remote.address}`);
    for (let round = 0; round < 4; round++) {
      const dh = createKeyExchange(group);
      const sa: SecurityAssociationPayload = {
        type: 33,
        proposals: proposals.map((p, i) => ({ num: i + 1, protocol: ProtocolId.IKE, spi: new Uint8Array(0), transforms: ikeTransforms(p) })),
      };
      const payloads: AnyPayload[] = [];
      if (cookie) payloads.push(notify(NotifyType.COOKIE, cookie));
      payloads.push(sa, { type: 34, group, data: dh.publicValue } as KeyExchangePayload, { type: 40, data: ni } as NoncePayload);
      if (this.options.natDetection !== false) {
        payloads.push(notify(NotifyType.NAT_DETECTION_SOURCE_IP, natDetectionHash(this.spiI, this.spiR, local.address, local.port)));
        payloads.push(notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natDetectionHash(this.spiI, this.spiR, this.remote.address, this.remote.port)));
      }
      if (this.options.fragmentation !== false) payloads.push(notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
      if (this.options.serverCertificates) payloads.push(notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, SIGNATURE_HASH_ALGORITHMS));
      const header = this.header(ExchangeType.IKE_SA_INIT, 0);
      const w = new Writer();
      encodePayloads(w, payloads);
      const body = w.finish();
      const hw = new Writer();
      encodeHeader(hw, header, payloads[0].type, IKE_HEADER_SIZE + body.byteLength);
      hw.bytes(body);
      const request = hw.finish();
      this.logMessage('generating', { ...header, payloads });
      const resp = await this.request(0, [request]);
      const notifies = resp.payloads.filter((p): p is NotifyPayload => p.type === PayloadType.NOTIFY);
      const c = notifies.find((n) => n.notifyType === NotifyType.COOKIE);
      if (c) {
        this.log.log('IKE', 2, 'received COOKIE notify, retrying with cookie');
        cookie = c.data;
        continue;
      }
      const invalidKe = notifies.find((n) => n.notifyType === NotifyType.INVALID_KE_PAYLOAD);
      if (invalidKe) {
        const want = invalidKe.data.byteLength >= 2 ? (invalidKe.data[0] << 8) | invalidKe.data[1] : -1;
        this.log.log('IKE', 1, `peer didn't accept DH group ${DH_NAMES[group] ?? group}, it requested ${DH_NAMES[want] ?? want}`);
        if (!offered.includes(want) || want === group) throw new IkeError(IkeErrorCode.PROTOCOL, `responder requested DH group ${want} that we did not offer`);
        group = want;
        continue;
      }
      this.throwOnErrorNotify(notifies);
      this.spiR = resp.header.spiR.slice();
      const rsa = resp.payloads.find((p): p is SecurityAssociationPayload => p.type === PayloadType.SA);
      const rke = resp.payloads.find((p): p is KeyExchangePayload => p.type === PayloadType.KE);
      const rn = resp.payloads.find((p): p is NoncePayload => p.type === PayloadType.NONCE);
      if (!rsa || !rke || !rn || rsa.proposals.length !== 1) throw new IkeError(IkeErrorCode.PROTOCOL, 'IKE_SA_INIT response lacks SA, KE or Nr');
      const chosen = rsa.proposals[0];
      const suite = this.selectIke(chosen, proposals[chosen.num - 1]);
      if (rke.group !== group || one(chosen, TransformType.DH)?.id !== group) throw new IkeError(IkeErrorCode.PROTOCOL, `responder chose DH group ${rke.group}, we sent ${group}`);
      this.peerFragmentation = notifies.some((n) => n.notifyType === NotifyType.IKEV2_FRAGMENTATION_SUPPORTED);
      // NAT detection (RFC 7296 §2.23)
      const srcs = notifies.filter((n) => n.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP);
      const dst = notifies.find((n) => n.notifyType === NotifyType.NAT_DETECTION_DESTINATION_IP);
      let natRemote = false;
      let natLocal = false;
      if (srcs.length && dst) {
        const expectSrc = natDetectionHash(this.spiI, this.spiR, this.remote.address, this.remote.port);
        natRemote = !srcs.some((s) => equalBytes(s.data, expectSrc));
        natLocal = !equalBytes(dst.data, natDetectionHash(this.spiI, this.spiR, local.address, local.port));
        if (natLocal) this.log.log('IKE', 1, 'local host is behind NAT, sending keep alives');
        if (natRemote) this.log.log('IKE', 1, 'remote host is behind NAT');
      }
      this.nat = { local: natLocal, remote: natRemote };
      // keys
      const secret = dh.computeSecret(rke.data);
      const seed = skeyseed(suite.prf, ni, rn.data, secret);
      secret.fill(0);
      this.keys = deriveIkeKeys({ prf: suite.prf, integ: suite.integ, encr: suite.encr, encrKeyBits: suite.keyBits }, seed, ni, rn.data, this.spiI, this.spiR);
      seed.fill(0);
      this.prfAlg = suite.prf;
      this.skOut = { encr: suite.encr, integ: suite.integ, encrKey: this.keys.skEi, integKey: this.keys.skAi };
      this.skIn = { encr: suite.encr, integ: suite.integ, encrKey: this.keys.skEr, integKey: this.keys.skAr };
      this.proposal = describeProposal(chosen);
      this.suite = { ...suite, group, ours: proposals[chosen.num - 1] };
      this.options.keylog?.(ikeKeylogEntry(this.spiI, this.spiR, suite.encr, suite.keyBits, suite.integ, this.keys));
      this.log.log('IKE', 4, () => `Sk_d secret => ${toHex(this.keys!.skD)}\nSk_ei secret => ${toHex(this.keys!.skEi)}\nSk_er secret => ${toHex(this.keys!.skEr)}`);
      this.log.log('CFG', 1, `selected proposal: ${this.proposal}`);
      if (natLocal || natRemote) {
        this.natt = true;
        this.remote.port = this.options.remote.nattPort ?? NATT_PORT;
        this.log.log('IKE', 2, 'switching to port 4500 (NAT detected)');
      }
      return { request, response: resp.raw, ni, nr: rn.data };
    }
    throw new IkeError(IkeErrorCode.PROTOCOL, 'too many IKE_SA_INIT retries (COOKIE / INVALID_KE_PAYLOAD)');
  }

  private nat = { local: false, remote: false };
  private proposal = '';

  private selectIke(p: Proposal, ours: IkeProposalConfig | undefined): { encr: EncrAlg; keyBits: number; integ?: IntegAlg; prf: PrfAlg } {
    const e = one(p, TransformType.ENCR);
    const f = one(p, TransformType.PRF);
    const i = one(p, TransformType.INTEG);
    const encr = e && ENCRS[e.id];
    const prf = f && PRFS[f.id];
    const keyBits = e ? keyLength(e) : undefined;
    const integ = i && i.id !== 0 ? INTEGS[i.id] : undefined;
    if (!ours || !encr || !prf || !keyBits || (!encr.aead && !integ) || e.id !== ours.encr || keyBits !== ours.keyBits || f.id !== ours.prf) {
      throw new IkeError(IkeErrorCode.PROTOCOL, `responder chose a proposal we did not offer: ${describeProposal(p)}`);
    }
    return { encr, keyBits, integ, prf };
  }

  // ------------------------------------------------------------------ IKE_AUTH

  private async ikeAuth(init: { request: Uint8Array; response: Uint8Array; ni: Uint8Array; nr: Uint8Array }): Promise<EstablishedInfo> {
    const o = this.options;
    const idi = { type: 35 as const, ...parseIdentity(o.identity) };
    const espProposals = o.esp ?? DEFAULT_ESP_PROPOSALS;
    const spiIn = randomSpi(4);
    const local = this.transport.local(this.natt);
    const tsi = (o.tsi ?? [`${local.address}/32`]).map((c) => selectorFromCidr(c));
    const tsr = (o.tsr ?? ['0.0.0.0/0']).map((c) => selectorFromCidr(c));
    const first: AnyPayload[] = [idi];
    if (o.serverCertificates?.authorities.length) first.push(certificateRequest(o.serverCertificates.authorities));
    first.push(notify(NotifyType.INITIAL_CONTACT));
    if (o.remoteIdentity) first.push({ type: 36, ...parseIdentity(o.remoteIdentity) } as IdentificationPayload);
    first.push(
      { type: 33, proposals: espProposals.map((p, i) => ({ num: i + 1, protocol: ProtocolId.ESP, spi: spiIn, transforms: espTransforms(p) })) } as SecurityAssociationPayload,
      { type: 44, selectors: tsi } as TrafficSelectorPayload,
      { type: 45, selectors: tsr } as TrafficSelectorPayload,
      notify(NotifyType.MULTIPLE_AUTH_SUPPORTED),
      notify(NotifyType.EAP_ONLY_AUTHENTICATION),
    );
    this.log.log('IKE', 0, `establishing CHILD_SA ${this.name}`);
    let resp = await this.encryptedRequest(ExchangeType.IKE_AUTH, first);
    this.throwOnErrorNotify(resp.payloads);
    const idr = resp.payloads.find((p): p is IdentificationPayload => p.type === PayloadType.IDr);
    if (!idr) throw new IkeError(IkeErrorCode.PROTOCOL, 'first IKE_AUTH response lacks IDr');
    const peerId = formatIdentity(idr);
    this.peerId = peerId;
    const sigAuth = resp.payloads.find((p): p is AuthenticationPayload => p.type === PayloadType.AUTH);
    if (sigAuth) {
      if (!o.serverCertificates) throw new IkeError(IkeErrorCode.AUTH, 'responder authenticated with a certificate but no serverCertificates validator is configured');
      const certs = resp.payloads.filter((p): p is CertificatePayload => p.type === PayloadType.CERT && 'encoding' in p && p.encoding === CertEncoding.X509_SIGNATURE);
      if (!certs.length) throw new IkeError(IkeErrorCode.AUTH, 'responder sent a signature AUTH without certificate');
      try {
        await o.serverCertificates.validator.validate(certs.map((c) => c.data), peerId, this.log);
      } catch (e) {
        throw new IkeError(IkeErrorCode.AUTH, `certificate of '${peerId}' not accepted: ${(e as Error).message}`, { cause: e });
      }
      const octets = signedOctets(this.prfAlg!, init.response, init.ni, this.keys!.skPr, identificationBody(idr));
      const scheme = verifySignatureAuth(certs[0].data, sigAuth.method, sigAuth.data, octets);
      this.log.log('IKE', 1, `authentication of '${peerId}' with ${scheme} successful`);
    }
    const eap = this.eap;
    // EAP conversation
    for (let rounds = 0; ; rounds++) {
      const maxRounds = this.options.maxEapRounds ?? 100;
      if (rounds > maxRounds) throw new IkeError(IkeErrorCode.EAP, `EAP conversation did not end after ${maxRounds} round trips`);
      const ep = resp.payloads.find((p): p is EapPayload => p.type === PayloadType.EAP);
      if (!ep) throw new IkeError(IkeErrorCode.PROTOCOL, 'IKE_AUTH response without EAP payload during EAP');
      const answer = await eap.process(ep.data);
      // charon logs this once it has handled the first EAP request of a responder that sent no AUTH (RFC 5998)
      if (rounds === 0 && !sigAuth) this.log.log('IKE', 1, 'allow mutual EAP-only authentication');
      if (eap.outcome === 'failure') {
        throw new IkeError(IkeErrorCode.EAP, `EAP method ${eap.lastMethod ? eap.lastMethod.type : ''} failed${eap.error ? `: ${eap.error.message}` : ''}`, { cause: eap.error });
      }
      if (eap.outcome === 'success') break;
      if (!answer) throw new IkeError(IkeErrorCode.EAP, 'EAP peer gave no response to a request');
      resp = await this.encryptedRequest(ExchangeType.IKE_AUTH, [{ type: 48, data: answer } as EapPayload]);
      this.throwOnErrorNotify(resp.payloads);
    }
    // the EAP peer logged "EAP method EAP_TTLS succeeded, MSK established"
    const msk = eap.msk;
    if (!sigAuth && !msk) {
      // RFC 5998 §4: EAP-only needs a mutually authenticating, key-generating method; without an MSK the responder
      // would be authenticated by nothing but SK_pr, which any man in the middle knows
      throw new IkeError(IkeErrorCode.AUTH, 'EAP-only authentication requires a key-generating EAP method (RFC 5998), but the EAP method established no MSK');
    }
    const prfAlg = this.prfAlg!;
    const keys = this.keys!;
    const ourSecret = msk ?? keys.skPi;
    const peerSecret = msk ?? keys.skPr;
    const ourAuth = sharedKeyAuth(prfAlg, ourSecret, signedOctets(prfAlg, init.request, init.nr, keys.skPi, identificationBody(idi)));
    this.log.log('IKE', 4, () => `AUTH = ${toHex(ourAuth)}`);
    this.log.log('IKE', 1, `authentication of '${o.identity}' (myself) with EAP`);
    resp = await this.encryptedRequest(ExchangeType.IKE_AUTH, [{ type: 39, method: AuthMethod.PSK, data: ourAuth } as AuthenticationPayload]);
    this.throwOnErrorNotify(resp.payloads);
    const auth = resp.payloads.find((p): p is AuthenticationPayload => p.type === PayloadType.AUTH);
    if (!auth) throw new IkeError(IkeErrorCode.AUTH, 'final IKE_AUTH response lacks AUTH');
    const expect = sharedKeyAuth(prfAlg, peerSecret, signedOctets(prfAlg, init.response, init.ni, keys.skPr, identificationBody(idr)));
    if (auth.method !== AuthMethod.PSK || !equalBytes(auth.data, expect)) {
      throw new IkeError(IkeErrorCode.AUTH, `verification of AUTH payload with ${msk ? 'MSK' : 'SK_pr'} failed`);
    }
    if (msk) msk.fill(0);
    this.log.log('IKE', 1, `authentication of '${peerId}' with EAP successful`);
    this.log.log('IKE', 0, `IKE_SA ${this.saName} established between ${this.betweenText()}`);
    this.planIke();
    // CHILD_SA
    let child: ChildSa | undefined;
    const csa = resp.payloads.find((p): p is SecurityAssociationPayload => p.type === PayloadType.SA);
    const rtsi = resp.payloads.find((p): p is TrafficSelectorPayload => p.type === PayloadType.TSi);
    const rtsr = resp.payloads.find((p): p is TrafficSelectorPayload => p.type === PayloadType.TSr);
    const childErr = resp.payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && 'notifyType' in p && isErrorNotify(p.notifyType));
    if (csa && rtsi && rtsr && csa.proposals.length === 1) {
      const cp = csa.proposals[0];
      const ours = espProposals[cp.num - 1];
      const e = one(cp, TransformType.ENCR);
      const i = one(cp, TransformType.INTEG);
      const encr = e && ENCRS[e.id];
      const integ = i && i.id !== 0 ? INTEGS[i.id] : undefined;
      const bits = e && keyLength(e);
      if (!ours || !encr || !bits || e.id !== ours.encr || bits !== ours.keyBits || (!encr.aead && !integ) || cp.spi.byteLength !== 4) {
        throw new IkeError(IkeErrorCode.PROTOCOL, `responder chose a CHILD_SA proposal we did not offer: ${describeProposal(cp)}`);
      }
      // RFC 7296 §2.9: the responder may narrow our selectors, never widen them
      const within = (got: readonly TrafficSelector[], offered: readonly TrafficSelector[]) =>
        got.length > 0 && got.every((g) => { const n = narrowTrafficSelectors([g], offered); return n.length === 1 && equalBytes(n[0].start, g.start) && equalBytes(n[0].end, g.end) && n[0].startPort === g.startPort && n[0].endPort === g.endPort && n[0].ipProtocol === g.ipProtocol; });
      if (!within(rtsi.selectors, tsi) || !within(rtsr.selectors, tsr)) {
        throw new IkeError(IkeErrorCode.PROTOCOL, `responder's traffic selectors ${tsList(rtsi.selectors)}=== ${tsList(rtsr.selectors)}are not within ours (${tsList(tsi)}=== ${tsList(tsr)})`);
      }
      const ck = deriveChildKeys(prfAlg, keys.skD, init.ni, init.nr, bits / 8 + encr.saltSize, integ?.keySize ?? 0);
      child = {
        spiIn, spiOut: cp.spi, encr, encrKeyBits: bits, integ, proposal: describeProposal(cp),
        tsi: rtsi.selectors, tsr: rtsr.selectors, keys: ck, udpEncapsulation: this.natt, uniqueId: nextChildSaId(),
      };
      this.options.keylog?.(espKeylogEntry(child, this.transport.local(this.natt).address, this.remote.address, true));
      this.log.log('IKE', 0, `CHILD_SA ${this.name}{${child.uniqueId}} established with SPIs ${toHex(spiIn)}_i ${toHex(cp.spi)}_o and TS ${tsList(rtsi.selectors)}=== ${tsList(rtsr.selectors)}`);
    } else if (childErr) {
      this.log.log('CHD', 1, `received ${NOTIFY_NAMES[childErr.notifyType] ?? childErr.notifyType} notify, no CHILD_SA built`);
    }
    const authLifetime = resp.payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.AUTH_LIFETIME);
    if (authLifetime && authLifetime.data.byteLength === 4) {
      this.authLifetime = new DataView(authLifetime.data.buffer, authLifetime.data.byteOffset, 4).getUint32(0);
    }
    return {
      name: this.name, uniqueId: this.uniqueIdValue, spiI: toHex(this.spiI), spiR: toHex(this.spiR), proposal: this.proposal, remoteIdentity: peerId, natDetected: { ...this.nat },
      mskUsed: msk !== undefined, child, requests: this.stats.requests, retransmits: this.stats.retransmits, exchanges: this.exchanges, timings: { ikeSaInitMs: 0, ikeAuthMs: 0 },
    };
  }

  // ------------------------------------------------------------------ DELETE

  /** Delete the IKE_SA (INFORMATIONAL with D) and wait for the acknowledgement, then close the sockets. */
  async close(): Promise<{ acknowledged: boolean }> {
    this.clearTimers();
    await this.queue.catch(() => undefined);
    if (this.state !== 'established') {
      this.state = 'closed';
      await this.transport.close();
      return { acknowledged: false };
    }
    this.log.log('IKE', 0, `deleting IKE_SA ${this.saName} between ${this.betweenText()}`);
    this.log.log('IKE', 1, `sending DELETE for IKE_SA ${this.saName}`);
    let acknowledged = false;
    try {
      await this.encryptedRequest(ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.IKE, spiSize: 0, spis: [] }]);
      acknowledged = true;
      this.log.log('IKE', 1, 'IKE_SA deleted');
    } catch (e) {
      this.log.log('IKE', 1, `deleting IKE_SA failed: ${(e as Error).message}`);
    }
    this.state = 'closed';
    await this.transport.close();
    this.wipe();
    return { acknowledged };
  }

  private wipe(): void {
    this.clearTimers();
    const c = this.info?.child;
    if (c) for (const k of Object.values(c.keys)) k.fill(0);
    if (!this.keys) return;
    for (const k of Object.values(this.keys)) k.fill(0);
    this.keys = undefined;
  }

  // ------------------------------------------------------------------ messaging

  private header(exchange: number, messageId: number): Omit<IkeMessage, 'payloads'> {
    return { spiI: this.spiI, spiR: this.spiR, exchange, initiator: this.role === 'initiator', response: false, messageId };
  }

  private logMessage(verb: 'generating' | 'parsed', m: Parameters<typeof describeMessage>[0], inner?: readonly AnyPayload[]): void {
    const line = `${verb} ${describeMessage(m, inner)}`;
    this.exchanges.push(line);
    this.log.log('ENC', 1, line);
  }

  /** Build, encrypt (and fragment when needed) a request with the next message ID; resolves with the decrypted response. */
  private async encryptedRequest(exchange: number, payloads: AnyPayload[]): Promise<Received> {
    if (this.aborted) throw this.aborted;
    const { id, packets } = this.sealRequest(exchange, payloads);
    return this.request(id, packets);
  }

  /** Encode, log, encrypt (and fragment) a request with the next message ID. */
  private sealRequest(exchange: number, payloads: AnyPayload[]): { id: number; packets: Uint8Array[] } {
    const id = ++this.nextId;
    const header = this.header(exchange, id);
    const w = new Writer();
    encodePayloads(w, payloads);
    const inner = w.finish();
    const innerType = payloads.length ? payloads[0].type : 0;
    this.logMessage('generating', { ...header, payloads }, payloads);
    const packets = sealMaybeFragmented(header, inner, innerType, this.skOut!, { fragment: this.peerFragmentation, limit: this.options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE, natt: this.natt });
    if (packets.length > 1) this.log.log('ENC', 1, `splitting IKE message (${inner.byteLength} bytes) into ${packets.length} fragments`);
    return { id, packets };
  }

  private request(messageId: number, packets: Uint8Array[]): Promise<Received> {
    if (this.aborted) return Promise.reject(this.aborted);
    this.stats.requests++;
    return new Promise<Received>((resolve, reject) => {
      const p: Pending = { messageId, packets, resolve, reject, attempt: 0 };
      this.pending = p;
      this.sendPackets(packets);
      this.arm(p);
    });
  }

  private sendPackets(packets: Uint8Array[]): void {
    for (const b of packets) {
      this.log.log('NET', 1, () => `sending packet: from ${this.transport.local(this.natt).address}[${this.transport.local(this.natt).port}] to ${this.remote.address}[${this.remote.port}] (${b.byteLength} bytes)`);
      this.transport.sendIke(b, this.remote, this.natt);
    }
  }

  private arm(p: Pending): void {
    const r = this.retransmit;
    const wait = Math.min(r.timeout * Math.pow(r.base, p.attempt), r.maxTimeout ?? Infinity);
    p.timer = setTimeout(() => {
      if (this.pending !== p) return;
      if (p.attempt >= r.tries) {
        this.pending = undefined;
        this.log.log('IKE', 1, `giving up after ${r.tries} retransmits`);
        p.reject(new IkeError(IkeErrorCode.TIMEOUT, `no response from ${this.remote.address}: giving up after ${r.tries} retransmits (request ${p.messageId})`));
        return;
      }
      p.attempt++;
      this.stats.retransmits++;
      this.log.log('IKE', 1, `retransmit ${p.attempt} of request with message ID ${p.messageId}`);
      this.sendPackets(p.packets);
      this.arm(p);
    }, wait);
  }

  private cancelPending(e: Error): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    p.reject(e);
  }

  private throwOnErrorNotify(payloads: readonly AnyPayload[]): void {
    const err = payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && 'notifyType' in p && isErrorNotify(p.notifyType));
    // NO_PROPOSAL_CHOSEN/TS_UNACCEPTABLE in the last IKE_AUTH response concern only the CHILD_SA
    if (err && !(payloads.some((p) => p.type === PayloadType.AUTH) && err.notifyType !== NotifyType.AUTHENTICATION_FAILED)) {
      const name = NOTIFY_NAMES[err.notifyType] ?? String(err.notifyType);
      throw new IkeError(IkeErrorCode.NOTIFY, `received ${name} notify error`, { notify: err.notifyType });
    }
  }

  private onDatagram(b: Uint8Array, from: Endpoint, natt: boolean): void {
    this.log.log('NET', 1, `received packet: from ${from.address}[${from.port}] to ${this.transport.local(natt).address}[${this.transport.local(natt).port}] (${b.byteLength} bytes)`);
    let m: IkeMessage;
    try {
      m = decodeMessage(b);
    } catch (e) {
      this.log.log('ENC', 1, `could not decode IKE message: ${(e as Error).message}`);
      return;
    }
    if (this.previousSa && !m.response && equalBytes(m.spiI, this.previousSa.spiI)) return this.onPreviousSaRequest(m, b);
    if (!equalBytes(m.spiI, this.spiI)) return this.log.log('NET', 2, 'ignoring message for another IKE_SA');
    if (!m.response) return this.onRequest(m, b);
    const p = this.pending;
    if (!p || m.messageId !== p.messageId) return this.log.log('IKE', 2, `ignoring response with message ID ${m.messageId}`);
    try {
      const payloads = this.openPayloads(m, b);
      if (!payloads) return; // more fragments to come
      this.lastReceived = performance.now();
      clearTimeout(p.timer);
      this.pending = undefined;
      this.logMessage('parsed', m, payloads);
      p.resolve({ header: m, raw: b, payloads });
    } catch (e) {
      this.log.log('ENC', 1, `discarding response: ${(e as Error).message}`);
    }
  }

  /** The payloads of a message: plain, decrypted SK, or reassembled SKF (undefined while fragments are missing). */
  private openPayloads(m: IkeMessage, raw: Uint8Array): AnyPayload[] | undefined {
    const last = m.payloads[m.payloads.length - 1];
    if (!last || (last.type !== PayloadType.SK && last.type !== PayloadType.SKF)) {
      if (m.exchange !== ExchangeType.IKE_SA_INIT) throw new IkeError(IkeErrorCode.PROTOCOL, 'unencrypted message after IKE_SA_INIT');
      return m.payloads;
    }
    if (!this.skIn) throw new IkeError(IkeErrorCode.PROTOCOL, 'encrypted message before keys exist');
    if (last.type === PayloadType.SK) {
      const sk = last as EncryptedPayload;
      const plain = openMessage(raw, sk.data, false, this.skIn);
      return decodePayloads(new Reader(plain), sk.innerType);
    }
    const f = last as EncryptedFragmentPayload;
    const done = this.reassembler.add(m.messageId, raw, f, this.skIn);
    if (!done) {
      this.log.log('ENC', 2, `received fragment #${f.fragmentNumber} of ${f.totalFragments}, waiting for complete IKE message`);
      return undefined;
    }
    this.log.log('ENC', 1, `received fragment #${f.fragmentNumber} of ${f.totalFragments}, reassembled fragmented IKE message`);
    return decodePayloads(new Reader(done.inner), done.firstType);
  }

  /**
   * Requests from the responder: INFORMATIONAL (liveness, DELETE of the IKE_SA or of the CHILD_SA) and
   * CREATE_CHILD_SA rekeying the CHILD_SA. Retransmitted requests get the cached response.
   */
  private onRequest(m: IkeMessage, raw: Uint8Array): void {
    if (!this.skIn || this.state !== 'established') return;
    if (this.lastResponse && m.messageId === this.lastResponse.id) {
      this.log.log('IKE', 1, `received retransmit of request with ID ${m.messageId}, retransmitting response`);
      return this.sendPackets(this.lastResponse.packets);
    }
    if (m.messageId !== this.peerExpect) return this.log.log('IKE', 1, `ignoring request with ID ${m.messageId}, expected ${this.peerExpect}`);
    let payloads: AnyPayload[] | undefined;
    try {
      payloads = this.openPayloads(m, raw);
    } catch (e) {
      return this.log.log('ENC', 1, `discarding request: ${(e as Error).message}`);
    }
    if (!payloads) return;
    this.logMessage('parsed', m, payloads);
    this.lastReceived = performance.now();
    let out: AnyPayload[] = [];
    let after: (() => void) | undefined;
    if (m.exchange === ExchangeType.INFORMATIONAL) {
      const dels = payloads.filter((p): p is DeletePayload => p.type === PayloadType.DELETE);
      if (dels.some((d) => d.protocol === ProtocolId.IKE)) {
        after = () => {
          this.log.log('IKE', 1, 'received DELETE for IKE_SA, deleting IKE_SA');
          this.state = 'closed';
          this.clearTimers();
          this.emit({ type: 'deleted', by: 'peer', sa: 'ike' });
        };
      } else {
        const c = this.info?.child;
        const espDel = dels.filter((d) => d.protocol === ProtocolId.ESP).flatMap((d) => d.spis);
        if (c && espDel.some((spi) => equalBytes(spi, c.spiOut)) && this.retiring.length && !espDel.some((spi) => this.retiring.some((r) => equalBytes(spi, r.spiOut)))) {
          // the peer deletes the CHILD_SA it just rekeyed to and keeps the old one (strongSwan: "failed to establish
          // CHILD_SA, keeping IKE_SA"): go back to the old CHILD_SA
          const back = this.retiring.pop()!;
          out = [{ type: 42, protocol: ProtocolId.ESP, spiSize: 4, spis: [c.spiIn] } as DeletePayload];
          after = () => {
            this.log.log('CHD', 1, `peer deleted the new CHILD_SA ${toHex(c.spiIn)}_i ${toHex(c.spiOut)}_o, keeping ${toHex(back.spiIn)}_i ${toHex(back.spiOut)}_o`);
            this.info!.child = back;
            this.tunnel?.rekey(
              new EspSa({ spi: back.spiOut, encr: back.encr, encrKey: back.keys.encrI.slice(), integ: back.integ, integKey: back.keys.integI.slice() }),
              new EspSa({ spi: back.spiIn, encr: back.encr, encrKey: back.keys.encrR.slice(), integ: back.integ, integKey: back.keys.integR.slice() }),
            );
            this.tunnel?.retire(c.spiIn);
            for (const k of Object.values(c.keys)) k.fill(0);
          };
        } else if (c && espDel.some((spi) => equalBytes(spi, c.spiOut))) {
          // the peer deleted our CHILD_SA (not a rekey): answer with our inbound SPI
          out = [{ type: 42, protocol: ProtocolId.ESP, spiSize: 4, spis: [c.spiIn] } as DeletePayload];
          after = () => {
            this.log.log('CHD', 1, `received DELETE for ESP CHILD_SA with SPI ${toHex(c.spiOut)}, closing CHILD_SA`);
            this.info!.child = undefined;
            this.clearTimer('child-rekey');
            this.clearTimer('child-expire');
            this.emit({ type: 'deleted', by: 'peer', sa: 'child' });
          };
        } else if (this.retiring.length) {
          // DELETE of the old CHILD_SA after a rekey the peer initiated
          const hit = this.retiring.filter((r) => espDel.some((spi) => equalBytes(spi, r.spiOut)));
          if (hit.length) out = [{ type: 42, protocol: ProtocolId.ESP, spiSize: 4, spis: hit.map((r) => r.spiIn) } as DeletePayload];
          after = () => this.retireChild(hit);
        }
      }
    } else if (m.exchange === ExchangeType.CREATE_CHILD_SA) {
      try {
        const r = this.answerCreateChildSa(payloads);
        out = r.payloads;
        after = r.after;
      } catch (e) {
        this.log.log('CHD', 1, `CREATE_CHILD_SA request refused: ${(e as Error).message}`);
        out = [notify(e instanceof IkeError && e.notify ? e.notify : NotifyType.NO_PROPOSAL_CHOSEN)];
      }
    } else {
      out = [notify(NotifyType.INVALID_SYNTAX)];
    }
    const header = { ...this.header(m.exchange, m.messageId), response: true };
    const w = new Writer();
    encodePayloads(w, out);
    this.logMessage('generating', { ...header, payloads: out }, out);
    const packets = sealMaybeFragmented(header, w.finish(), out.length ? out[0].type : 0, this.skOut!, { fragment: this.peerFragmentation, limit: this.options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE, natt: this.natt });
    this.lastResponse = { id: m.messageId, packets };
    this.peerExpect = m.messageId + 1;
    this.sendPackets(packets);
    after?.();
  }

  /** The responder rekeys our CHILD_SA (REKEY_SA notify); a rekey of the IKE_SA by the responder is refused. */
  private answerCreateChildSa(payloads: AnyPayload[]): { payloads: AnyPayload[]; after: () => void } {
    const sa = payloads.find((p): p is SecurityAssociationPayload => p.type === PayloadType.SA);
    const ni = payloads.find((p): p is NoncePayload => p.type === PayloadType.NONCE);
    const ke = payloads.find((p): p is KeyExchangePayload => p.type === PayloadType.KE);
    const rekey = payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.REKEY_SA);
    if (!sa || !ni) throw new IkeError(IkeErrorCode.PROTOCOL, 'CREATE_CHILD_SA without SA or Ni', { notify: NotifyType.INVALID_SYNTAX });
    if (sa.proposals.some((p) => p.protocol === ProtocolId.IKE)) return this.answerIkeRekey(sa, ni, ke);
    const old = this.info?.child;
    if (!rekey || !old || rekey.protocol !== ProtocolId.ESP || !equalBytes(rekey.spi, old.spiOut)) {
      throw new IkeError(IkeErrorCode.PROTOCOL, 'CREATE_CHILD_SA for an additional CHILD_SA (only one is supported)', { notify: NotifyType.NO_ADDITIONAL_SAS });
    }
    const choice = chooseEspProposal(sa.proposals, this.options.esp ?? DEFAULT_ESP_PROPOSALS, this.options.pfs ?? (ke ? [ke.group] : []));
    if (!choice) throw new IkeError(IkeErrorCode.PROTOCOL, 'no acceptable ESP proposal', { notify: NotifyType.NO_PROPOSAL_CHOSEN });
    if (choice.group !== undefined && (!ke || ke.group !== choice.group)) {
      throw new IkeError(IkeErrorCode.PROTOCOL, `KE group ${ke?.group} is not the chosen ${choice.group}`, { notify: NotifyType.INVALID_KE_PAYLOAD });
    }
    const nr = new Uint8Array(randomBytes(32));
    const spiIn = randomSpi(4);
    const out: AnyPayload[] = [
      { type: 33, proposals: [{ num: choice.num, protocol: ProtocolId.ESP, spi: spiIn, transforms: choice.transforms }] } as SecurityAssociationPayload,
      { type: 40, data: nr } as NoncePayload,
    ];
    let secret: Uint8Array | undefined;
    if (choice.group !== undefined) {
      const dh = createKeyExchange(choice.group);
      secret = dh.computeSecret(ke!.data);
      out.push({ type: 34, group: choice.group, data: dh.publicValue } as KeyExchangePayload);
    }
    // the peer initiates this exchange: TSi is its side (the responder's TSr of IKE_AUTH), TSr ours
    out.push({ type: 44, selectors: old.tsr } as TrafficSelectorPayload, { type: 45, selectors: old.tsi } as TrafficSelectorPayload);
    // the peer is the initiator of this exchange: its nonce is Ni, its keys are the "initiator" half of KEYMAT
    const ck = deriveChildKeys(this.prfAlg!, this.keys!.skD, secret ? concatBytes([secret, ni.data]) : ni.data, nr, choice.keyBits / 8 + choice.encr.saltSize, choice.integ?.keySize ?? 0);
    secret?.fill(0);
    const keys = { encrI: ck.encrR, integI: ck.integR, encrR: ck.encrI, integR: ck.integI };
    const child: ChildSa = {
      spiIn, spiOut: choice.peerSpi, encr: choice.encr, encrKeyBits: choice.keyBits, integ: choice.integ,
      proposal: describeProposal({ num: choice.num, protocol: ProtocolId.ESP, spi: spiIn, transforms: choice.transforms }),
      tsi: old.tsi, tsr: old.tsr, keys, udpEncapsulation: old.udpEncapsulation, uniqueId: nextChildSaId(),
    };
    return { payloads: out, after: () => this.installChild(child, old, 'peer', choice.group !== undefined) };
  }

  /**
   * The peer rekeys the IKE_SA (RFC 7296 §1.3.2, §2.18): it becomes the initiator of the new IKE_SA (its SPI is SPIi),
   * we its responder. The old IKE_SA stays until the peer deletes it.
   */
  private answerIkeRekey(sa: SecurityAssociationPayload, ni: NoncePayload, ke: KeyExchangePayload | undefined): { payloads: AnyPayload[]; after: () => void } {
    const s = this.suite!;
    const theirs = sa.proposals.find((p) => p.protocol === ProtocolId.IKE && p.spi.byteLength === 8
      && p.transforms.some((t) => t.type === TransformType.ENCR && t.id === s.ours.encr && keyLength(t) === s.keyBits)
      && p.transforms.some((t) => t.type === TransformType.PRF && t.id === s.ours.prf)
      && (!s.integ || p.transforms.some((t) => t.type === TransformType.INTEG && t.id === s.integ!.id)));
    const groups = theirs ? theirs.transforms.filter((t) => t.type === TransformType.DH).map((t) => t.id) : [];
    const group = groups.includes(s.group) ? s.group : s.ours.groups.find((g) => groups.includes(g));
    if (!theirs || group === undefined) throw new IkeError(IkeErrorCode.PROTOCOL, 'no acceptable IKE proposal in the rekey request', { notify: NotifyType.NO_PROPOSAL_CHOSEN });
    if (!ke || ke.group !== group) {
      this.log.log('IKE', 1, `DH group ${ke ? (DH_NAMES[ke.group] ?? ke.group) : 'none'} unacceptable for the IKE_SA rekey, requesting ${DH_NAMES[group] ?? group}`);
      return { payloads: [notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(group >> 8, group & 255))], after: () => undefined };
    }
    const dh = createKeyExchange(group);
    const secret = dh.computeSecret(ke.data);
    const nr = new Uint8Array(randomBytes(32));
    const spiR = randomSpi(8);
    const keys = rekeyedIkeKeys(this.prfAlg!, this.keys!.skD, secret, ni.data, nr, { prf: s.prf, integ: s.integ, encr: s.encr, encrKeyBits: s.keyBits }, theirs.spi, spiR);
    secret.fill(0);
    const transforms: Transform[] = [{ type: TransformType.ENCR, id: s.ours.encr, attributes: [{ type: TransformAttr.KEY_LENGTH, value: s.keyBits }] }, { type: TransformType.PRF, id: s.ours.prf, attributes: [] }];
    if (s.integ) transforms.push({ type: TransformType.INTEG, id: s.integ.id, attributes: [] });
    transforms.push({ type: TransformType.DH, id: group, attributes: [] });
    const payloads: AnyPayload[] = [
      { type: 33, proposals: [{ num: theirs.num, protocol: ProtocolId.IKE, spi: spiR, transforms }] } as SecurityAssociationPayload,
      { type: 40, data: nr } as NoncePayload, { type: 34, group, data: dh.publicValue } as KeyExchangePayload,
    ];
    return {
      payloads,
      after: () => {
        const old = { spiI: this.spiI, spiR: this.spiR };
        if (this.previousSa) for (const k of Object.values(this.previousSa.keys)) k.fill(0);
        this.previousSa = { spiI: this.spiI, spiR: this.spiR, role: this.role, skIn: this.skIn!, skOut: this.skOut!, keys: this.keys!, peerExpect: this.peerExpect, lastResponse: this.lastResponse };
        this.spiI = theirs.spi.slice();
        this.spiR = spiR;
        this.role = 'responder';
        this.keys = keys;
        this.skOut = { encr: s.encr, integ: s.integ, encrKey: keys.skEr, integKey: keys.skAr };
        this.skIn = { encr: s.encr, integ: s.integ, encrKey: keys.skEi, integKey: keys.skAi };
        this.suite = { ...s, group };
        this.nextId = -1;
        this.peerExpect = 0;
        this.lastResponse = undefined;
        this.options.keylog?.(ikeKeylogEntry(this.spiI, this.spiR, s.encr, s.keyBits, s.integ, keys));
        this.log.log('IKE', 4, () => `Sk_d secret => ${toHex(keys.skD)}\nSk_ei secret => ${toHex(keys.skEi)}\nSk_er secret => ${toHex(keys.skEr)}`);
        this.uniqueIdValue = nextIkeSaId();
        this.log.log('IKE', 0, `IKE_SA ${this.saName} rekeyed between ${this.betweenText()} (by the peer): ${toHex(old.spiI)}_i ${toHex(old.spiR)}_r → ${toHex(this.spiI)}_i ${toHex(this.spiR)}_r`);
        if (this.info) Object.assign(this.info, { spiI: toHex(this.spiI), spiR: toHex(this.spiR), uniqueId: this.uniqueIdValue });
        this.scheduleIke();
        this.emit({ type: 'ike-rekeyed', initiatedBy: 'peer', oldSpiI: toHex(old.spiI), oldSpiR: toHex(old.spiR), spiI: toHex(this.spiI), spiR: toHex(this.spiR) });
      },
    };
  }

  /** Requests on the IKE_SA the peer rekeyed away from: its DELETE (answered, then the old keys are wiped) or liveness. */
  private onPreviousSaRequest(m: IkeMessage, raw: Uint8Array): void {
    const prev = this.previousSa!;
    if (prev.lastResponse && m.messageId === prev.lastResponse.id) return this.sendPackets(prev.lastResponse.packets);
    if (m.messageId !== prev.peerExpect) return;
    const last = m.payloads[m.payloads.length - 1];
    if (last?.type !== PayloadType.SK) return;
    let payloads: AnyPayload[];
    try {
      const sk = last as EncryptedPayload;
      payloads = decodePayloads(new Reader(openMessage(raw, sk.data, false, prev.skIn)), sk.innerType);
    } catch (e) {
      return this.log.log('ENC', 1, `discarding request for the old IKE_SA: ${(e as Error).message}`);
    }
    this.logMessage('parsed', m, payloads);
    const header = { spiI: prev.spiI, spiR: prev.spiR, exchange: m.exchange, initiator: prev.role === 'initiator', response: true, messageId: m.messageId };
    this.logMessage('generating', { ...header, payloads: [] }, []);
    const packet = sealMessage(header, new Uint8Array(0), 0, prev.skOut);
    prev.lastResponse = { id: m.messageId, packets: [packet] };
    prev.peerExpect = m.messageId + 1;
    this.sendPackets([packet]);
    if (m.exchange === ExchangeType.INFORMATIONAL && payloads.some((p) => p.type === PayloadType.DELETE && (p as DeletePayload).protocol === ProtocolId.IKE)) {
      this.log.log('IKE', 1, `old IKE_SA ${toHex(prev.spiI)}_i ${toHex(prev.spiR)}_r deleted after the rekey`);
      for (const k of Object.values(prev.keys)) k.fill(0);
      this.previousSa = undefined;
    }
  }

  // ------------------------------------------------------------------ CREATE_CHILD_SA, DPD, lifetimes, reauthentication

  private retiring: ChildSa[] = [];
  private lastReceived = performance.now();
  private authLifetime?: number;

  /** Run `fn` after every earlier exchange we started (one request outstanding at a time, RFC 7296 §2.3 window 1). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.catch(() => undefined).then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireEstablished(): void {
    if (this.state !== 'established') throw new IkeError(IkeErrorCode.PROTOCOL, 'IKE_SA not established');
  }

  /** Switch to a new CHILD_SA: the ESP tunnel sends with it at once, the old inbound SA is kept until deleted. */
  private installChild(child: ChildSa, old: ChildSa, by: 'us' | 'peer', pfs: boolean): void {
    this.info!.child = child;
    this.options.keylog?.(espKeylogEntry(child, this.transport.local(this.natt).address, this.remote.address, true));
    if (this.tunnel) {
      this.tunnel.rekey(
        new EspSa({ spi: child.spiOut, encr: child.encr, encrKey: child.keys.encrI.slice(), integ: child.integ, integKey: child.keys.integI.slice() }),
        new EspSa({ spi: child.spiIn, encr: child.encr, encrKey: child.keys.encrR.slice(), integ: child.integ, integKey: child.keys.integR.slice() }),
      );
    }
    this.retiring.push(old);
    this.log.log('IKE', 0, `CHILD_SA ${this.name}{${child.uniqueId}} established with SPIs ${toHex(child.spiIn)}_i ${toHex(child.spiOut)}_o and TS ${tsList(child.tsi)}=== ${tsList(child.tsr)}`);
    this.log.log('CHD', 1, `CHILD_SA ${this.name}{${old.uniqueId}} rekeyed (${by === 'us' ? 'by us' : 'by the peer'}${pfs ? ', PFS' : ''}) to ${this.name}{${child.uniqueId}}: SPIs ${toHex(old.spiIn)}_i ${toHex(old.spiOut)}_o → ${toHex(child.spiIn)}_i ${toHex(child.spiOut)}_o`);
    this.scheduleChild();
    this.emit({ type: 'child-rekeyed', initiatedBy: by, oldSpiIn: toHex(old.spiIn), spiIn: toHex(child.spiIn), spiOut: toHex(child.spiOut), pfs });
  }

  private retireChild(list: ChildSa[]): void {
    for (const c of list) {
      this.tunnel?.retire(c.spiIn);
      for (const k of Object.values(c.keys)) k.fill(0);
      this.log.log('CHD', 1, `old CHILD_SA with SPIs ${toHex(c.spiIn)}_i ${toHex(c.spiOut)}_o deleted`);
    }
    this.retiring = this.retiring.filter((r) => !list.includes(r));
  }

  /**
   * Rekey the CHILD_SA (RFC 7296 §1.3.3, §2.8): CREATE_CHILD_SA with REKEY_SA, new SPIs, nonces (and a KE when `pfs`
   * groups are configured), then DELETE of the old CHILD_SA. The ESP tunnel switches to the new SA.
   * @throws IkeError ERR_IKE_NOTIFY when the responder refuses, ERR_IKE_TIMEOUT
   */
  rekeyChildSa(): Promise<ChildSa> {
    return this.exclusive(async () => {
      this.requireEstablished();
      const old = this.info?.child;
      if (!old) throw new IkeError(IkeErrorCode.PROTOCOL, 'no CHILD_SA to rekey');
      const espProposals = this.options.esp ?? DEFAULT_ESP_PROPOSALS;
      let groups = this.options.pfs ?? [];
      for (let round = 0; round < 3; round++) {
        const spiIn = randomSpi(4);
        const ni = new Uint8Array(randomBytes(32));
        const dh = groups.length ? createKeyExchange(groups[0]) : undefined;
        const sa: SecurityAssociationPayload = {
          type: 33,
          proposals: espProposals.map((p, i) => {
            const t = espTransforms(p);
            t.splice(t.length - 1, 0, ...groups.map((g) => ({ type: TransformType.DH, id: g, attributes: [] })));
            return { num: i + 1, protocol: ProtocolId.ESP, spi: spiIn, transforms: t };
          }),
        };
        const req: AnyPayload[] = [{ ...notify(NotifyType.REKEY_SA, new Uint8Array(0), ProtocolId.ESP), spi: old.spiIn }, sa, { type: 40, data: ni } as NoncePayload];
        if (dh) req.push({ type: 34, group: dh.group, data: dh.publicValue } as KeyExchangePayload);
        req.push({ type: 44, selectors: old.tsi } as TrafficSelectorPayload, { type: 45, selectors: old.tsr } as TrafficSelectorPayload);
        this.log.log('CHD', 1, `establishing CHILD_SA (rekeying ${toHex(old.spiIn)}_i ${toHex(old.spiOut)}_o)${dh ? ` with PFS (${DH_NAMES[dh.group] ?? dh.group})` : ''}`);
        const resp = await this.encryptedRequest(ExchangeType.CREATE_CHILD_SA, req);
        const invalidKe = resp.payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.INVALID_KE_PAYLOAD);
        if (invalidKe && invalidKe.data.byteLength >= 2) {
          const want = (invalidKe.data[0] << 8) | invalidKe.data[1];
          if (!groups.includes(want) || want === groups[0]) throw new IkeError(IkeErrorCode.NOTIFY, `peer requested DH group ${want} for PFS`, { notify: NotifyType.INVALID_KE_PAYLOAD });
          groups = [want, ...groups.filter((g) => g !== want)];
          continue;
        }
        this.throwOnErrorNotify(resp.payloads);
        const rsa = resp.payloads.find((p): p is SecurityAssociationPayload => p.type === PayloadType.SA);
        const nr = resp.payloads.find((p): p is NoncePayload => p.type === PayloadType.NONCE);
        const rke = resp.payloads.find((p): p is KeyExchangePayload => p.type === PayloadType.KE);
        const rtsi = resp.payloads.find((p): p is TrafficSelectorPayload => p.type === PayloadType.TSi);
        const rtsr = resp.payloads.find((p): p is TrafficSelectorPayload => p.type === PayloadType.TSr);
        if (!rsa || !nr || rsa.proposals.length !== 1 || !rtsi || !rtsr) throw new IkeError(IkeErrorCode.PROTOCOL, 'CREATE_CHILD_SA response lacks SA, Nr or TS');
        const cp = rsa.proposals[0];
        const ours = espProposals[cp.num - 1];
        const e = one(cp, TransformType.ENCR);
        const iT = one(cp, TransformType.INTEG);
        const encr = e && ENCRS[e.id];
        const integ = iT && iT.id !== 0 ? INTEGS[iT.id] : undefined;
        const bits = e && keyLength(e);
        const dhT = one(cp, TransformType.DH);
        if (!ours || !encr || !bits || e.id !== ours.encr || bits !== ours.keyBits || (!encr.aead && !integ) || cp.spi.byteLength !== 4) {
          throw new IkeError(IkeErrorCode.PROTOCOL, `responder chose a CHILD_SA proposal we did not offer: ${describeProposal(cp)}`);
        }
        let secret: Uint8Array | undefined;
        if (dh && dhT && dhT.id !== 0) {
          if (dhT.id !== dh.group || !rke || rke.group !== dh.group) throw new IkeError(IkeErrorCode.PROTOCOL, 'CREATE_CHILD_SA response with a KE that does not match our PFS group');
          secret = dh.computeSecret(rke.data);
        }
        const keys = deriveChildKeys(this.prfAlg!, this.keys!.skD, secret ? concatBytes([secret, ni]) : ni, nr.data, bits / 8 + encr.saltSize, integ?.keySize ?? 0);
        secret?.fill(0);
        const child: ChildSa = {
          spiIn, spiOut: cp.spi, encr, encrKeyBits: bits, integ, proposal: describeProposal(cp), tsi: rtsi.selectors, tsr: rtsr.selectors,
          keys, udpEncapsulation: this.natt, uniqueId: nextChildSaId(),
        };
        this.installChild(child, old, 'us', secret !== undefined);
        // delete the old CHILD_SA (our inbound SPI); the peer answers with its inbound SPI of it
        await this.encryptedRequest(ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.ESP, spiSize: 4, spis: [old.spiIn] } as DeletePayload]);
        this.retireChild([old]);
        return child;
      }
      throw new IkeError(IkeErrorCode.PROTOCOL, 'too many INVALID_KE_PAYLOAD rounds');
    });
  }

  /**
   * Rekey the IKE_SA (RFC 7296 §1.3.2, §2.18): CREATE_CHILD_SA with a new SA (our new SPI), Ni and KE; SKEYSEED =
   * prf(SK_d(old), g^ir | Ni | Nr); then DELETE of the old IKE_SA. The CHILD_SA moves to the new IKE_SA.
   * @returns the new SPIs
   */
  rekeyIkeSa(): Promise<{ spiI: string; spiR: string }> {
    return this.exclusive(async () => {
      this.requireEstablished();
      const s = this.suite!;
      const newSpiI = randomSpi(8);
      const ni = new Uint8Array(randomBytes(32));
      const dh = createKeyExchange(s.group);
      const proposal = { num: 1, protocol: ProtocolId.IKE, spi: newSpiI, transforms: ikeTransforms({ ...s.ours, groups: [s.group] }) };
      this.log.log('IKE', 1, `rekeying IKE_SA ${toHex(this.spiI)}_i ${toHex(this.spiR)}_r`);
      const resp = await this.encryptedRequest(ExchangeType.CREATE_CHILD_SA, [
        { type: 33, proposals: [proposal] } as SecurityAssociationPayload, { type: 40, data: ni } as NoncePayload, { type: 34, group: dh.group, data: dh.publicValue } as KeyExchangePayload,
      ]);
      this.throwOnErrorNotify(resp.payloads);
      const rsa = resp.payloads.find((p): p is SecurityAssociationPayload => p.type === PayloadType.SA);
      const nr = resp.payloads.find((p): p is NoncePayload => p.type === PayloadType.NONCE);
      const rke = resp.payloads.find((p): p is KeyExchangePayload => p.type === PayloadType.KE);
      if (!rsa || !nr || !rke || rsa.proposals.length !== 1) throw new IkeError(IkeErrorCode.PROTOCOL, 'IKE rekey response lacks SA, Nr or KE');
      const cp = rsa.proposals[0];
      if (cp.protocol !== ProtocolId.IKE || cp.spi.byteLength !== 8 || rke.group !== s.group || one(cp, TransformType.DH)?.id !== s.group) {
        throw new IkeError(IkeErrorCode.PROTOCOL, `unacceptable IKE rekey response: ${describeProposal(cp)}`);
      }
      const suite = this.selectIke(cp, s.ours);
      const secret = dh.computeSecret(rke.data);
      const keys = rekeyedIkeKeys(this.prfAlg!, this.keys!.skD, secret, ni, nr.data, { prf: suite.prf, integ: suite.integ, encr: suite.encr, encrKeyBits: suite.keyBits }, newSpiI, cp.spi);
      secret.fill(0);
      const old = { spiI: this.spiI, spiR: this.spiR, keys: this.keys! };
      // delete the old IKE_SA (still with its keys and message IDs)
      await this.encryptedRequest(ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.IKE, spiSize: 0, spis: [] } as DeletePayload]);
      this.spiI = newSpiI;
      this.spiR = cp.spi.slice();
      this.role = 'initiator';
      this.keys = keys;
      this.prfAlg = suite.prf;
      this.skOut = { encr: suite.encr, integ: suite.integ, encrKey: keys.skEi, integKey: keys.skAi };
      this.skIn = { encr: suite.encr, integ: suite.integ, encrKey: keys.skEr, integKey: keys.skAr };
      this.nextId = -1; // the next request is message ID 0 of the new IKE_SA
      this.peerExpect = 0;
      this.lastResponse = undefined;
      for (const k of Object.values(old.keys)) k.fill(0);
      this.options.keylog?.(ikeKeylogEntry(this.spiI, this.spiR, suite.encr, suite.keyBits, suite.integ, keys));
      this.log.log('IKE', 4, () => `Sk_d secret => ${toHex(keys.skD)}\nSk_ei secret => ${toHex(keys.skEi)}\nSk_er secret => ${toHex(keys.skEr)}`);
      this.uniqueIdValue = nextIkeSaId();
      this.log.log('IKE', 0, `IKE_SA ${this.saName} rekeyed between ${this.betweenText()}: ${toHex(old.spiI)}_i ${toHex(old.spiR)}_r → ${toHex(this.spiI)}_i ${toHex(this.spiR)}_r`);
      if (this.info) Object.assign(this.info, { spiI: toHex(this.spiI), spiR: toHex(this.spiR), uniqueId: this.uniqueIdValue });
      this.scheduleIke();
      const r = { spiI: toHex(this.spiI), spiR: toHex(this.spiR) };
      this.emit({ type: 'ike-rekeyed', initiatedBy: 'us', oldSpiI: toHex(old.spiI), oldSpiR: toHex(old.spiR), ...r });
      return r;
    });
  }

  /**
   * Liveness check (RFC 7296 §1.4, "DPD"): an empty INFORMATIONAL request. Resolves when answered; when the
   * retransmits are exhausted the peer is declared dead: the `dead` event fires, the IKE_SA is closed and the promise
   * rejects with ERR_IKE_TIMEOUT.
   */
  checkLiveness(): Promise<void> {
    return this.exclusive(async () => {
      this.requireEstablished();
      try {
        await this.encryptedRequest(ExchangeType.INFORMATIONAL, []);
        this.emit({ type: 'dpd', alive: true });
      } catch (e) {
        if (e instanceof IkeError && e.code === IkeErrorCode.TIMEOUT) {
          this.log.log('IKE', 0, `peer ${this.remote.address} did not answer the liveness check, IKE_SA dead`);
          this.state = 'closed';
          this.clearTimers();
          const dead = new IkeError(IkeErrorCode.TIMEOUT, `peer ${this.remote.address} is dead (liveness check unanswered after ${this.retransmit.tries} retransmits)`, { cause: e });
          this.emit({ type: 'dead', error: dead });
          await this.transport.close();
          this.wipe();
          throw dead;
        }
        throw e;
      }
    });
  }

  /**
   * Reauthenticate (RFC 4478, RFC 7296 §2.8.3) break-before-make, strongSwan 5.9's default: DELETE the IKE_SA (and
   * with it the CHILD_SA), then IKE_SA_INIT + IKE_AUTH again with a fresh EAP peer. The ESP tunnel, if open, switches
   * to the new CHILD_SA.
   */
  reauthenticate(eap?: EapPeer): Promise<EstablishedInfo> {
    return this.exclusive(async () => {
      this.requireEstablished();
      const fresh = eap ?? this.options.reauthEap?.();
      if (!fresh) throw new TypeError('reauthenticate() needs an EapPeer (argument or the reauthEap option)');
      const oldChild = this.info?.child;
      this.clearTimers();
      this.log.log('IKE', 0, `reauthenticating IKE_SA ${this.saName} (break-before-make): ${toHex(this.spiI)}_i ${toHex(this.spiR)}_r`);
      try {
        await this.encryptedRequest(ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.IKE, spiSize: 0, spis: [] } as DeletePayload]);
      } catch (e) {
        this.log.log('IKE', 1, `deleting the old IKE_SA failed: ${(e as Error).message}`);
      }
      if (this.keys) for (const k of Object.values(this.keys)) k.fill(0);
      this.keys = undefined;
      this.spiI = randomSpi(8);
      this.spiR = new Uint8Array(8);
      this.role = 'initiator';
      this.nextId = 0;
      this.peerExpect = 0;
      this.lastResponse = undefined;
      this.natt = false;
      this.remote.port = this.options.remote.port ?? IKE_PORT;
      this.peerFragmentation = false;
      this.authLifetime = undefined;
      this.peerId = undefined;
      this.uniqueIdValue = nextIkeSaId();
      this.eap = fresh;
      this.state = 'connecting';
      const t0 = performance.now();
      const init = await this.ikeSaInit();
      const t1 = performance.now();
      const info = await this.ikeAuth(init);
      info.timings = { ikeSaInitMs: t1 - t0, ikeAuthMs: performance.now() - t1 };
      this.state = 'established';
      this.info = info;
      if (this.tunnel && info.child) {
        const c = info.child;
        this.tunnel.rekey(
          new EspSa({ spi: c.spiOut, encr: c.encr, encrKey: c.keys.encrI.slice(), integ: c.integ, integKey: c.keys.integI.slice() }),
          new EspSa({ spi: c.spiIn, encr: c.encr, encrKey: c.keys.encrR.slice(), integ: c.integ, integKey: c.keys.integR.slice() }),
        );
        this.tunnel.retire();
      }
      if (oldChild) for (const k of Object.values(oldChild.keys)) k.fill(0);
      this.scheduleAll();
      this.emit({ type: 'reauthenticated', spiI: info.spiI, spiR: info.spiR });
      return info;
    });
  }

  private clearTimer(name: string): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
  }

  private clearTimers(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private timer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    const t = setTimeout(() => {
      this.timers.delete(name);
      if (this.state === 'established') fn();
    }, Math.max(0, ms));
    t.unref?.();
    this.timers.set(name, t);
  }

  private background(during: string, p: Promise<unknown>): void {
    p.catch((e: Error) => {
      this.log.log('IKE', 1, `${during} failed: ${e.message}`);
      this.emit({ type: 'error', during, error: e });
    });
  }

  private scheduleAll(): void {
    this.scheduleIke();
    this.scheduleChild();
    this.scheduleDpd();
    if (this.authLifetime !== undefined) {
      const margin = this.options.reauthMargin ?? this.authLifetime * 0.1;
      const inS = Math.max(0, this.authLifetime - margin);
      this.log.log('IKE', 1, `received AUTH_LIFETIME of ${this.authLifetime}s, scheduling reauthentication in ${Math.round(inS)}s`);
      this.emit({ type: 'auth-lifetime', seconds: this.authLifetime, reauthInSeconds: inS });
      if (this.options.reauthEap) this.timer('reauth', inS * 1000, () => this.background('reauthentication', this.reauthenticate()));
    }
  }

  /** This IKE_SA's rekey and expiry times, drawn (with jitter) and logged as charon does once it is established. */
  private ikePlan?: { rekeyMs?: number; expireMs?: number };

  private planIke(): void {
    this.ikePlan = undefined;
    if (!this.options.ikeLifetime) return;
    const plan = lifetimeSchedule(this.options.ikeLifetime);
    if (plan.rekeyMs !== undefined) this.log.log('IKE', 1, `scheduling rekeying in ${Math.round(plan.rekeyMs / 1000)}s`);
    if (plan.expireMs !== undefined) this.log.log('IKE', 1, `maximum IKE_SA lifetime ${Math.round(plan.expireMs / 1000)}s`);
    this.ikePlan = plan;
  }

  private scheduleIke(): void {
    if (!this.options.ikeLifetime) return;
    if (!this.ikePlan) this.planIke();
    const { rekeyMs, expireMs } = this.ikePlan!;
    this.ikePlan = undefined; // the next IKE_SA (rekeyed) draws its own
    if (rekeyMs !== undefined) this.timer('ike-rekey', rekeyMs, () => this.background('IKE_SA rekeying', this.rekeyIkeSa()));
    if (expireMs !== undefined) {
      this.timer('ike-expire', expireMs, () => {
        this.log.log('IKE', 0, 'IKE_SA hard lifetime reached, deleting IKE_SA');
        this.emit({ type: 'expired', sa: 'ike' });
        void this.close();
      });
    }
  }

  private scheduleChild(): void {
    if (!this.options.childLifetime || !this.info?.child) return;
    const { rekeyMs, expireMs } = lifetimeSchedule(this.options.childLifetime);
    if (rekeyMs !== undefined) this.timer('child-rekey', rekeyMs, () => this.background('CHILD_SA rekeying', this.rekeyChildSa()));
    if (expireMs !== undefined) {
      this.timer('child-expire', expireMs, () => {
        const c = this.info?.child;
        if (!c) return;
        this.log.log('CHD', 0, 'CHILD_SA hard lifetime reached, deleting CHILD_SA');
        this.emit({ type: 'expired', sa: 'child' });
        this.background('CHILD_SA deletion', this.exclusive(async () => {
          await this.encryptedRequest(ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.ESP, spiSize: 4, spis: [c.spiIn] } as DeletePayload]);
          this.info!.child = undefined;
          this.retireChild([c]);
        }));
      });
    }
  }

  private scheduleDpd(): void {
    const d = this.options.dpdDelay;
    if (!d) return;
    const idle = performance.now() - this.lastReceived;
    this.timer('dpd', d * 1000 - idle, () => {
      if (performance.now() - this.lastReceived < d * 1000 - 1) return this.scheduleDpd();
      this.background('liveness check', this.checkLiveness().then(() => this.scheduleDpd()));
    });
  }

  /**
   * The userspace ESP data path of the CHILD_SA (UDP-encapsulated on port 4500; RFC 3948). Packets in and out are
   * whole IPv4 datagrams. One tunnel per initiator: calling it again returns the same tunnel (a second one would
   * restart the sequence numbers under the same keys); it follows CHILD_SA rekeys and reauthentication.
   * @throws IkeError when no CHILD_SA was established or ESP would not be UDP-encapsulated
   */
  openEspTunnel(): EspTunnel {
    const c = this.info?.child;
    if (!c) throw new IkeError(IkeErrorCode.PROTOCOL, 'no CHILD_SA established');
    if (!c.udpEncapsulation) throw new IkeError(IkeErrorCode.PROTOCOL, 'userspace ESP needs UDP encapsulation (no NAT detected)');
    if (this.tunnel) return this.tunnel;
    const out = new EspSa({ spi: c.spiOut, encr: c.encr, encrKey: c.keys.encrI.slice(), integ: c.integ, integKey: c.keys.integI.slice() });
    const inb = new EspSa({ spi: c.spiIn, encr: c.encr, encrKey: c.keys.encrR.slice(), integ: c.integ, integKey: c.keys.integR.slice() });
    const tunnel = new EspTunnel(out, inb, (p) => this.transport.sendEsp(p, this.remote), this.log);
    this.tunnel = tunnel;
    this.transport.setHandlers((m, from, natt) => this.onDatagram(m, from, natt), (p) => {
      this.lastReceived = performance.now();
      tunnel.receive(p);
    });
    return tunnel;
  }

  /** Established state. */
  get established(): boolean {
    return this.state === 'established';
  }

  /** The negotiated CHILD_SA, if any. */
  get childSa(): ChildSa | undefined {
    return this.info?.child;
  }

  /** The remote endpoint as used now (port 4500 after the float). */
  get remoteEndpoint(): Endpoint {
    return { ...this.remote };
  }

  /** The underlying transport (for the ESP data path). */
  get udp(): UdpTransport {
    return this.transport;
  }
}
