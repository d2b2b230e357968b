/**
 * Filling the attestation database with reference file hashes, as strongSwan's `attest --add --file …` /
 * `--measurements` do: from an IMA binary measurement list of a known-good machine (its file digests, not its template
 * hashes, so the references hold for any PCR bank) or by hashing a directory tree (a golden image mounted read-only).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describeImaEntry, iterateImaLog, type ImaLogOptions } from '@tncjs/pts';
import type { AttestationStore, FileHash } from './attestation-store.js';

export interface ImaImportResult {
  /** Entries in the list. */
  entries: number;
  /** File hashes that were new in the store. */
  added: number;
  /** Entries without a file digest and name (ima-buf), boot_aggregate, and violations (all-zero digest). */
  skipped: number;
}

/**
 * The reference file hashes of an IMA measurement list: every entry's file digest (d, d-ng, d-ngv2) and name
 * (n, n-ng), except boot_aggregate (it changes with the firmware, not with a file) and violations.
 * @throws ImaLogError for a malformed list
 */
export function* imaLogFileHashes(log: Uint8Array, options: ImaLogOptions = {}): Generator<FileHash | undefined> {
  for (const e of iterateImaLog(log, options)) {
    const info = describeImaEntry(e);
    const d = info.fileDigest;
    if (!d || info.fileName === undefined || info.fileName === 'boot_aggregate' || d.digest.every((b) => b === 0) || e.templateDigest.every((b) => b === 0)) {
      yield undefined;
      continue;
    }
    yield { path: info.fileName, algorithm: d.algorithm, digest: new Uint8Array(d.digest) };
  }
}

/**
 * Import the file hashes of an IMA measurement list (bytes or a file path) into the store, in one transaction.
 * @throws ImaLogError for a malformed list (nothing is imported), AttestationStoreError
 */
export async function importImaLog(store: AttestationStore, log: Uint8Array | string, options: { product?: string; imaLog?: ImaLogOptions } = {}): Promise<ImaImportResult> {
  const bytes = typeof log === 'string' ? new Uint8Array(await readFile(log)) : log;
  const hashes: FileHash[] = [];
  let entries = 0;
  for (const h of imaLogFileHashes(bytes, options.imaLog)) {
    entries++;
    if (h) hashes.push(h);
  }
  const added = store.addFileHashes(hashes, { product: options.product });
  return { entries, added, skipped: entries - hashes.length };
}

export interface DirectoryImportOptions {
  /** Hash algorithms (IMA names), default ['sha256'] (the kernel's default ima_hash). */
  algorithms?: string[];
  /**
   * The path the client sees for `dir` (default '/'): importing a golden image mounted at /mnt/golden with the
   * default stores /mnt/golden/usr/bin/ls as /usr/bin/ls.
   */
  root?: string;
  product?: string;
  /** Stop after this many files (default 1,000,000): a guard against walking a whole host by mistake. */
  maxFiles?: number;
}

export interface DirectoryImportResult {
  files: number;
  added: number;
  /** Symlinks, devices, sockets and unreadable entries. */
  skipped: number;
}

/**
 * Hash every regular file under `dir` (symlinks are not followed) and store the hashes under their client path.
 * @throws RangeError when the tree has more than `maxFiles` files, AttestationStoreError
 */
export async function importDirectory(store: AttestationStore, dir: string, options: DirectoryImportOptions = {}): Promise<DirectoryImportResult> {
  const algorithms = options.algorithms ?? ['sha256'];
  const root = options.root ?? '/';
  const max = options.maxFiles ?? 1_000_000;
  const hashes: FileHash[] = [];
  let files = 0;
  let skipped = 0;
  const walk = async (d: string): Promise<void> => {
    const names = (await readdir(d)).sort();
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = await lstat(p);
      } catch {
        skipped++;
        continue;
      }
      if (st.isDirectory()) await walk(p);
      else if (st.isFile()) {
        if (++files > max) throw new RangeError(`importDirectory: more than ${max} files under '${dir}'`);
        let digests: Uint8Array[];
        try {
          digests = await hashFile(p, algorithms);
        } catch {
          files--;
          skipped++;
          continue;
        }
        const client = clientPath(root, relative(dir, p));
        algorithms.forEach((algorithm, i) => hashes.push({ path: client, algorithm, digest: digests[i] }));
      } else skipped++;
    }
  };
  await walk(dir);
  const added = store.addFileHashes(hashes, { product: options.product });
  return { files, added, skipped };
}

function clientPath(root: string, rel: string): string {
  const r = rel.split(sep).join('/');
  return root.endsWith('/') ? `${root}${r}` : `${root}/${r}`;
}

/** Hash a file in every algorithm in one streaming pass. */
export async function hashFile(path: string, algorithms: string[]): Promise<Uint8Array[]> {
  const hs = algorithms.map((a) => createHash(a));
  for await (const chunk of createReadStream(path)) for (const h of hs) h.update(chunk as Buffer);
  return hs.map((h) => new Uint8Array(h.digest()));
}
