/**
 * The TNC gateway: strongSwan's "moon" of the seed scenario, wired from the responder roles of the lower packages.
 *
 *   IKEv2 IkeResponder (EAP-only, RFC 5998)
 *     └ EapAuthenticator (requestIdentity: false, the IKE IDi is the EAP identity)
 *         └ EAP-TTLS server (RFC 5281), phase 2: EAP-Identity → EAP-MD5 → PT-EAP (RFC 7171)
 *             └ PB-TNC server connection (RFC 5793) of a TncServer with the Attestation and OS IMVs
 *
 * One TncServer serves every IKE_SA; each EAP conversation gets its own IF-TNCCS connection (Connection ID 1, 2, …),
 * linked to its IKE_SA by SPI (so clients sharing an identity never see each other's decision). The access decision
 * of the TNC server decides PT-EAP and therefore EAP and the IKE_SA: Access Allowed (and, by default, Quarantined)
 * succeed, Access Denied fails. A Quarantined client's CHILD_SA can be narrowed to a remediation network
 * (`isolatedTs`). Received ESP is routed by SPI to each client's own tunnel.
 */
import { Logger, getLogger } from '@tncjs/common';
import { EapAuthenticator, MemorySecretsStore, md5Factory, type SecretsStore } from '@tncjs/eap';
import { ttlsServerFactory, STRONGSWAN_FRAGMENT_SIZE } from '@tncjs/eap-ttls';
import { AccessRecommendation, ACCESS_RECOMMENDATION_NAMES } from '@tncjs/pb-tnc';
import { ptEapTnccsServerFactory, PT_EAP_SEED_MAX_BATCH_SIZE } from '@tncjs/pt-eap';
import {
  TncServer, createAttestationImv, createOsImv, loadTncConfig, IMV_EVALUATION_NAMES,
  type AttestationImvOptions, type OsImvOptions, type TncServerConnection,
} from '@tncjs/imc-sdk';
import {
  IkeResponder, describeSelector, icmpEchoReply, parseIcmpEcho, selectorFromCidr,
  type EspProposalConfig, type EspTunnel, type IkeProposalConfig, type ResponderSaInfo, type ChildSa, type ChildSaPolicy,
  type ResponderFailureInfo, type ResponderSaRef, type ResponderSaTraffic,
} from '@tncjs/ikev2';
import { GatewayError, GatewayErrorCode } from './errors.js';

/** Which IMVs run (in this order, as the seed's moon: Attestation = IMV 1, OS = IMV 2). */
export interface GatewayImvOptions {
  /** Attestation IMV options (`false`: not loaded). Default: loaded, in-memory reference store. */
  attestation?: AttestationImvOptions | false;
  /** OS IMV options (`false`: not loaded). Default: loaded. */
  os?: OsImvOptions | false;
  /** Load IMVs from a strongSwan `tnc_config` instead (`IMV "OS" builtin:os` …); `attestation`/`os` give their options. */
  tncConfig?: string;
}

export interface GatewayOptions {
  /** Our IDr and the name in our TLS certificate, e.g. `moon.strongswan.org`. */
  identity: string;
  /** EAP-TTLS server certificate and private key (PEM text or DER). */
  certificate: string | Uint8Array;
  key: string | Uint8Array;
  /** EAP-MD5 secrets, identity → password (or a SecretsStore). Never logged below level 4. */
  secrets: Record<string, string> | SecretsStore;
  /** Address to listen on (default 0.0.0.0) and the IKE / NAT-T ports (default 500 / 4500; 0 = any free port). */
  address?: string;
  ikePort?: number;
  nattPort?: number;
  /** Our side of the CHILD_SA (TSr), e.g. `['10.1.0.0/28']` as moon; default 0.0.0.0/0. */
  localTs?: string[];
  /** The client's side we accept (TSi): CIDRs or `dynamic` (its IKE address/32, strongSwan's default); default any. */
  remoteTs?: string[];
  /**
   * Our side of the CHILD_SA for Quarantined clients (with `isolate: 'allow'`), e.g. a remediation subnet; default
   * `localTs`. The client's proposed TSr is narrowed to it (RFC 7296 §2.9); nothing in common → no CHILD_SA.
   */
  isolatedTs?: string[];
  /**
   * Bound on the EAP-TTLS packets of one client's conversation (each is one IKE_AUTH round trip). Default 10,000: a
   * 50,000-entry IMA log at strongSwan's 1,024-byte fragments takes ~6,300.
   */
  maxEapRounds?: number;
  /**
   * How many finished (deleted or failed) sessions `clients` keeps, oldest forgotten first, so a long-running gateway
   * does not grow without bound. Default 1,000.
   */
  sessionHistory?: number;
  /** Half-open IKE_SAs from which on clients must return a COOKIE first (RFC 7296 §2.6); default 30. */
  cookieThreshold?: number;
  imvs?: GatewayImvOptions;
  /** Maximum PB-TNC batch size (default the seed's 32,754). */
  maxBatchSize?: number;
  /** EAP-TTLS fragment size (default 1,024 as strongSwan). */
  ttlsFragmentSize?: number;
  /** IKE fragment size (RFC 7383, default 1,280). */
  fragmentSize?: number;
  /** Quarantined clients: `allow` (default, strongSwan's "isolate" still establishes the SA) or `deny` (EAP fails). */
  isolate?: 'allow' | 'deny';
  /** Pretend to be behind a NAT so ESP is UDP-encapsulated (needed for the userspace ESP data path). Default true. */
  fakeNat?: boolean;
  /** Answer ICMP echo requests arriving through the userspace ESP tunnel (a host inside `localTs`). Default true. */
  answerPing?: boolean;
  ike?: IkeProposalConfig[];
  esp?: EspProposalConfig[];
  logger?: Logger;
}

/** What the gateway knows about one client. */
export interface GatewaySession {
  peerIdentity: string;
  connectionId: number;
  /** The TNC server's decision (PB-TNC access recommendation and evaluation names). */
  recommendation?: string;
  evaluation?: string;
  reasons: string[];
  /** The IKE_SA (set when its EAP conversation starts). */
  spiI?: string;
  spiR?: string;
  /** The client's IKE address. */
  peer?: string;
  /** Why it failed (state 'failed'): EAP failure, access denied, AUTH mismatch. */
  failure?: string;
  /** Why its CHILD_SA was not created (no acceptable proposal or traffic selectors). */
  childRefused?: string;
  child?: { spiIn: string; spiOut: string; proposal: string; tsi: string[]; tsr: string[] };
  /** ESP packets answered (ICMP echo replies sent). */
  pingsAnswered: number;
  state: 'tnc' | 'established' | 'failed' | 'deleted';
}

/** Default of `GatewayOptions.sessionHistory`. */
export const DEFAULT_SESSION_HISTORY = 1000;

/** Default of `GatewayOptions.maxEapRounds` (as the client's `maxEapRounds`). */
export const DEFAULT_MAX_EAP_ROUNDS = 10_000;

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A TNC gateway on one UDP address. */
export class TncGateway {
  private readonly log: Logger;
  private readonly responder: IkeResponder;
  private server: TncServer | undefined;
  private readonly secrets: SecretsStore;
  private readonly sessions: GatewaySession[] = [];
  /** TNC connections by the initiator SPI of their IKE_SA, until the IKE_SA is established or fails. */
  private readonly pending = new Map<string, { session: GatewaySession; conn: TncServerConnection }>();
  private readonly tunnels = new Map<string, EspTunnel>();
  private readonly listeners = {
    established: [] as ((s: GatewaySession) => void)[],
    deleted: [] as ((s: GatewaySession) => void)[],
    failed: [] as ((s: GatewaySession) => void)[],
  };
  private started = false;

  /** @throws TypeError for a missing identity, certificate, key or secrets */
  constructor(private readonly options: GatewayOptions) {
    if (!options || typeof options.identity !== 'string' || !options.identity) throw new TypeError('GatewayOptions.identity is required');
    if (!options.certificate || !options.key) throw new TypeError('GatewayOptions.certificate and .key are required');
    if (!options.secrets) throw new TypeError('GatewayOptions.secrets is required');
    this.log = options.logger ?? getLogger();
    this.secrets = typeof (options.secrets as SecretsStore).getSecret === 'function' ? (options.secrets as SecretsStore) : new MemorySecretsStore(options.secrets as Record<string, string>);
    const fragmentSize = options.ttlsFragmentSize ?? STRONGSWAN_FRAGMENT_SIZE;
    const maxPackets = options.maxEapRounds ?? DEFAULT_MAX_EAP_ROUNDS;
    if (!Number.isInteger(maxPackets) || maxPackets < 1) throw new TypeError('GatewayOptions.maxEapRounds must be a positive integer');
    for (const c of options.isolatedTs ?? []) selectorFromCidr(c);
    if (options.sessionHistory !== undefined && (!Number.isInteger(options.sessionHistory) || options.sessionHistory < 0)) throw new TypeError('GatewayOptions.sessionHistory must be a non-negative integer');
    this.responder = new IkeResponder({
      identity: options.identity,
      localTs: options.localTs,
      remoteTs: options.remoteTs,
      cookieThreshold: options.cookieThreshold,
      childPolicy: (sa) => this.childPolicy(sa),
      fragmentSize: options.fragmentSize,
      fakeNat: options.fakeNat ?? true,
      ike: options.ike,
      esp: options.esp,
      transport: { localAddress: options.address ?? '0.0.0.0', ikePort: options.ikePort ?? 500, nattPort: options.nattPort ?? 4500 },
      logger: this.log,
      eap: (peerIdentity, sa) =>
        new EapAuthenticator({
          requestIdentity: false,
          identity: peerIdentity,
          serverIdentity: options.identity,
          logger: this.log,
          methods: [
            ttlsServerFactory({
              cert: options.certificate,
              key: options.key,
              fragmentSize,
              maxPackets,
              logger: this.log,
              phase2: { methods: [md5Factory(this.secrets), this.ptEap(peerIdentity, sa)] },
            }),
          ],
        }),
    });
  }

  private addSession(session: GatewaySession): void {
    this.sessions.push(session);
    this.prune();
  }

  /** Beyond `sessionHistory` finished sessions (deleted, failed), the oldest are forgotten. */
  private prune(): void {
    const keep = this.options.sessionHistory ?? DEFAULT_SESSION_HISTORY;
    let finished = 0;
    for (const x of this.sessions) if (x.state === 'deleted' || x.state === 'failed') finished++;
    for (let i = 0; finished > keep && i < this.sessions.length; ) {
      const st = this.sessions[i].state;
      if (st === 'deleted' || st === 'failed') {
        this.sessions.splice(i, 1);
        finished--;
      } else i++;
    }
  }

  /** A Quarantined client gets `isolatedTs` as our side, everyone else the configured selectors. */
  private childPolicy(sa: ResponderSaRef): ChildSaPolicy | undefined {
    const s = this.pending.get(sa.spiI)?.session;
    if (s?.recommendation === ACCESS_RECOMMENDATION_NAMES[AccessRecommendation.ISOLATED] && this.options.isolatedTs) {
      this.log.log('CFG', 1, `peer '${sa.peerIdentity}' is isolated: CHILD_SA limited to ${this.options.isolatedTs.join(' ')}`);
      return { localTs: this.options.isolatedTs };
    }
    return undefined;
  }

  private ptEap(peerIdentity: string, sa: ResponderSaRef) {
    const isolateOk = (this.options.isolate ?? 'allow') === 'allow';
    return ptEapTnccsServerFactory({
      logger: this.log,
      acceptRecommendation: (r) => r === AccessRecommendation.ALLOWED || (isolateOk && r === AccessRecommendation.ISOLATED),
      endpoint: () => {
        if (!this.server) throw new GatewayError(GatewayErrorCode.START, 'gateway not started');
        const conn = this.server.connect({ maxBatchSize: this.options.maxBatchSize ?? PT_EAP_SEED_MAX_BATCH_SIZE });
        const session: GatewaySession = { peerIdentity, connectionId: conn.connectionId, spiI: sa.spiI, spiR: sa.spiR, peer: sa.peer.address, reasons: [], pingsAnswered: 0, state: 'tnc' };
        this.addSession(session);
        this.pending.set(sa.spiI, { session, conn });
        // keep the decision on the session as soon as the TNC server made it
        return {
          pb: conn.pb,
          get decision() {
            return conn.decision;
          },
          receive: async (b: Uint8Array) => {
            const out = await conn.receive(b);
            const d = conn.decision;
            if (d) {
              session.recommendation = ACCESS_RECOMMENDATION_NAMES[d.recommendation];
              session.evaluation = IMV_EVALUATION_NAMES[d.evaluation];
              session.reasons = d.reasons.slice();
            }
            return out;
          },
        };
      },
    });
  }

  /**
   * Load the IMVs and bind the UDP sockets.
   * @returns the bound IKE and NAT-T endpoints
   * @throws GatewayError ERR_GATEWAY_START when a socket cannot be bound or an IMV cannot be loaded
   */
  async start(): Promise<{ ike: { address: string; port: number }; natt: { address: string; port: number } }> {
    if (this.started) throw new TypeError('start() may be called once');
    this.started = true;
    const imvs = this.options.imvs ?? {};
    const server = new TncServer({ logger: this.log });
    try {
      if (imvs.tncConfig) {
        await loadTncConfig(imvs.tncConfig, server, { options: { Attestation: { ...(imvs.attestation || {}) }, OS: { ...(imvs.os || {}) } } });
      } else {
        if (imvs.attestation !== false) await server.add(createAttestationImv({ ...(imvs.attestation ?? {}) }), 'builtin:attestation', 'Attestation');
        if (imvs.os !== false) await server.add(createOsImv({ ...(imvs.os ?? {}) }), 'builtin:os', 'OS');
      }
    } catch (e) {
      throw new GatewayError(GatewayErrorCode.START, `loading IMVs failed: ${(e as Error).message}`, { cause: e });
    }
    this.server = server;
    let ports;
    try {
      ports = await this.responder.listen();
    } catch (e) {
      await server.terminate();
      throw new GatewayError(GatewayErrorCode.START, `cannot listen on ${this.options.address ?? '0.0.0.0'}: ${(e as Error).message}`, { cause: e });
    }
    this.log.log('NET', 1, `listening on ${ports.ike.address}[${ports.ike.port}] and ${ports.natt.address}[${ports.natt.port}]`);
    this.responder.onEstablished((info) => void this.established(info));
    this.responder.onDeleted((spiI) => this.deleted(spiI));
    this.responder.onFailed((info) => void this.failed(info));
    this.responder.onRekeyed((info) => {
      // an IKE_SA rekey carries the client over to the new SPIs
      if (info.sa !== 'ike') return;
      const s = this.sessions.find((x) => x.spiI === info.oldSpiI && x.state === 'established');
      if (s) {
        s.spiI = info.spiI;
        s.spiR = info.spiR;
      }
    });
    return ports;
  }

  private async established(info: ResponderSaInfo): Promise<void> {
    const entry = this.pending.get(info.spiI);
    this.pending.delete(info.spiI);
    // a client whose gateway-side EAP ran no PT-EAP (e.g. plain EAP-MD5 inside TTLS) has no TNC connection
    const session: GatewaySession = entry?.session ?? { peerIdentity: info.peerIdentity, connectionId: 0, reasons: [], pingsAnswered: 0, state: 'tnc' };
    if (!entry) this.addSession(session);
    session.spiI = info.spiI;
    session.spiR = info.spiR;
    session.peer = info.peer.address;
    session.state = 'established';
    if (info.child) session.child = describeChild(info.child);
    if (info.childRefused) session.childRefused = info.childRefused;
    if (entry) await entry.conn.delete();
    if (info.child && (this.options.answerPing ?? true) && info.child.udpEncapsulation) {
      const tunnel = this.responder.openEspTunnel(info.spiI);
      this.tunnels.set(info.spiI, tunnel);
      tunnel.onPacket((p) => {
        const e = parseIcmpEcho(p);
        const reply = icmpEchoReply(p);
        if (!e || !reply) return;
        this.log.log('ESP', 2, `ICMP echo request ${e.src} > ${e.dst} seq ${e.seq} through CHILD_SA, answering`);
        session.pingsAnswered++;
        tunnel.send(reply);
      });
    }
    for (const cb of this.listeners.established) cb(session);
  }

  private deleted(spiI: string): void {
    const s = this.sessions.find((x) => x.spiI === spiI && x.state === 'established');
    this.tunnels.get(spiI)?.close();
    this.tunnels.delete(spiI);
    const entry = this.pending.get(spiI);
    this.pending.delete(spiI);
    // deleted before it was established (e.g. the client gave up mid-assessment): its TNC connection ends too
    if (entry) {
      entry.session.state = 'deleted';
      void entry.conn.delete();
    }
    if (!s) return this.prune();
    s.state = 'deleted';
    this.prune();
    for (const cb of this.listeners.deleted) cb(s);
  }

  private async failed(info: ResponderFailureInfo): Promise<void> {
    const entry = this.pending.get(info.spiI);
    this.pending.delete(info.spiI);
    // failed before PT-EAP (wrong password, AUTH mismatch): a session without a TNC connection
    const session: GatewaySession = entry?.session ?? { peerIdentity: info.peerIdentity ?? '%any', connectionId: 0, spiI: info.spiI, spiR: info.spiR, peer: info.peer.address, reasons: [], pingsAnswered: 0, state: 'failed' };
    if (!entry) this.addSession(session);
    session.state = 'failed';
    session.failure = info.reason;
    this.prune();
    if (entry) await entry.conn.delete();
    for (const cb of this.listeners.failed) cb(session);
  }

  /** Called when a client's IKE_SA (and CHILD_SA) is established, with its TNC decision. */
  onEstablished(cb: (s: GatewaySession) => void): void {
    this.listeners.established.push(cb);
  }

  /** Called when a client deleted its IKE_SA. */
  onDeleted(cb: (s: GatewaySession) => void): void {
    this.listeners.deleted.push(cb);
  }

  /** Called when a client's IKE_SA failed before it was established (EAP failure, access denied, AUTH mismatch). */
  onFailed(cb: (s: GatewaySession) => void): void {
    this.listeners.failed.push(cb);
  }

  /** IKE and ESP traffic of a client's IKE_SA (by its initiator SPI), or undefined for an unknown SPI. */
  traffic(spiI: string): ResponderSaTraffic | undefined {
    return this.responder.saTraffic(spiI);
  }

  /** Datagram and byte counters over every client, and ESP packets for unknown SPIs (dropped). */
  get transportStats(): IkeResponder['transportStats'] {
    return this.responder.transportStats;
  }

  /**
   * Clients in the order their TNC connection (or IKE_SA) began: every active one and the last
   * `sessionHistory` finished ones; `state` says how each ended.
   */
  get clients(): readonly GatewaySession[] {
    return this.sessions;
  }

  /** IKE_SAs not deleted. */
  get activeSas(): number {
    return this.responder.activeSas;
  }

  /** Stop: close ESP tunnels, the UDP sockets, delete TNC connection states and terminate the IMVs. Idempotent. */
  async close(): Promise<void> {
    for (const t of this.tunnels.values()) t.close();
    this.tunnels.clear();
    for (const { conn } of this.pending.values()) await conn.delete();
    this.pending.clear();
    await this.responder.close();
    const s = this.server;
    this.server = undefined;
    await s?.terminate();
  }
}

function describeChild(c: ChildSa): GatewaySession['child'] {
  return { spiIn: hex(c.spiIn), spiOut: hex(c.spiOut), proposal: c.proposal, tsi: c.tsi.map(describeSelector), tsr: c.tsr.map(describeSelector) };
}
