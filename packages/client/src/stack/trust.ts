/**
 * Trust anchors for the gateway's certificate, in every form an operator or a program has them: a directory of CA
 * certificates (strongSwan's x509ca/), a certificate file (PEM with one or more certificates, or DER), PEM text, or
 * DER bytes — alone or as a list mixing them.
 */
import { readFileSync, statSync } from 'node:fs';
import { TrustStore, readPemOrDer } from '@tncjs/eap-ttls';
import { TncConnectError, TncConnectErrorCode } from './errors.js';

/** One trust source: a path (file or directory), PEM text (contains `-----BEGIN`), or DER / PEM bytes. */
export type TrustSource = string | Uint8Array;

const configError = (message: string, cause?: unknown) => new TncConnectError(TncConnectErrorCode.CONFIG, message, cause === undefined ? undefined : { cause });

function certificatesOf(source: TrustSource): { der: Uint8Array[]; what: string } {
  if (typeof source !== 'string') return { der: readPemOrDer(source), what: 'the given certificate bytes' };
  if (source.includes('-----BEGIN')) {
    const der = readPemOrDer(source);
    if (!der.length) throw configError('trust: no PEM certificate in the given text');
    return { der, what: 'the given PEM text' };
  }
  let isDir: boolean;
  try {
    isDir = statSync(source).isDirectory();
  } catch (e) {
    throw configError(`trust anchors: cannot read '${source}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, e);
  }
  try {
    if (isDir) return { der: TrustStore.fromDirectory(source).der, what: `directory '${source}'` };
    return { der: readPemOrDer(new Uint8Array(readFileSync(source))), what: `file '${source}'` };
  } catch (e) {
    throw configError(`trust anchors: cannot read '${source}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, e);
  }
}

/**
 * Build a TrustStore from trust sources. A directory may hold stray files (skipped, as strongSwan does); a file or text
 * that holds no certificate, and a store that ends up empty, are errors.
 * @throws TncConnectError ERR_TNC_CONFIG naming the path
 * @example loadTrust(['/etc/swanctl/x509ca', '/etc/ipsec.d/cacerts/extra.der'])
 */
export function loadTrust(trust: TrustSource | readonly TrustSource[]): TrustStore {
  const sources = Array.isArray(trust) ? trust : [trust as TrustSource];
  const store = new TrustStore();
  for (const s of sources) {
    const { der, what } = certificatesOf(s);
    let added = 0;
    for (const d of der) {
      try {
        store.add(d);
        added++;
      } catch (e) {
        if (!what.startsWith('directory')) throw configError(`trust anchors: ${what} is not an X.509 certificate: ${(e as Error).message}`, e);
      }
    }
    if (added === 0 && !what.startsWith('directory')) throw configError(`trust anchors: no certificate in ${what}`);
  }
  if (store.size === 0) throw configError(`trust anchors: no CA certificate found in ${sources.map((s) => (typeof s === 'string' && !s.includes('-----BEGIN') ? `'${s}'` : 'the given certificates')).join(', ')}`);
  return store;
}
