/**
 * boot_aggregate (ima_calc_boot_aggregate() in ima_crypto.c): the first IMA entry, a digest over the TPM's PCRs 0-7
 * at the time IMA initialised, linking the runtime list to the firmware event log.
 *
 * Kernel rules (5.8+): the bank is the one of IMA's hash algorithm (the d-ng prefix of the entry names it), else
 * SHA-256, else SHA-1; the digest is H(PCR0 || … || PCR7) in that bank's hash, and for any bank other than SHA-1 also
 * over PCRs 8 and 9 (kernel command line and image). The legacy `ima` template and kernels before 5.8 use SHA-1 over
 * PCRs 0-7. A PCR missing from the given values counts as never extended (all zero).
 */
import { equalBytes, fromHex, getLogger, isHex, TncjsError, toHex, type Logger } from '@tncjs/common';
import { canHash, digestParts, hashAlgorithmByName, type HashAlgorithm } from '../eventlog/algorithms.js';
import type { PcrBanks } from '../eventlog/replay.js';
import { describeImaEntry, type ImaEntry } from './ima-entry.js';

export interface BootAggregateResult {
  /** True when the recomputed value equals the logged one. */
  ok: boolean;
  /** Bank and hash used (`sha1`, `sha256`, …). */
  algorithm: string;
  /** The PCRs hashed. */
  pcrs: number[];
  /** The logged boot_aggregate digest (hex). */
  logged: string;
  /** The value computed from the PCRs (hex). */
  computed: string;
  /** PCRs absent from the given values (taken as zero). */
  missing: number[];
}

export interface BootAggregateOptions {
  /** Where the verdict is logged (`boot aggregate value is correct` / `… incorrect`, subsystem PTS, level 1). */
  logger?: Logger;
  /** Override the kernel rule: include PCRs 8 and 9 (default: exactly when the bank is not SHA-1). */
  includePcr8And9?: boolean;
}

/** The boot_aggregate cannot be checked: the entry is not a boot_aggregate, or the needed PCR bank is not given. */
export class BootAggregateError extends TncjsError {
  constructor(message: string) {
    super('ERR_BOOT_AGGREGATE', message);
  }
}

/**
 * Recompute the boot_aggregate of `entry` (the list's first entry) from PCR values and compare.
 * @param pcrs PCR values per bank (e.g. `replayEventLog(tcgLog)`, or values read from the TPM), hex
 * @throws BootAggregateError when `entry` is not named boot_aggregate, its digest algorithm is unknown, or `pcrs`
 *   has no values for that bank
 */
export function checkBootAggregate(entry: ImaEntry, pcrs: PcrBanks, options: BootAggregateOptions = {}): BootAggregateResult {
  const logger = options.logger ?? getLogger();
  const info = describeImaEntry(entry);
  if (info.fileName !== 'boot_aggregate') throw new BootAggregateError(`entry ${entry.index} is not boot_aggregate (${info.fileName ?? 'no file name'})`);
  if (!info.fileDigest) throw new BootAggregateError('boot_aggregate entry has no digest field');
  const alg: HashAlgorithm | undefined = hashAlgorithmByName(info.fileDigest.algorithm);
  if (!alg || !canHash(alg)) throw new BootAggregateError(`boot_aggregate algorithm '${info.fileDigest.algorithm}' is not a TPM bank tncjs can compute`);
  const bank = pcrs[alg.name] as Record<number | string, string> | undefined;
  if (!bank) throw new BootAggregateError(`no ${alg.name} PCR values given for the ${alg.name} boot_aggregate`);
  const with89 = options.includePcr8And9 ?? alg.name !== 'sha1';
  const indices = with89 ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] : [0, 1, 2, 3, 4, 5, 6, 7];
  const missing: number[] = [];
  const parts = indices.map((i) => {
    const v = bank[i];
    if (v === undefined) {
      missing.push(i);
      return new Uint8Array(alg.size);
    }
    if (!isHex(v)) throw new BootAggregateError(`PCR ${i} of bank ${alg.name} is not hex`);
    const b = fromHex(v);
    if (b.length !== alg.size) throw new BootAggregateError(`PCR ${i} of bank ${alg.name} has ${b.length} bytes, not ${alg.size}`);
    return b;
  });
  const computed = digestParts(alg, parts);
  const logged = info.fileDigest.digest;
  const ok = equalBytes(computed, logged);
  logger.log('PTS', 1, `boot aggregate value is ${ok ? '' : 'in'}correct`);
  return { ok, algorithm: alg.name, pcrs: indices, logged: toHex(logged), computed: toHex(computed), missing };
}
