/**
 * `tncjs eventlog <file> [--json] [--strict]`: print every event of a TCG firmware event log (PCR, event type, digests
 * per bank, decoded event data) and the replayed PCR values per bank, like tpm2-tools' `tpm2_eventlog`.
 *
 * The log is read twice from disk (once to check and replay it, once to print it), so nothing is printed for a log
 * that does not parse, and memory stays bounded by one event.
 */
import { Logger, toHex } from '@tncjs/common';
import {
  MeasurementExitCode,
  openSource,
  parseArgv,
  renderYamlish,
  reportFailure,
  type ByteSource,
  type MeasurementCliIo,
} from './cli-support.js';
import { decodeEventData, eventDataToJson } from './event-data.js';
import { streamEventLog, type EventLogParser } from './event-log.js';
import { eventTypeName, eventTypeSymbol } from './event-types.js';
import { EventLogReplayer, type PcrBanks } from './replay.js';
import { specIdEventToJson } from './spec-id-event.js';
import type { TcgEvent } from './tcg-pcr-event.js';

export const EVENTLOG_USAGE = 'usage: tncjs eventlog <file|-> [--json] [--strict]\n';

const EVENTLOG_HELP = `${EVENTLOG_USAGE}
Print a TCG firmware event log (binary_bios_measurements: TPM 1.2 SHA-1 format or TPM 2.0 crypto-agile format) and the
PCR values it replays to, per bank.

  --json     one JSON object: { "entries": [...], "pcrs": { "sha256": { "0": "<hex>", ... } }, "format", "warnings" }
  --strict   a log cut off inside an event is an error (default: a warning; the complete events are used)

Exit codes: 0 success, 2 malformed log, unreadable file or bad usage, 1 internal error.
`;

/** One event as `tncjs eventlog --json` prints it. */
export function eventToJson(ev: TcgEvent): Record<string, unknown> {
  const digests: Record<string, string> = {};
  for (const d of ev.digests) digests[d.algorithm] = toHex(d.digest);
  return {
    index: ev.index,
    offset: ev.offset,
    pcrIndex: ev.pcrIndex,
    eventType: ev.eventType,
    eventTypeName: eventTypeName(ev.eventType),
    eventTypeSymbol: eventTypeSymbol(ev.eventType),
    digests,
    eventSize: ev.data.length,
    event: eventDataToJson(decodeEventData(ev)),
  };
}

function pcrLabel(pcr: number): string {
  return pcr === 0xffffffff ? '0xFFFFFFFF (not extended)' : String(pcr);
}

function eventText(ev: TcgEvent): string {
  const lines = [`Event ${ev.index}: PCR ${pcrLabel(ev.pcrIndex)}, ${eventTypeName(ev.eventType)} (${eventTypeSymbol(ev.eventType)}), offset ${ev.offset}`];
  const width = Math.max(0, ...ev.digests.map((d) => d.algorithm.length));
  for (const d of ev.digests) lines.push(`  ${(d.algorithm + ':').padEnd(width + 1)} ${toHex(d.digest)}`);
  lines.push(`  EventSize: ${ev.data.length}`);
  const { kind, ...fields } = eventDataToJson(decodeEventData(ev));
  if (Object.keys(fields).length) {
    lines.push(`  Event (${kind}):`);
    renderYamlish(fields, '    ', lines, 64);
  }
  return lines.join('\n') + '\n';
}

/** `pcrs:` block: `  sha256:` then `    0  : 0x…` lines (tpm2_eventlog's layout). */
export function pcrsText(pcrs: PcrBanks): string {
  const lines = ['pcrs:'];
  for (const [bank, values] of Object.entries(pcrs)) {
    lines.push(`  ${bank}:`);
    for (const [pcr, hex] of Object.entries(values)) lines.push(`    ${pcr.padEnd(3)}: 0x${hex}`);
  }
  return lines.join('\n') + '\n';
}

async function check(src: ByteSource, strict: boolean): Promise<{ parser: EventLogParser; pcrs: PcrBanks; count: number }> {
  const replayer = new EventLogReplayer();
  const it = streamEventLog(src(), { strict });
  let count = 0;
  for (;;) {
    const r = await it.next();
    if (r.done) return { parser: r.value, pcrs: replayer.values(), count };
    replayer.add(r.value);
    count++;
  }
}

/**
 * Run `tncjs eventlog` with `argv` (the arguments after `eventlog`).
 * @returns the exit code: 0 success, 1 internal error, 2 malformed log, unreadable file or bad usage
 * @example process.exitCode = await runEventlogCli(['/sys/kernel/security/tpm0/binary_bios_measurements', '--json'], io);
 */
export async function runEventlogCli(argv: readonly string[], io: MeasurementCliIo): Promise<number> {
  try {
    const { positional, flags } = parseArgv(argv, { flags: ['--json', '--strict', '--help', '-h'], options: [] });
    if (flags.has('--help') || flags.has('-h')) {
      io.stdout(EVENTLOG_HELP);
      return MeasurementExitCode.OK;
    }
    if (positional.length !== 1) {
      io.stderr(`tncjs: ${positional.length ? 'too many arguments' : 'missing event log file'}\n${EVENTLOG_USAGE}`);
      return MeasurementExitCode.INPUT;
    }
    const src = await openSource(positional[0], io);
    const strict = flags.has('--strict');
    const { parser, pcrs } = await check(src, strict);
    const json = flags.has('--json');
    const quiet = { strict, logger: Logger.silent };
    if (json) {
      io.stdout('{"entries":[');
      let first = true;
      for await (const ev of streamEventLog(src(), quiet)) {
        io.stdout(`${first ? '\n' : ',\n'}${JSON.stringify(eventToJson(ev))}`);
        first = false;
      }
      const tail = {
        format: parser.format,
        ...(parser.specId ? { specId: specIdEventToJson(parser.specId) } : {}),
        pcrs,
        warnings: parser.warnings,
      };
      io.stdout(`\n],${JSON.stringify(tail).slice(1)}\n`);
    } else {
      io.stdout(`format: ${parser.format === 'crypto-agile' ? 'TCG crypto-agile (TCG_PCR_EVENT2)' : 'SHA-1 (TCG_PCR_EVENT)'}\n`);
      for await (const ev of streamEventLog(src(), quiet)) io.stdout(eventText(ev));
      io.stdout(pcrsText(pcrs));
    }
    for (const w of parser.warnings) io.stderr(`tncjs: warning: ${w.message} at offset ${w.offset}\n`);
    return MeasurementExitCode.OK;
  } catch (e) {
    return reportFailure(e, io, 'TCG event log');
  }
}
