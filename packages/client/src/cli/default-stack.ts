/**
 * The StartSession the `tnc-client` executable uses: the ClientConfig (from a swanctl.conf-style file or the flags)
 * mapped onto `connectTnc()` — IKEv2 → EAP-TTLS → EAP-MD5 → PT-EAP → PB-TNC with the OS and Attestation IMCs — and
 * the TncSession adapted to the command's Session.
 */
import { toConnectOptions } from '../config/connect-options.js';
import { parseEspProposals, parseIkeProposals } from '../config/proposals.js';
import { connectTnc, type ConnectTncOptions } from '../stack/connect.js';
import type { Session, StartSession } from './session.js';

/**
 * The stack options of a ClientConfig (exported for tests; holds the password in clear: never log it).
 * @throws ConfigError ERR_CONFIG_PROPOSAL for a proposal naming an algorithm the stack lacks (the loaders check first)
 */
export function connectTncOptionsOf(...[cfg, log, ctx]: Parameters<StartSession>): ConnectTncOptions {
  const o = toConnectOptions(cfg);
  const esp = o.proposals.esp && parseEspProposals(o.proposals.esp);
  return {
    name: o.name,
    gateway: { address: o.remote.address, port: o.remote.port, nattPort: o.remote.nattPort, identity: o.remoteIdentity },
    identity: o.identity,
    eapIdentity: o.eapIdentity,
    password: o.eapPassword,
    eapMethod: o.eapMethod,
    gatewayAuth: o.gatewayAuth,
    trust: o.caCertificates,
    tpm: o.tpm,
    // no TPM configured: no Attestation IMC (the OS IMC still reports)
    attestation: o.tpm === undefined ? false : undefined,
    aikHandle: o.aik && 'handle' in o.aik ? o.aik.handle : undefined,
    aikKeyFile: o.aik && 'keyFile' in o.aik ? o.aik.keyFile : undefined,
    biosLog: o.biosLog,
    imaLog: o.imaLog,
    imcConfig: o.imcConfig,
    localAddress: o.localAddress,
    tsi: o.tsi,
    tsr: o.tsr,
    ike: o.proposals.ike && parseIkeProposals(o.proposals.ike),
    esp: esp?.esp,
    pfs: esp && esp.pfs.length ? esp.pfs : undefined,
    ttlsFragmentSize: o.ttlsFragmentSize,
    kernel: o.kernel,
    progress: ctx.progress,
    signal: ctx.signal,
    logger: log,
  };
}

export const defaultStartSession: StartSession = async (cfg, log, ctx) => {
  const s = await connectTnc(connectTncOptionsOf(cfg, log, ctx));
  const session: Session = {
    outcome: s.outcome,
    status: () => s.status(),
    close: async () => {
      await s.close();
    },
    closed: s.closed.then(() => undefined),
  };
  return session;
};
