/**
 * ClientConfig → the plain options object of the network stack (`connectTnc(options)`). The mapping is the only
 * place the password leaves its `Secret` wrapper: the result holds it as a string, so never log or print it.
 */
import type { AikConfig, ClientConfig, EapMethod, GatewayAuth, KernelMode, LogLevels } from './types.js';

/**
 * What the network stack needs to bring up one TNC connection: IKEv2 (EAP-only or certificate gateway) →
 * EAP-TTLS → EAP-MD5 → PT-EAP → PB-TNC → IMCs with TPM attestation.
 */
export interface ClientConnectOptions {
  /** The gateway (IPv4 address or DNS name; IKE on UDP 500, then 4500, unless ports are given). */
  remote: { address: string; port?: number; nattPort?: number };
  /** Our source address; undefined: chosen by the routing table. */
  localAddress?: string;
  /** The gateway's identity (IDr, and the name its certificate must carry); undefined: any. */
  remoteIdentity?: string;
  /** Our IKE identity (IDi). */
  identity: string;
  /** Our EAP identity (EAP-Response/Identity, and the EAP-MD5 name). */
  eapIdentity: string;
  /** The EAP-MD5 password, in clear: handle as a secret. */
  eapPassword: string;
  /** `ttls`: EAP-TTLS with EAP-MD5 inside; `md5`: EAP-MD5 directly (needs `gatewayAuth: 'pubkey'`). */
  eapMethod: EapMethod;
  /** `eap`: EAP-only gateway (RFC 5998, AUTH from the MSK); `pubkey`: RSA certificate AUTH from the gateway. */
  gatewayAuth: GatewayAuth;
  /** Trust anchors: CA certificate files or directories of them (PEM or DER). */
  caCertificates: string[];
  /** Proposals in strongSwan syntax; a list left undefined means the stack's defaults. */
  proposals: { ike?: string[]; esp?: string[] };
  /** Our traffic selectors (TSi); undefined: the stack's default (our address/32). `dynamic` entries are dropped. */
  tsi?: string[];
  /** The gateway's traffic selectors (TSr); undefined: the stack's default (0.0.0.0/0). */
  tsr?: string[];
  /** TPM specification for `@tncjs/tss` (`device:/dev/tpmrm0`, `swtpm:tcp://host:port`); undefined: no attestation TPM. */
  tpm?: string;
  /** The AIK: `{ handle }` (persistent) or `{ keyFile }`. */
  aik?: AikConfig;
  /** TCG event log path. */
  biosLog: string;
  /** IMA runtime log path. */
  imaLog: string;
  /** tnc_config file naming the IMCs; undefined: the built-in OS and Attestation IMCs. */
  imcConfig?: string;
  /** EAP-TTLS fragment size; undefined: the stack's default (8,000). */
  ttlsFragmentSize?: number;
  /** The connection name (`home` in the log's `home[1]` / `home{1}`). */
  name: string;
  /** The CHILD_SA's name. */
  childName: string;
  /** Install the CHILD_SA into the kernel (XFRM): true must, false never (userspace ESP), 'auto' when the kernel can. */
  kernel: KernelMode;
  /** Per-subsystem log levels (charon's scale). */
  logLevels: LogLevels;
}

/**
 * Map a ClientConfig to the stack's options. Pure; copies every list.
 * @example await connectTnc(toConnectOptions(config))
 */
export function toConnectOptions(cfg: ClientConfig): ClientConnectOptions {
  const ts = (list: string[]): string[] | undefined => {
    const concrete = list.filter((t) => t !== 'dynamic');
    return concrete.length ? concrete : undefined;
  };
  return {
    remote: { ...cfg.remote },
    localAddress: cfg.localAddress,
    remoteIdentity: cfg.remoteIdentity,
    identity: cfg.identity,
    eapIdentity: cfg.eapIdentity,
    eapPassword: cfg.eapPassword.reveal(),
    eapMethod: cfg.eapMethod,
    gatewayAuth: cfg.gatewayAuth,
    caCertificates: [...cfg.caCertificates],
    proposals: { ike: cfg.proposals && [...cfg.proposals], esp: cfg.child.espProposals && [...cfg.child.espProposals] },
    tsi: ts(cfg.child.localTs),
    tsr: ts(cfg.child.remoteTs),
    tpm: cfg.tnc.tpm,
    aik: cfg.tnc.aik && { ...cfg.tnc.aik },
    biosLog: cfg.tnc.biosLog,
    imaLog: cfg.tnc.imaLog,
    imcConfig: cfg.tnc.imcConfig,
    ttlsFragmentSize: cfg.tnc.ttlsFragmentSize,
    name: cfg.name,
    childName: cfg.child.name,
    kernel: cfg.kernel,
    logLevels: { ...cfg.log, levels: { ...cfg.log.levels } },
  };
}
