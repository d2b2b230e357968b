/** Man-page-style help of `tnc-client` and each of its commands. */
import { DEFAULT_BIOS_LOG, DEFAULT_IMA_LOG } from '../config/types.js';
import { DEFAULT_RUNDIR, RUNDIR_ENV } from './control.js';

export const DEFAULT_CONFIG = '/etc/tnc-client/swanctl.conf';

export const TNC_CLIENT_USAGE = 'usage: tnc-client {up <conn>|connect --host …|down <conn>|status [<conn>]} [options]  (tnc-client --help for more)';

const EXIT = `EXIT STATUS
    0   access allowed (and, for up/connect, the session ended cleanly).
    1   error: the connection failed, was interrupted while connecting, or the
        control socket could not be reached.
    2   usage or configuration error (the message names the file and line).
    3   access isolated (remediation network only).
    4   access denied.`;

const SESSION_OPTS = `    --json            structured output: one JSON object per line on standard
                      output (events), log lines as JSON on standard error; no
                      progress indicator.
    --once            close the connection right after the assessment (exit
                      status tells the result) instead of holding it.
    --kernel          install the CHILD_SA into the kernel (XFRM) or fail
                      (status 1) when the kernel refuses it, as strongSwan
                      fails the CHILD_SA.
    --no-kernel       never install it: userspace ESP data path. Without
                      either: install when the kernel has ESP support, else
                      say so once in the log and use the userspace path.
                      CHILD_SA SPIs are always logged; the keys of a
                      userspace CHILD_SA only at level 4 (--log chd=4).
    --ttls-fragment-size N
                      EAP-TTLS fragment size, 64..65535 (default 8000;
                      strongSwan's 1024 takes ~8 times the IKE round trips).
    --debug N         log level N (-1..4) for every subsystem.
    --log SPEC        per-subsystem levels, e.g. --log ike=2,tnc=3,pts=2
                      (charon's subsystems: dmn mgr ike chd job cfg knl net
                      asn enc tnc imc imv pts tls app esp lib). Level 4 logs
                      secrets: passwords, keys, and unredacted status.
    -h, --help        this help.`;

const SIGNALS = `SIGNALS
    SIGINT, SIGTERM   close the session (IKE INFORMATIONAL DELETE) and exit with
                      the assessment's status; a second signal while closing
                      exits at once (status 1). During connection setup: abort,
                      status 1.`;

const FILES = `FILES
    ${DEFAULT_CONFIG}
        default configuration (swanctl.conf syntax; see tnc-client up --help).
    ${DEFAULT_RUNDIR}/<conn>.sock
        control socket (JSON lines, mode 0600, directory 0700);
        ${RUNDIR_ENV} overrides the directory.`;

export const HELP_MAIN = `TNC-CLIENT(8)                 tncjs manual                 TNC-CLIENT(8)

NAME
    tnc-client - Trusted Network Connect client: IKEv2, EAP-TTLS, PB-TNC and
    TPM-based attestation, as strongSwan's charon with the Attestation IMC

SYNOPSIS
    tnc-client up <conn> [--config FILE] [--secrets FILE] [options]
    tnc-client connect --host ADDR --identity ID --cacert FILE [options]
    tnc-client down <conn> [--json]
    tnc-client status [<conn>] [--json]
    tnc-client help [command]

DESCRIPTION
    up        bring up connection <conn> of a swanctl.conf-style file and hold
              it in the foreground until SIGINT/SIGTERM or 'tnc-client down'.
    connect   the same from flags only (like strongSwan's charon-cmd).
    down      ask the running up/connect of <conn> to close and wait until it
              has.
    status    show the running connections (or one) from their control socket.

    'tnc-client <command> --help' describes each command.

${EXIT}

${FILES}

SECURITY
    Passwords are never accepted on the command line (ps shows every process's
    arguments to every user); they come from the secrets file,
    --eap-password-file, or TNC_EAP_PASSWORD. They are not printed, not even
    by status --json, unless log level 4 is set.
`;

export const HELP_UP = `TNC-CLIENT-UP(8)              tncjs manual              TNC-CLIENT-UP(8)

NAME
    tnc-client up - bring up a configured TNC connection in the foreground

SYNOPSIS
    tnc-client up <conn> [--config FILE] [--secrets FILE] [--json] [--once]
                  [--kernel|--no-kernel] [--ttls-fragment-size N]
                  [--debug N] [--log SPEC]

DESCRIPTION
    Reads connection <conn> from a swanctl.conf-style file, connects (IKEv2,
    EAP-TTLS with EAP-MD5, PB-TNC; the IMCs send OS facts and TPM attestation
    evidence), prints the assessment and keeps the connection until SIGINT,
    SIGTERM or 'tnc-client down <conn>'. Denied connections are closed at once.

OPTIONS
    --config FILE     configuration (default $TNC_CLIENT_CONF or
                      ${DEFAULT_CONFIG}).
    --secrets FILE    secrets file with a 'secrets { eap-… { id secret } }'
                      section (default $TNC_CLIENT_SECRETS; the configuration
                      file's own secrets section is searched too).
${SESSION_OPTS}

CONFIGURATION
    strongSwan's swanctl.conf syntax: 'name { … }' sections, 'key = value'
    lines, '#' comments, "quoted" values, 'include FILE' (wildcards in the file
    name). Read settings:

    connections.<conn>.remote_addrs    gateway (first entry; IPv4 or DNS name)
    connections.<conn>.local_addrs     our address (optional)
    connections.<conn>.remote_port     gateway IKE port (default 500)
    connections.<conn>.remote_natt_port  gateway NAT-T port (default 4500;
                                       tncjs extension)
    connections.<conn>.proposals       IKE proposals (optional), strongSwan
                                       syntax: aes128/192/256, aes*gcm16,
                                       sha1/256/384/512, prfsha*, modp2048,
                                       modp3072, ecp256, ecp384, x25519,
                                       default; others are refused
    connections.<conn>.local.auth      eap-ttls (inner EAP-MD5) or eap-md5
    connections.<conn>.local.id        our IKE identity
    connections.<conn>.local.eap_id    our EAP identity (default local.id)
    connections.<conn>.remote.auth     eap-ttls (EAP-only gateway, default) or
                                       pubkey (certificate gateway)
    connections.<conn>.remote.id       gateway identity (default %any)
    connections.<conn>.remote.cacerts  CA files, relative to the x509ca dir
    connections.<conn>.children.<child>.local_ts / remote_ts / esp_proposals
    tnc.tpm           device:/dev/tpmrm0 or swtpm:tcp://host:port
    tnc.aik_handle    persistent AIK handle (0x81010003), or
    tnc.aik_key       AIK key file: TPM2B_PUBLIC then TPM2B_PRIVATE
                      (cat aik.pub aik.priv), loaded under the SRK
    tnc.bios_log      default
                      ${DEFAULT_BIOS_LOG}
    tnc.ima_log       default
                      ${DEFAULT_IMA_LOG}
    tnc.imc_config    tnc_config file naming the IMCs
    tnc.x509ca        CA directory (default x509ca next to the config file)
    tnc.kernel        yes, no or auto (default auto, see --kernel)
    tnc.ttls_fragment_size   EAP-TTLS fragment size (default 8000; also
                      allowed directly in connections.<conn>)
    tnc.log           levels, e.g. 'ike 1, tnc 2'
    connections.<conn>.tnc { … } overrides the top-level tnc section.
    secrets.eap-<name>.id / .secret    EAP password for that identity

    Unknown settings are reported as warnings with their line; settings
    tnc-client cannot honour (IKEv1, PSK, several children) are errors.

${EXIT}

${SIGNALS}

EXAMPLES
    # tnc-client up home --config /etc/tnc-client/swanctl.conf
    # tnc-client up home --json --log tnc=2,pts=2
`;

export const HELP_CONNECT = `TNC-CLIENT-CONNECT(8)        tncjs manual        TNC-CLIENT-CONNECT(8)

NAME
    tnc-client connect - bring up a TNC connection described by flags only

SYNOPSIS
    tnc-client connect --host ADDR --identity ID --cacert FILE
                       [--eap-password-file FILE] [options]

DESCRIPTION
    Like strongSwan's charon-cmd: everything on the command line, the same
    behaviour as 'up'. The password comes from --eap-password-file or the
    TNC_EAP_PASSWORD environment variable; --eap-password and the like are
    refused, because every user can read a process's arguments with ps.

OPTIONS
    --host ADDR             gateway (IPv4 address or DNS name). Required.
    --identity ID           our IKE identity. Required.
    --eap-identity ID       our EAP identity (default --identity).
    --remote-identity ID    the gateway's identity (default: any).
    --remote-port P         gateway IKE port (default 500).
    --remote-natt-port P    gateway NAT-T port (default 4500).
    --eap-password-file F   file holding the EAP password (one line).
    --cacert FILE|DIR       CA certificate(s) for the gateway; repeatable.
                            Required.
    --auth METHOD           eap-ttls (default; EAP-MD5 inside) or eap-md5.
    --remote-auth METHOD    eap-ttls (EAP-only gateway, default) or pubkey.
    --local-address ADDR    our IPv4 address.
    --remote-ts TS          gateway-side traffic selectors (a.b.c.d/n, comma
                            list or repeated); default dynamic.
    --local-ts TS           our traffic selectors; default dynamic.
    --ike-proposal P        IKE proposal (repeatable): aes128-sha256-x25519.
    --esp-proposal P        ESP proposal (repeatable), e.g. aes128gcm16.
    --tpm SPEC              device:/dev/tpmrm0 or swtpm:tcp://host:port.
    --aik-handle H          persistent AIK handle, e.g. 0x81010003.
    --aik-key FILE          AIK key file, TPM2B_PUBLIC then TPM2B_PRIVATE
                            (instead of --aik-handle).
    --bios-log FILE         default
                            ${DEFAULT_BIOS_LOG}
    --ima-log FILE          default
                            ${DEFAULT_IMA_LOG}
    --imc-config FILE       tnc_config naming the IMCs.
    --name NAME             connection name for down/status (default connect).
${SESSION_OPTS}

ENVIRONMENT
    TNC_EAP_PASSWORD        the EAP password, when --eap-password-file is not
                            given.

${EXIT}

${SIGNALS}

EXAMPLES
    $ TNC_EAP_PASSWORD=… tnc-client connect --host 192.168.0.1 \\
          --identity carol@strongswan.org \\
          --remote-identity moon.strongswan.org \\
          --cacert /etc/swanctl/x509ca/strongswanCert.pem \\
          --tpm swtpm:tcp://127.0.0.1:2321 --aik-handle 0x81010003 \\
          --remote-ts 10.1.0.0/16
`;

export const HELP_DOWN = `TNC-CLIENT-DOWN(8)            tncjs manual            TNC-CLIENT-DOWN(8)

NAME
    tnc-client down - close a running connection

SYNOPSIS
    tnc-client down <conn> [--json] [--timeout SECONDS]

DESCRIPTION
    Asks the tnc-client holding <conn> (over its control socket) to send
    DELETE and exit, and waits until it has (default at most 15 seconds).

EXIT STATUS
    0   the connection was closed.
    1   it is not up, the socket cannot be reached, or it did not close in time.
    2   usage error.

${FILES}
`;

export const HELP_STATUS = `TNC-CLIENT-STATUS(8)        tncjs manual        TNC-CLIENT-STATUS(8)

NAME
    tnc-client status - show running connections

SYNOPSIS
    tnc-client status [<conn>] [--json]

DESCRIPTION
    Asks each running tnc-client (or the one holding <conn>) over its control
    socket for its state: connection, pid, state, outcome, since, gateway,
    identities and the session's own details. Secrets are shown as
    "<redacted>" unless that connection runs with log level 4.

EXIT STATUS
    0   status shown (also when no connection is up, without <conn>).
    1   <conn> is not up, or its socket cannot be reached.
    2   usage error.

${FILES}
`;

export const HELPS: Record<string, string> = { up: HELP_UP, connect: HELP_CONNECT, down: HELP_DOWN, status: HELP_STATUS };
