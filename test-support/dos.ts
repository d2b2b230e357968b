/**
 * Helpers of the DoS suites (STYLE habit 6, noble's slow/DoS tier): inputs that declare huge sizes in a few bytes,
 * derived from each codec's `kind`, and a heap-growth probe.
 */
import type { CodecKind } from '@tncjs/common';

const zeros = (n: number) => new Uint8Array(n);
const ones = (n: number) => new Uint8Array(n).fill(0xff);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

interface Walk {
  /** The smallest encoding of the whole kind (every prefix 0, every list empty), or null when unknown (custom). */
  minimal: Uint8Array | null;
  /** Encodings that stop right after a length or count prefix set to its maximum. */
  bombs: Uint8Array[];
}

function walk(kind: CodecKind): Walk {
  switch (kind.t) {
    case 'uint':
    case 'enum':
    case 'flags':
      return { minimal: zeros(kind.bits / 8), bombs: [] };
    case 'u64':
      return { minimal: zeros(8), bombs: [] };
    case 'reserved':
      return { minimal: zeros(kind.n), bombs: [] };
    case 'bytes':
    case 'string':
      if (typeof kind.len === 'number') return { minimal: zeros(kind.len), bombs: [] };
      if (kind.len === 'rest') return { minimal: zeros(0), bombs: [] };
      return { minimal: zeros(kind.len.prefix / 8), bombs: [ones(kind.len.prefix / 8)] };
    case 'list': {
      const item = walk(kind.item.kind);
      if (kind.count === 'rest') return { minimal: zeros(0), bombs: item.bombs };
      if (typeof kind.count === 'number') {
        return { minimal: item.minimal && cat(...Array.from({ length: kind.count }, () => item.minimal!)), bombs: kind.count > 0 ? item.bombs : [] };
      }
      const w = kind.count.prefix / 8;
      const one = cat(zeros(w - 1), Uint8Array.of(1));
      return { minimal: zeros(w), bombs: [ones(w), ...item.bombs.map((b) => cat(one, b))] };
    }
    case 'struct': {
      const bombs: Uint8Array[] = [];
      let before = zeros(0);
      for (const [, c] of kind.fields) {
        const f = walk(c.kind);
        bombs.push(...f.bombs.map((b) => cat(before, b)));
        if (!f.minimal) return { minimal: null, bombs };
        before = cat(before, f.minimal);
      }
      return { minimal: before, bombs };
    }
    case 'custom':
      return { minimal: null, bombs: [] };
  }
}

/**
 * Values of a codec that declare a maximal length or count (0xff…) right after the smallest valid encoding of the
 * fields before it, and then end: a decoder must fail on the missing bytes, not allocate what was declared.
 */
export function lengthBombs(kind: CodecKind): Uint8Array[] {
  return walk(kind).bombs;
}

/** Heap growth (bytes) across `fn`, after a GC when the process allows one (`--expose-gc`). */
export function heapGrowth(fn: () => void): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  fn();
  gc?.();
  return process.memoryUsage().heapUsed - before;
}

export const MB = 1024 * 1024;
