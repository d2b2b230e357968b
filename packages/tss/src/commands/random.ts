/** Part 3 §16 Random Number Generator: TPM2_GetRandom. */
import { Writer, concatBytes } from '@tncjs/common';
import { TPM_CC } from '../constants.js';
import { TpmDecodeError } from '../errors.js';
import { readTpm2b } from '../structures/tpm2b.js';
import type { Tpm } from '../tpm.js';
import { parseParams } from '../parse.js';

/** `n` random bytes from the TPM (several TPM2_GetRandom calls: each returns at most one digest's worth). */
export async function getRandom(tpm: Tpm, n: number): Promise<Uint8Array> {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`cannot request ${n} random bytes`);
  const chunks: Uint8Array[] = [];
  let have = 0;
  while (have < n) {
    const want = Math.min(n - have, 64);
    const res = await tpm.execute({ commandCode: TPM_CC.GetRandom, params: new Writer(2).u16(want).finish(), sensitive: { response: true } });
    const b = parseParams(res, 'TPM2_GetRandom', (r) => readTpm2b(r, 'randomBytes', 64));
    if (b.length === 0 || b.length > want) throw new TpmDecodeError(`TPM2_GetRandom returned ${b.length} bytes for ${want} requested`, 10);
    chunks.push(b);
    have += b.length;
  }
  return concatBytes(chunks);
}
