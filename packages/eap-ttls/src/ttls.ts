/**
 * EAP-TTLSv0 (RFC 5281) in both roles over node:tls: Start and version negotiation, fragmentation with
 * acknowledgements, the Diameter AVP tunnel, phase 2 (tunneled EAP through `EapPeer` / `EapAuthenticator`, so the
 * inner methods are pluggable), MSK/EMSK, and our own certificate decision.
 *
 * Behaviour as strongSwan's libtls/tls_eap.c where interop needs it: the server starts with a random identifier
 * (chosen by the outer authenticator), sends the TLS Message Length also in unfragmented packets (`includeLength`),
 * acknowledges every fragment with an empty packet, and piggybacks the tunneled EAP-Identity request on its TLS
 * Finished (`piggyback`).
 */
import type tls from 'node:tls';
import { getLogger, toHex, type Logger } from '@tncjs/common';
import {
  EapAuthenticator,
  EapCode,
  EapError,
  EapPeer,
  EapType,
  describeEapPacket,
  decodeEapPacket,
  type EapAuthenticatorOptions,
  type EapMethod,
  type EapMethodContext,
  type EapMethodFactory,
  type EapMethodResult,
  type EapPacket,
  type EapRole,
} from '@tncjs/eap';
import { TtlsError, TtlsErrorCode, CertificateError, CertErrorCode } from './errors.js';
import { decodeTtlsData, encodeTtlsData, isTtlsAck, TtlsFlag, TTLS_HEADER_SIZE, type TtlsData } from './header.js';
import { DEFAULT_FRAGMENT_SIZE, DEFAULT_MAX_TLS_MESSAGE_SIZE, fragmentTlsMessage, TtlsReassembler } from './fragmentation.js';
import { AvpCode, AvpStream, describeAvp, eapMessageAvp, type Avp } from './avp.js';
import { TlsChannel } from './tls-channel.js';
import { CertificateRequestScanner } from './tls-certificate-request.js';
import { deriveTtlsKeys, type Tls13KeyDerivation } from './keys.js';
import type { CertificateValidator } from './x509/validator.js';

export const TTLS_VERSION = 0;
const TTLS = { type: EapType.TTLS };

export interface TtlsCommonOptions {
  /** Largest EAP-TTLS packet we send, in bytes (default 8000; strongSwan sends 1024; `Infinity` = never fragment). */
  fragmentSize?: number;
  /** Send the TLS Message Length in unfragmented packets too (default true, as strongSwan). */
  includeLength?: boolean;
  /** Largest TLS message we reassemble (default 73,728, strongSwan's). */
  maxTlsMessageSize?: number;
  /** Most EAP-TTLS packets we process in one exchange (default 1000). */
  maxPackets?: number;
  /** TLS versions (default TLS 1.2 … TLS 1.3). */
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher list for TLS ≤ 1.2 (default node's, which negotiates ECDHE-RSA-AES128-GCM-SHA256 with strongSwan). */
  ciphers?: string;
  /** Key derivation over TLS 1.3 (default RFC 9427). */
  tls13Keys?: Tls13KeyDerivation;
  /**
   * Receives NSS key log lines (`CLIENT_RANDOM …`), as SSLKEYLOGFILE does: for Wireshark and for the independent
   * key-derivation test. Secret material: never wire it to a log.
   */
  keylog?: (line: string) => void;
  logger?: Logger;
}

export interface TtlsPeerOptions extends TtlsCommonOptions {
  /** Our identity inside the tunnel (default: the outer identity, as strongSwan uses the IKE IDi). */
  identity?: string;
  /** The gateway identity the server certificate must carry (default: the outer server identity), e.g. moon.strongswan.org. */
  serverIdentity?: string;
  /** Our certificate decision (trust anchors, revocation). */
  validator: CertificateValidator;
  /** Optional client certificate (PEM or DER) and key (PEM). */
  clientCertificate?: { cert: string | Uint8Array; key: string | Uint8Array };
  /** Inner methods we accept (e.g. MD5, PT-EAP), in order of preference. */
  phase2: readonly EapMethodFactory[];
}

export interface TtlsServerOptions extends TtlsCommonOptions {
  /** Server certificate (PEM, may include the chain) and key (PEM). */
  cert: string | Uint8Array;
  key: string | Uint8Array;
  /** Ask for a client certificate (default false). */
  requestClientCertificate?: boolean;
  /** Fail without a valid client certificate (default false). */
  requireClientCertificate?: boolean;
  /** Validates client certificates (needed when requesting them). */
  validator?: CertificateValidator;
  /** Phase 2: the inner methods after inner EAP-Identity, e.g. `[md5Factory(secrets), ptEapFactory(...)]`. */
  phase2: Pick<EapAuthenticatorOptions, 'methods'> & { requestIdentity?: boolean };
  /** Send the inner Identity request together with the TLS Finished (default true, as a strongSwan gateway with phase2_piggyback). */
  piggyback?: boolean;
}

function toPemText(x: string | Uint8Array): string | Buffer {
  return typeof x === 'string' ? x : Buffer.from(x);
}

function describeProtocol(s: tls.TLSSocket): string {
  return (s.getProtocol() ?? 'TLS').replace('TLSv', 'TLS ');
}

/** The DER chain the peer sent, leaf first. */
export function peerChain(s: tls.TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new Uint8Array(c.raw));
    if (!c.issuerCertificate || c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  return out;
}

abstract class TtlsMethod implements EapMethod {
  readonly methodType = TTLS;
  abstract readonly role: EapRole;
  protected readonly log: Logger;
  protected channel: TlsChannel | undefined;
  protected readonly reassembler: TtlsReassembler;
  protected readonly avps = new AvpStream();
  protected outgoing: TtlsData[] = [];
  protected packets = 0;
  /** Set by asynchronous handlers (validation, tunnel, phase 2); the exchange fails with it. */
  protected failed: EapError | undefined;
  protected keys: { msk: Uint8Array; emsk: Uint8Array } | undefined;
  protected readonly fragmentSize: number;

  constructor(protected readonly common: TtlsCommonOptions) {
    this.log = common.logger ?? getLogger();
    this.reassembler = new TtlsReassembler(common.maxTlsMessageSize ?? DEFAULT_MAX_TLS_MESSAGE_SIZE);
    this.fragmentSize = common.fragmentSize ?? DEFAULT_FRAGMENT_SIZE;
  }

  abstract process(packet: EapPacket, context: EapMethodContext): Promise<EapMethodResult>;

  protected get code(): 1 | 2 {
    return this.role === 'server' ? EapCode.REQUEST : EapCode.RESPONSE;
  }

  protected tlsOptions(): tls.ConnectionOptions & tls.TLSSocketOptions {
    const o: tls.ConnectionOptions & tls.TLSSocketOptions = { minVersion: this.common.minVersion ?? 'TLSv1.2', maxVersion: this.common.maxVersion ?? 'TLSv1.3' };
    if (this.common.ciphers) o.ciphers = this.common.ciphers;
    return o;
  }

  protected fail(code: string, message: string, cause?: unknown): EapMethodResult {
    const error = this.failed ?? (cause instanceof EapError ? cause : new TtlsError(code, message, cause ? { cause } : undefined));
    this.failed = error;
    this.log.log('TLS', 1, error.message);
    return { status: 'failure', error };
  }

  protected setFailed(e: EapError): void {
    this.failed ??= e;
  }

  protected packet(identifier: number, d: TtlsData, kind: string): EapMethodResult {
    const data = encodeTtlsData(d);
    this.log.log('TLS', 2, `sending EAP_TTLS ${kind} (${TTLS_HEADER_SIZE - 1 + data.byteLength} bytes)`);
    return { status: 'continue', packet: { code: this.code, identifier, type: EapType.TTLS, data } };
  }

  protected ack(identifier: number): EapMethodResult {
    this.log.log('TLS', 2, 'sending EAP_TTLS acknowledgment packet');
    return { status: 'continue', packet: { code: this.code, identifier, type: EapType.TTLS, data: Uint8Array.of(TTLS_VERSION) } };
  }

  /** Split the TLS output into fragments and send the first. */
  protected sendOutput(identifier: number, out: Uint8Array): EapMethodResult {
    this.outgoing = fragmentTlsMessage(out, { fragmentSize: this.fragmentSize, includeLength: this.common.includeLength ?? true, version: TTLS_VERSION });
    return this.sendNext(identifier);
  }

  protected sendNext(identifier: number): EapMethodResult {
    const total = this.outgoingTotal ?? this.outgoing.length;
    const d = this.outgoing.shift()!;
    const first = d.more && d.length;
    const kind = !d.more && !this.sending ? 'packet' : first ? 'first fragment' : d.more ? 'further fragment' : 'final fragment';
    this.sending = d.more;
    this.outgoingTotal = d.more ? total : undefined;
    return this.packet(identifier, d, kind);
  }

  private sending = false;
  private outgoingTotal: number | undefined;

  /** Decode and account one received packet; a string is the failure reason. */
  protected receive(p: EapPacket): TtlsData | EapMethodResult {
    const max = this.common.maxPackets ?? 1000;
    if (++this.packets > max) return this.fail(TtlsErrorCode.PACKET_COUNT, `EAP_TTLS packet count exceeded (${this.packets} > ${max})`);
    try {
      return decodeTtlsData(p.data);
    } catch (e) {
      return this.fail(TtlsErrorCode.DECODE, `invalid EAP_TTLS packet: ${(e as Error).message}`, e);
    }
  }

  /** Feed a complete TLS message, let TLS and phase 2 run, return what TLS wants sent. */
  protected async exchange(message: Uint8Array): Promise<Uint8Array> {
    const ch = this.channel!;
    ch.feed(message);
    await ch.settle();
    await this.tunnel();
    await ch.settle();
    if (ch.error && !this.failed) this.setFailed(new TtlsError(TtlsErrorCode.TLS, `TLS error: ${ch.error.message}`, { cause: ch.error }));
    return ch.takeOutput();
  }

  /** Handle decrypted application data (AVPs) until none is left. */
  protected async tunnel(): Promise<void> {
    const ch = this.channel!;
    for (let round = 0; round < 64 && !this.failed && this.ready(); round++) {
      const data = ch.takeAppData();
      if (!data.length) return;
      for (const chunk of data) {
        let avps: Avp[];
        try {
          avps = this.avps.push(chunk);
        } catch (e) {
          this.setFailed(new TtlsError(TtlsErrorCode.DECODE, `received invalid AVP: ${(e as Error).message}`, { cause: e }));
          return;
        }
        for (const avp of avps) {
          if (avp.code === AvpCode.EAP_MESSAGE && avp.vendorId === undefined) await this.tunneled(avp.data);
          else if (avp.mandatory) {
            this.setFailed(new TtlsError(TtlsErrorCode.UNSUPPORTED_AVP, `received unsupported mandatory ${describeAvp(avp)}`));
            return;
          } else this.log.log('IKE', 1, `ignoring unsupported ${describeAvp(avp)}`);
          if (this.failed) return;
        }
      }
      await ch.settle();
    }
  }

  /** Whether received application data may be processed (peer: after the server certificate was accepted). */
  protected ready(): boolean {
    return true;
  }

  /** One tunneled EAP packet. */
  protected abstract tunneled(eap: Uint8Array): Promise<void>;

  protected sendTunneled(eap: Uint8Array): void {
    try {
      this.log.log('IKE', 1, `sending tunneled EAP-TTLS AVP [${describeEapPacket(decodeEapPacket(eap))}]`);
    } catch {
      /* logged form only */
    }
    this.channel!.write(eapMessageAvp(eap));
  }

  protected logTunneled(eap: Uint8Array): void {
    try {
      this.log.log('IKE', 1, `received tunneled EAP-TTLS AVP [${describeEapPacket(decodeEapPacket(eap))}]`);
    } catch {
      this.log.log('IKE', 1, 'received tunneled EAP-TTLS AVP with invalid EAP packet');
    }
  }

  protected negotiated(ch: TlsChannel): void {
    const c = ch.socket.getCipher();
    this.log.log('TLS', 1, `negotiated ${describeProtocol(ch.socket)} using suite ${c.standardName ?? c.name}`);
    this.keys = deriveTtlsKeys(ch, this.common.tls13Keys);
    this.log.log('TLS', 4, () => `MSK => ${toHex(this.keys!.msk)}`);
  }

  getMsk(): Uint8Array | undefined {
    return this.succeeded() ? this.keys?.msk.slice() : undefined;
  }

  getEmsk(): Uint8Array | undefined {
    return this.succeeded() ? this.keys?.emsk.slice() : undefined;
  }

  protected abstract succeeded(): boolean;

  /** The negotiated TLS version and suite (after the handshake). */
  get tlsInfo(): { protocol: string | null; suite: string } | undefined {
    const s = this.channel?.socket;
    if (!s || !this.channel?.secure) return undefined;
    const c = s.getCipher();
    return { protocol: s.getProtocol(), suite: c.standardName ?? c.name };
  }

  destroy(): void {
    this.keys?.msk.fill(0);
    this.keys?.emsk.fill(0);
    this.channel?.destroy();
  }
}

/** EAP-TTLS peer (client role). */
export class EapTtlsPeer extends TtlsMethod {
  readonly role: EapRole = 'peer';
  private readonly inner: EapPeer;
  private validated = false;
  private readonly identity: string;
  private readonly serverIdentity: string | undefined;
  /** Reads the server's TLS 1.2 flight for a CertificateRequest (node:tls does not report it). */
  private readonly certRequest = new CertificateRequestScanner();

  constructor(private readonly options: TtlsPeerOptions & { identity: string }) {
    super(options);
    this.identity = options.identity;
    this.serverIdentity = options.serverIdentity;
    this.inner = new EapPeer({ identity: this.identity, serverIdentity: this.serverIdentity, methods: options.phase2, logger: this.log });
  }

  /** The tunneled EAP peer (phase 2). */
  get phase2(): EapPeer {
    return this.inner;
  }

  canSucceed(): boolean {
    return !!this.channel?.secure && this.validated && !this.failed && this.inner.outcome !== 'failure';
  }

  protected succeeded(): boolean {
    return this.canSucceed();
  }

  protected override ready(): boolean {
    return this.validated;
  }

  async process(p: EapPacket, ctx: EapMethodContext): Promise<EapMethodResult> {
    const d = this.receive(p);
    if ('status' in d) return d;
    if (d.start) {
      if (this.channel) return this.fail(TtlsErrorCode.STATE, 'received unexpected EAP_TTLS start packet');
      this.log.log('TLS', 1, `EAP_TTLS version is v${d.version}`);
      this.start();
      await this.channel!.settle();
      return this.sendOutput(ctx.identifier, this.channel!.takeOutput());
    }
    if (!this.channel) return this.fail(TtlsErrorCode.STATE, 'EAP_TTLS start packet expected');
    if (d.version !== TTLS_VERSION) return this.fail(TtlsErrorCode.VERSION, `received EAP_TTLS packet with unsupported version v${d.version}`);
    if (this.failed) return this.fail(TtlsErrorCode.STATE, this.failed.message);
    if (this.outgoing.length) {
      if (!isTtlsAck(d)) return this.fail(TtlsErrorCode.STATE, 'expected EAP_TTLS acknowledgment packet');
      this.log.log('TLS', 2, 'received EAP_TTLS acknowledgment packet');
      return this.sendNext(ctx.identifier);
    }
    let out: Uint8Array;
    if (isTtlsAck(d) && !this.reassembler.pending) {
      this.log.log('TLS', 2, 'received EAP_TTLS acknowledgment packet');
      await this.channel.settle();
      await this.tunnel();
      await this.channel.settle();
      out = this.channel.takeOutput();
    } else {
      let message: Uint8Array | undefined;
      try {
        message = this.reassembler.add(d);
      } catch (e) {
        return this.fail(TtlsErrorCode.FRAGMENT, (e as Error).message, e);
      }
      if (!message) {
        this.log.log('TLS', 2, `received EAP_TTLS fragment (${d.data.byteLength} bytes)`);
        return this.ack(ctx.identifier);
      }
      if (!this.channel.secure) this.certRequest.push(message);
      out = await this.exchange(message);
    }
    const f = this.failed as EapError | undefined;
    if (f && !out.byteLength) return this.fail(TtlsErrorCode.STATE, f.message);
    if (f) this.log.log('TLS', 1, `${f.message}, sending TLS alert`);
    return out.byteLength ? this.sendOutput(ctx.identifier, out) : this.ack(ctx.identifier);
  }

  private start(): void {
    const o = this.tlsOptions();
    if (this.serverIdentity && /^[a-z0-9.-]+$/i.test(this.serverIdentity) && /[a-z]/i.test(this.serverIdentity)) o.servername = this.serverIdentity;
    if (this.options.clientCertificate) {
      o.cert = toPemText(this.options.clientCertificate.cert);
      o.key = toPemText(this.options.clientCertificate.key);
    }
    this.channel = new TlsChannel('client', o, (ch) => {
      this.negotiated(ch);
      ch.track(this.validateServer(ch));
    }, this.common.keylog);
    // the server's close_notify after phase 2 (strongSwan's gateway sends one): node:tls answers it with ours
    this.channel.socket.once('end', () => {
      this.log.log('TLS', 1, 'received TLS close notify');
      this.log.log('TLS', 1, 'sending TLS close notify');
    });
  }

  private async validateServer(ch: TlsChannel): Promise<void> {
    try {
      await this.options.validator.validate(peerChain(ch.socket), this.serverIdentity, this.log, 'server');
      this.validated = true;
      // as strongSwan's TLS peer, after the server's certificate: the CertificateRequest (TLS 1.2; one line per CA)
      const cas = this.certRequest.authorities;
      if (cas) {
        for (const dn of cas) this.log.log('TLS', 1, `received TLS cert request for '${dn}'`);
        if (!this.options.clientCertificate) this.log.log('TLS', 1, `no TLS peer certificate found for '${this.identity}', skipping client authentication`);
      }
    } catch (e) {
      const err = e instanceof EapError ? e : new CertificateError(CertErrorCode.INVALID, (e as Error).message, undefined, { cause: e });
      this.log.log('TLS', 1, `server authentication failed: ${err.message}`);
      this.setFailed(err);
    }
  }

  protected async tunneled(eap: Uint8Array): Promise<void> {
    this.logTunneled(eap);
    const response = await this.inner.process(eap);
    if (this.inner.outcome === 'failure') {
      this.setFailed(new TtlsError(TtlsErrorCode.PHASE2, `EAP-TTLS phase 2 failed: ${this.inner.error?.message ?? 'unknown'}`, { cause: this.inner.error }));
      return;
    }
    if (response) this.sendTunneled(response);
  }

  override destroy(): void {
    this.inner.destroy();
    super.destroy();
  }
}

/** EAP-TTLS server (gateway role). */
export class EapTtlsServer extends TtlsMethod {
  readonly role: EapRole = 'server';
  private inner: EapAuthenticator | undefined;
  private started = false;
  private conversationStarted = false;
  private phase2Started = false;
  private clientChecked: Promise<void> | undefined;
  /** The identity the peer gave inside the tunnel. */
  innerIdentity: string | undefined;

  constructor(
    private readonly options: TtlsServerOptions,
    private readonly outerIdentity = '',
    private readonly serverIdentity?: string,
  ) {
    super(options);
  }

  /** The tunneled EAP authenticator (phase 2), once started. */
  get phase2(): EapAuthenticator | undefined {
    return this.inner;
  }

  protected succeeded(): boolean {
    return this.inner?.outcome === 'success' && !this.failed;
  }

  initiate(identifier: number): EapPacket {
    this.started = true;
    const o = this.tlsOptions();
    o.cert = toPemText(this.options.cert);
    o.key = toPemText(this.options.key);
    if (this.options.requestClientCertificate || this.options.requireClientCertificate) o.requestCert = true;
    this.channel = new TlsChannel('server', o, (ch) => {
      this.negotiated(ch);
      if (o.requestCert) this.clientChecked = ch.track(this.validateClient(ch));
      if (this.options.piggyback ?? true) ch.track(this.startPhase2());
    }, this.common.keylog);
    this.log.log('TLS', 2, `sending EAP_TTLS start packet (${TTLS_HEADER_SIZE} bytes)`);
    return { code: EapCode.REQUEST, identifier, type: EapType.TTLS, data: Uint8Array.of(TtlsFlag.START | TTLS_VERSION) };
  }

  private async validateClient(ch: TlsChannel): Promise<void> {
    const chain = peerChain(ch.socket);
    if (!chain.length) {
      if (this.options.requireClientCertificate) this.setFailed(new CertificateError(CertErrorCode.MISSING, 'no TLS client certificate received'));
      else this.log.log('TLS', 1, 'no TLS client certificate received, skipping client authentication');
      return;
    }
    if (!this.options.validator) {
      this.setFailed(new CertificateError(CertErrorCode.INVALID, 'no validator configured for TLS client certificates'));
      return;
    }
    try {
      await this.options.validator.validate(chain, undefined, this.log, 'client');
    } catch (e) {
      this.setFailed(e instanceof EapError ? e : new CertificateError(CertErrorCode.INVALID, (e as Error).message));
    }
  }

  private async startPhase2(): Promise<void> {
    if (this.phase2Started) return;
    this.phase2Started = true;
    await this.clientChecked;
    if (this.failed) return;
    this.inner = new EapAuthenticator({
      methods: this.options.phase2.methods,
      requestIdentity: this.options.phase2.requestIdentity ?? true,
      identity: this.outerIdentity,
      serverIdentity: this.serverIdentity,
      logger: this.log,
    });
    try {
      this.sendTunneled(await this.inner.initiate());
    } catch (e) {
      this.setFailed(new TtlsError(TtlsErrorCode.PHASE2, `EAP-TTLS phase 2 could not start: ${(e as Error).message}`, { cause: e }));
    }
  }

  protected async tunneled(eap: Uint8Array): Promise<void> {
    this.logTunneled(eap);
    if (!this.inner) {
      this.setFailed(new TtlsError(TtlsErrorCode.PHASE2, 'tunneled EAP message before phase 2 started'));
      return;
    }
    const r = await this.inner.process(eap);
    if (r.status === 'continue') this.sendTunneled(r.packet);
    else if (r.status === 'failure') this.setFailed(new TtlsError(TtlsErrorCode.PHASE2, `EAP-TTLS phase 2 failed: ${r.error.message}`, { cause: r.error }));
    else if (r.status === 'success') {
      this.innerIdentity = this.inner.identity;
      this.log.log('IKE', 1, `EAP_TTLS phase2 authentication of '${this.inner.identity ?? ''}' successful`);
    }
  }

  async process(p: EapPacket, ctx: EapMethodContext): Promise<EapMethodResult> {
    if (!this.started || !this.channel) return this.fail(TtlsErrorCode.STATE, 'EAP_TTLS not initiated');
    const d = this.receive(p);
    if ('status' in d) return d;
    if (d.start) return this.fail(TtlsErrorCode.STATE, 'received unexpected EAP_TTLS start from client');
    if (d.version !== TTLS_VERSION) return this.fail(TtlsErrorCode.VERSION, `received EAP_TTLS packet with unsupported version v${d.version}`);
    if (this.failed) return this.fail(TtlsErrorCode.STATE, this.failed.message);
    if (this.outgoing.length) {
      if (!isTtlsAck(d)) return this.fail(TtlsErrorCode.STATE, 'expected EAP_TTLS acknowledgment packet');
      this.log.log('TLS', 2, 'received EAP_TTLS acknowledgment packet');
      return this.sendNext(ctx.identifier);
    }
    let out: Uint8Array;
    if (isTtlsAck(d) && !this.reassembler.pending) {
      if (!this.conversationStarted) return this.fail(TtlsErrorCode.STATE, 'received EAP_TTLS acknowledgment packet before EAP conversation started');
      this.log.log('TLS', 2, 'received EAP_TTLS acknowledgment packet');
      if (this.succeeded()) return { status: 'success' };
      if (this.channel.secure && !this.phase2Started) this.channel.track(this.startPhase2());
      await this.channel.settle();
      await this.tunnel();
      await this.channel.settle();
      out = this.channel.takeOutput();
    } else {
      let message: Uint8Array | undefined;
      try {
        message = this.reassembler.add(d);
      } catch (e) {
        return this.fail(TtlsErrorCode.FRAGMENT, (e as Error).message, e);
      }
      if (!message) {
        this.log.log('TLS', 2, `received EAP_TTLS fragment (${d.data.byteLength} bytes)`);
        return this.ack(ctx.identifier);
      }
      this.conversationStarted = true;
      out = await this.exchange(message);
    }
    const f = this.failed as EapError | undefined;
    if (f) return this.fail(TtlsErrorCode.STATE, f.message);
    if (this.succeeded() && !out.byteLength) return { status: 'success' };
    return out.byteLength ? this.sendOutput(ctx.identifier, out) : this.ack(ctx.identifier);
  }
}

/** EAP-TTLS peer factory (identity defaults to the outer identity, server identity to the lower layer's). */
export function ttlsPeerFactory(options: TtlsPeerOptions): EapMethodFactory {
  return {
    methodType: TTLS,
    create: (ctx) => new EapTtlsPeer({ ...options, logger: options.logger ?? ctx.logger, identity: options.identity ?? ctx.identity, serverIdentity: options.serverIdentity ?? ctx.serverIdentity }),
  };
}

/** EAP-TTLS server factory. */
export function ttlsServerFactory(options: TtlsServerOptions): EapMethodFactory {
  return {
    methodType: TTLS,
    create: (ctx) => new EapTtlsServer({ ...options, logger: options.logger ?? ctx.logger }, ctx.identity, ctx.serverIdentity),
  };
}
