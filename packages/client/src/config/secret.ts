/**
 * A secret string (the EAP password) that does not print itself: `JSON.stringify`, template strings, `console.log`
 * and `util.inspect` all show `<redacted>`. Only `reveal()` gives the value, so a leak needs a deliberate call.
 */
import { inspect } from 'node:util';

const REDACTED = '<redacted>';

export class Secret {
  #value: string | undefined;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself. @throws TypeError after `dispose()` */
  reveal(): string {
    if (this.#value === undefined) throw new TypeError('secret used after dispose()');
    return this.#value;
  }

  /** Drop the reference (JavaScript strings cannot be zeroized; this is the best a string allows). */
  dispose(): void {
    this.#value = undefined;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
