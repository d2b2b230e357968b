/** Parsing response parameters: any decoding failure becomes a TpmDecodeError with the offset in the response. */
import type { Reader } from '@tncjs/common';
import { TpmDecodeError, asTpmDecodeError } from './errors.js';

/**
 * Parse `res.params` with `fn`, which must consume every byte. A RangeError raised on the way (a value the stack
 * cannot work with, e.g. an unknown nameAlg in a returned public area) is bad data too and becomes a TpmDecodeError.
 */
export function parseParams<T>(res: { params: Reader }, what: string, fn: (r: Reader) => T): T {
  try {
    const v = fn(res.params);
    res.params.end(what);
    return v;
  } catch (e) {
    if (e instanceof RangeError) throw new TpmDecodeError(`malformed ${what} response: ${e.message}`, res.params.offset, { cause: e });
    throw asTpmDecodeError(e, `malformed ${what} response`);
  }
}
