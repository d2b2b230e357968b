/**
 * The StartSession the `tnc-client` executable uses. Until the network stack (`connectTnc`, packages/client/src/stack)
 * is wired in, it refuses with a clear error (exit status 1). Wiring it is this one function, e.g. (field names of
 * connect.ts as of this writing):
 *
 * ```ts
 * import { connectTnc } from '../stack/connect.js';
 * import { toConnectOptions } from '../config/connect-options.js';
 * export const defaultStartSession: StartSession = async (cfg, log) => {
 *   const o = toConnectOptions(cfg);
 *   const s = await connectTnc({
 *     gateway: { address: o.remote.address, identity: o.remoteIdentity ?? o.remote.address },
 *     identity: o.eapIdentity, password: o.eapPassword, trust: o.caCertificates, tpm: o.tpm,
 *     aikHandle: o.aik && 'handle' in o.aik ? o.aik.handle : undefined, biosLog: o.biosLog, imaLog: o.imaLog,
 *     localAddress: o.localAddress, tsi: o.tsi, tsr: o.tsr, logger: log,
 *   });
 *   return { outcome: s.outcome, status: () => s.status(), close: async () => void (await s.close()) };
 * };
 * ```
 */
import { TncjsError } from '@tncjs/common';
import type { StartSession } from './session.js';

export const defaultStartSession: StartSession = async () => {
  throw new TncjsError('ERR_NO_STACK', 'this build of tnc-client has no network stack wired in yet (src/cli/default-stack.ts)');
};
