/**
 * An AIK kept as a key file instead of a persistent handle (`aik_key = /etc/pts/aik.blob`, `--aik-key`): the
 * TPM2B_PUBLIC followed by the TPM2B_PRIVATE that TPM2_Create returned for it — tpm2-tools writes them as two files,
 * `cat aik.pub aik.priv > aik.blob` makes this one. The key is loaded under the storage root key (re-created from the
 * `tpm2-tools` SRK template of the key's algorithm, which gives the same key on the same TPM) and flushed again when
 * the connection ends.
 */
import { readFileSync } from 'node:fs';
import { Reader } from '@tncjs/common';
import { TPM_ALG, TPM_RH, readAik, readPublic2b, readTpm2b, srkTemplate, type Aik, type Tpm } from '@tncjs/tss';
import { TncConnectError, TncConnectErrorCode } from './errors.js';

/** The two halves of a key file. */
export function parseAikKeyFile(bytes: Uint8Array, path = 'AIK key file'): { public: ReturnType<typeof readPublic2b>['public']; private: Uint8Array } {
  try {
    const r = new Reader(bytes);
    const pub = readPublic2b(r).public;
    const priv = readTpm2b(r, 'TPM2B_PRIVATE');
    if (r.remaining !== 0) throw new Error(`${r.remaining} bytes after the TPM2B_PRIVATE`);
    return { public: pub, private: priv };
  } catch (e) {
    throw new TncConnectError(TncConnectErrorCode.CONFIG, `${path}: not a TPM2B_PUBLIC followed by a TPM2B_PRIVATE (cat aik.pub aik.priv > aik.blob): ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Load the AIK of `path` into `tpm`. Returns the AIK (at a transient handle) and `release()`, which flushes it.
 * @throws TncConnectError ERR_TNC_CONFIG (unreadable or malformed file), the TPM's error otherwise
 */
export async function loadAikKeyFile(tpm: Tpm, path: string): Promise<{ aik: Aik; release(): Promise<void> }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new TncConnectError(TncConnectErrorCode.CONFIG, `AIK key file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const key = parseAikKeyFile(bytes, `AIK key file '${path}'`);
  const alg = key.public.type === TPM_ALG.ECC ? 'ecc' : 'rsa';
  const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg));
  try {
    const loaded = await tpm.load(srk.handle, key.private, key.public);
    const aik = await readAik(tpm, loaded.handle);
    return { aik, release: () => tpm.flushContext(loaded.handle).catch(() => {}) };
  } finally {
    await tpm.flushContext(srk.handle).catch(() => {});
  }
}
