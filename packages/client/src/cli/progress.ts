/**
 * The evidence upload indicator: `uploading evidence  42%  [########.........]  11.2/26.7 KiB` redrawn in place on
 * standard error when it is a terminal; nothing in --json mode or when stderr is a pipe or a file (logs stay clean).
 */
import type { ProgressFn } from './session.js';

export interface ProgressOptions {
  /** Draw at all (false in --json mode or when stderr is not a TTY). */
  enabled: boolean;
  write: (s: string) => void;
  /** Terminal width (default 80). */
  columns?: number;
  /** Clock for throttling (default Date.now). */
  now?: () => number;
  /** Minimum milliseconds between redraws (default 100); the first and the final state are always drawn. */
  intervalMs?: number;
}

export interface Progress {
  update: ProgressFn;
  /** End the line if one is being drawn (call before printing anything else). */
  finish(): void;
}

const kib = (n: number): string => (n / 1024).toFixed(1);

/** Draw one state (exported for tests). */
export function renderProgress(sent: number, total: number, columns = 80): string {
  if (total > 0) {
    const frac = Math.min(1, sent / total);
    const pct = `${Math.floor(frac * 100)}`.padStart(3);
    const text = `  ${kib(Math.min(sent, total))}/${kib(total)} KiB`;
    const head = `uploading evidence ${pct}%  `;
    const width = Math.max(10, Math.min(40, columns - head.length - text.length - 3));
    const fill = Math.round(frac * width);
    return `${head}[${'#'.repeat(fill)}${'.'.repeat(width - fill)}]${text}`;
  }
  return `uploading evidence  ${kib(sent)} KiB`;
}

/** A progress reporter. Invalid numbers (NaN, negative, Infinity) are ignored, never thrown on. */
export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now;
  const interval = o.intervalMs ?? 100;
  let last = -Infinity;
  let drawn = false;
  let done = false;
  return {
    update(sent, total) {
      if (!o.enabled) return;
      if (!Number.isFinite(sent) || !Number.isFinite(total) || sent < 0 || total < 0) return;
      const complete = total > 0 && sent >= total;
      const t = now();
      if (!complete && t - last < interval) return;
      if (complete && done) return;
      last = t;
      o.write(`\r\x1b[K${renderProgress(sent, total, o.columns)}`);
      drawn = true;
      if (complete) {
        o.write('\n');
        drawn = false;
        done = true;
      } else done = false;
    },
    finish() {
      if (drawn) o.write('\n');
      drawn = false;
    },
  };
}
