/**
 * The `ClientConfig`: everything `tnc-client` needs to bring up one TNC connection, whichever way the operator wrote it
 * (a swanctl.conf-style file with `tnc-client up <conn>`, or flags with `tnc-client connect --host …`). Both forms
 * produce the same object; the network stack receives it (through `toConnectOptions`) and nothing else.
 */
import type { Level, Subsystem } from '@tncjs/common';
import type { Secret } from './secret.js';

/** Which EAP method carries the identity: EAP-TTLS with EAP-MD5 inside (strongSwan `eap-ttls`), or plain EAP-MD5. */
export type EapMethod = 'ttls' | 'md5';

/**
 * How the gateway authenticates itself: `eap` = EAP-only (RFC 5998, AUTH from the EAP-TTLS MSK, strongSwan
 * `remote.auth = eap-ttls`), `pubkey` = an RSA certificate signature AUTH (strongSwan `remote.auth = pubkey`).
 */
export type GatewayAuth = 'eap' | 'pubkey';

/** The AIK the Attestation IMC quotes with: a persistent TPM handle, or a key file (a TPM2B_PUBLIC/PRIVATE blob). */
export type AikConfig = { handle: number } | { keyFile: string };

/** Per-subsystem log levels in charon's scale (-1 silent … 4 sensitive data). */
export interface LogLevels {
  /** Level of every subsystem not in `levels` (undefined: the logger's default, 1). */
  defaultLevel?: Level;
  /** E.g. `{ IKE: 2, TNC: 3 }`. */
  levels: Partial<Record<Subsystem, Level>>;
}

/** The CHILD_SA requested in IKE_AUTH (tnc-client creates exactly one). */
export interface ChildConfig {
  /** `children.<name>` in the file, the connection name in the flags form. */
  name: string;
  /** Our traffic selectors (TSi): `a.b.c.d/n`, `a.b.c.d`, `a.b.c.d-e.f.g.h` or `dynamic` (our address). */
  localTs: string[];
  /** The gateway's traffic selectors (TSr), same forms; `dynamic` = the gateway's address. */
  remoteTs: string[];
  /** ESP proposals in strongSwan syntax (`aes128gcm16-x25519`); undefined: the stack's defaults. */
  espProposals?: string[];
}

/** The TNC / attestation side of the connection (our `tnc { }` section; flags `--tpm`, `--aik-*`, `--*-log`). */
export interface TncConfig {
  /** TPM specification as `@tncjs/tss` takes it: `device:/dev/tpmrm0`, `swtpm:tcp://127.0.0.1:2321`, …; undefined: no TPM (no attestation evidence). */
  tpm?: string;
  /** The AIK; undefined: the stack's default. */
  aik?: AikConfig;
  /** TCG BIOS/UEFI event log (default `/sys/kernel/security/tpm0/binary_bios_measurements`). */
  biosLog: string;
  /** Linux IMA runtime measurement log (default `/sys/kernel/security/ima/binary_runtime_measurements`). */
  imaLog: string;
  /** strongSwan tnc_config file naming the IMCs to load (`IMC "OS" …`); undefined: the built-in OS and Attestation IMCs. */
  imcConfig?: string;
  /**
   * EAP-TTLS fragment size of our packets (`ttls_fragment_size`, `--ttls-fragment-size`); undefined: the stack's
   * default (8,000 bytes; strongSwan's charon uses 1,024, which takes eight times the IKE_AUTH round trips).
   */
  ttlsFragmentSize?: number;
}

/**
 * Whether the CHILD_SA goes into the kernel (XFRM): `true` forces it (the connection fails when the kernel refuses,
 * as strongSwan's CHILD_SA does), `false` keeps ESP in userspace, `'auto'` installs it when the kernel has ESP
 * support and otherwise says once that the userspace ESP data path is used.
 */
export type KernelMode = boolean | 'auto';

/** One connection, ready for the network stack. Paths are absolute or relative to the working directory. */
export interface ClientConfig {
  /** Connection name (`connections.<name>`; `--name` or `connect` in the flags form). Names the control socket. */
  name: string;
  /** Where it came from, for messages: `file` (with `configFile`) or `flags`. */
  source: 'file' | 'flags';
  /** The configuration file, when `source` is `file`. */
  configFile?: string;
  /**
   * The gateway: the first of `remote_addrs` (IPv4 address or DNS name; `--host`), its IKE port (`remote_port`,
   * `--remote-port`; default 500) and NAT-T port (tncjs' `remote_natt_port`, `--remote-natt-port`; default 4500 — for
   * gateways such as tnc-gateway listening on other ports). Ports are only set when configured.
   */
  remote: { address: string; port?: number; nattPort?: number };
  /** Our address (`local_addrs`, `--local-address`); undefined: chosen by the routing table. */
  localAddress?: string;
  /** The identity the gateway must prove (`remote.id`, `--remote-identity`); undefined: any (`%any`). */
  remoteIdentity?: string;
  /** Our IKE identity, IDi (`local.id`, `--identity`). */
  identity: string;
  /** Our EAP identity (`local.eap_id`, `--eap-identity`; default `identity`). */
  eapIdentity: string;
  /** The EAP password (secrets `eap-*` entry, `--eap-password-file`, or `TNC_EAP_PASSWORD`). Never printed. */
  eapPassword: Secret;
  /** `local.auth`: `eap-ttls` → `ttls` (inner EAP-MD5), `eap-md5` → `md5`. */
  eapMethod: EapMethod;
  /** `remote.auth`: `eap-ttls`/`eap` → `eap` (EAP-only), `pubkey` → `pubkey`. */
  gatewayAuth: GatewayAuth;
  /** Trust anchors for the gateway's certificate (TLS inside EAP-TTLS, or IKE AUTH): files, or directories of PEM/DER certificates. */
  caCertificates: string[];
  /** IKE proposals in strongSwan syntax (`aes128-sha256-x25519`); undefined: the stack's defaults. */
  proposals?: string[];
  /** The CHILD_SA. */
  child: ChildConfig;
  /** Attestation settings. */
  tnc: TncConfig;
  /**
   * Install the CHILD_SA into the kernel (XFRM): `'auto'` (default: when the kernel can), `true` (`--kernel`,
   * `kernel = yes`: must), `false` (`--no-kernel`, `kernel = no`: userspace ESP only).
   */
  kernel: KernelMode;
  /** Log levels (`--debug N`, `--log ike=2,tnc=3`, or `log = …` in the `tnc` section). */
  log: LogLevels;
}

/** Defaults shared by both forms. */
export const DEFAULT_BIOS_LOG = '/sys/kernel/security/tpm0/binary_bios_measurements';
export const DEFAULT_IMA_LOG = '/sys/kernel/security/ima/binary_runtime_measurements';
