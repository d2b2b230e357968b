/** Semantic checks strongSwan applies after parsing, shared by attribute definitions. */
import { DecodeError } from '@tncjs/common';

/** strongSwan rejects NUL characters inside string attributes; `at` is the absolute offset of the string. */
export function rejectNul(s: string, at: number, what: string): void {
  const i = s.indexOf('\0');
  if (i >= 0) throw new DecodeError(`NUL character in ${what}`, at + Buffer.byteLength(s.slice(0, i)), { code: 'ERR_VALUE' });
}

/** Throw unless `v <= max`. */
export function rejectAbove(v: number, max: number, at: number, what: string): void {
  if (v > max) throw new DecodeError(`invalid ${what} ${v}`, at, { code: 'ERR_VALUE' });
}
