/**
 * IKEv2 responder (RFC 7296) for EAP-only initiators (RFC 5998), the gateway role of strongSwan's "ttls" connection:
 * IKE_SA_INIT (proposal choice by our preference, INVALID_KE_PAYLOAD, NAT detection, fragmentation support),
 * IKE_AUTH with the EAP conversation delegated to an `EapAuthenticator`, AUTH from the MSK (or SK_p), the first
 * CHILD_SA, INFORMATIONAL (DELETE). Retransmitted requests get the cached response. One UDP transport, many IKE_SAs:
 * received ESP is demultiplexed by its SPI to the tunnel of the CHILD_SA it belongs to, traffic selectors are narrowed
 * per IKE_SA (RFC 7296 §2.9, with an optional per-SA policy, e.g. a remediation subnet for isolated clients), and IKE
 * and ESP bytes are counted per IKE_SA.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Reader, Writer, Logger, equalBytes, getLogger, toHex } from '@tncjs/common';
import type { EapAuthenticator } from '@tncjs/eap';
import { AuthMethod, DH_NAMES, ExchangeType, NotifyType, PayloadType, ProtocolId, TransformType } from './constants.js';
import { IkeError } from './errors.js';
import { decodeMessage, describeMessage, encodeMessage, type IkeMessage } from './message.js';
import {
  decodePayloads, describeProposal, encodePayloads, formatIdentity, identificationBody, keyLength, notify, parseIdentity,
  selectorFromCidr, describeSelector, narrowTrafficSelectors, type AnyPayload, type AuthenticationPayload, type EapPayload, type EncryptedFragmentPayload,
  type EncryptedPayload, type IdentificationPayload, type KeyExchangePayload, type NoncePayload, type NotifyPayload,
  type Proposal, type SecurityAssociationPayload, type TrafficSelector, type TrafficSelectorPayload, type Transform,
} from './payloads/index.js';
import { ENCRS, INTEGS, PRFS } from './crypto/algorithms.js';
import { createKeyExchange } from './crypto/diffie-hellman.js';
import { deriveChildKeys, deriveIkeKeys, skeyseed, type IkeKeys } from './crypto/ike-keys.js';
import { openMessage, type SkContext } from './crypto/encrypted-payload.js';
import { natDetectionHash, sharedKeyAuth, signedOctets } from './crypto/authentication.js';
import { DEFAULT_FRAGMENT_SIZE, FragmentReassembler, sealMaybeFragmented } from './fragmentation.js';
import { UdpTransport, type Endpoint, type TransportOptions } from './transport.js';
import { EspSa, EspTunnel } from './esp.js';
import { DEFAULT_ESP_PROPOSALS, DEFAULT_IKE_PROPOSALS, STRONGSWAN_RETRANSMIT, type ChildSa, type EspProposalConfig, type IkeProposalConfig, type RetransmitConfig } from './initiator.js';
import { concatBytes } from '@tncjs/common';
import { espKeylogEntry, ikeKeylogEntry, type KeylogCallback } from './keylog.js';
import { chooseEspProposal, lifetimeSchedule, rekeyedIkeKeys, type LifetimeConfig } from './rekey.js';
import { IkeErrorCode } from './errors.js';
import { Esn, TransformAttr } from './constants.js';
import type { DeletePayload } from './payloads/index.js';
import type { EncrAlg, IntegAlg } from './crypto/algorithms.js';

/** The IKE_SA an EAP authenticator or a CHILD_SA policy is asked for (SPIs in hex, as in every event). */
export interface ResponderSaRef {
  spiI: string;
  spiR: string;
  peer: Endpoint;
  peerIdentity: string;
}

/**
 * The CHILD_SA policy of one IKE_SA (`ResponderOptions.childPolicy`): traffic selectors that replace the configured
 * `localTs`/`remoteTs` for this SA (the proposal is narrowed to them), or `refuse` — the IKE_SA is established, the
 * CHILD_SA is answered with TS_UNACCEPTABLE (RFC 7296 §1.2) and `refuse` is logged as the reason.
 */
export type ChildSaPolicy = { localTs?: string[]; remoteTs?: string[] } | { refuse: string };

export interface ResponderOptions {
  /** Our IDr, e.g. `moon.strongswan.org`. */
  identity: string;
  /**
   * A fresh EAP authenticator for each IKE_SA (the initiator's IDi is passed for `requestIdentity: false`; `sa` names
   * the IKE_SA, so that what the EAP conversation decides can be linked to it by SPI rather than by identity).
   */
  eap: (peerIdentity: string, sa: ResponderSaRef) => EapAuthenticator;
  /** Acceptable proposals in our order of preference (DH groups too). */
  ike?: IkeProposalConfig[];
  esp?: EspProposalConfig[];
  /** Our side of the CHILD_SA (TSr), CIDR; default 0.0.0.0/0. The initiator's TSr is narrowed to it (RFC 7296 §2.9). */
  localTs?: string[];
  /**
   * The initiator's side we accept (TSi), CIDR or `dynamic` (the peer's IKE address/32, strongSwan's default
   * `remote_ts`); default 0.0.0.0/0 (whatever the initiator proposes). The initiator's TSi is narrowed to it.
   */
  remoteTs?: string[];
  /**
   * Decide the CHILD_SA of one IKE_SA, after EAP and AUTH (e.g. a remediation subnet for an isolated client). Called
   * once per IKE_AUTH CHILD_SA; `undefined` means the configured `localTs`/`remoteTs`. A TypeError (bad CIDR) refuses.
   */
  childPolicy?: (sa: ResponderSaRef) => ChildSaPolicy | undefined;
  fragmentSize?: number;
  /**
   * Pretend to be behind a NAT (send a non-matching NAT_DETECTION_SOURCE_IP), as strongSwan's libipsec mode does, so
   * the initiator floats to NAT-T and ESP is UDP-encapsulated.
   */
  fakeNat?: boolean;
  transport?: TransportOptions;
  logger?: Logger;
  /** Debugging only: receives IKE and CHILD_SA keys as they are derived (see `keylogFile`). Off by default. */
  keylog?: KeylogCallback;
  /** Send AUTH_LIFETIME (RFC 4478) with this many seconds in the last IKE_AUTH response: the initiator reauthenticates. */
  authLifetime?: number;
  /**
   * DH groups for PFS: accepted when the initiator rekeys a CHILD_SA with a KE payload (default: the IKE proposals'
   * groups); offered, in this order, when WE rekey a CHILD_SA (default: no PFS).
   */
  pfs?: number[];
  /** Retransmission of our own requests (rekeys, DPD, DELETE; strongSwan's defaults 4 s, 1.8, 5). */
  retransmit?: Partial<RetransmitConfig>;
  /**
   * Seconds an IKE_SA that is not established yet (half-open after IKE_SA_INIT, or inside EAP) may go without a request
   * from the initiator before it is dropped and reported through `onFailed`; default 30 (strongSwan's
   * half_open_timeout). Every request restarts it, so a long EAP conversation is not cut.
   */
  setupTimeout?: number;
  /**
   * Seconds a deleted or failed IKE_SA is kept (to answer a retransmit of its last request with the cached response)
   * before it is forgotten; default 60. Until then `saTraffic` still knows it.
   */
  lingerTime?: number;
  /**
   * Half-open IKE_SAs (IKE_SA_INIT answered, no IKE_AUTH yet) from which on an IKE_SA_INIT without a valid COOKIE is
   * answered with N(COOKIE) only and no state is kept (RFC 7296 §2.6, DoS protection); default 30. 0: always.
   */
  cookieThreshold?: number;
  /** IKE_SA lifetimes (strongSwan `rekey_time`/`life_time`/`rand_time`, seconds): the responder rekeys. Off by default. */
  ikeLifetime?: LifetimeConfig;
  /** CHILD_SA lifetimes (seconds): the responder rekeys the CHILD_SA. Off by default. */
  childLifetime?: LifetimeConfig;
  /** Dead peer detection: an empty INFORMATIONAL after this many idle seconds (strongSwan `dpd_delay`). Off by default. */
  dpdDelay?: number;
}

/** A rekey answered by the responder (`onRekeyed`). */
export type ResponderRekeyInfo =
  | { sa: 'ike'; oldSpiI: string; spiI: string; spiR: string }
  | { sa: 'child'; spiI: string; oldSpiIn: string; spiIn: string; spiOut: string; pfs: boolean };

/** Events of an IKE_SA on the responder. */
export interface ResponderSaInfo {
  spiI: string;
  spiR: string;
  peerIdentity: string;
  /** The initiator's IKE endpoint. */
  peer: Endpoint;
  mskUsed: boolean;
  child?: ChildSa;
  /** Why the CHILD_SA requested with IKE_AUTH was not created (no acceptable proposal / traffic selectors, policy). */
  childRefused?: string;
}

/** An IKE_SA that failed before it was established (`onFailed`). */
export interface ResponderFailureInfo {
  spiI: string;
  spiR: string;
  peer: Endpoint;
  /** Undefined when the IKE_AUTH request carried no IDi. */
  peerIdentity?: string;
  reason: string;
}

/** A CHILD_SA deleted by the initiator while its IKE_SA stays (`onChildDeleted`). */
export interface ResponderChildDeletedInfo {
  spiI: string;
  spiIn: string;
  spiOut: string;
}

/**
 * Traffic of one IKE_SA (across its rekeys): IKE bytes as UDP payloads (with the non-ESP marker on port 4500, as
 * `UdpTransport.stats`) and ESP packets/bytes of its CHILD_SA's tunnel (the ESP packets, from the SPI).
 */
export interface ResponderSaTraffic {
  ikeBytesIn: number;
  ikeBytesOut: number;
  espPacketsIn: number;
  espBytesIn: number;
  espPacketsOut: number;
  espBytesOut: number;
}

/** A userspace ESP tunnel and the inbound SPIs (current and rekeyed-but-not-deleted) routed to it. */
interface EspRoute {
  tunnel: EspTunnel;
  sa: Sa;
  spis: Set<number>;
}

interface Sa {
  spiI: Uint8Array;
  spiR: Uint8Array;
  peer: Endpoint;
  natt: boolean;
  initRequest: Uint8Array;
  initResponse: Uint8Array;
  ni: Uint8Array;
  nr: Uint8Array;
  keys: IkeKeys;
  prf: (typeof PRFS)[number];
  skIn: SkContext;
  skOut: SkContext;
  fragmentation: boolean;
  /** Next expected request ID and the cached response of the last one. */
  expect: number;
  last?: { id: number; packets: Uint8Array[] };
  reassembler: FragmentReassembler;
  state: 'init' | 'eap' | 'auth' | 'established' | 'deleted';
  eap?: EapAuthenticator;
  idi?: IdentificationPayload;
  idr?: IdentificationPayload;
  childRequest?: { sa: SecurityAssociationPayload; tsi: TrafficSelectorPayload; tsr: TrafficSelectorPayload };
  msk?: Uint8Array;
  child?: ChildSa;
  suite?: { encr: EncrAlg; integ?: IntegAlg; keyBits: number; group: number; ours: IkeProposalConfig };
  tunnel?: EspTunnel;
  route?: EspRoute;
  /** Inbound SPI of the CHILD_SA whose tunnel `closeEspTunnel` closed: not reopened (its sequence numbers are spent). */
  closedTunnel?: Uint8Array;
  traffic: ResponderSaTraffic;
  /** Why the IKE_AUTH CHILD_SA was refused. */
  childRefused?: string;
  /** CHILD_SAs replaced by a rekey, until the initiator deletes them. */
  retiring?: ChildSa[];
  /** This IKE_SA was rekeyed into the one with this initiator SPI (its DELETE does not end the session). */
  rekeyedTo?: string;
  /** Our role in this IKE_SA: 'initiator' after WE rekeyed the IKE_SA (RFC 7296 §2.18). */
  role?: 'responder' | 'initiator';
  /** Our own requests: next message ID, the outstanding one, and a queue (window 1). */
  ownNext?: number;
  pending?: { id: number; packets: Uint8Array[]; resolve: (p: AnyPayload[]) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout; attempt: number };
  queue?: Promise<unknown>;
  responseReassembler?: FragmentReassembler;
  timers?: Map<string, NodeJS.Timeout>;
  lastReceived?: number;
}

const one = (p: Proposal, type: number): Transform | undefined => p.transforms.find((t) => t.type === type);
const find = <T extends AnyPayload>(ps: readonly AnyPayload[], type: number) => ps.find((p) => p.type === type) as T | undefined;
const spiNumber = (b: Uint8Array, at = 0): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const NON_ESP_MARKER = 4;

/** CIDR strings (or `dynamic` = `peer`/32) as selectors. @throws TypeError for a malformed CIDR */
function selectors(list: readonly string[], peer?: Endpoint): TrafficSelector[] {
  return list.map((c) => (c === 'dynamic' ? (peer ? selectorFromCidr(`${peer.address}/32`) : selectorFromCidr('0.0.0.0/32')) : selectorFromCidr(c)));
}

/** An IKEv2 responder on one UDP transport. */
export class IkeResponder {
  private readonly log: Logger;
  readonly transport: UdpTransport;
  private readonly sas = new Map<string, Sa>();
  private readonly established: ((info: ResponderSaInfo) => void)[] = [];
  private readonly deleted: ((spiI: string) => void)[] = [];
  private readonly rekeyed: ((info: ResponderRekeyInfo) => void)[] = [];
  private readonly dead: ((spiI: string, error: IkeError) => void)[] = [];
  private readonly failed: ((info: ResponderFailureInfo) => void)[] = [];
  private readonly childDeleted: ((info: ResponderChildDeletedInfo) => void)[] = [];
  private readonly retransmit: RetransmitConfig;
  /** Inbound ESP SPI → the tunnel of its CHILD_SA. */
  private readonly espRoutes = new Map<number, EspRoute>();
  /** ESP packets received for an SPI without an open tunnel (dropped). */
  private espUnknown = 0;
  /** Drops stalled set-ups and forgets finished IKE_SAs (`setupTimeout`, `lingerTime`). */
  private sweeper?: ReturnType<typeof setInterval>;
  /** The secret of our COOKIEs (RFC 7296 §2.6: `version | SHA-256(Ni | IPi | SPIi | secret)`), and its version. */
  private readonly cookieSecret = new Uint8Array(randomBytes(32));
  private readonly cookieVersion = 1;
  /** When a deleted IKE_SA was first seen deleted by the sweeper. */
  private readonly deletedAt = new WeakMap<Sa, number>();

  /** @throws TypeError for a malformed `localTs`/`remoteTs` CIDR */
  constructor(private readonly options: ResponderOptions) {
    selectors(options.localTs ?? []);
    selectors(options.remoteTs ?? []);
    this.log = options.logger ?? getLogger();
    this.transport = new UdpTransport({ ...options.transport, logger: options.transport?.logger ?? this.log });
    this.retransmit = { ...STRONGSWAN_RETRANSMIT, ...options.retransmit };
  }

  /** Called when a liveness check (DPD) of ours went unanswered: the IKE_SA is deleted locally (then `onDeleted`). */
  onDead(cb: (spiI: string, error: IkeError) => void): void {
    this.dead.push(cb);
  }

  async listen(): Promise<{ ike: Endpoint; natt: Endpoint }> {
    await this.transport.open();
    this.transport.setHandlers((m, from, natt) => this.onDatagram(m, from, natt), (p) => this.onEsp(p));
    const setupMs = (this.options.setupTimeout ?? 30) * 1000;
    const lingerMs = (this.options.lingerTime ?? 60) * 1000;
    this.sweeper = setInterval(() => this.sweep(setupMs, lingerMs), Math.max(50, Math.min(setupMs, lingerMs) / 4));
    this.sweeper.unref?.();
    return { ike: this.transport.local(false), natt: this.transport.local(true) };
  }

  onEstablished(cb: (info: ResponderSaInfo) => void): void {
    this.established.push(cb);
  }

  onDeleted(cb: (spiI: string) => void): void {
    this.deleted.push(cb);
  }

  /**
   * Called when the initiator rekeyed a CHILD_SA or the IKE_SA (CREATE_CHILD_SA). After an IKE_SA rekey the session
   * continues under the new initiator SPI (`spiI`); the old IKE_SA's DELETE does not call `onDeleted`.
   */
  onRekeyed(cb: (info: ResponderRekeyInfo) => void): void {
    this.rekeyed.push(cb);
  }

  /** Called when an IKE_SA fails before it is established (EAP failure, AUTH mismatch, malformed IKE_AUTH). */
  onFailed(cb: (info: ResponderFailureInfo) => void): void {
    this.failed.push(cb);
  }

  /** Called when the initiator deletes the current CHILD_SA of an IKE_SA that stays (its tunnel is closed). */
  onChildDeleted(cb: (info: ResponderChildDeletedInfo) => void): void {
    this.childDeleted.push(cb);
  }

  /**
   * The userspace ESP data path of an established IKE_SA's CHILD_SA (keys of the responder's direction). Every
   * CHILD_SA has its own tunnel: received ESP is routed by its SPI (rekeyed SPIs follow), so any number of IKE_SAs
   * carry traffic at once. Opening the same CHILD_SA's tunnel again returns the open one. The tunnel is closed when
   * its CHILD_SA or IKE_SA is deleted, or by `closeEspTunnel`.
   * @throws IkeError ERR_IKE_PROTOCOL when there is no such CHILD_SA, or its tunnel was closed by `closeEspTunnel`
   *   (a new tunnel would restart the sequence numbers under the same keys: replayed for the peer, and nonce reuse
   *   for AES-GCM; the CHILD_SA's next rekey gives keys for a new one)
   */
  openEspTunnel(spiI: string): EspTunnel {
    const sa = this.sas.get(spiI);
    const c = sa?.child;
    if (!sa || !c || sa.state !== 'established' || sa.rekeyedTo) throw new IkeError(IkeErrorCode.PROTOCOL, `no CHILD_SA for IKE_SA ${spiI}`);
    if (sa.route) return sa.route.tunnel;
    if (sa.closedTunnel && equalBytes(sa.closedTunnel, c.spiIn)) {
      throw new IkeError(IkeErrorCode.PROTOCOL, `the ESP tunnel of CHILD_SA ${toHex(c.spiIn)}_i was closed; it can be opened again after the CHILD_SA is rekeyed`);
    }
    const out = new EspSa({ spi: c.spiOut, encr: c.encr, encrKey: c.keys.encrR.slice(), integ: c.integ, integKey: c.keys.integR.slice() });
    const inb = new EspSa({ spi: c.spiIn, encr: c.encr, encrKey: c.keys.encrI.slice(), integ: c.integ, integKey: c.keys.integI.slice() });
    const route = { sa, spis: new Set<number>() } as Omit<EspRoute, 'tunnel'> as EspRoute;
    route.tunnel = new EspTunnel(out, inb, (p) => {
      const s = route.sa;
      s.traffic.espPacketsOut++;
      s.traffic.espBytesOut += p.byteLength;
      this.transport.sendEsp(p, s.peer);
    }, this.log);
    sa.route = route;
    sa.tunnel = route.tunnel;
    this.routeSpi(route, c.spiIn);
    return route.tunnel;
  }

  /**
   * Close the ESP tunnel of IKE_SA `spiI` (its CHILD_SA stays; packets for it are dropped and counted as unknown SPI;
   * the tunnel cannot be reopened until the CHILD_SA is rekeyed). No-op without one.
   */
  closeEspTunnel(spiI: string): void {
    const sa = this.sas.get(spiI);
    if (!sa?.route) return;
    if (sa.child) sa.closedTunnel = sa.child.spiIn.slice();
    this.dropRoute(sa);
  }

  /** Traffic of IKE_SA `spiI` (its current or an earlier SPI) so far, or undefined for an unknown SPI. */
  saTraffic(spiI: string): ResponderSaTraffic | undefined {
    const t = this.sas.get(spiI)?.traffic;
    return t && { ...t };
  }

  /** The transport's counters (datagrams; IKE and ESP bytes over every IKE_SA) and ESP packets for unknown SPIs. */
  get transportStats(): UdpTransport['stats'] & { espUnknownSpi: number } {
    return { ...this.transport.stats, espUnknownSpi: this.espUnknown };
  }

  private routeSpi(route: EspRoute, spi: Uint8Array): void {
    const n = spiNumber(spi);
    route.spis.add(n);
    this.espRoutes.set(n, route);
  }

  private unrouteSpi(route: EspRoute | undefined, spi: Uint8Array): void {
    if (!route) return;
    const n = spiNumber(spi);
    route.spis.delete(n);
    if (this.espRoutes.get(n) === route) this.espRoutes.delete(n);
  }

  /** Close an IKE_SA's tunnel and stop routing its SPIs. */
  private dropRoute(sa: Sa): void {
    const route = sa.route;
    sa.route = undefined;
    sa.tunnel = undefined;
    if (!route) return;
    for (const n of route.spis) if (this.espRoutes.get(n) === route) this.espRoutes.delete(n);
    route.spis.clear();
    route.tunnel.close();
  }

  /** A rekeyed IKE_SA hands its tunnel (and traffic counters, shared) to its successor. */
  private moveRoute(from: Sa, to: Sa): void {
    if (from.route) from.route.sa = to;
    from.route = undefined;
    from.tunnel = undefined;
  }

  private onEsp(p: Uint8Array): void {
    if (p.byteLength < 8) return;
    const route = this.espRoutes.get(spiNumber(p));
    if (!route) {
      this.espUnknown++;
      this.log.log('ESP', 1, `received ESP packet with unknown SPI ${toHex(p.subarray(0, 4))}, dropped`);
      return;
    }
    route.sa.traffic.espPacketsIn++;
    route.sa.traffic.espBytesIn += p.byteLength;
    route.tunnel.receive(p);
  }

  /** IKE_SAs answered in IKE_SA_INIT whose IKE_AUTH has not begun. */
  private halfOpen(): number {
    let n = 0;
    for (const sa of this.sas.values()) if (sa.state === 'init') n++;
    return n;
  }

  /** Our COOKIE for an IKE_SA_INIT: `version(1) | SHA-256(Ni | IPi | SPIi | secret)`. */
  private cookie(ni: Uint8Array, address: string, spiI: Uint8Array): Uint8Array {
    const h = createHash('sha256').update(ni).update(address).update(spiI).update(this.cookieSecret).digest();
    const out = new Uint8Array(1 + h.byteLength);
    out[0] = this.cookieVersion;
    out.set(h, 1);
    return out;
  }

  /** Drop IKE_SAs whose set-up stalled; forget deleted ones after the linger time. */
  private sweep(setupMs: number, lingerMs: number): void {
    const now = performance.now();
    for (const [key, sa] of this.sas) {
      if (sa.state === 'deleted') {
        const at = this.deletedAt.get(sa);
        if (at === undefined) this.deletedAt.set(sa, now);
        else if (now - at >= lingerMs) {
          this.clearTimers(sa);
          this.dropRoute(sa);
          this.sas.delete(key);
        }
      } else if (sa.state !== 'established') {
        sa.lastReceived ??= now;
        if (now - sa.lastReceived >= setupMs) {
          const why = `IKE_SA ${toHex(sa.spiI)}_i ${toHex(sa.spiR)}_r not established after ${Math.round((now - sa.lastReceived) / 1000)}s without a request, deleting`;
          this.log.log('IKE', 1, why);
          sa.state = 'deleted';
          this.clearTimers(sa);
          for (const k of Object.values(sa.keys)) k.fill(0);
          this.emitFailed(sa, why);
        }
      }
    }
  }

  /** Number of IKE_SAs not deleted. */
  get activeSas(): number {
    return [...this.sas.values()].filter((s) => s.state !== 'deleted').length;
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const sa of this.sas.values()) this.dropRoute(sa);
    for (const sa of this.sas.values()) {
      this.clearTimers(sa);
      if (sa.pending) {
        clearTimeout(sa.pending.timer);
        sa.pending.reject(new IkeError(IkeErrorCode.PROTOCOL, 'responder closed'));
        sa.pending = undefined;
      }
    }
    for (const sa of this.sas.values()) for (const k of Object.values(sa.keys)) k.fill(0);
    this.sas.clear();
    await this.transport.close();
  }

  private send(sa: Sa, packets: Uint8Array[]): void {
    for (const p of packets) {
      this.transport.sendIke(p, sa.peer, sa.natt);
      sa.traffic.ikeBytesOut += p.byteLength + (sa.natt ? NON_ESP_MARKER : 0);
    }
  }

  private onDatagram(b: Uint8Array, from: Endpoint, natt: boolean): void {
    let m: IkeMessage;
    try {
      m = decodeMessage(b);
    } catch (e) {
      this.log.log('ENC', 1, `could not decode IKE message from ${from.address}[${from.port}]: ${(e as Error).message}`);
      return;
    }
    try {
      if (m.exchange === ExchangeType.IKE_SA_INIT) {
        if (m.response || !m.initiator) return;
        return this.ikeSaInit(m, b, from, natt);
      }
      const sa = this.sas.get(toHex(m.spiI));
      if (!sa || !equalBytes(sa.spiR, m.spiR) || sa.state === 'deleted') return this.log.log('NET', 2, 'ignoring message for an unknown IKE_SA');
      // the peer's messages carry the initiator flag exactly when it is the initiator of this IKE_SA
      if (m.initiator !== ((sa.role ?? 'responder') === 'responder')) return this.log.log('NET', 2, 'ignoring message with a wrong initiator flag');
      sa.traffic.ikeBytesIn += b.byteLength + (natt ? NON_ESP_MARKER : 0);
      if (m.response) return this.onResponse(sa, m, b);
      sa.peer = from;
      sa.natt = natt;
      sa.lastReceived = performance.now();
      if (sa.last && m.messageId === sa.last.id) {
        this.log.log('IKE', 1, `received retransmit of request with ID ${m.messageId}, retransmitting response`);
        return this.send(sa, sa.last.packets);
      }
      if (m.messageId !== sa.expect) return this.log.log('IKE', 1, `ignoring request with ID ${m.messageId}, expected ${sa.expect}`);
      const payloads = this.open(sa, m, b);
      if (!payloads) return;
      this.log.log('ENC', 1, `parsed ${describeMessage(m, payloads)}`);
      void this.dispatch(sa, m, payloads).catch((e) => this.log.log('IKE', 1, `processing request failed: ${(e as Error).message}`));
    } catch (e) {
      this.log.log('ENC', 1, `discarding request: ${(e as Error).message}`);
    }
  }

  private open(sa: Sa, m: IkeMessage, raw: Uint8Array, reassembler = sa.reassembler): AnyPayload[] | undefined {
    const last = m.payloads[m.payloads.length - 1];
    if (last?.type === PayloadType.SK) {
      const sk = last as EncryptedPayload;
      return decodePayloads(new Reader(openMessage(raw, sk.data, false, sa.skIn)), sk.innerType);
    }
    if (last?.type === PayloadType.SKF) {
      const f = last as EncryptedFragmentPayload;
      const done = reassembler.add(m.messageId, raw, f, sa.skIn);
      this.log.log('ENC', 1, `received fragment #${f.fragmentNumber} of ${f.totalFragments}, ${done ? 'reassembled fragmented IKE message' : 'waiting for complete IKE message'}`);
      return done && decodePayloads(new Reader(done.inner), done.firstType);
    }
    throw new IkeError('ERR_IKE_PROTOCOL', 'unencrypted message after IKE_SA_INIT');
  }

  private respond(sa: Sa, m: IkeMessage, payloads: AnyPayload[]): void {
    const header = { spiI: sa.spiI, spiR: sa.spiR, exchange: m.exchange, initiator: sa.role === 'initiator', response: true, messageId: m.messageId };
    const w = new Writer();
    encodePayloads(w, payloads);
    this.log.log('ENC', 1, `generating ${describeMessage({ ...header, payloads }, payloads)}`);
    const packets = sealMaybeFragmented(header, w.finish(), payloads.length ? payloads[0].type : 0, sa.skOut, {
      fragment: sa.fragmentation, limit: this.options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE, natt: sa.natt,
    });
    if (packets.length > 1) this.log.log('ENC', 1, `splitting IKE message into ${packets.length} fragments`);
    sa.last = { id: m.messageId, packets };
    sa.expect = m.messageId + 1;
    sa.reassembler.clearBelow(sa.expect);
    this.send(sa, packets);
  }

  // ------------------------------------------------------------------ IKE_SA_INIT

  private ikeSaInit(m: IkeMessage, raw: Uint8Array, from: Endpoint, natt: boolean): void {
    const key = toHex(m.spiI);
    const existing = this.sas.get(key);
    if (existing?.initRequest && equalBytes(existing.initRequest, raw)) {
      existing.traffic.ikeBytesIn += raw.byteLength + (natt ? NON_ESP_MARKER : 0);
      existing.traffic.ikeBytesOut += existing.initResponse.byteLength + (natt ? NON_ESP_MARKER : 0);
      return this.transport.sendIke(existing.initResponse, from, natt);
    }
    const plain = (payloads: AnyPayload[]) => {
      const resp: IkeMessage = { spiI: m.spiI, spiR: new Uint8Array(8), exchange: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0, payloads };
      this.log.log('ENC', 1, `generating ${describeMessage(resp)}`);
      this.transport.sendIke(encodeMessage(resp), from, natt);
    };
    this.log.log('ENC', 1, `parsed ${describeMessage(m)}`);
    const sa = find<SecurityAssociationPayload>(m.payloads, PayloadType.SA);
    const ke = find<KeyExchangePayload>(m.payloads, PayloadType.KE);
    const ni = find<NoncePayload>(m.payloads, PayloadType.NONCE);
    if (!sa || !ke || !ni) return plain([notify(NotifyType.INVALID_SYNTAX)]);
    // RFC 7296 §2.6: under load, no state before the initiator proved it receives at its address
    const threshold = this.options.cookieThreshold ?? 30;
    const halfOpen = this.halfOpen();
    if (halfOpen >= threshold) {
      const expected = this.cookie(ni.data, from.address, m.spiI);
      const first = m.payloads[0] as NotifyPayload | undefined;
      const got = first?.type === PayloadType.NOTIFY && first.notifyType === NotifyType.COOKIE ? first.data : undefined;
      if (!got || !equalBytes(got, expected)) {
        this.log.log('IKE', 1, `${halfOpen} half-open IKE_SAs, ${got ? 'invalid COOKIE' : 'no COOKIE'} from ${from.address}, requesting one`);
        return plain([notify(NotifyType.COOKIE, expected)]);
      }
      this.log.log('IKE', 2, `valid COOKIE from ${from.address}`);
    }
    // choose by our preference: first of our proposals matching one of theirs
    let chosen: { theirs: Proposal; ours: IkeProposalConfig; group: number } | undefined;
    for (const ours of this.options.ike ?? DEFAULT_IKE_PROPOSALS) {
      for (const theirs of sa.proposals) {
        if (theirs.protocol !== ProtocolId.IKE) continue;
        const has = (type: number, id: number, bits?: number) => theirs.transforms.some((t) => t.type === type && t.id === id && (bits === undefined || keyLength(t) === bits));
        if (!has(TransformType.ENCR, ours.encr, ours.keyBits) || !has(TransformType.PRF, ours.prf)) continue;
        if (ours.integ !== undefined && !ENCRS[ours.encr].aead && !has(TransformType.INTEG, ours.integ)) continue;
        const group = ours.groups.find((g) => has(TransformType.DH, g));
        if (group === undefined) continue;
        chosen = { theirs, ours, group };
        break;
      }
      if (chosen) break;
    }
    if (!chosen) {
      this.log.log('IKE', 1, 'no acceptable proposal found');
      return plain([notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
    }
    if (ke.group !== chosen.group) {
      this.log.log('IKE', 1, `DH group ${DH_NAMES[ke.group] ?? ke.group} unacceptable, requesting ${DH_NAMES[chosen.group] ?? chosen.group}`);
      return plain([notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(chosen.group >> 8, chosen.group & 255))]);
    }
    const { ours, group } = chosen;
    const dh = createKeyExchange(group);
    let secret: Uint8Array;
    try {
      secret = dh.computeSecret(ke.data);
    } catch {
      return plain([notify(NotifyType.INVALID_SYNTAX)]);
    }
    const spiR = new Uint8Array(randomBytes(8));
    const nr = new Uint8Array(randomBytes(32));
    const encr = ENCRS[ours.encr];
    const integ = ours.integ !== undefined && !encr.aead ? INTEGS[ours.integ] : undefined;
    const prf = PRFS[ours.prf];
    const transforms: Transform[] = [{ type: TransformType.ENCR, id: ours.encr, attributes: [{ type: 14, value: ours.keyBits }] }, { type: TransformType.PRF, id: ours.prf, attributes: [] }];
    if (integ) transforms.push({ type: TransformType.INTEG, id: integ.id, attributes: [] });
    transforms.push({ type: TransformType.DH, id: group, attributes: [] });
    const local = this.transport.local(natt);
    const notifies = m.payloads.filter((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && 'notifyType' in p);
    const fragmentation = notifies.some((n) => n.notifyType === NotifyType.IKEV2_FRAGMENTATION_SUPPORTED);
    const natSrc = notifies.filter((n) => n.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP);
    const natDst = notifies.find((n) => n.notifyType === NotifyType.NAT_DETECTION_DESTINATION_IP);
    const payloads: AnyPayload[] = [
      { type: 33, proposals: [{ num: chosen.theirs.num, protocol: ProtocolId.IKE, spi: new Uint8Array(0), transforms }] },
      { type: 34, group, data: dh.publicValue },
      { type: 40, data: nr },
    ];
    let natDetected = false;
    if (natSrc.length && natDst) {
      natDetected = !natSrc.some((n) => equalBytes(n.data, natDetectionHash(m.spiI, new Uint8Array(8), from.address, from.port)))
        || !equalBytes(natDst.data, natDetectionHash(m.spiI, new Uint8Array(8), local.address, local.port));
      payloads.push(notify(NotifyType.NAT_DETECTION_SOURCE_IP, this.options.fakeNat ? new Uint8Array(randomBytes(20)) : natDetectionHash(m.spiI, spiR, local.address, local.port)));
      natDetected ||= this.options.fakeNat === true;
      payloads.push(notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natDetectionHash(m.spiI, spiR, from.address, from.port)));
    }
    if (fragmentation) payloads.push(notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    const resp: IkeMessage = { spiI: m.spiI, spiR, exchange: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0, payloads };
    const initResponse = encodeMessage(resp);
    const seed = skeyseed(prf, ni.data, nr, secret);
    secret.fill(0);
    const keys = deriveIkeKeys({ prf, integ, encr, encrKeyBits: ours.keyBits }, seed, ni.data, nr, m.spiI, spiR);
    seed.fill(0);
    this.sas.set(key, {
      spiI: m.spiI, spiR, peer: from, natt, initRequest: raw.slice(), initResponse, ni: ni.data, nr, keys, prf, fragmentation,
      skIn: { encr, integ, encrKey: keys.skEi, integKey: keys.skAi }, skOut: { encr, integ, encrKey: keys.skEr, integKey: keys.skAr },
      expect: 1, reassembler: new FragmentReassembler(), state: 'init', suite: { encr, integ, keyBits: ours.keyBits, group, ours },
      traffic: {
        ikeBytesIn: raw.byteLength + (natt ? NON_ESP_MARKER : 0), ikeBytesOut: initResponse.byteLength + (natt ? NON_ESP_MARKER : 0),
        espPacketsIn: 0, espBytesIn: 0, espPacketsOut: 0, espBytesOut: 0,
      },
    });
    this.options.keylog?.(ikeKeylogEntry(m.spiI, spiR, encr, ours.keyBits, integ, keys));
    this.log.log('CFG', 1, `selected proposal: ${describeProposal((payloads[0] as SecurityAssociationPayload).proposals[0])}`);
    if (natDetected) this.log.log('IKE', 1, 'remote host is behind NAT');
    this.log.log('ENC', 1, `generating ${describeMessage(resp)}`);
    this.transport.sendIke(initResponse, from, natt);
  }

  // ------------------------------------------------------------------ IKE_AUTH / INFORMATIONAL

  private async dispatch(sa: Sa, m: IkeMessage, payloads: AnyPayload[]): Promise<void> {
    if (m.exchange === ExchangeType.INFORMATIONAL) {
      const dels = payloads.filter((p): p is DeletePayload => p.type === PayloadType.DELETE);
      const del = dels.some((p) => p.protocol === ProtocolId.IKE);
      const espSpis = dels.filter((p) => p.protocol === ProtocolId.ESP).flatMap((p) => p.spis);
      const out: AnyPayload[] = [];
      let current: ChildSa | undefined;
      if (!del && espSpis.length) {
        // DELETE of CHILD_SAs (the old one after a rekey, or the current one): answer with our inbound SPIs
        const old = (sa.retiring ?? []).filter((c) => espSpis.some((x) => equalBytes(x, c.spiOut)));
        current = sa.child && espSpis.some((x) => equalBytes(x, sa.child!.spiOut)) ? sa.child : undefined;
        const ours = [...old, ...(current ? [current] : [])].map((c) => c.spiIn);
        if (ours.length) out.push({ type: 42, protocol: ProtocolId.ESP, spiSize: 4, spis: ours } as DeletePayload);
        for (const c of old) {
          sa.tunnel?.retire(c.spiIn);
          this.unrouteSpi(sa.route, c.spiIn);
          for (const k of Object.values(c.keys)) k.fill(0);
          this.log.log('CHD', 1, `closing CHILD_SA with SPIs ${toHex(c.spiIn)}_i ${toHex(c.spiOut)}_o (rekeyed)`);
        }
        sa.retiring = (sa.retiring ?? []).filter((c) => !old.includes(c));
        if (current) {
          this.log.log('CHD', 1, `closing CHILD_SA with SPIs ${toHex(current.spiIn)}_i ${toHex(current.spiOut)}_o`);
          sa.child = undefined;
          this.dropRoute(sa);
        }
      }
      this.respond(sa, m, out);
      if (del) {
        this.log.log('IKE', 1, `received DELETE for IKE_SA ${toHex(sa.spiI)}_i ${toHex(sa.spiR)}_r, deleting`);
        sa.state = 'deleted';
        this.clearTimers(sa);
        this.dropRoute(sa);
        for (const k of Object.values(sa.keys)) k.fill(0);
        if (!sa.rekeyedTo) for (const cb of this.deleted) cb(toHex(sa.spiI));
      }
      if (current && !del) for (const cb of this.childDeleted) cb({ spiI: toHex(sa.spiI), spiIn: toHex(current.spiIn), spiOut: toHex(current.spiOut) });
      return;
    }
    if (m.exchange === ExchangeType.CREATE_CHILD_SA && sa.state === 'established') return this.createChildSa(sa, m, payloads);
    if (m.exchange !== ExchangeType.IKE_AUTH) return this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
    if (sa.state === 'init') {
      const idi = find<IdentificationPayload>(payloads, PayloadType.IDi);
      const eapOnly = payloads.some((p) => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.EAP_ONLY_AUTHENTICATION);
      if (!idi) return this.fail(sa, m, 'IKE_AUTH request without IDi');
      if (!eapOnly || payloads.some((p) => p.type === PayloadType.AUTH)) return this.fail(sa, m, 'peer does not use EAP-only authentication, which is all we support');
      sa.idi = idi;
      sa.idr = { type: 36, ...parseIdentity(this.options.identity) };
      const csa = find<SecurityAssociationPayload>(payloads, PayloadType.SA);
      const tsi = find<TrafficSelectorPayload>(payloads, PayloadType.TSi);
      const tsr = find<TrafficSelectorPayload>(payloads, PayloadType.TSr);
      if (csa && tsi && tsr) sa.childRequest = { sa: csa, tsi, tsr };
      const peerIdentity = formatIdentity(idi);
      sa.eap = this.options.eap(peerIdentity, { spiI: toHex(sa.spiI), spiR: toHex(sa.spiR), peer: { ...sa.peer }, peerIdentity });
      const first = await sa.eap.initiate();
      sa.state = 'eap';
      return this.respond(sa, m, [sa.idr, { type: 48, data: first } as EapPayload]);
    }
    if (sa.state === 'eap') {
      const ep = find<EapPayload>(payloads, PayloadType.EAP);
      if (!ep) return this.fail(sa, m, 'IKE_AUTH request without EAP payload during EAP');
      const r = await sa.eap!.process(ep.data);
      if (r.status === 'discard') return;
      if (r.status === 'success') {
        sa.msk = sa.eap!.msk;
        sa.state = 'auth';
        this.log.log('IKE', 1, `EAP method succeeded, ${sa.msk ? 'MSK established' : 'no MSK established'}`);
      } else if (r.status === 'failure') {
        this.log.log('IKE', 1, `EAP method failed for peer ${formatIdentity(sa.idi!)}: ${r.error.message}`);
        sa.state = 'deleted';
        this.emitFailed(sa, `EAP method failed: ${r.error.message}`);
      }
      return this.respond(sa, m, [{ type: 48, data: r.packet } as EapPayload]);
    }
    if (sa.state === 'auth') {
      const auth = find<AuthenticationPayload>(payloads, PayloadType.AUTH);
      if (!auth) return this.fail(sa, m, 'IKE_AUTH request without AUTH after EAP');
      if (!sa.msk) return this.fail(sa, m, 'EAP-only authentication requires a key-generating EAP method (RFC 5998), but no MSK was established');
      const expect = sharedKeyAuth(sa.prf, sa.msk, signedOctets(sa.prf, sa.initRequest, sa.nr, sa.keys.skPi, identificationBody(sa.idi!)));
      if (auth.method !== AuthMethod.PSK || !equalBytes(auth.data, expect)) return this.fail(sa, m, 'verification of AUTH payload with MSK failed');
      const ours = sharedKeyAuth(sa.prf, sa.msk, signedOctets(sa.prf, sa.initResponse, sa.ni, sa.keys.skPr, identificationBody(sa.idr!)));
      const out: AnyPayload[] = [{ type: 39, method: AuthMethod.PSK, data: ours } as AuthenticationPayload];
      const child = this.child(sa, out);
      sa.child = child;
      if (this.options.authLifetime !== undefined) {
        const d = new Uint8Array(4);
        new DataView(d.buffer).setUint32(0, this.options.authLifetime);
        out.push(notify(NotifyType.AUTH_LIFETIME, d));
      }
      sa.msk?.fill(0);
      sa.state = 'established';
      const peerIdentity = formatIdentity(sa.idi!);
      this.log.log('IKE', 0, `IKE_SA established between ${this.transport.local(sa.natt).address}[${this.options.identity}]...${sa.peer.address}[${peerIdentity}]`);
      this.respond(sa, m, out);
      this.schedule(sa);
      for (const cb of this.established) cb({ spiI: toHex(sa.spiI), spiR: toHex(sa.spiR), peerIdentity, peer: { ...sa.peer }, mskUsed: sa.msk !== undefined, child, childRefused: sa.childRefused });
      return;
    }
    this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
  }

  private child(sa: Sa, out: AnyPayload[]): ChildSa | undefined {
    const req = sa.childRequest;
    if (!req) return undefined;
    const refuse = (notifyType: number, why: string): undefined => {
      this.log.log('CHD', 1, why);
      sa.childRefused = why;
      out.push(notify(notifyType));
      return undefined;
    };
    let chosen: { ours: EspProposalConfig; theirs: Proposal; encr: EncrAlg; integ?: IntegAlg } | undefined;
    for (const ours of this.options.esp ?? DEFAULT_ESP_PROPOSALS) {
      for (const theirs of req.sa.proposals) {
        if (theirs.protocol !== ProtocolId.ESP || theirs.spi.byteLength !== 4) continue;
        const e = one(theirs, TransformType.ENCR);
        if (!e || e.id !== ours.encr || keyLength(e) !== ours.keyBits) continue;
        const encr = ENCRS[ours.encr];
        const integ = ours.integ !== undefined && !encr.aead ? INTEGS[ours.integ] : undefined;
        if (integ && !theirs.transforms.some((t) => t.type === TransformType.INTEG && t.id === integ.id)) continue;
        if (theirs.transforms.some((t) => t.type === TransformType.ESN) && !theirs.transforms.some((t) => t.type === TransformType.ESN && t.id === 0)) continue;
        chosen = { ours, theirs, encr, integ };
        break;
      }
      if (chosen) break;
    }
    if (!chosen) return refuse(NotifyType.NO_PROPOSAL_CHOSEN, 'no acceptable proposal found');
    // RFC 7296 §2.9: answer with the subset of the proposed selectors our (per-SA) policy allows
    const ref: ResponderSaRef = { spiI: toHex(sa.spiI), spiR: toHex(sa.spiR), peer: { ...sa.peer }, peerIdentity: formatIdentity(sa.idi!) };
    let policy: ChildSaPolicy | undefined;
    try {
      policy = this.options.childPolicy?.(ref);
    } catch (e) {
      return refuse(NotifyType.TS_UNACCEPTABLE, `CHILD_SA policy failed, refusing CHILD_SA: ${(e as Error).message}`);
    }
    if (policy && 'refuse' in policy) return refuse(NotifyType.TS_UNACCEPTABLE, `CHILD_SA refused by policy: ${policy.refuse}`);
    let tsr: TrafficSelector[];
    let tsi: TrafficSelector[];
    try {
      tsr = narrowTrafficSelectors(req.tsr.selectors, selectors(policy?.localTs ?? this.options.localTs ?? ['0.0.0.0/0']));
      tsi = narrowTrafficSelectors(req.tsi.selectors, selectors(policy?.remoteTs ?? this.options.remoteTs ?? ['0.0.0.0/0'], sa.peer));
    } catch (e) {
      return refuse(NotifyType.TS_UNACCEPTABLE, `CHILD_SA policy has a bad traffic selector: ${(e as Error).message}`);
    }
    if (!tsi.length || !tsr.length) {
      const list = (ts: readonly TrafficSelector[]) => ts.map(describeSelector).join(' ');
      return refuse(NotifyType.TS_UNACCEPTABLE, `no acceptable traffic selectors found (proposed ${list(req.tsi.selectors)} === ${list(req.tsr.selectors)})`);
    }
    const { ours, theirs, encr, integ } = chosen;
    const spiIn = new Uint8Array(randomBytes(4));
    const transforms: Transform[] = [{ type: TransformType.ENCR, id: ours.encr, attributes: [{ type: 14, value: ours.keyBits }] }];
    if (integ) transforms.push({ type: TransformType.INTEG, id: integ.id, attributes: [] });
    transforms.push({ type: TransformType.ESN, id: 0, attributes: [] });
    out.push({ type: 33, proposals: [{ num: theirs.num, protocol: ProtocolId.ESP, spi: spiIn, transforms }] }, { type: 44, selectors: tsi }, { type: 45, selectors: tsr });
    const keys = deriveChildKeys(sa.prf, sa.keys.skD, sa.ni, sa.nr, ours.keyBits / 8 + encr.saltSize, integ?.keySize ?? 0);
    const proposal = describeProposal({ num: theirs.num, protocol: ProtocolId.ESP, spi: spiIn, transforms });
    this.log.log('CHD', 0, `CHILD_SA established with SPIs ${toHex(spiIn)}_i ${toHex(theirs.spi)}_o and TS ${tsr.map(describeSelector).join(' ')} === ${tsi.map(describeSelector).join(' ')}`);
    const c: ChildSa = { spiIn, spiOut: theirs.spi, encr, encrKeyBits: ours.keyBits, integ, proposal, tsi, tsr, keys, udpEncapsulation: sa.natt };
    this.options.keylog?.(espKeylogEntry(c, this.transport.local(sa.natt).address, sa.peer.address, false));
    return c;
  }

  // ------------------------------------------------------------------ CREATE_CHILD_SA (rekeying, RFC 7296 §1.3)

  private createChildSa(sa: Sa, m: IkeMessage, payloads: AnyPayload[]): void {
    const rsa = find<SecurityAssociationPayload>(payloads, PayloadType.SA);
    const ni = find<NoncePayload>(payloads, PayloadType.NONCE);
    const ke = find<KeyExchangePayload>(payloads, PayloadType.KE);
    if (!rsa || !ni) return this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
    const nr = new Uint8Array(randomBytes(32));
    if (rsa.proposals.some((p) => p.protocol === ProtocolId.IKE)) {
      // IKE_SA rekey (§1.3.2): same suite as negotiated, KE of the same group
      const s = sa.suite!;
      const theirs = rsa.proposals.find((p) => p.protocol === ProtocolId.IKE && p.spi.byteLength === 8 && p.transforms.some((t) => t.type === TransformType.ENCR && t.id === s.ours.encr && keyLength(t) === s.keyBits)
        && p.transforms.some((t) => t.type === TransformType.PRF && t.id === s.ours.prf) && (!s.integ || p.transforms.some((t) => t.type === TransformType.INTEG && t.id === s.integ!.id))
        && p.transforms.some((t) => t.type === TransformType.DH));
      if (!theirs) return this.respond(sa, m, [notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
      const groups = theirs.transforms.filter((t) => t.type === TransformType.DH).map((t) => t.id);
      const group = groups.includes(s.group) ? s.group : s.ours.groups.find((g) => groups.includes(g));
      if (group === undefined) return this.respond(sa, m, [notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
      if (!ke || ke.group !== group) return this.respond(sa, m, [notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(group >> 8, group & 255))]);
      const dh = createKeyExchange(group);
      let secret: Uint8Array;
      try {
        secret = dh.computeSecret(ke.data);
      } catch {
        return this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
      }
      const spiR = new Uint8Array(randomBytes(8));
      const transforms: Transform[] = [{ type: TransformType.ENCR, id: s.ours.encr, attributes: [{ type: 14, value: s.keyBits }] }, { type: TransformType.PRF, id: s.ours.prf, attributes: [] }];
      if (s.integ) transforms.push({ type: TransformType.INTEG, id: s.integ.id, attributes: [] });
      transforms.push({ type: TransformType.DH, id: group, attributes: [] });
      const keys = rekeyedIkeKeys(sa.prf, sa.keys.skD, secret, ni.data, nr, { prf: sa.prf, integ: s.integ, encr: s.encr, encrKeyBits: s.keyBits }, theirs.spi, spiR);
      secret.fill(0);
      const key = toHex(theirs.spi);
      if (this.sas.has(key)) return this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
      this.clearTimers(sa);
      const next: Sa = {
        ...sa, spiI: theirs.spi.slice(), spiR, keys, expect: 0, last: undefined, reassembler: new FragmentReassembler(), rekeyedTo: undefined,
        role: 'responder', ownNext: 0, pending: undefined, queue: undefined, responseReassembler: undefined, timers: undefined,
        skIn: { encr: s.encr, integ: s.integ, encrKey: keys.skEi, integKey: keys.skAi }, skOut: { encr: s.encr, integ: s.integ, encrKey: keys.skEr, integKey: keys.skAr },
        suite: { ...s, group },
      };
      this.respond(sa, m, [
        { type: 33, proposals: [{ num: theirs.num, protocol: ProtocolId.IKE, spi: spiR, transforms }] } as SecurityAssociationPayload,
        { type: 40, data: nr } as NoncePayload, { type: 34, group, data: dh.publicValue } as KeyExchangePayload,
      ]);
      sa.rekeyedTo = key;
      sa.child = undefined;
      this.moveRoute(sa, next);
      sa.retiring = [];
      this.sas.set(key, next);
      this.options.keylog?.(ikeKeylogEntry(next.spiI, spiR, s.encr, s.keyBits, s.integ, keys));
      this.log.log('IKE', 0, `IKE_SA rekeyed: ${toHex(sa.spiI)}_i ${toHex(sa.spiR)}_r → ${key}_i ${toHex(spiR)}_r`);
      this.schedule(next);
      for (const cb of this.rekeyed) cb({ sa: 'ike', oldSpiI: toHex(sa.spiI), spiI: key, spiR: toHex(spiR) });
      return;
    }
    const rekey = payloads.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.REKEY_SA);
    const old = sa.child;
    if (!rekey || !old || rekey.protocol !== ProtocolId.ESP || !equalBytes(rekey.spi, old.spiOut)) {
      this.log.log('CHD', 1, 'CREATE_CHILD_SA for an additional CHILD_SA refused (one per IKE_SA)');
      return this.respond(sa, m, [notify(rekey && old ? NotifyType.CHILD_SA_NOT_FOUND : NotifyType.NO_ADDITIONAL_SAS)]);
    }
    const pfsGroups = this.options.pfs ?? (this.options.ike ?? DEFAULT_IKE_PROPOSALS).flatMap((p) => p.groups);
    const choice = chooseEspProposal(rsa.proposals, this.options.esp ?? DEFAULT_ESP_PROPOSALS, pfsGroups);
    if (!choice) return this.respond(sa, m, [notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
    const out: AnyPayload[] = [];
    const spiIn = new Uint8Array(randomBytes(4));
    out.push({ type: 33, proposals: [{ num: choice.num, protocol: ProtocolId.ESP, spi: spiIn, transforms: choice.transforms }] } as SecurityAssociationPayload, { type: 40, data: nr } as NoncePayload);
    let secret: Uint8Array | undefined;
    if (choice.group !== undefined) {
      if (!ke || ke.group !== choice.group) return this.respond(sa, m, [notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(choice.group >> 8, choice.group & 255))]);
      const dh = createKeyExchange(choice.group);
      try {
        secret = dh.computeSecret(ke.data);
      } catch {
        return this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
      }
      out.push({ type: 34, group: choice.group, data: dh.publicValue } as KeyExchangePayload);
    }
    out.push({ type: 44, selectors: old.tsi } as TrafficSelectorPayload, { type: 45, selectors: old.tsr } as TrafficSelectorPayload);
    const keys = deriveChildKeys(sa.prf, sa.keys.skD, secret ? concatBytes([secret, ni.data]) : ni.data, nr, choice.keyBits / 8 + choice.encr.saltSize, choice.integ?.keySize ?? 0);
    secret?.fill(0);
    const child: ChildSa = {
      spiIn, spiOut: choice.peerSpi, encr: choice.encr, encrKeyBits: choice.keyBits, integ: choice.integ,
      proposal: describeProposal({ num: choice.num, protocol: ProtocolId.ESP, spi: spiIn, transforms: choice.transforms }),
      tsi: old.tsi, tsr: old.tsr, keys, udpEncapsulation: sa.natt,
    };
    this.respond(sa, m, out);
    sa.child = child;
    (sa.retiring ??= []).push(old);
    sa.tunnel?.rekey(
      new EspSa({ spi: child.spiOut, encr: child.encr, encrKey: keys.encrR.slice(), integ: child.integ, integKey: keys.integR.slice() }),
      new EspSa({ spi: child.spiIn, encr: child.encr, encrKey: keys.encrI.slice(), integ: child.integ, integKey: keys.integI.slice() }),
    );
    if (sa.route) this.routeSpi(sa.route, child.spiIn);
    this.options.keylog?.(espKeylogEntry(child, this.transport.local(sa.natt).address, sa.peer.address, false));
    this.log.log('CHD', 0, `CHILD_SA rekeyed${secret ? ' with PFS' : ''}: SPIs ${toHex(spiIn)}_i ${toHex(child.spiOut)}_o, old ${toHex(old.spiIn)}_i ${toHex(old.spiOut)}_o`);
    for (const cb of this.rekeyed) cb({ sa: 'child', spiI: toHex(sa.spiI), oldSpiIn: toHex(old.spiIn), spiIn: toHex(spiIn), spiOut: toHex(child.spiOut), pfs: choice.group !== undefined });
  }

  // ------------------------------------------------------------------ our own requests (rekeys, DPD) — RFC 7296 §2.1, §2.3

  private establishedSa(spiI: string): Sa {
    const sa = this.sas.get(spiI);
    if (!sa || sa.state !== 'established' || sa.rekeyedTo) throw new IkeError(IkeErrorCode.PROTOCOL, `no established IKE_SA ${spiI}`);
    return sa;
  }

  private exclusive<T>(sa: Sa, fn: () => Promise<T>): Promise<T> {
    const run = (sa.queue ?? Promise.resolve()).catch(() => undefined).then(fn);
    sa.queue = run.catch(() => undefined);
    return run;
  }

  /** Send a request on `sa` (window 1, strongSwan-style retransmission); resolves with the response's payloads. */
  private request(sa: Sa, exchange: number, payloads: AnyPayload[]): Promise<AnyPayload[]> {
    const id = sa.ownNext ?? 0;
    sa.ownNext = id + 1;
    const header = { spiI: sa.spiI, spiR: sa.spiR, exchange, initiator: sa.role === 'initiator', response: false, messageId: id };
    const w = new Writer();
    encodePayloads(w, payloads);
    this.log.log('ENC', 1, `generating ${describeMessage({ ...header, payloads }, payloads)}`);
    const packets = sealMaybeFragmented(header, w.finish(), payloads.length ? payloads[0].type : 0, sa.skOut, {
      fragment: sa.fragmentation, limit: this.options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE, natt: sa.natt,
    });
    return new Promise<AnyPayload[]>((resolve, reject) => {
      const p: NonNullable<Sa['pending']> = { id, packets, resolve, reject, attempt: 0 };
      sa.pending = p;
      const r = this.retransmit;
      const arm = () => {
        p.timer = setTimeout(() => {
          if (sa.pending !== p) return;
          if (p.attempt >= r.tries) {
            sa.pending = undefined;
            reject(new IkeError(IkeErrorCode.TIMEOUT, `no response from ${sa.peer.address}: giving up after ${r.tries} retransmits (request ${id})`));
            return;
          }
          p.attempt++;
          this.log.log('IKE', 1, `retransmit ${p.attempt} of request with message ID ${id}`);
          this.send(sa, packets);
          arm();
        }, Math.min(r.timeout * Math.pow(r.base, p.attempt), r.maxTimeout ?? Infinity));
      };
      this.send(sa, packets);
      arm();
    });
  }

  private onResponse(sa: Sa, m: IkeMessage, raw: Uint8Array): void {
    const p = sa.pending;
    if (!p || m.messageId !== p.id) return this.log.log('IKE', 2, `ignoring response with message ID ${m.messageId}`);
    sa.responseReassembler ??= new FragmentReassembler();
    const payloads = this.open(sa, m, raw, sa.responseReassembler);
    if (!payloads) return;
    sa.lastReceived = performance.now();
    this.log.log('ENC', 1, `parsed ${describeMessage(m, payloads)}`);
    clearTimeout(p.timer);
    sa.pending = undefined;
    p.resolve(payloads);
  }

  /**
   * Rekey the CHILD_SA of IKE_SA `spiI` ourselves (RFC 7296 §1.3.3): CREATE_CHILD_SA with REKEY_SA (our inbound SPI),
   * KE when `pfs` groups are configured, then DELETE of the old CHILD_SA; the ESP tunnel switches.
   * @throws IkeError ERR_IKE_NOTIFY (refused), ERR_IKE_TIMEOUT, ERR_IKE_PROTOCOL
   */
  rekeyChildSa(spiI: string): Promise<ChildSa> {
    const sa = this.establishedSa(spiI);
    return this.exclusive(sa, async () => {
      const old = sa.child;
      if (!old) throw new IkeError(IkeErrorCode.PROTOCOL, `IKE_SA ${spiI} has no CHILD_SA`);
      const groups = this.options.pfs ?? [];
      const espProposals = this.options.esp ?? DEFAULT_ESP_PROPOSALS;
      const spiIn = new Uint8Array(randomBytes(4));
      const ni = new Uint8Array(randomBytes(32));
      const dh = groups.length ? createKeyExchange(groups[0]) : undefined;
      const proposals = espProposals.map((o, i) => {
        const t: Transform[] = [{ type: TransformType.ENCR, id: o.encr, attributes: [{ type: TransformAttr.KEY_LENGTH, value: o.keyBits }] }];
        if (o.integ !== undefined && !ENCRS[o.encr].aead) t.push({ type: TransformType.INTEG, id: o.integ, attributes: [] });
        for (const g of groups) t.push({ type: TransformType.DH, id: g, attributes: [] });
        t.push({ type: TransformType.ESN, id: Esn.NO, attributes: [] });
        return { num: i + 1, protocol: ProtocolId.ESP, spi: spiIn, transforms: t };
      });
      const req: AnyPayload[] = [{ ...notify(NotifyType.REKEY_SA, new Uint8Array(0), ProtocolId.ESP), spi: old.spiIn }, { type: 33, proposals } as SecurityAssociationPayload, { type: 40, data: ni } as NoncePayload];
      if (dh) req.push({ type: 34, group: dh.group, data: dh.publicValue } as KeyExchangePayload);
      // we initiate this exchange: TSi is our side (IKE_AUTH's TSr), TSr the peer's
      req.push({ type: 44, selectors: old.tsr } as TrafficSelectorPayload, { type: 45, selectors: old.tsi } as TrafficSelectorPayload);
      this.log.log('CHD', 1, `rekeying CHILD_SA ${toHex(old.spiIn)}_i ${toHex(old.spiOut)}_o of IKE_SA ${spiI}${dh ? ' with PFS' : ''}`);
      const resp = await this.request(sa, ExchangeType.CREATE_CHILD_SA, req);
      const err = resp.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType < 16384);
      if (err) throw new IkeError(IkeErrorCode.NOTIFY, `received notify error ${err.notifyType} to our CHILD_SA rekey`, { notify: err.notifyType });
      const rsa = find<SecurityAssociationPayload>(resp, PayloadType.SA);
      const nr = find<NoncePayload>(resp, PayloadType.NONCE);
      const rke = find<KeyExchangePayload>(resp, PayloadType.KE);
      const choice = rsa && rsa.proposals.length === 1 ? chooseEspProposal(rsa.proposals, [espProposals[rsa.proposals[0].num - 1]].filter(Boolean), groups) : undefined;
      if (!rsa || !nr || !choice) throw new IkeError(IkeErrorCode.PROTOCOL, 'CREATE_CHILD_SA response lacks SA/Nr or chose a proposal we did not offer');
      let secret: Uint8Array | undefined;
      if (choice.group !== undefined) {
        if (!dh || !rke || rke.group !== dh.group) throw new IkeError(IkeErrorCode.PROTOCOL, 'CREATE_CHILD_SA response KE does not match our PFS group');
        secret = dh.computeSecret(rke.data);
      }
      const km = deriveChildKeys(sa.prf, sa.keys.skD, secret ? concatBytes([secret, ni]) : ni, nr.data, choice.keyBits / 8 + choice.encr.saltSize, choice.integ?.keySize ?? 0);
      secret?.fill(0);
      // stored in the IKE_SA's orientation (encrI = IKE initiator → us): we were this exchange's initiator, so swap
      const keys = { encrI: km.encrR, integI: km.integR, encrR: km.encrI, integR: km.integI };
      const child: ChildSa = {
        spiIn, spiOut: choice.peerSpi, encr: choice.encr, encrKeyBits: choice.keyBits, integ: choice.integ,
        proposal: describeProposal({ num: choice.num, protocol: ProtocolId.ESP, spi: choice.peerSpi, transforms: choice.transforms }),
        tsi: old.tsi, tsr: old.tsr, keys, udpEncapsulation: sa.natt,
      };
      sa.child = child;
      sa.tunnel?.rekey(
        new EspSa({ spi: child.spiOut, encr: child.encr, encrKey: keys.encrR.slice(), integ: child.integ, integKey: keys.integR.slice() }),
        new EspSa({ spi: child.spiIn, encr: child.encr, encrKey: keys.encrI.slice(), integ: child.integ, integKey: keys.integI.slice() }),
      );
      if (sa.route) this.routeSpi(sa.route, child.spiIn);
      this.options.keylog?.(espKeylogEntry(child, this.transport.local(sa.natt).address, sa.peer.address, false));
      this.log.log('CHD', 0, `CHILD_SA rekeyed by us${secret ? ' with PFS' : ''}: SPIs ${toHex(spiIn)}_i ${toHex(child.spiOut)}_o, old ${toHex(old.spiIn)}_i ${toHex(old.spiOut)}_o`);
      for (const cb of this.rekeyed) cb({ sa: 'child', spiI: toHex(sa.spiI), oldSpiIn: toHex(old.spiIn), spiIn: toHex(spiIn), spiOut: toHex(child.spiOut), pfs: choice.group !== undefined });
      await this.request(sa, ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.ESP, spiSize: 4, spis: [old.spiIn] } as DeletePayload]);
      sa.tunnel?.retire(old.spiIn);
      this.unrouteSpi(sa.route, old.spiIn);
      for (const k of Object.values(old.keys)) k.fill(0);
      this.scheduleChild(sa);
      return child;
    });
  }

  /**
   * Rekey IKE_SA `spiI` ourselves (RFC 7296 §1.3.2, §2.18): we become the initiator of the new IKE_SA (our new SPI is
   * its SPIi, so the session continues under a new `spiI`, reported by `onRekeyed`); the old IKE_SA is deleted.
   */
  rekeyIkeSa(spiI: string): Promise<{ spiI: string; spiR: string }> {
    const sa = this.establishedSa(spiI);
    return this.exclusive(sa, async () => {
      const s = sa.suite!;
      const newSpi = new Uint8Array(randomBytes(8));
      const ni = new Uint8Array(randomBytes(32));
      const dh = createKeyExchange(s.group);
      const transforms: Transform[] = [{ type: TransformType.ENCR, id: s.ours.encr, attributes: [{ type: TransformAttr.KEY_LENGTH, value: s.keyBits }] }, { type: TransformType.PRF, id: s.ours.prf, attributes: [] }];
      if (s.integ) transforms.push({ type: TransformType.INTEG, id: s.integ.id, attributes: [] });
      transforms.push({ type: TransformType.DH, id: s.group, attributes: [] });
      this.log.log('IKE', 1, `rekeying IKE_SA ${toHex(sa.spiI)}_i ${toHex(sa.spiR)}_r`);
      const resp = await this.request(sa, ExchangeType.CREATE_CHILD_SA, [
        { type: 33, proposals: [{ num: 1, protocol: ProtocolId.IKE, spi: newSpi, transforms }] } as SecurityAssociationPayload,
        { type: 40, data: ni } as NoncePayload, { type: 34, group: s.group, data: dh.publicValue } as KeyExchangePayload,
      ]);
      const err = resp.find((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType < 16384);
      if (err) throw new IkeError(IkeErrorCode.NOTIFY, `received notify error ${err.notifyType} to our IKE_SA rekey`, { notify: err.notifyType });
      const rsa = find<SecurityAssociationPayload>(resp, PayloadType.SA);
      const nr = find<NoncePayload>(resp, PayloadType.NONCE);
      const rke = find<KeyExchangePayload>(resp, PayloadType.KE);
      const cp = rsa?.proposals[0];
      if (!cp || rsa!.proposals.length !== 1 || !nr || !rke || cp.protocol !== ProtocolId.IKE || cp.spi.byteLength !== 8 || rke.group !== s.group) {
        throw new IkeError(IkeErrorCode.PROTOCOL, 'unacceptable IKE_SA rekey response');
      }
      const secret = dh.computeSecret(rke.data);
      const keys = rekeyedIkeKeys(sa.prf, sa.keys.skD, secret, ni, nr.data, { prf: sa.prf, integ: s.integ, encr: s.encr, encrKeyBits: s.keyBits }, newSpi, cp.spi);
      secret.fill(0);
      const key = toHex(newSpi);
      this.clearTimers(sa);
      const next: Sa = {
        ...sa, spiI: newSpi, spiR: cp.spi.slice(), keys, expect: 0, last: undefined, reassembler: new FragmentReassembler(), rekeyedTo: undefined,
        role: 'initiator', ownNext: 0, pending: undefined, queue: undefined, responseReassembler: undefined, timers: undefined,
        skOut: { encr: s.encr, integ: s.integ, encrKey: keys.skEi, integKey: keys.skAi }, skIn: { encr: s.encr, integ: s.integ, encrKey: keys.skEr, integKey: keys.skAr },
      };
      sa.rekeyedTo = key;
      this.moveRoute(sa, next);
      this.sas.set(key, next);
      this.options.keylog?.(ikeKeylogEntry(newSpi, cp.spi, s.encr, s.keyBits, s.integ, keys));
      this.log.log('IKE', 0, `IKE_SA rekeyed by us: ${toHex(sa.spiI)}_i ${toHex(sa.spiR)}_r → ${key}_i ${toHex(cp.spi)}_r`);
      try {
        await this.request(sa, ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.IKE, spiSize: 0, spis: [] } as DeletePayload]);
      } catch (e) {
        this.log.log('IKE', 1, `deleting the old IKE_SA failed: ${(e as Error).message}`);
      }
      sa.state = 'deleted';
      sa.child = undefined;
      for (const k of Object.values(sa.keys)) k.fill(0);
      this.schedule(next);
      const r = { spiI: key, spiR: toHex(cp.spi) };
      for (const cb of this.rekeyed) cb({ sa: 'ike', oldSpiI: spiI, ...r });
      return r;
    });
  }

  /**
   * Liveness check of IKE_SA `spiI` (an empty INFORMATIONAL). When unanswered after the retransmits the IKE_SA is
   * deleted locally, `onDead` and `onDeleted` are called and the promise rejects with ERR_IKE_TIMEOUT.
   */
  checkLiveness(spiI: string): Promise<void> {
    const sa = this.establishedSa(spiI);
    return this.exclusive(sa, async () => {
      try {
        await this.request(sa, ExchangeType.INFORMATIONAL, []);
      } catch (e) {
        if (!(e instanceof IkeError) || e.code !== IkeErrorCode.TIMEOUT) throw e;
        const dead = new IkeError(IkeErrorCode.TIMEOUT, `peer ${sa.peer.address} of IKE_SA ${spiI} is dead (liveness check unanswered after ${this.retransmit.tries} retransmits)`, { cause: e });
        this.log.log('IKE', 0, dead.message);
        sa.state = 'deleted';
        this.clearTimers(sa);
        this.dropRoute(sa);
        for (const k of Object.values(sa.keys)) k.fill(0);
        for (const cb of this.dead) cb(spiI, dead);
        for (const cb of this.deleted) cb(spiI);
        throw dead;
      }
    });
  }

  private clearTimers(sa: Sa): void {
    for (const t of sa.timers?.values() ?? []) clearTimeout(t);
    sa.timers?.clear();
  }

  private timer(sa: Sa, name: string, ms: number, fn: () => void): void {
    sa.timers ??= new Map();
    const old = sa.timers.get(name);
    if (old) clearTimeout(old);
    const t = setTimeout(() => {
      sa.timers?.delete(name);
      if (sa.state === 'established' && !sa.rekeyedTo) fn();
    }, Math.max(0, ms));
    t.unref?.();
    sa.timers.set(name, t);
  }

  private background(during: string, p: Promise<unknown>): void {
    p.catch((e: Error) => this.log.log('IKE', 1, `${during} failed: ${e.message}`));
  }

  /** Lifetimes and DPD of an established IKE_SA (options `ikeLifetime`, `childLifetime`, `dpdDelay`). */
  private schedule(sa: Sa): void {
    sa.lastReceived ??= performance.now();
    if (this.options.ikeLifetime) {
      const { rekeyMs, expireMs } = lifetimeSchedule(this.options.ikeLifetime);
      if (rekeyMs !== undefined) this.timer(sa, 'ike-rekey', rekeyMs, () => this.background('IKE_SA rekeying', this.rekeyIkeSa(toHex(sa.spiI))));
      if (expireMs !== undefined) this.timer(sa, 'ike-expire', expireMs, () => this.background('IKE_SA deletion', this.deleteSa(sa)));
    }
    this.scheduleChild(sa);
    this.scheduleDpd(sa);
  }

  private scheduleChild(sa: Sa): void {
    if (!this.options.childLifetime || !sa.child) return;
    const { rekeyMs } = lifetimeSchedule(this.options.childLifetime);
    if (rekeyMs !== undefined) this.timer(sa, 'child-rekey', rekeyMs, () => this.background('CHILD_SA rekeying', this.rekeyChildSa(toHex(sa.spiI))));
  }

  private scheduleDpd(sa: Sa): void {
    const d = this.options.dpdDelay;
    if (!d) return;
    this.timer(sa, 'dpd', d * 1000 - (performance.now() - (sa.lastReceived ?? 0)), () => {
      if (performance.now() - (sa.lastReceived ?? 0) < d * 1000 - 1) return this.scheduleDpd(sa);
      this.background('liveness check', this.checkLiveness(toHex(sa.spiI)).then(() => this.scheduleDpd(sa)));
    });
  }

  /** Hard lifetime reached: DELETE of the IKE_SA. */
  private deleteSa(sa: Sa): Promise<void> {
    return this.exclusive(sa, async () => {
      this.log.log('IKE', 0, `IKE_SA ${toHex(sa.spiI)} hard lifetime reached, deleting`);
      await this.request(sa, ExchangeType.INFORMATIONAL, [{ type: 42, protocol: ProtocolId.IKE, spiSize: 0, spis: [] } as DeletePayload]).catch(() => undefined);
      sa.state = 'deleted';
      this.clearTimers(sa);
      this.dropRoute(sa);
      for (const k of Object.values(sa.keys)) k.fill(0);
      for (const cb of this.deleted) cb(toHex(sa.spiI));
    });
  }

  private fail(sa: Sa, m: IkeMessage, why: string): void {
    this.log.log('IKE', 1, why);
    sa.state = 'deleted';
    this.respond(sa, m, [notify(NotifyType.AUTHENTICATION_FAILED)]);
    this.emitFailed(sa, why);
  }

  private emitFailed(sa: Sa, reason: string): void {
    const info: ResponderFailureInfo = { spiI: toHex(sa.spiI), spiR: toHex(sa.spiR), peer: { ...sa.peer }, peerIdentity: sa.idi && formatIdentity(sa.idi), reason };
    for (const cb of this.failed) cb(info);
  }
}

