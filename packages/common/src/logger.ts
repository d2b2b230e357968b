/**
 * strongSwan-style logging: `NN[SUB] message` lines with per-subsystem levels, or one JSON object per line.
 *
 * Levels follow charon's: -1 silent, 0 basic auditing, 1 control flow and errors (default), 2 detailed control flow,
 * 3 raw data dumps, 4 sensitive data (keys, passwords). Secrets are only ever logged at level 4.
 */

export const SUBSYSTEMS = [
  'DMN', 'MGR', 'IKE', 'CHD', 'JOB', 'CFG', 'KNL', 'NET', 'ASN', 'ENC', 'TNC', 'IMC', 'IMV', 'PTS', 'TLS', 'APP', 'ESP', 'LIB',
] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];
export type Level = -1 | 0 | 1 | 2 | 3 | 4;

export interface LogRecord {
  time: Date;
  thread: number;
  subsystem: Subsystem;
  level: Level;
  message: string;
}

export interface LoggerOptions {
  /** Level for subsystems not listed in `levels` (default 1, as charon). */
  defaultLevel?: Level;
  /** Per-subsystem levels, e.g. `{ TNC: 2, PTS: 3 }`. */
  levels?: Partial<Record<Subsystem, Level>>;
  /** One JSON object per line instead of strongSwan's text format. */
  json?: boolean;
  /** Prefix text lines with a time stamp in charon's `%b %e %T` format. */
  timestamps?: boolean;
  /** Where lines go (default: process.stdout). */
  sink?: (line: string) => void;
  /** Thread number printed as `NN[...]` (default 0). */
  thread?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/** charon's default time format: `Dec 15 12:23:06`. */
export function formatTime(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

interface Shared {
  defaultLevel: Level;
  levels: Partial<Record<Subsystem, Level>>;
  json: boolean;
  timestamps: boolean;
  sink: (line: string) => void;
}

/** A logger. Cheap to derive per-connection children (`withThread`) that share the configuration. */
export class Logger {
  private readonly shared: Shared;
  readonly thread: number;

  constructor(options: LoggerOptions = {}, shared?: Shared) {
    this.shared = shared ?? {
      defaultLevel: options.defaultLevel ?? 1,
      levels: { ...options.levels },
      json: options.json ?? false,
      timestamps: options.timestamps ?? false,
      sink: options.sink ?? ((line) => process.stdout.write(line + '\n')),
    };
    this.thread = options.thread ?? 0;
  }

  /** A logger that prints nothing (the default for library code until an application configures one). */
  static readonly silent = new Logger({ defaultLevel: -1, sink: () => {} });

  /** A child logger printing another thread number, sharing levels and sink. */
  withThread(thread: number): Logger {
    return new Logger({ thread }, this.shared);
  }

  /** Change a subsystem's level (or every subsystem's default with `'any'`). */
  setLevel(subsystem: Subsystem | 'any', level: Level): void {
    if (subsystem === 'any') this.shared.defaultLevel = level;
    else this.shared.levels[subsystem] = level;
  }

  enabled(subsystem: Subsystem, level: Level): boolean {
    return level <= (this.shared.levels[subsystem] ?? this.shared.defaultLevel);
  }

  /** Log `message` (or the result of a thunk, evaluated only when enabled). */
  log(subsystem: Subsystem, level: Level, message: string | (() => string)): void {
    if (!this.enabled(subsystem, level)) return;
    const text = typeof message === 'function' ? message() : message;
    this.emit({ time: new Date(), thread: this.thread, subsystem, level, message: text });
  }

  /** charon's chunk dump: `label => N bytes` followed by offset/hex/ASCII lines. */
  dump(subsystem: Subsystem, level: Level, label: string, bytes: Uint8Array): void {
    if (!this.enabled(subsystem, level)) return;
    this.log(subsystem, level, `${label} => ${bytes.length} bytes\n${hexdump(bytes)}`);
  }

  private emit(rec: LogRecord): void {
    const s = this.shared;
    if (s.json) {
      s.sink(
        JSON.stringify({
          time: rec.time.toISOString(),
          thread: rec.thread,
          subsystem: rec.subsystem,
          level: rec.level,
          message: rec.message,
        }),
      );
      return;
    }
    const prefix = `${s.timestamps ? formatTime(rec.time) + ' ' : ''}${pad2(rec.thread)}[${rec.subsystem}] `;
    for (const line of rec.message.split('\n')) s.sink(prefix + line);
  }
}

/** charon's hex dump body: `   0: 60 8E 64 FD ...  ascii`. */
export function hexdump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < b.length; off += 16) {
    const row = b.subarray(off, off + 16);
    const hex = Array.from(row, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${String(off).padStart(4, ' ')}: ${hex.padEnd(47, ' ')}  ${ascii}`);
  }
  return lines.join('\n');
}

/**
 * Parse a level specification as charon-cmd's `--debug` / strongswan.conf `filelog` would give it:
 * `"2"` (all), `"tnc 3, pts 2"`, `"any 1, tnc 2"`.
 * @throws TypeError on an unknown subsystem or a level outside -1..4
 */
export function parseLevels(spec: string): { defaultLevel?: Level; levels: Partial<Record<Subsystem, Level>> } {
  const out: { defaultLevel?: Level; levels: Partial<Record<Subsystem, Level>> } = { levels: {} };
  for (const part of spec.split(/[,;]/).map((p) => p.trim()).filter(Boolean)) {
    const m = /^(?:([a-zA-Z]{3})\s*[ =:]\s*)?(-?\d)$/.exec(part);
    if (!m) throw new TypeError(`invalid log level specification '${part}'`);
    const level = Number(m[2]);
    if (level < -1 || level > 4) throw new TypeError(`log level ${level} out of range -1..4`);
    const sub = m[1]?.toUpperCase();
    if (!sub || sub === 'ANY') out.defaultLevel = level as Level;
    else if ((SUBSYSTEMS as readonly string[]).includes(sub)) out.levels[sub as Subsystem] = level as Level;
    else throw new TypeError(`unknown log subsystem '${m[1]}'`);
  }
  return out;
}

let defaultLogger: Logger = Logger.silent;

/** The process-wide logger that library code uses when it is given none (silent until an application sets one). */
export function getLogger(): Logger {
  return defaultLogger;
}

export function setLogger(logger: Logger): void {
  defaultLogger = logger;
}
