/**
 * PCR replay of an IMA measurement list (ima_pcr_extend() in ima_queue.c): each entry extends its PCR (normally 10)
 * with its template digest, and a violation extends it with 0xFF…FF of the bank's size.
 *
 * Any bank can be replayed from any list. For the list's own bank the logged digests are used. For another bank the
 * template digest is recomputed from the template data with that bank's hash (`recompute`, what kernels 5.8+ extend);
 * `padded` instead extends the list's digest zero-padded or truncated to the bank's size (kernels before 5.8).
 */
import { toHex } from '@tncjs/common';
import { canHash, extend, fitDigest, hashAlgorithmByName, initialPcr, type HashAlgorithm } from '../eventlog/algorithms.js';
import type { PcrBanks } from '../eventlog/replay.js';
import { ImaLog, type ImaLogOptions } from './ima-log.js';
import type { ImaEntry } from './ima-entry.js';
import { computeTemplateDigest } from './template-hash.js';

export interface ImaReplayOptions {
  /** Banks to replay (`sha1`, `sha256`, `sm3_256`, …). Default: the list's own bank. */
  banks?: readonly string[];
  /** How other banks get their digests: `recompute` (default, kernel 5.8+) or `padded` (older kernels). */
  otherBanks?: 'recompute' | 'padded';
}

/**
 * Incremental replay: `add` each entry in list order, then read `values()`.
 * @example
 * const r = new ImaReplayer(hashAlgorithmByName('sha1')!, { banks: ['sha1', 'sha256'] });
 * for (const e of iterateImaLog(bytes)) r.add(e);
 * r.values(); // { sha1: { 10: '…' }, sha256: { 10: '…' } }
 */
export class ImaReplayer {
  private readonly banks: { alg: HashAlgorithm; pcrs: Map<number, Uint8Array>; ff: Uint8Array }[];
  private readonly padded: boolean;

  /**
   * @param listAlgorithm the template-digest algorithm of the list
   * @throws TypeError for an unknown bank, or one node:crypto cannot compute
   */
  constructor(
    readonly listAlgorithm: HashAlgorithm,
    options: ImaReplayOptions = {},
  ) {
    const names = options.banks ?? [listAlgorithm.name];
    this.banks = names.map((n) => {
      const alg = hashAlgorithmByName(n);
      if (!alg) throw new TypeError(`unknown PCR bank '${n}'`);
      if (!canHash(alg)) throw new TypeError(`PCR bank '${n}' cannot be computed by node:crypto`);
      return { alg, pcrs: new Map(), ff: new Uint8Array(alg.size).fill(0xff) };
    });
    this.padded = options.otherBanks === 'padded';
  }

  add(e: ImaEntry): void {
    for (const b of this.banks) {
      let value: Uint8Array;
      if (e.violation) value = b.ff;
      else if (b.alg.id === this.listAlgorithm.id) value = e.templateDigest;
      else value = this.padded ? fitDigest(e.templateDigest, b.alg.size) : computeTemplateDigest(e, b.alg);
      const cur = b.pcrs.get(e.pcrIndex) ?? initialPcr(b.alg);
      b.pcrs.set(e.pcrIndex, extend(b.alg, cur, value));
    }
  }

  /** PCR values per bank, for every PCR the list extends. */
  values(): PcrBanks {
    const out: PcrBanks = {};
    for (const b of this.banks) {
      const bank: Record<number, string> = {};
      for (const pcr of [...b.pcrs.keys()].sort((x, y) => x - y)) bank[pcr] = toHex(b.pcrs.get(pcr)!);
      out[b.alg.name] = bank;
    }
    return out;
  }
}

/**
 * Replay a list (bytes, an `ImaLog`, or entries in list order) to PCR values per bank.
 * @example replayImaLog(bytes, { banks: ['sha1', 'sha256'] }) // { sha1: { 10: '…' }, sha256: { 10: '…' } }
 * @throws ImaLogError when `source` is bytes that do not parse; TypeError for an unknown bank
 */
export function replayImaLog(
  source: Uint8Array | ImaLog | Iterable<ImaEntry>,
  options: ImaReplayOptions & ImaLogOptions & { listAlgorithm?: string } = {},
): PcrBanks {
  let listAlg: HashAlgorithm | undefined;
  let entries: Iterable<ImaEntry>;
  if (source instanceof Uint8Array) {
    const log = new ImaLog(source, options);
    listAlg = log.algorithm;
    entries = log;
  } else if (source instanceof ImaLog) {
    listAlg = source.algorithm;
    entries = source;
  } else {
    listAlg = hashAlgorithmByName(options.listAlgorithm ?? 'sha1');
    entries = source;
  }
  if (!listAlg) return Object.fromEntries((options.banks ?? []).map((b) => [b, {}]));
  const r = new ImaReplayer(listAlg, options);
  for (const e of entries) r.add(e);
  return r.values();
}

