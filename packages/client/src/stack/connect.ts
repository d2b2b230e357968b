/**
 * The whole TNC client stack in one call, as strongSwan's "carol": IKEv2 initiator (EAP-only) → EAP-TTLS peer → inner
 * EAP-MD5 → PT-EAP → PB-TNC → the OS and Attestation IMCs with a TPM (swtpm or the kernel's resource manager).
 *
 * `connectTnc()` resolves with a session once the gateway decided: `allowed` / `isolated` (IKE_SA and CHILD_SA up, or
 * not when the gateway refuses isolated clients; `allowed` too when the gateway ran no TNC assessment but let the
 * IKE_SA up, as a plain strongSwan gateway does) or `denied` (EAP failed after the gateway's Access Denied). Anything
 * else (no answer, wrong password, untrusted gateway certificate, TPM unreachable) rejects with a `TncConnectError`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { getLogger, isTncjsError, type Logger } from '@tncjs/common';
import { EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, ttlsPeerFactory, DEFAULT_FRAGMENT_SIZE, type RevocationPolicy } from '@tncjs/eap-ttls';
import { AccessRecommendation, ACCESS_RECOMMENDATION_NAMES, ASSESSMENT_RESULT_NAMES, peekBatchHeader } from '@tncjs/pb-tnc';
import { ptEapTnccsPeerFactory, PT_EAP_SEED_MAX_BATCH_SIZE } from '@tncjs/pt-eap';
import {
  BUILTIN_IMCS, TncClient, createAttestationImc, createOsImc, loadTncConfig, parseTncConfig,
  type OsImcOptions, type TncClientConnection, type AttestationImcOptions,
} from '@tncjs/imc-sdk';
import { Tpm, readAik, TCG_HANDLES, type Aik } from '@tncjs/tss';
import { tssAttestationTpm } from '@tncjs/pts';
import {
  IkeInitiator, describeSelector, installKernelChildSa, probeKernelEsp, strongswanTtlsPeerFactory,
  type ChildSa, type EspProposalConfig, type EspTunnel, type EstablishedInfo, type IkeProposalConfig, type KernelChildSa, type RetransmitConfig,
} from '@tncjs/ikev2';
import { createSocket } from 'node:dgram';
import { loadAikKeyFile } from './aik-key.js';
import { TncConnectError, TncConnectErrorCode } from './errors.js';
import { loadTrust, type TrustSource } from './trust.js';
import type { KernelMode } from '../config/types.js';

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
  /** The connection name as the log shows it (`home` in `IKE_SA home[1]`, `CHILD_SA home{1}`); default `tncjs`. */
  name?: string;
  /**
   * The gateway: address, IKE port (default 500), NAT-T port (default 4500), and its identity. With an identity, IDr
   * is sent and the gateway's certificate must name it; without (strongSwan's `remote.id = %any`) no IDr is sent and
   * any certificate the trust anchors vouch for is accepted.
   */
  gateway: { address: string; port?: number; nattPort?: number; identity?: string };
  /** Our IKE identity (IDi), e.g. `carol@strongswan.org`. */
  identity: string;
  /** Our EAP identity (EAP-Response/Identity and the EAP-MD5 name; strongSwan `local.eap_id`); default `identity`. */
  eapIdentity?: string;
  /** The EAP-MD5 password (never logged below level 4). */
  password: string;
  /**
   * The EAP method: `ttls` (default: EAP-TTLS, EAP-MD5 then PT-EAP inside) or `md5` (EAP-MD5 itself, PT-EAP offered
   * as a method of its own; needs `gatewayAuth: 'pubkey'`: EAP-MD5 derives no key, RFC 5998).
   */
  eapMethod?: 'ttls' | 'md5';
  /** How the gateway authenticates: `eap` (default: EAP-only, RFC 5998, AUTH from the MSK) or `pubkey` (certificate signature AUTH). */
  gatewayAuth?: 'eap' | 'pubkey';
  /**
   * Trust anchors for the gateway's certificate (EAP-TTLS, and IKE AUTH with `gatewayAuth: 'pubkey'`): a path (a
   * directory of CA certificates, or a certificate file, PEM or DER), PEM text, DER bytes, or a list of any of these.
   */
  trust: TrustSource | TrustSource[];
  /** Revocation checking of the gateway certificate (default `lenient`: CRL/OCSP when reachable). */
  revocation?: RevocationPolicy;
  /** The TPM: `swtpm:tcp://127.0.0.1:2321`, `device:/dev/tpmrm0` (default), or an opened `Tpm`. */
  tpm?: string | Tpm;
  /** Persistent handle of the AIK (default 0x81010003, strongSwan's). */
  aikHandle?: number;
  /** The AIK as a key file (TPM2B_PUBLIC then TPM2B_PRIVATE), loaded under the SRK instead of `aikHandle`. */
  aikKeyFile?: string;
  /** Measurement logs (default the kernel's securityfs files). */
  biosLog?: string;
  imaLog?: string;
  /**
   * strongSwan tnc_config file naming the IMCs (`IMC "OS" /usr/lib/ipsec/imcvs/imc-os.so`); strongSwan's module names
   * and `builtin:os`/`builtin:attestation` are the built-in IMCs, which get the options below. Default: the OS and
   * Attestation IMCs.
   */
  imcConfig?: string;
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
  /** Proposals (`parseIkeProposals` / `parseEspProposals` read strongSwan's strings); default @tncjs/ikev2's. */
  ike?: IkeProposalConfig[];
  esp?: EspProposalConfig[];
  /** DH groups for PFS when the CHILD_SA is rekeyed (strongSwan: the groups in `esp_proposals`). */
  pfs?: number[];
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
   * which also runs under the retransmission limits. The same number bounds the EAP-TTLS packets the TTLS peer
   * accepts (its `maxPackets`), one per round.
   */
  maxEapRounds?: number;
  /** TLS as a strongSwan 5.9 gateway needs (TLS 1.2, legacy renegotiation allowed; default true). */
  strongswanTls?: boolean;
  /**
   * Install the CHILD_SA into the kernel (XFRM): `true` must (the connection fails when the kernel refuses it, as
   * strongSwan fails the CHILD_SA), `false` (default) never: userspace ESP (`openEspTunnel()`), `'auto'` when
   * `probeKernelEsp()` says the kernel can, else the userspace path, said once in the log.
   */
  kernel?: KernelMode;
  /** Called with the PB-TNC bytes sent so far (our batches: the evidence upload) and the total (0: unknown). */
  progress?: (sent: number, total: number) => void;
  /**
   * Abort the connection attempt: TPM and IMCs are released, an IKE exchange in flight is cancelled (a DELETE is
   * sent when IKE_SA_INIT completed), and `connectTnc` rejects with `TncConnectError` ERR_TNC_ABORTED. No effect once
   * it resolved (use `close()`).
   */
  signal?: AbortSignal;
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

/** Where the CHILD_SA's ESP runs: the kernel (XFRM) or the userspace data path, and why. */
export interface TncKernelStatus {
  installed: boolean;
  /** One sentence: what was installed, or why not. */
  detail: string;
}

/** A snapshot for `tnc-client status`. */
export interface TncStatus {
  state: 'established' | 'denied' | 'closed';
  /** The IKE_SA as the log names it (`home[1]`). */
  ikeSa?: string;
  outcome: TncOutcome;
  exitCode: number;
  identity: string;
  gateway: string;
  recommendation?: string;
  assessment?: string;
  reasons: string[];
  ike?: { spiI: string; spiR: string; proposal: string; remoteIdentity: string; natDetected: { local: boolean; remote: boolean } };
  child?: TncChildSa;
  kernel?: TncKernelStatus;
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
  /** Where ESP runs (undefined without a CHILD_SA). */
  readonly kernel: TncKernelStatus | undefined;
  /**
   * Settles when the session ends without `close()`: the gateway deleted the IKE_SA, or it stopped answering (dead
   * peer). The TPM and any kernel state are released by then. Also settles after `close()`.
   */
  readonly closed: Promise<{ reason: 'deleted' | 'dead' | 'closed' | 'denied' }>;
  stats(): TncStats;
  status(): TncStatus;
  /** The userspace ESP tunnel of the CHILD_SA (UDP-encapsulated). @throws TncConnectError without a CHILD_SA */
  openEspTunnel(): EspTunnel;
  /** INFORMATIONAL DELETE of the IKE_SA (acknowledged by the gateway), then kernel state and the TPM are released. Idempotent. */
  close(): Promise<{ acknowledged: boolean }>;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const BATCH_TYPES = ['', 'CDATA', 'SDATA', 'RESULT', 'CRETRY', 'SRETRY', 'CLOSE'];

function outcomeOf(recommendation: number | undefined): TncOutcome {
  if (recommendation === AccessRecommendation.ALLOWED) return 'allowed';
  if (recommendation === AccessRecommendation.ISOLATED) return 'isolated';
  return 'denied';
}

/**
 * The outcome of a finished connection attempt. With the IKE_SA established the gateway let us in: its PB-TNC access
 * recommendation names how far, and a gateway that ran no TNC assessment at all (no PT-EAP, or PT-EAP without a
 * recommendation, like a plain strongSwan gateway) is `allowed`, as strongSwan's carol simply comes up then. Without
 * the IKE_SA only an Access Denied or Quarantined recommendation is an outcome (`denied`/`isolated`); anything else is
 * a failure (`undefined`).
 * @param established whether IKE_AUTH completed (the IKE_SA is up)
 * @param tncRan whether the gateway started PT-EAP (our TNC client connection exists)
 * @param recommendation the PB-TNC access recommendation received, if any
 * @returns the outcome and, when the gateway gave none, the log line that says so
 */
export function decideTncOutcome(established: boolean, tncRan: boolean, recommendation: number | undefined): { outcome: TncOutcome; note?: string } | undefined {
  if (recommendation !== undefined) {
    const outcome = outcomeOf(recommendation);
    return established || outcome !== 'allowed' ? { outcome } : undefined;
  }
  if (!established) return undefined;
  return {
    outcome: 'allowed',
    note: tncRan
      ? 'gateway sent no PB-TNC access recommendation; IKE_SA established, access as the gateway configured it'
      : 'gateway ran no TNC assessment (no PT-EAP); IKE_SA established, access as the gateway configured it',
  };
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
/**
 * Connect to a TNC gateway: IKE_SA_INIT, IKE_AUTH with EAP-TTLS (inner MD5, then PT-EAP carrying PB-TNC between our
 * IMCs and the gateway's IMVs), AUTH from the MSK, CHILD_SA — then, with `kernel`, the CHILD_SA into XFRM.
 *
 * @example
 * const s = await connectTnc({ name: 'home', gateway: { address: '192.168.0.1', identity: 'moon.strongswan.org' },
 *   identity: 'carol@strongswan.org', password: 'Ar3etTnp', trust: '/etc/swanctl/x509ca', tpm: 'device:/dev/tpmrm0' });
 * console.log(s.assessment, s.recommendation, s.child?.tsr);   // compliant Access Allowed [ '10.1.0.0/28' ]
 * await s.close();
 * process.exitCode = s.exitCode;
 * @throws TypeError for missing options; TncConnectError (ERR_TNC_CONFIG, ERR_TNC_TPM, ERR_TNC_IKE, ERR_TNC_KERNEL,
 *   ERR_TNC_ABORTED) otherwise
 */
export async function connectTnc(options: ConnectTncOptions): Promise<TncSession> {
  if (!options || typeof options !== 'object') throw new TypeError('connectTnc: options object required');
  if (!options.gateway?.address) throw new TypeError('connectTnc: gateway.address is required');
  if (!options.identity) throw new TypeError('connectTnc: identity is required');
  if (typeof options.password !== 'string' || !options.password) throw new TypeError('connectTnc: password is required');
  if (!options.trust || (Array.isArray(options.trust) && options.trust.length === 0)) throw new TypeError('connectTnc: trust (CA certificates, files or directories) is required');
  const eapMethod = options.eapMethod ?? 'ttls';
  const gatewayAuth = options.gatewayAuth ?? 'eap';
  if (eapMethod === 'md5' && gatewayAuth !== 'pubkey') {
    throw new TncConnectError(TncConnectErrorCode.CONFIG, "EAP-MD5 derives no key, so an EAP-only gateway could not authenticate (RFC 5998): use gatewayAuth 'pubkey' or eapMethod 'ttls'");
  }
  if (options.aikKeyFile !== undefined && options.aikHandle !== undefined) throw new TypeError('connectTnc: aikHandle and aikKeyFile both given');
  const log = options.logger ?? getLogger();
  const signal = options.signal;
  const eapIdentity = options.eapIdentity ?? options.identity;
  const gatewayIdentity = options.gateway.identity;
  const t0 = Date.now();
  const aborted = (): TncConnectError => {
    const why = signal?.reason instanceof Error ? `: ${signal.reason.message}` : '';
    return new TncConnectError(TncConnectErrorCode.ABORTED, `connecting to ${options.gateway.address} aborted${why}`, { cause: signal?.reason });
  };
  const checkAbort = () => {
    if (signal?.aborted) throw aborted();
  };
  checkAbort();

  // ---- trust anchors -------------------------------------------------------------------------------------------------
  const trust = loadTrust(options.trust);
  const validator = new CertificateValidator({ trust, revocation: { policy: options.revocation ?? 'lenient' } });
  log.log('CFG', 2, `loaded ${trust.size} CA certificate${trust.size === 1 ? '' : 's'} as trust anchors`);

  // ---- IMCs (and the TPM) ------------------------------------------------------------------------------------------
  let tpm: Tpm | undefined;
  let releaseAik: (() => Promise<void>) | undefined;
  const ownTpm = typeof options.tpm !== 'object';
  const client = new TncClient({ logger: log });
  const releaseTpm = async () => {
    await client.terminate().catch(() => {});
    await releaseAik?.().catch(() => {});
    releaseAik = undefined;
    if (tpm && ownTpm) await tpm.close().catch(() => {});
    tpm = undefined;
  };
  try {
    // which built-in IMCs run: the tnc_config's, or both
    let entries: { name: string; kind: 'os' | 'attestation' | 'other' }[] | undefined;
    if (options.imcConfig !== undefined) {
      let text: string;
      try {
        text = readFileSync(options.imcConfig, 'utf8');
      } catch (e) {
        throw new TncConnectError(TncConnectErrorCode.CONFIG, `tnc_config '${options.imcConfig}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
      entries = parseTncConfig(text)
        .filter((e) => e.kind === 'IMC')
        .map((e) => {
          const f = BUILTIN_IMCS[e.module] ?? (e.module.endsWith('.so') ? BUILTIN_IMCS[basename(e.module)] : undefined);
          return { name: e.name, kind: f === createOsImc ? 'os' : f === createAttestationImc ? 'attestation' : 'other' };
        });
      if (options.attestation === false && entries.some((e) => e.kind === 'attestation')) {
        throw new TncConnectError(TncConnectErrorCode.CONFIG, `tnc_config '${options.imcConfig}' loads the Attestation IMC, but no TPM is configured`);
      }
    }
    const wantAttestation = entries ? entries.some((e) => e.kind === 'attestation') : options.attestation !== false;
    const wantOs = entries ? entries.some((e) => e.kind === 'os') : options.os !== false;
    let aikSpki: Uint8Array | undefined;
    let aikName: string | undefined;
    let attestationTpm;
    if (wantAttestation) {
      try {
        tpm = typeof options.tpm === 'object' ? options.tpm : await Tpm.open(options.tpm, { timeoutMs: 30_000 });
        checkAbort();
        let aik: Aik;
        if (options.aikKeyFile !== undefined) {
          const loaded = await loadAikKeyFile(tpm, options.aikKeyFile);
          releaseAik = loaded.release;
          aik = loaded.aik;
          aikName = `AIK from '${options.aikKeyFile}'`;
        } else {
          aik = await readAik(tpm, options.aikHandle ?? TCG_HANDLES.AIK);
          aikName = `AIK 0x${aik.handle.toString(16)}`;
        }
        aikSpki = aik.spki;
        attestationTpm = tssAttestationTpm(tpm, aik);
        log.log('PTS', 1, `using ${aikName} of TPM '${typeof options.tpm === 'string' ? options.tpm : options.tpm ? 'given' : 'device:/dev/tpmrm0'}'`);
      } catch (e) {
        if (e instanceof TncConnectError) throw e;
        throw new TncConnectError(TncConnectErrorCode.TPM, `TPM/AIK not usable: ${(e as Error).message}`, { cause: e });
      }
    }
    const osOptions = { ...(options.os || {}), devicePublicKey: aikSpki, devicePublicKeySource: aikName };
    const attestationOptions = { ...(options.attestation || {}), tpm: attestationTpm, biosLog: options.biosLog, imaLog: options.imaLog };
    if (options.imcConfig !== undefined) {
      const perName: Record<string, Record<string, unknown>> = {};
      for (const e of entries!) {
        if (e.kind === 'os') perName[e.name] = osOptions;
        if (e.kind === 'attestation') perName[e.name] = attestationOptions;
      }
      await loadTncConfig(options.imcConfig, client, { options: perName });
    } else {
      if (wantOs) await client.add(createOsImc(osOptions), '/usr/lib/ipsec/imcvs/imc-os.so', 'OS');
      if (wantAttestation) await client.add(createAttestationImc(attestationOptions), '/usr/lib/ipsec/imcvs/imc-attestation.so', 'Attestation');
    }
    checkAbort();
  } catch (e) {
    await releaseTpm();
    if (signal?.aborted) throw aborted();
    throw isTncjsError(e) ? e : new TncConnectError(TncConnectErrorCode.CONFIG, `IMCs: ${(e as Error).message}`, { cause: e });
  }

  // ---- EAP: TTLS (MD5, PT-EAP), or MD5 and PT-EAP ---------------------------------------------------------------------
  let tnc: TncClientConnection | undefined;
  const batches = { sent: 0, received: 0, list: [] as string[] };
  let uploaded = 0;
  const note = (dir: 'C' | 'S', b: Uint8Array | undefined) => {
    if (!b) return;
    batches[dir === 'C' ? 'sent' : 'received']++;
    batches.list.push(`${dir} ${BATCH_TYPES[peekBatchHeader(b).type] ?? '?'} ${b.byteLength}`);
    if (dir === 'C') {
      uploaded += b.byteLength;
      try {
        options.progress?.(uploaded, 0);
      } catch {
        /* a progress display must not break the connection */
      }
    }
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
  const secrets = new MemorySecretsStore({ [eapIdentity]: options.password });
  const maxEapRounds = options.maxEapRounds ?? DEFAULT_MAX_EAP_ROUNDS;
  let methods;
  if (eapMethod === 'ttls') {
    // every EAP-TTLS packet of the gateway arrives in an IKE_AUTH round: the same bound as maxEapRounds (the TTLS
    // peer's own default, 1,000, would end a large upload first: 50,000 IMA entries at 1,024-byte fragments need more)
    const ttlsOptions = {
      validator, fragmentSize: options.ttlsFragmentSize ?? DEFAULT_FRAGMENT_SIZE, maxPackets: maxEapRounds, logger: log, phase2: [md5Factory(secrets), ptEap],
    };
    methods = [(options.strongswanTls ?? true) ? strongswanTtlsPeerFactory(ttlsOptions) : ttlsPeerFactory(ttlsOptions)];
  } else {
    methods = [md5Factory(secrets), ptEap];
  }
  const eap = new EapPeer({ identity: eapIdentity, serverIdentity: gatewayIdentity, logger: log, methods });

  // ---- IKEv2 -------------------------------------------------------------------------------------------------------------
  const localAddress = options.localAddress ?? (await sourceAddressFor(options.gateway.address, options.gateway.port ?? 500));
  const ike = new IkeInitiator({
    name: options.name,
    remote: { address: options.gateway.address, port: options.gateway.port, nattPort: options.gateway.nattPort },
    identity: options.identity,
    remoteIdentity: gatewayIdentity,
    eap,
    ike: options.ike,
    esp: options.esp,
    pfs: options.pfs,
    tsi: options.tsi,
    tsr: options.tsr,
    retransmit: options.retransmit,
    maxEapRounds,
    serverCertificates: gatewayAuth === 'pubkey' ? { validator, authorities: trust.der } : undefined,
    transport: { localAddress, ikePort: options.localIkePort, nattPort: options.localNattPort, logger: log },
    logger: log,
  });
  let info: EstablishedInfo | undefined;
  let failure: unknown;
  try {
    info = await ike.connect({ signal });
  } catch (e) {
    failure = e;
  }
  const result = tnc?.result;
  await tnc?.delete().catch(() => {});
  const totalMs = Date.now() - t0;
  if (signal?.aborted && !info) {
    await ike.close().catch(() => {});
    await releaseTpm();
    throw aborted();
  }
  const decision = decideTncOutcome(info !== undefined, tnc !== undefined, result?.recommendation);
  if (!decision) {
    await ike.close().catch(() => {});
    await releaseTpm();
    const code = isTncjsError(failure) ? failure.code : 'ERR_UNKNOWN';
    // EAP-Failure before PT-EAP started: the gateway refused our credentials (the password is never named here)
    const cause = (failure as Error | undefined)?.cause;
    const hint = !tnc && code === 'ERR_IKE_EAP' && isTncjsError(cause) && cause.code === 'ERR_EAP_FAILURE'
      ? `; the gateway rejected the EAP authentication of '${eapIdentity}' (wrong password or unknown identity?)` : '';
    throw new TncConnectError(TncConnectErrorCode.IKE, `connecting to ${options.gateway.address} failed (${code}): ${(failure as Error)?.message ?? 'unknown error'}${hint}`, { cause: failure });
  }

  const outcome = decision.outcome;
  if (decision.note) log.log('TNC', 1, decision.note);
  const recommendation = result?.recommendation !== undefined ? ACCESS_RECOMMENDATION_NAMES[result.recommendation] : undefined;
  const assessment = result?.assessment !== undefined ? ASSESSMENT_RESULT_NAMES[result.assessment] : undefined;
  const reasons = (result?.reasons ?? []).map((r) => r.reason);
  const c = info?.child;
  const child: TncChildSa | undefined = c && { spiIn: hex(c.spiIn), spiOut: hex(c.spiOut), proposal: c.proposal, tsi: c.tsi.map(describeSelector), tsr: c.tsr.map(describeSelector), udpEncapsulation: c.udpEncapsulation };
  if (!info) {
    log.log('IKE', 1, `gateway refused access after PB-TNC access recommendation '${recommendation ?? 'none'}': ${(failure as Error)?.message ?? ''}`);
    await ike.close().catch(() => {});
  }

  // ---- the CHILD_SA: kernel or userspace ESP ------------------------------------------------------------------------------
  let kernelSa: KernelChildSa | undefined;
  let kernel: TncKernelStatus | undefined;
  if (c && info) {
    try {
      const k = await placeChildSa(options.kernel ?? false, ike, c, localAddress ?? '0.0.0.0', log);
      kernelSa = k.sa;
      kernel = k.status;
    } catch (e) {
      await ike.close().catch(() => {});
      await releaseTpm();
      throw e;
    }
  }

  let state: TncStatus['state'] = info ? 'established' : 'denied';
  let closing: Promise<{ acknowledged: boolean }> | undefined;
  let settle!: (v: { reason: 'deleted' | 'dead' | 'closed' | 'denied' }) => void;
  const closed = new Promise<{ reason: 'deleted' | 'dead' | 'closed' | 'denied' }>((res) => (settle = res));
  const release = async () => {
    const k = kernelSa;
    kernelSa = undefined;
    if (k) {
      await k.remove().catch((e: unknown) => log.log('KNL', 1, `removing CHILD_SA from the kernel failed: ${(e as Error).message}`));
    }
    await releaseTpm();
  };
  const stats = (): TncStats => {
    const t = ike.transportStats;
    return {
      ikeExchanges: info?.requests ?? 0,
      retransmits: info?.retransmits ?? 0,
      datagramsSent: t.sent,
      datagramsReceived: t.received,
      bytesSent: t.bytesSent,
      bytesReceived: t.bytesReceived,
      batches: { ...batches, list: batches.list.slice() },
      timings: { ikeSaInitMs: info?.timings.ikeSaInitMs ?? 0, ikeAuthMs: info?.timings.ikeAuthMs ?? 0, totalMs },
    };
  };
  if (info) {
    ike.onEvent((e) => {
      if ((e.type === 'deleted' && e.sa === 'ike') || e.type === 'dead') {
        if (state !== 'established' || closing) return;
        state = 'closed';
        log.log('IKE', 1, e.type === 'dead' ? `IKE_SA ${ike.name}[${ike.uniqueId}] ended: ${e.error.message}` : `IKE_SA ${ike.name}[${ike.uniqueId}] deleted by the gateway`);
        void release().then(() => settle({ reason: e.type === 'dead' ? 'dead' : 'deleted' }));
      } else if (e.type === 'child-rekeyed' && kernelSa && ike.childSa) {
        kernelSa.rekey(ike.childSa).catch((err: unknown) => log.log('KNL', 0, `rekeyed CHILD_SA not installed in the kernel: ${(err as Error).message}`));
      }
    });
  }
  const exitCode = outcome === 'allowed' ? TncExitCode.ALLOWED : outcome === 'isolated' ? TncExitCode.ISOLATED : TncExitCode.DENIED;
  const session: TncSession = {
    outcome,
    exitCode,
    recommendation,
    assessment,
    reasons,
    child,
    kernel,
    closed,
    stats,
    status: () => ({
      state,
      ikeSa: info ? `${ike.name}[${ike.uniqueId}]` : undefined,
      outcome,
      exitCode,
      identity: options.identity,
      gateway: `${options.gateway.address}[${gatewayIdentity ?? '%any'}]`,
      recommendation,
      assessment,
      reasons,
      ike: info && { spiI: info.spiI, spiR: info.spiR, proposal: info.proposal, remoteIdentity: info.remoteIdentity, natDetected: info.natDetected },
      child,
      kernel,
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
        else await ike.close().catch(() => {});
        state = 'closed';
        await release();
        settle({ reason: info ? 'closed' : 'denied' });
        return r;
      })()),
  };
  if (!info) {
    state = 'denied';
    await releaseTpm();
    settle({ reason: 'denied' });
  }
  return session;
}

/**
 * Put the CHILD_SA where `mode` says: into XFRM (`installKernelChildSa`) or leave it to the userspace data path, and
 * say which in the log. SPIs are always logged (by the initiator, level 0); the userspace path's keys at level 4 only.
 * @throws TncConnectError ERR_TNC_KERNEL when `mode` is true and the kernel refuses the CHILD_SA
 */
async function placeChildSa(mode: KernelMode, ike: IkeInitiator, child: ChildSa, local: string, log: Logger): Promise<{ sa?: KernelChildSa; status: TncKernelStatus }> {
  const name = `CHILD_SA ${ike.name}{${child.uniqueId ?? 1}}`;
  const userspace = (why: string, level: 0 | 1): { status: TncKernelStatus } => {
    log.log('KNL', level, `${why}; ${name} uses the userspace ESP data path`);
    log.log('CHD', 4, () => `${name} keys: encr_i ${hex(child.keys.encrI)} integ_i ${hex(child.keys.integI)} encr_r ${hex(child.keys.encrR)} integ_r ${hex(child.keys.integR)}`);
    return { status: { installed: false, detail: `${why}; userspace ESP data path` } };
  };
  if (mode === false) return userspace('kernel installation disabled (--no-kernel)', 1);
  if (mode === 'auto') {
    const probe = await probeKernelEsp();
    if (probe.supported !== true) return userspace(probe.detail, 1);
  }
  const remote = ike.remoteEndpoint;
  const localPort = ike.udp.local(child.udpEncapsulation).port;
  try {
    const sa = await installKernelChildSa(child, { local, remote: remote.address, localPort, remotePort: remote.port, reqid: child.uniqueId ?? 1 }, { logger: log });
    const detail = `${name} installed in the kernel (XFRM), SPIs ${sa.spiIn}_i ${sa.spiOut}_o`;
    log.log('KNL', 1, detail);
    return { sa, status: { installed: true, detail } };
  } catch (e) {
    const msg = (e as Error).message;
    if (mode === true) {
      log.log('KNL', 0, msg);
      throw new TncConnectError(TncConnectErrorCode.KERNEL, `${name} could not be installed in the kernel: ${msg}${/--no-kernel/.test(msg) ? '' : '; run with --no-kernel to use the userspace ESP data path'}`, { cause: e });
    }
    return userspace(`kernel refused ${name}: ${msg}`, 1);
  }
}
