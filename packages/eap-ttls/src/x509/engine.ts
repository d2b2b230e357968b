/** The pkijs crypto engine on node:crypto's WebCrypto, passed explicitly (no global `setEngine` side effect). */
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

export const cryptoEngine: pkijs.ICryptoEngine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] });
