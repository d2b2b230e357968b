/** Where EAP methods find shared secrets (strongSwan's `secrets { eap-carol { id = carol  secret = … } }`). */

export type Secret = string | Uint8Array;

/** A store of EAP shared secrets, looked up by identity (and optionally the other side's identity). */
export interface SecretsStore {
  /** The secret for `identity` (talking to `other`), or `undefined`. */
  getSecret(identity: string, other?: string): Secret | undefined | Promise<Secret | undefined>;
}

/** An in-memory `SecretsStore`: identity → secret. */
export class MemorySecretsStore implements SecretsStore {
  private readonly map: Map<string, Secret>;

  constructor(entries: Iterable<readonly [string, Secret]> | Record<string, Secret> = []) {
    this.map = new Map(Symbol.iterator in Object(entries) ? (entries as Iterable<[string, Secret]>) : Object.entries(entries as Record<string, Secret>));
  }

  set(identity: string, secret: Secret): void {
    this.map.set(identity, secret);
  }

  getSecret(identity: string): Secret | undefined {
    return this.map.get(identity);
  }
}

const encoder = new TextEncoder();

/** A secret as bytes (strings as UTF-8). */
export function secretBytes(s: Secret): Uint8Array {
  return typeof s === 'string' ? encoder.encode(s) : s;
}
