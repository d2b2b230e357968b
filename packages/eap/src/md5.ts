/**
 * RFC 3748 §5.4 MD5-Challenge, both roles. Type-Data: Value-Size (1 byte), Value, Name. The response Value is
 * MD5(Identifier ‖ secret ‖ challenge) as in CHAP (RFC 1994 §4.1). MD5-Challenge derives no keys.
 *
 * Security: the secret never appears in a log line below level 4 (and the response value only at level 3).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Reader, Writer, getLogger, type Logger, toHex } from '@tncjs/common';
import { EapCode, EapType, type EapMethodType } from './types.js';
import type { EapPacket } from './packet.js';
import type { EapMethod, EapMethodContext, EapMethodFactory, EapMethodResult, EapRole } from './method.js';
import { EapError, EapErrorCode } from './errors.js';
import { secretBytes, type SecretsStore } from './secrets.js';

const MD5: EapMethodType = { type: EapType.MD5 };
export const MD5_CHALLENGE_SIZE = 16;

/** MD5(identifier ‖ secret ‖ challenge). */
export function md5Response(identifier: number, secret: Uint8Array, challenge: Uint8Array): Uint8Array {
  const h = createHash('md5');
  h.update(Uint8Array.of(identifier));
  h.update(secret);
  h.update(challenge);
  return new Uint8Array(h.digest());
}

/** Type-Data: Value-Size, Value, Name. */
export function encodeMd5Data(value: Uint8Array, name = new Uint8Array(0)): Uint8Array {
  return new Writer(1 + value.byteLength + name.byteLength).u8(value.byteLength).bytes(value).bytes(name).finish();
}

/** @throws DecodeError when Value-Size exceeds the data */
export function decodeMd5Data(data: Uint8Array): { value: Uint8Array; name: Uint8Array } {
  const r = new Reader(data, 5);
  const n = r.u8('MD5 Value-Size');
  const value = r.bytes(n, 'MD5 Value');
  return { value, name: r.rest() };
}

export interface Md5Options {
  secrets: SecretsStore;
  /** Peer: our identity; server: the peer identity whose secret is checked. */
  identity: string;
  /** The other side's identity (passed to the secrets store). */
  other?: string;
  logger?: Logger;
}

/** Peer side: answers the challenge with the secret from the store. */
export class EapMd5Peer implements EapMethod {
  readonly methodType = MD5;
  readonly role: EapRole = 'peer';
  private readonly log: Logger;

  constructor(private readonly options: Md5Options) {
    this.log = options.logger ?? getLogger();
  }

  async process(p: EapPacket, ctx: EapMethodContext): Promise<EapMethodResult> {
    let challenge: Uint8Array;
    try {
      challenge = decodeMd5Data(p.data).value;
    } catch (e) {
      return { status: 'failure', error: new EapError(EapErrorCode.PROTOCOL, 'received invalid EAP-MD5 message', { cause: e }) };
    }
    const secret = await this.options.secrets.getSecret(this.options.identity, this.options.other);
    if (secret === undefined) {
      this.log.log('IKE', 1, `no EAP key found for hosts '${this.options.other ?? '%any'}' - '${this.options.identity}'`);
      return { status: 'failure', error: new EapError(EapErrorCode.NO_SECRET, `no EAP-MD5 secret for '${this.options.identity}'`) };
    }
    const key = secretBytes(secret);
    this.log.log('IKE', 4, () => `EAP-MD5 secret => ${toHex(key)}`);
    const value = md5Response(ctx.identifier, key, challenge);
    this.log.log('IKE', 3, () => `EAP-MD5 response => ${toHex(value)}`);
    return { status: 'continue', packet: { code: EapCode.RESPONSE, identifier: ctx.identifier, type: EapType.MD5, data: encodeMd5Data(value) } };
  }
}

/** Server side: sends a random 16-byte challenge and checks the response. */
export class EapMd5Server implements EapMethod {
  readonly methodType = MD5;
  readonly role: EapRole = 'server';
  private readonly log: Logger;
  private challenge: Uint8Array | undefined;
  private identifier = 0;

  constructor(
    private readonly options: Md5Options & { name?: string },
  ) {
    this.log = options.logger ?? getLogger();
  }

  initiate(identifier: number): EapPacket {
    this.challenge = new Uint8Array(randomBytes(MD5_CHALLENGE_SIZE));
    this.identifier = identifier;
    const name = new TextEncoder().encode(this.options.name ?? '');
    return { code: EapCode.REQUEST, identifier, type: EapType.MD5, data: encodeMd5Data(this.challenge, name) };
  }

  async process(p: EapPacket): Promise<EapMethodResult> {
    if (!this.challenge) return { status: 'failure', error: new EapError(EapErrorCode.PROTOCOL, 'EAP-MD5 response without challenge') };
    let value: Uint8Array;
    try {
      value = decodeMd5Data(p.data).value;
    } catch (e) {
      return { status: 'failure', error: new EapError(EapErrorCode.PROTOCOL, 'received invalid EAP-MD5 message', { cause: e }) };
    }
    const secret = await this.options.secrets.getSecret(this.options.identity, this.options.other);
    if (secret === undefined) {
      this.log.log('IKE', 1, `no EAP key found for hosts '${this.options.other ?? '%any'}' - '${this.options.identity}'`);
      return { status: 'failure', error: new EapError(EapErrorCode.NO_SECRET, `no EAP-MD5 secret for '${this.options.identity}'`) };
    }
    const expected = md5Response(this.identifier, secretBytes(secret), this.challenge);
    const ok = value.byteLength === expected.byteLength && timingSafeEqual(value, expected);
    this.challenge.fill(0);
    this.challenge = undefined;
    if (!ok) {
      this.log.log('IKE', 1, 'EAP-MD5 verification failed');
      return { status: 'failure', error: new EapError(EapErrorCode.AUTH, `EAP-MD5 verification of '${this.options.identity}' failed`) };
    }
    return { status: 'success' };
  }
}

/** Factory for either role, secrets from `secrets`. */
export function md5Factory(secrets: SecretsStore, options: { name?: string } = {}): EapMethodFactory {
  return {
    methodType: MD5,
    create: (ctx) =>
      ctx.role === 'peer'
        ? new EapMd5Peer({ secrets, identity: ctx.identity, other: ctx.serverIdentity, logger: ctx.logger })
        : new EapMd5Server({ secrets, identity: ctx.identity, other: ctx.serverIdentity, logger: ctx.logger, name: options.name }),
  };
}
