/** Small JSON readers shared by the PTS attributes' hand-written codecs (error messages name the JSON path). */
import { fromHex, isHex } from '@tncjs/common';

export function obj(j: unknown, path: string): Record<string, unknown> {
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new TypeError(`${path}: expected object`);
  return j as Record<string, unknown>;
}

export function int(o: Record<string, unknown>, k: string, path: string, max: number): number {
  const x = o[k];
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > max) throw new TypeError(`${path}.${k}: expected integer 0..${max}`);
  return x;
}

export function hex(o: Record<string, unknown>, k: string, path: string): Uint8Array {
  const x = o[k];
  if (typeof x !== 'string' || !isHex(x)) throw new TypeError(`${path}.${k}: expected hex string`);
  return fromHex(x);
}

export function optHex(o: Record<string, unknown>, k: string, path: string): Uint8Array | undefined {
  return o[k] === undefined ? undefined : hex(o, k, path);
}

export function str(o: Record<string, unknown>, k: string, path: string): string {
  const x = o[k];
  if (typeof x !== 'string') throw new TypeError(`${path}.${k}: expected string`);
  return x;
}
