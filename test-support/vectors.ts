/** Access to the repository's test vectors (test-vectors/) from any package's tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex } from '@tncjs/common';

const ROOT = fileURLToPath(new URL('../test-vectors/', import.meta.url));

export function vectorPath(rel: string): string {
  return ROOT + rel;
}

export function readVectorJson<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(vectorPath(rel), 'utf8')) as T;
}

export interface StrongSwanBatch {
  direction: 'in' | 'out';
  type: string;
  bytes: number;
  hex: string;
}

/** The real strongSwan 6.0.6 runs: name → batches in wire order. */
export function strongSwanRuns(): Record<string, (StrongSwanBatch & { data: Uint8Array })[]> {
  const out: Record<string, (StrongSwanBatch & { data: Uint8Array })[]> = {};
  for (const f of ['os-only-6.0.6.json', 'pts-attestation-6.0.6.json']) {
    out[f] = readVectorJson<StrongSwanBatch[]>(`strongswan/${f}`).map((b) => ({ ...b, data: fromHex(b.hex) }));
  }
  return out;
}
