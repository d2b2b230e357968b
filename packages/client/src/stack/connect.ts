/**
 * The whole TNC client stack in one call, as strongSwan's "carol": IKEv2 initiator (EAP-only) → EAP-TTLS peer → inner
 * EAP-MD5 → PT-EAP → PB-TNC → the OS and Attestation IMCs with a TPM (swtpm or the kernel's resource manager).
 *
 * `connectTnc()` resolves with a session once the gateway decided: `allowed` / `isolated` (IKE_SA and CHILD_SA up, or
 * not when the gateway refuses isolated clients) or `denied` (EAP failed after the gateway's Access Denied). Anything
 * else (no answer, wrong password, untrusted gateway certificate, TPM unreachable) rejects with a `TncConnectError`.
 */
import { Logger, getLogger, isTncjsError, type Level, type Subsystem } from '@tncjs/common';
import { EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, DEFAULT_FRAGMENT_SIZE, type RevocationPolicy } from '@tncjs/eap-ttls';
import { AccessRecommendation, ACCESS_RECOMMENDATION_NAMES, ASSESSMENT_RESULT_NAMES, peekBatchHeader } from '@tncjs/pb-tnc';
import { ptEapTnccsPeerFactory, PT_EAP_SEED_MAX_BATCH_SIZE } from '@tncjs/pt-eap';
import { TncClient, createAttestationImc, createOsImc, loadTncConfig, type OsImcOptions, type TncClientConnection, type AttestationImcOptions } from '@tncjs/imc-sdk';
import { Tpm, readAik, TCG_HANDLES } from '@tncjs/tss';
import { tssAttestationTpm } from '@tncjs/pts';
import {
  IkeInitiator, describeSelector, strongswanTtlsPeerFactory,
  type EspProposalConfig, type EspTunnel, type EstablishedInfo, type IkeProposalConfig, type RetransmitConfig,
} from '@tncjs/ikev2';
import { createSocket } from 'node:dgram';
import { TncConnectError, TncConnectErrorCode } from './errors.js';

/**
 * The local address the kernel picks to reach `remote` (a connected UDP socket sends nothing): our TSi and the address
 * NAT detection hashes when no local address is configured (else both would say 0.0.0.0).
 */
export function sourceAddressFor(remote: string, port = 500): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const done = (a: string | undefined) => {
      s.close();
      resolve(a);
    };
    s.once('error', () => done(undefined));
    s.connect(port, remote, () => {
      try {
        done(s.address().address);
      } catch {
        done(undefined);
      }
    });
  });
}

/** How the gateway decided: the PB-TNC access recommendation as an outcome. */
export type TncOutcome = 'allowed' | 'isolated' | 'denied';

/** Process exit codes of `tnc-client up` (and any tool built on `connectTnc`). */
export const TncExitCode = { ALLOWED: 0, ERROR: 1, ISOLATED: 3, DENIED: 4 } as const;

/** Default of `ConnectTncOptions.maxEapRounds`: far above any real evidence upload, still a bound (see there). */
export const DEFAULT_MAX_EAP_ROUNDS = 10_000;

/** Options of `connectTnc()`: a plain object (the CLI maps its flags and config file onto it). */
export interface ConnectTncOptions {
  /** The gateway: address, IKE port (default 500), NAT-T port (default 4500), its identity (IDr and TLS name). */
  gateway: { address: string; port?: number; nattPort?: number; identity: string };
  /** Our identity: IKE IDi, EAP identity and inner EAP-MD5 identity, e.g. `carol@strongswan.org`. */
  identity: string;
  /** The EAP-MD5 password (never logged below level 4). */
  password: string;
  /**
   * Trust anchors for the gateway's EAP-TTLS certificate: a directory of CA certificates, or the certificates
   * themselves (PEM text or DER).
   */
  trust: string | (string | Uint8Array)[];
  /** Revocation checking of the gateway certificate (default `lenient`: CRL/OCSP when reachable). */
  revocation?: RevocationPolicy;
  /** The TPM: `swtpm:tcp://127.0.0.1:2321`, `device:/dev/tpmrm0` (default), or an opened `Tpm`. */
  tpm?: string | Tpm;
  /** Persistent handle of the AIK (default 0x81010003, strongSwan's). */
  aikHandle?: number;
  /** Measurement logs (default the kernel's securityfs files). */
  biosLog?: string;
  imaLog?: string;
  /** OS IMC options (e.g. `sources` to read other files); `false` to not load the OS IMC. */
  os?: Omit<OsImcOptions, 'devicePublicKey'> | false;
  /** Attestation IMC options beyond the TPM and the logs; `false` to not load it (no TPM needed then). */
  attestation?: Omit<AttestationImcOptions, 'tpm' | 'biosLog' | 'imaLog'> | false;
  /** Local address to bind (default: the address the kernel routes to the gateway from) and ports (default ephemeral). */
  localAddress?: string;
  localIkePort?: number;
  localNattPort?: number;
  /** Traffic selectors (default our address/32 and 0.0.0.0/0, narrowed by the gateway). */
  tsi?: string[];
  tsr?: string[];
  ike?: IkeProposalConfig[];
  esp?: EspProposalConfig[];
  retransmit?: Partial<RetransmitConfig>;
  /** Maximum PB-TNC batch size (default the seed's 32,754 bytes). */
  maxBatchSize?: number;
  /**
   * EAP-TTLS fragment size of our packets (default 8,000: the IMA log then takes ~20 IKE_AUTH round trips, with IKE
   * fragmentation; strongSwan's carol uses 1,024, ~170 round trips; see `maxEapRounds`).
   */
  ttlsFragmentSize?: number;
  /**
   * Most IKE_AUTH round trips the EAP conversation may take (default 10,000; @tncjs/ikev2's own default is 100). Every
   * EAP-TTLS fragment of the evidence upload costs one, and how much evidence there is (the IMA log grows with every
   * file the machine runs) is known to nobody before the conversation starts, so the limit is set far above any real
   * upload: 10,000 rounds carry 80 MB at the default 8,000-byte fragments (10 MB at strongSwan's 1,024). It still
   * bounds the conversation: a gateway that never ends EAP is given up on after that many answered requests, each of
   * which also runs under the retransmission limits.
   */
  maxEapRounds?: number;
  /** TLS as a strongSwan 5.9 gateway needs (TLS 1.2, legacy renegotiation allowed; default true). */
  strongswanTls?: boolean;
  logger?: Logger;
}

/** Traffic and protocol counters of a session. */
export interface TncStats {
  /** IKE request/response exchanges we initiated (IKE_SA_INIT, IKE_AUTH …, INFORMATIONAL). */
  ikeExchanges: number;
  retransmits: number;
  datagramsSent: number;
  datagramsReceived: number;
  /** UDP payload bytes of IKE messages we sent / received (ESP not included). */
  bytesSent: number;
  bytesReceived: number;
  /** PB-TNC batches: count each way and the list (`C CDATA 269`, `S SDATA 140`, …). */
  batches: { sent: number; received: number; list: string[] };
  /** ms: IKE_SA_INIT, IKE_AUTH (EAP and TNC included), whole connect. */
  timings: { ikeSaInitMs: number; ikeAuthMs: number; totalMs: number };
}

export interface TncChildSa {
  spiIn: string;
  spiOut: string;
  proposal: string;
  /** Traffic selectors as agreed: ours (TSi) and the gateway's (TSr), e.g. `192.168.0.254/32` / `10.1.0.0/28`. */
  tsi: string[];
  tsr: string[];
  udpEncapsulation: boolean;
}

/** A snapshot for `tnc-client status`. */
export interface TncStatus {
  state: 'established' | 'denied' | 'closed';
  outcome: TncOutcome;
  exitCode: number;
  identity: string;
  gateway: string;
  recommendation?: string;
  assessment?: string;
  reasons: string[];
  ike?: { spiI: string; spiR: string; proposal: string; remoteIdentity: string; natDetected: { local: boolean; remote: boolean } };
  child?: TncChildSa;
  stats: TncStats;
}

export interface TncSession {
  readonly outcome: TncOutcome;
  /** 0 allowed, 3 isolated, 4 denied. */
  readonly exitCode: number;
  /** `Access Allowed`, `Quarantined`, `Access Denied`. */
  readonly recommendation: string | undefined;
  /** `compliant`, `non-compliant minor`, … */
  readonly assessment: string | undefined;
  readonly reasons: string[];
  readonly child: TncChildSa | undefined;
  stats(): TncStats;
  status(): TncStatus;
  /** The userspace ESP tunnel of the CHILD_SA (UDP-encapsulated). @throws TncConnectError without a CHILD_SA */
  openEspTunnel(): EspTunnel;
  /** INFORMATIONAL DELETE of the IKE_SA (acknowledged by the gateway), then the TPM is released. Idempotent. */
  close(): Promise<{ acknowledged: boolean }>;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const BATCH_TYPES = ['', 'CDATA', 'SDATA', 'RESULT', 'CRETRY', 'SRETRY', 'CLOSE'];

function pemToDer(x: string | Uint8Array): Uint8Array[] {
  if (typeof x !== 'string') return [x];
  const blocks = [...x.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw new TncConnectError(TncConnectErrorCode.CONFIG, 'trust: no PEM certificate in the given text');
  return blocks.map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
}

/**
 * A logger that also counts the IKE datagrams' bytes from the initiator's `NET` lines, forwarding to `target` what
 * `target` has enabled. (Until @tncjs/ikev2 exports byte counters of its own.)
 */
class CountingLogger extends Logger {
  bytesSent = 0;
  bytesReceived = 0;
  constructor(private readonly target: Logger) {
    super({ defaultLevel: 4, sink: () => {} });
  }
  override enabled(subsystem: Subsystem, level: Level): boolean {
    return (subsystem === 'NET' && level <= 1) || this.target.enabled(subsystem, level);
  }
  override log(subsystem: Subsystem, level: Level, message: string | (() => string)): void {
    if (subsystem === 'NET' && level === 1) {
      const text = typeof message === 'function' ? message() : message;
      const m = /^(sending|received) packet: .*\((\d+) bytes\)$/.exec(text);
      if (m) {
        if (m[1] === 'sending') this.bytesSent += Number(m[2]);
        else this.bytesReceived += Number(m[2]);
      }
      this.target.log(subsystem, level, text);
      return;
    }
    this.target.log(subsystem, level, message);
  }
  override dump(subsystem: Subsystem, level: Level, label: string, bytes: Uint8Array): void {
    this.target.dump(subsystem, level, label, bytes);
  }
  override withThread(thread: number): Logger {
    return this.target.withThread(thread);
  }
}

function outcomeOf(recommendation: number | undefined): TncOutcome {
  if (recommendation === AccessRecommendation.ALLOWED) return 'allowed';
  if (recommendation === AccessRecommendation.ISOLATED) return 'isolated';
  return 'denied';
}

/** The exit code for a session or an error (0 allowed, 3 isolated, 4 denied, 1 error). */
export function tncExitCode(x: TncSession | unknown): number {
  if (x && typeof x === 'object' && 'outcome' in x) {
    const o = (x as TncSession).outcome;
    return o === 'allowed' ? TncExitCode.ALLOWED : o === 'isolated' ? TncExitCode.ISOLATED : TncExitCode.DENIED;
  }
  return TncExitCode.ERROR;
}

/**
 * Connect to a TNC gateway: IKE_SA_INIT, IKE_AUTH with EAP-TTLS (inner MD5, then PT-EAP carrying PB-TNC between our
 * IMCs and the gateway's IMVs), AUTH from the MSK, CHILD_SA.
 *
 * @example
 * const s = await connectTnc({ gateway: { address: '192.168.0.1', identity: 'moon.strongswan.org' },
 *   identity: 'carol@strongswan.org', password: 'Ar3etTnp', trust: '/etc/swanctl/x509ca', tpm: 'device:/dev/tpmrm0' });
 * console.log(s.assessment, s.recommendation, s.child?.tsr);   // compliant Access Allowed [ '10.1.0.0/28' ]
 * await s.close();
 * process.exitCode = s.exitCode;
 * @throws TypeError for missing options; TncConnectError (ERR_TNC_CONFIG, ERR_TNC_TPM, ERR_TNC_IKE) otherwise
 */
export async function connectTnc(options: ConnectTncOptions): Promise<TncSession> {
  if (!options || typeof options !== 'object') throw new TypeError('connectTnc: options object required');
  if (!options.gateway?.address || !options.gateway.identity) throw new TypeError('connectTnc: gateway.address and gateway.identity are required');
  if (!options.identity) throw new TypeError('connectTnc: identity is required');
  if (typeof options.password !== 'string' || !options.password) throw new TypeError('connectTnc: password is required');
  if (!options.trust) throw new TypeError('connectTnc: trust (CA certificates or a directory) is required');
  const log = options.logger ?? getLogger();
  const t0 = Date.now();

  // ---- IMCs (and the TPM) ------------------------------------------------------------------------------------------
  let tpm: Tpm | undefined;
  const ownTpm = typeof options.tpm !== 'object';
  const client = new TncClient({ logger: log });
  const cleanup = async () => {
    await client.terminate().catch(() => {});
    if (tpm && ownTpm) await tpm.close().catch(() => {});
  };
  try {
    let aikSpki: Uint8Array | undefined;
    let attestationTpm;
    if (options.attestation !== false) {
      try {
        tpm = typeof options.tpm === 'object' ? options.tpm : await Tpm.open(options.tpm, { timeoutMs: 30_000 });
        const aik = await readAik(tpm, options.aikHandle ?? TCG_HANDLES.AIK);
        aikSpki = aik.spki;
        attestationTpm = tssAttestationTpm(tpm, aik);
        log.log('PTS', 1, `using AIK 0x${aik.handle.toString(16)} of TPM '${typeof options.tpm === 'string' ? options.tpm : options.tpm ? 'given' : 'device:/dev/tpmrm0'}'`);
      } catch (e) {
        throw new TncConnectError(TncConnectErrorCode.TPM, `TPM/AIK not usable: ${(e as Error).message}`, { cause: e });
      }
    }
    if (options.os !== false) await client.add(createOsImc({ ...(options.os ?? {}), devicePublicKey: aikSpki, devicePublicKeySource: aikSpki ? `AIK 0x${(options.aikHandle ?? TCG_HANDLES.AIK).toString(16)}` : undefined }), '/usr/lib/ipsec/imcvs/imc-os.so', 'OS');
    if (options.attestation !== false) {
      await client.add(
        createAttestationImc({ ...(options.attestation ?? {}), tpm: attestationTpm, biosLog: options.biosLog, imaLog: options.imaLog }),
        '/usr/lib/ipsec/imcvs/imc-attestation.so',
        'Attestation',
      );
    }
  } catch (e) {
    await cleanup();
    throw e;
  }

  // ---- EAP: TTLS (MD5, PT-EAP) ---------------------------------------------------------------------------------------
  let validator: CertificateValidator;
  try {
    const trust = typeof options.trust === 'string' ? options.trust : new TrustStore(options.trust.flatMap(pemToDer));
    validator = new CertificateValidator({ trust, revocation: { policy: options.revocation ?? 'lenient' } });
  } catch (e) {
    await cleanup();
    throw isTncjsError(e) ? e : new TncConnectError(TncConnectErrorCode.CONFIG, `trust anchors: ${(e as Error).message}`, { cause: e });
  }
  let tnc: TncClientConnection | undefined;
  const batches = { sent: 0, received: 0, list: [] as string[] };
  const note = (dir: 'C' | 'S', b: Uint8Array | undefined) => {
    if (!b) return;
    batches[dir === 'C' ? 'sent' : 'received']++;
    batches.list.push(`${dir} ${BATCH_TYPES[peekBatchHeader(b).type] ?? '?'} ${b.byteLength}`);
  };
  const ptEap = ptEapTnccsPeerFactory({
    logger: log,
    endpoint: () => {
      tnc = client.connect({ maxBatchSize: options.maxBatchSize ?? PT_EAP_SEED_MAX_BATCH_SIZE });
      const conn = tnc;
      return {
        pb: conn.pb,
        start: async () => {
          const b = await conn.start();
          note('C', b);
          return b;
        },
        receive: async (b: Uint8Array) => {
          note('S', b);
          const out = await conn.receive(b);
          note('C', out);
          return out;
        },
      };
    },
  });
  const secrets = new MemorySecretsStore({ [options.identity]: options.password });
  const ttlsOptions = { validator, fragmentSize: options.ttlsFragmentSize ?? DEFAULT_FRAGMENT_SIZE, logger: log, phase2: [md5Factory(secrets), ptEap] };
  const eap = new EapPeer({
    identity: options.identity,
    serverIdentity: options.gateway.identity,
    logger: log,
    methods: [(options.strongswanTls ?? true) ? strongswanTtlsPeerFactory(ttlsOptions) : ttlsPeerFactory(ttlsOptions)],
  });

  // ---- IKEv2 -------------------------------------------------------------------------------------------------------------
  const counting = new CountingLogger(log);
  const localAddress = options.localAddress ?? (await sourceAddressFor(options.gateway.address, options.gateway.port ?? 500));
  const ike = new IkeInitiator({
    remote: { address: options.gateway.address, port: options.gateway.port, nattPort: options.gateway.nattPort },
    identity: options.identity,
    remoteIdentity: options.gateway.identity,
    eap,
    ike: options.ike,
    esp: options.esp,
    tsi: options.tsi,
    tsr: options.tsr,
    retransmit: options.retransmit,
    maxEapRounds: options.maxEapRounds ?? DEFAULT_MAX_EAP_ROUNDS,
    transport: { localAddress, ikePort: options.localIkePort, nattPort: options.localNattPort, logger: log },
    logger: counting,
  });
  let info: EstablishedInfo | undefined;
  let failure: unknown;
  try {
    info = await ike.connect();
  } catch (e) {
    failure = e;
  }
  const result = tnc?.result;
  await tnc?.delete().catch(() => {});
  const totalMs = Date.now() - t0;
  if (!info && !(result && result.recommendation !== undefined && outcomeOf(result.recommendation) !== 'allowed')) {
    await ike.close().catch(() => {});
    await cleanup();
    const code = isTncjsError(failure) ? failure.code : 'ERR_UNKNOWN';
    throw new TncConnectError(TncConnectErrorCode.IKE, `connecting to ${options.gateway.address} failed (${code}): ${(failure as Error)?.message ?? 'unknown error'}`, { cause: failure });
  }

  const outcome = outcomeOf(result?.recommendation);
  const recommendation = result?.recommendation !== undefined ? ACCESS_RECOMMENDATION_NAMES[result.recommendation] : undefined;
  const assessment = result?.assessment !== undefined ? ASSESSMENT_RESULT_NAMES[result.assessment] : undefined;
  const reasons = (result?.reasons ?? []).map((r) => r.reason);
  const c = info?.child;
  const child: TncChildSa | undefined = c && { spiIn: hex(c.spiIn), spiOut: hex(c.spiOut), proposal: c.proposal, tsi: c.tsi.map(describeSelector), tsr: c.tsr.map(describeSelector), udpEncapsulation: c.udpEncapsulation };
  if (!info) {
    log.log('IKE', 1, `gateway refused access after PB-TNC access recommendation '${recommendation ?? 'none'}': ${(failure as Error)?.message ?? ''}`);
    await ike.close().catch(() => {});
  }
  let state: TncStatus['state'] = info ? 'established' : 'denied';
  let closing: Promise<{ acknowledged: boolean }> | undefined;
  const stats = (): TncStats => {
    const t = ike.transportStats;
    return {
      ikeExchanges: info?.requests ?? 0,
      retransmits: info?.retransmits ?? 0,
      datagramsSent: t.sent,
      datagramsReceived: t.received,
      bytesSent: counting.bytesSent,
      bytesReceived: counting.bytesReceived,
      batches: { ...batches, list: batches.list.slice() },
      timings: { ikeSaInitMs: info?.timings.ikeSaInitMs ?? 0, ikeAuthMs: info?.timings.ikeAuthMs ?? 0, totalMs },
    };
  };
  const exitCode = outcome === 'allowed' ? TncExitCode.ALLOWED : outcome === 'isolated' ? TncExitCode.ISOLATED : TncExitCode.DENIED;
  const session: TncSession = {
    outcome,
    exitCode,
    recommendation,
    assessment,
    reasons,
    child,
    stats,
    status: () => ({
      state,
      outcome,
      exitCode,
      identity: options.identity,
      gateway: `${options.gateway.address}[${options.gateway.identity}]`,
      recommendation,
      assessment,
      reasons,
      ike: info && { spiI: info.spiI, spiR: info.spiR, proposal: info.proposal, remoteIdentity: info.remoteIdentity, natDetected: info.natDetected },
      child,
      stats: stats(),
    }),
    openEspTunnel: () => {
      if (!child || state !== 'established') throw new TncConnectError(TncConnectErrorCode.STATE, 'no established CHILD_SA');
      return ike.openEspTunnel();
    },
    close: () =>
      (closing ??= (async () => {
        let r = { acknowledged: false };
        if (state === 'established') r = await ike.close();
        state = 'closed';
        await cleanup();
        return r;
      })()),
  };
  if (!info) {
    state = 'denied';
    await cleanup();
  }
  return session;
}
