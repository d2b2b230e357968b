/**
 * PCR replay of a TCG event log, per bank: what the PCRs must hold if the log is complete and true.
 *
 * Rules (PFP §3.3.4.4, §10.4.5.3, and what real firmware logs need):
 * - every bank starts at zero, except PCR 0, which starts at the locality of TPM2_Startup: the EV_NO_ACTION event
 *   `StartupLocality\0` + locality (3 → PCR 0 = 00…03), or 4 when the log has an EV_EFI_HCRTM_EVENT (H-CRTM: PCR 0 is
 *   reset to 4 by _TPM_Hash_Start, then extended with the H-CRTM digest the event records);
 * - EV_NO_ACTION events are never extended;
 * - events with PCR index 0xFFFFFFFF (Windows SIPA events) are skipped;
 * - each digest is extended into the bank of its algorithm; a SHA-1-format log has only the sha1 bank;
 * - a bank whose algorithm node:crypto cannot compute, or whose Spec ID digest size differs from the algorithm's
 *   output, cannot be replayed: it is left out with a warning.
 */
import { getLogger, toHex, type Logger } from '@tncjs/common';
import { canHash, extend, hashAlgorithmById, initialPcr, type HashAlgorithm } from './algorithms.js';
import { iterateEventLog, type EventLogOptions } from './event-log.js';
import { EventType } from './event-types.js';
import { PCR_INDEX_NOT_EXTENDED, type TcgEvent } from './tcg-pcr-event.js';
import type { LogWarning } from './errors.js';

/** Replayed PCR values: bank name → PCR index → lower-case hex. */
export type PcrBanks = Record<string, Record<number, string>>;

const STARTUP_LOCALITY_SIG = 'StartupLocality\0';

/** The locality of an EV_NO_ACTION StartupLocality event's data, or undefined for any other data. */
export function startupLocality(data: Uint8Array): number | undefined {
  if (data.length !== 17) return undefined;
  for (let i = 0; i < 16; i++) if (data[i] !== STARTUP_LOCALITY_SIG.charCodeAt(i)) return undefined;
  return data[16];
}

export interface ReplayOptions {
  /** Where warnings are logged (subsystem PTS); default: the process-wide logger. */
  logger?: Logger;
}

/**
 * Incremental replay: `add` each event in log order, then read `values()`.
 * @example
 * const r = new EventLogReplayer();
 * for (const ev of iterateEventLog(bytes)) r.add(ev);
 * r.values(); // { sha256: { 0: '…', 7: '…' } }
 */
export class EventLogReplayer {
  /** Warnings (banks that cannot be replayed, late StartupLocality events). */
  readonly warnings: LogWarning[] = [];
  /** The startup locality found in the log (0 when there is none). */
  startupLocality = 0;
  /** True when the log has an EV_EFI_HCRTM_EVENT. */
  hcrtm = false;

  private readonly banks = new Map<number, Map<number, Uint8Array>>();
  private readonly unusable = new Set<number>();
  private readonly logger: Logger;

  constructor(options: ReplayOptions = {}) {
    this.logger = options.logger ?? getLogger();
  }

  private warn(ev: TcgEvent, message: string): void {
    this.warnings.push({ offset: ev.offset, entry: ev.index, message });
    this.logger.log('PTS', 1, `event log replay: ${message}`);
  }

  private algorithm(ev: TcgEvent, algId: number, size: number): HashAlgorithm | undefined {
    if (this.unusable.has(algId)) return undefined;
    const alg = hashAlgorithmById(algId);
    let problem: string | undefined;
    if (!alg) problem = `bank 0x${algId.toString(16).padStart(4, '0')} is not a known hash algorithm`;
    else if (!canHash(alg)) problem = `bank ${alg.name} cannot be computed by node:crypto`;
    else if (alg.size !== size) problem = `bank ${alg.name} has digest size ${size} in the log, not ${alg.size}`;
    if (problem) {
      this.unusable.add(algId);
      this.banks.delete(algId);
      this.warn(ev, `${problem}: not replayed`);
      return undefined;
    }
    return alg;
  }

  private pcr(alg: HashAlgorithm, index: number): Uint8Array {
    let bank = this.banks.get(alg.id);
    if (!bank) {
      bank = new Map();
      this.banks.set(alg.id, bank);
    }
    let v = bank.get(index);
    if (!v) {
      v = initialPcr(alg, index === 0 ? this.pcr0Start() : 0);
      bank.set(index, v);
    }
    return v;
  }

  private pcr0Start(): number {
    return this.hcrtm ? 4 : this.startupLocality;
  }

  private pcr0Touched(): boolean {
    for (const bank of this.banks.values()) if (bank.has(0)) return true;
    return false;
  }

  /** Account for one event (in log order). */
  add(ev: TcgEvent): void {
    if (ev.pcrIndex === PCR_INDEX_NOT_EXTENDED) return;
    if (ev.eventType === EventType.EV_NO_ACTION) {
      const loc = startupLocality(ev.data);
      if (loc !== undefined && ev.pcrIndex === 0) {
        if (this.pcr0Touched()) this.warn(ev, `StartupLocality event after PCR 0 was extended: ignored`);
        else this.startupLocality = loc;
      }
      return;
    }
    if (ev.eventType === EventType.EV_EFI_HCRTM_EVENT && ev.pcrIndex === 0 && !this.hcrtm) {
      if (this.pcr0Touched()) this.warn(ev, `H-CRTM event after PCR 0 was extended: PCR 0 start value not changed`);
      else this.hcrtm = true;
    }
    for (const d of ev.digests) {
      // The digest's length is the Spec ID event's size for its algorithm (the parser framed it with that size).
      const alg = this.algorithm(ev, d.algorithmId, d.digest.byteLength);
      if (!alg) continue;
      const cur = this.pcr(alg, ev.pcrIndex);
      this.banks.get(alg.id)!.set(ev.pcrIndex, extend(alg, cur, d.digest));
    }
  }

  /** The replayed values of every PCR that received an event, per bank (banks in TPM_ALG_ID order). */
  values(): PcrBanks {
    const out: PcrBanks = {};
    for (const id of [...this.banks.keys()].sort((a, b) => a - b)) {
      const alg = hashAlgorithmById(id)!;
      const bank: Record<number, string> = {};
      const m = this.banks.get(id)!;
      for (const pcr of [...m.keys()].sort((a, b) => a - b)) bank[pcr] = toHex(m.get(pcr)!);
      out[alg.name] = bank;
    }
    // A log whose only PCR 0 event is StartupLocality (no extend) still determines PCR 0.
    if (Object.keys(out).length === 0 && this.startupLocality) {
      const alg = hashAlgorithmById(0x0004)!;
      out[alg.name] = { 0: toHex(initialPcr(alg, this.startupLocality)) };
    }
    return out;
  }
}

/**
 * Replay a log (bytes, a parsed `TcgEventLog`, or any iterable of events in log order) to PCR values per bank.
 * @example replayEventLog(bytes) // { sha1: { 0: '…', … }, sha256: { 0: '…', … } }
 * @throws EventLogError when `source` is bytes that do not parse
 */
export function replayEventLog(source: Uint8Array | Iterable<TcgEvent>, options: EventLogOptions & ReplayOptions = {}): PcrBanks {
  const r = new EventLogReplayer(options);
  const events = source instanceof Uint8Array ? iterateEventLog(source, options) : source;
  for (const ev of events) r.add(ev);
  return r.values();
}
