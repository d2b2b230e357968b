/**
 * `tncjs ima <file> [--json] [--pcrs <file>] [--bank <alg>[,<alg>…]] [--template-hash-algorithm <alg>] [--strict]`:
 * print an IMA binary measurement list (in the kernel's ascii_runtime_measurements layout, or as JSON), check every
 * template digest, replay the PCRs it extends (normally PCR 10) in any bank, and check boot_aggregate against PCRs
 * 0-9 given as a TCG event log or as JSON.
 *
 * The list is read twice from disk (check and replay, then print): nothing is printed for a list that does not parse,
 * and memory stays bounded by one entry.
 */
import { fromHex, isHex, Logger, toHex } from '@tncjs/common';
import { hashAlgorithmByName, type HashAlgorithm } from '../eventlog/algorithms.js';
import {
  CliInputError,
  MeasurementExitCode,
  openSource,
  parseArgv,
  readAll,
  reportFailure,
  type ByteSource,
  type MeasurementCliIo,
} from '../eventlog/cli-support.js';
import { EventLogReplayer, type PcrBanks } from '../eventlog/replay.js';
import { iterateEventLog } from '../eventlog/event-log.js';
import type { LogWarning } from '../eventlog/errors.js';
import { BootAggregateError, checkBootAggregate, type BootAggregateResult } from './boot-aggregate.js';
import { describeImaEntry, type ImaEntry } from './ima-entry.js';
import { ImaLogParser, streamImaLog, type ImaLogOptions } from './ima-log.js';
import { ImaReplayer } from './replay.js';
import { fieldToText } from './template-fields.js';
import { verifyTemplateDigest, type TemplateHashResult } from './template-hash.js';

export const IMA_USAGE =
  'usage: tncjs ima <file|-> [--json] [--pcrs <tcg-eventlog|json>] [--bank <alg>[,<alg>...]] [--template-hash-algorithm <alg>] [--strict]\n';

const IMA_HELP = `${IMA_USAGE}
Print an IMA binary measurement list (binary_runtime_measurements, or a per-bank binary_runtime_measurements_<alg>),
check every template digest, replay the PCRs it extends (PCR 10) and, given PCRs 0-9, check boot_aggregate.

  --json                         one JSON object: { "entries": [...], "pcrs": { "sha1": { "10": "<hex>" } }, ... }
  --pcrs <file>                  PCR values for the boot_aggregate check: a TCG event log (replayed) or JSON
                                 { "sha256": { "0": "<hex>", ... } } (also tncjs eventlog --json output). PCRs the
                                 list extends that are given too (e.g. 10) are compared with the replay.
  --bank <alg>[,<alg>...]        banks to replay PCR 10 in (default: the list's template-digest bank)
  --template-hash-algorithm <a>  algorithm of the list's template digests (default: from their length)
  --strict                       a list cut off inside an entry is an error (default: a warning)

Exit codes: 0 all checks passed, 3 a template digest, boot_aggregate or PCR value did not match, 2 malformed list,
unreadable file or bad usage, 1 internal error.
`;

/** Text of an entry in the kernel's ascii_runtime_measurements layout. */
export function imaEntryText(e: ImaEntry): string {
  const fields = describeImaEntry(e).fields.map((f) => fieldToText(f, !e.bigEndian));
  while (fields.length && fields[fields.length - 1] === '') fields.pop();
  return [String(e.pcrIndex), toHex(e.templateDigest), e.templateName, ...fields].join(' ');
}

/** One entry as `tncjs ima --json` prints it. */
export function imaEntryToJson(e: ImaEntry, templateHash?: TemplateHashResult): Record<string, unknown> {
  const info = describeImaEntry(e);
  const fields: Record<string, string> = {};
  for (const f of info.fields) fields[f.id] = fieldToText(f, !e.bigEndian);
  return {
    index: e.index,
    offset: e.offset,
    pcrIndex: e.pcrIndex,
    templateDigest: toHex(e.templateDigest),
    templateName: e.templateName,
    ...(templateHash ? { templateHash } : {}),
    violation: e.violation,
    ...(info.fileDigest ? { fileDigest: { algorithm: info.fileDigest.algorithm, digest: toHex(info.fileDigest.digest) } } : {}),
    ...(info.fileName !== undefined ? { fileName: info.fileName } : {}),
    fields,
  };
}

interface CheckResult {
  parser: ImaLogParser;
  algorithm: HashAlgorithm | undefined;
  pcrs: PcrBanks;
  first: ImaEntry | undefined;
  counts: { entries: number; violations: number; ok: number; mismatch: number };
  mismatches: { index: number; offset: number }[];
}

async function check(src: ByteSource, opts: ImaLogOptions, banks: string[] | undefined): Promise<CheckResult> {
  const parser = new ImaLogParser(opts);
  let replayer: ImaReplayer | undefined;
  let first: ImaEntry | undefined;
  const counts = { entries: 0, violations: 0, ok: 0, mismatch: 0 };
  const mismatches: { index: number; offset: number }[] = [];
  for await (const chunk of src()) {
    for (const e of parser.feed(chunk)) {
      if (!replayer) {
        // The parser knows the list's algorithm once the first entry is framed.
        replayer = new ImaReplayer(parser.algorithm!, { banks });
        first = { ...e, templateDigest: e.templateDigest.slice(), templateData: e.templateData.slice() };
      }
      replayer.add(e);
      counts.entries++;
      const v = verifyTemplateDigest(e, replayer.listAlgorithm);
      if (v === 'violation') counts.violations++;
      else if (v === 'ok') counts.ok++;
      else {
        counts.mismatch++;
        if (mismatches.length < 100) mismatches.push({ index: e.index, offset: e.offset });
      }
    }
  }
  parser.end();
  const alg = parser.algorithm;
  const pcrs = replayer ? replayer.values() : Object.fromEntries((banks ?? (alg ? [alg.name] : [])).map((b) => [b, {}]));
  return { parser, algorithm: alg, pcrs, first, counts, mismatches };
}

function normalisePcrJson(v: unknown): PcrBanks {
  const root = v && typeof v === 'object' && 'pcrs' in (v as object) ? (v as { pcrs: unknown }).pcrs : v;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new CliInputError('PCR JSON must be an object { "<bank>": { "<pcr>": "<hex>" } }');
  const out: PcrBanks = {};
  for (const [bankName, values] of Object.entries(root as Record<string, unknown>)) {
    const alg = hashAlgorithmByName(bankName);
    if (!alg) throw new CliInputError(`PCR JSON: unknown bank '${bankName}'`);
    if (!values || typeof values !== 'object' || Array.isArray(values)) throw new CliInputError(`PCR JSON: bank '${bankName}' must be an object`);
    const bank: Record<number, string> = {};
    for (const [k, h] of Object.entries(values as Record<string, unknown>)) {
      const pcr = Number(k);
      if (!Number.isInteger(pcr) || pcr < 0 || pcr > 31) throw new CliInputError(`PCR JSON: '${k}' is not a PCR index`);
      const hex = typeof h === 'string' ? h.replace(/^0x/i, '') : '';
      if (!isHex(hex) || fromHex(hex).length !== alg.size) throw new CliInputError(`PCR JSON: ${bankName} PCR ${k} is not a ${alg.size}-byte hex value`);
      bank[pcr] = toHex(fromHex(hex));
    }
    out[alg.name] = bank;
  }
  return out;
}

async function loadPcrs(path: string, io: MeasurementCliIo, warnings: string[]): Promise<PcrBanks> {
  const bytes = await readAll(await openSource(path, io), `'${path}'`);
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b /* { */) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new CliInputError(`cannot parse '${path}' as JSON: ${(e as Error).message}`);
    }
    return normalisePcrJson(json);
  }
  const r = new EventLogReplayer({ logger: Logger.silent });
  const it = iterateEventLog(bytes, { logger: Logger.silent, onWarning: (w: LogWarning) => warnings.push(`${path}: ${w.message} at offset ${w.offset}`) });
  try {
    for (const ev of it) r.add(ev);
  } catch (e) {
    if (e instanceof Error) e.message = `PCR file '${path}' (TCG event log): ${e.message}`;
    throw e;
  }
  return r.values();
}

/**
 * Run `tncjs ima` with `argv` (the arguments after `ima`).
 * @returns the exit code: 0 all checks passed, 3 a check failed, 2 malformed input or bad usage, 1 internal error
 * @example process.exitCode = await runImaCli(['/sys/kernel/security/ima/binary_runtime_measurements', '--pcrs', 'bios.bin'], io);
 */
export async function runImaCli(argv: readonly string[], io: MeasurementCliIo): Promise<number> {
  try {
    const { positional, flags, options } = parseArgv(argv, {
      flags: ['--json', '--strict', '--help', '-h'],
      options: ['--pcrs', '--bank', '--template-hash-algorithm'],
    });
    if (flags.has('--help') || flags.has('-h')) {
      io.stdout(IMA_HELP);
      return MeasurementExitCode.OK;
    }
    if (positional.length !== 1) {
      io.stderr(`tncjs: ${positional.length ? 'too many arguments' : 'missing IMA measurement list file'}\n${IMA_USAGE}`);
      return MeasurementExitCode.INPUT;
    }
    const banks = options.get('--bank')?.split(',').map((b) => b.trim()).filter(Boolean);
    for (const b of banks ?? []) if (!hashAlgorithmByName(b)) throw new CliInputError(`unknown PCR bank '${b}'`);
    const tha = options.get('--template-hash-algorithm');
    if (tha !== undefined && !hashAlgorithmByName(tha)) throw new CliInputError(`unknown template hash algorithm '${tha}'`);
    const parseOpts: ImaLogOptions = { strict: flags.has('--strict'), logger: Logger.silent, ...(tha ? { templateHashAlgorithm: tha } : {}) };
    const json = flags.has('--json');

    const src = await openSource(positional[0], io);
    const result = await check(src, parseOpts, banks?.map((b) => hashAlgorithmByName(b)!.name));
    const listAlg = result.algorithm;

    // PCR values given: boot_aggregate, and any PCR the list extends in a replayed bank.
    const notes: string[] = [];
    const logLines: string[] = [];
    let bootAggregate: BootAggregateResult | undefined;
    let pcrCheck: { bank: string; pcr: number; expected: string; replayed: string; ok: boolean }[] | undefined;
    const pcrsPath = options.get('--pcrs');
    if (pcrsPath !== undefined) {
      const given = await loadPcrs(pcrsPath, io, notes);
      const logger = new Logger({ sink: (l) => logLines.push(l), levels: { PTS: 1 }, defaultLevel: -1 });
      if (!result.first) throw new CliInputError('cannot check boot_aggregate: the IMA list is empty');
      try {
        bootAggregate = checkBootAggregate(result.first, given, { logger });
      } catch (e) {
        if (e instanceof BootAggregateError) throw new CliInputError(`cannot check boot_aggregate: ${e.message}`);
        throw e;
      }
      pcrCheck = [];
      for (const [bank, values] of Object.entries(result.pcrs)) {
        for (const [pcr, replayed] of Object.entries(values)) {
          const expected = given[bank]?.[Number(pcr)];
          if (expected !== undefined) pcrCheck.push({ bank, pcr: Number(pcr), expected, replayed, ok: expected === replayed });
        }
      }
    }

    const quiet: ImaLogOptions = { ...parseOpts, ...(listAlg ? { templateHashAlgorithm: listAlg.name } : {}) };
    const verdict = (e: ImaEntry) => (listAlg ? verifyTemplateDigest(e, listAlg) : undefined);
    if (json) {
      io.stdout('{"entries":[');
      let firstOut = true;
      for await (const e of streamImaLog(src(), quiet)) {
        io.stdout(`${firstOut ? '\n' : ',\n'}${JSON.stringify(imaEntryToJson(e, verdict(e)))}`);
        firstOut = false;
      }
      const tail = {
        templateHashAlgorithm: listAlg?.name ?? null,
        byteOrder: result.parser.bigEndian ? 'big-endian' : 'little-endian',
        pcrs: result.pcrs,
        summary: {
          entries: result.counts.entries,
          violations: result.counts.violations,
          templateHashes: { ok: result.counts.ok, mismatch: result.counts.mismatch, violation: result.counts.violations },
        },
        ...(bootAggregate ? { bootAggregate } : {}),
        ...(pcrCheck ? { pcrCheck } : {}),
        warnings: result.parser.warnings,
      };
      io.stdout(`\n],${JSON.stringify(tail).slice(1)}\n`);
    } else {
      for await (const e of streamImaLog(src(), quiet)) {
        const v = verdict(e);
        io.stdout(`${imaEntryText(e)}${v === 'mismatch' ? '  [template hash MISMATCH]' : v === 'violation' ? '  [violation]' : ''}\n`);
      }
      const c = result.counts;
      const lines = [
        `entries: ${c.entries}, violations: ${c.violations}`,
        `template hashes (${listAlg?.name ?? 'n/a'}): ${c.ok} ok, ${c.mismatch} mismatch, ${c.violations} violation${c.violations === 1 ? '' : 's'}`,
      ];
      for (const m of result.mismatches) lines.push(`  template hash mismatch: entry ${m.index} at offset ${m.offset}`);
      lines.push('pcrs:');
      for (const [bank, values] of Object.entries(result.pcrs)) {
        lines.push(`  ${bank}:`);
        for (const [pcr, hex] of Object.entries(values)) lines.push(`    ${pcr.padEnd(3)}: 0x${hex}`);
      }
      for (const p of pcrCheck ?? []) lines.push(`PCR ${p.pcr} (${p.bank}) ${p.ok ? 'matches' : `does NOT match: expected 0x${p.expected}`}`);
      if (bootAggregate) {
        const b = bootAggregate;
        lines.push(`boot_aggregate (${b.algorithm}, PCRs ${b.pcrs[0]}-${b.pcrs[b.pcrs.length - 1]}): ${b.ok ? 'correct' : `INCORRECT: computed ${b.computed}, logged ${b.logged}`}`);
        if (b.missing.length) lines.push(`  PCRs ${b.missing.join(', ')} not given: taken as zero`);
      }
      lines.push(...logLines);
      io.stdout(lines.join('\n') + '\n');
    }
    for (const w of result.parser.warnings) io.stderr(`tncjs: warning: ${w.message} at offset ${w.offset}\n`);
    for (const n of notes) io.stderr(`tncjs: warning: ${n}\n`);
    const failed = result.counts.mismatch > 0 || (bootAggregate !== undefined && !bootAggregate.ok) || (pcrCheck ?? []).some((p) => !p.ok);
    return failed ? MeasurementExitCode.VERIFY_FAILED : MeasurementExitCode.OK;
  } catch (e) {
    return reportFailure(e, io, 'IMA measurement list');
  }
}
