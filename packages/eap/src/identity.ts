/** RFC 3748 §5.1 Identity, both roles. The Type-Data is the identity (UTF-8, not NUL-terminated). */
import { decodeUtf8, encodeUtf8, getLogger, type Logger } from '@tncjs/common';
import { EapCode, EapType, type EapMethodType } from './types.js';
import type { EapPacket } from './packet.js';
import type { EapMethod, EapMethodContext, EapMethodFactory, EapMethodResult, EapRole } from './method.js';
import { EapError, EapErrorCode } from './errors.js';

const IDENTITY: EapMethodType = { type: EapType.IDENTITY };

/** Peer side: answers every Identity Request with our identity. */
export class EapIdentityPeer implements EapMethod {
  readonly methodType = IDENTITY;
  readonly role: EapRole = 'peer';

  constructor(
    readonly identity: string,
    private readonly log: Logger = getLogger(),
  ) {}

  process(p: EapPacket, ctx: EapMethodContext): EapMethodResult {
    if (p.data.byteLength) this.log.log('IKE', 2, `EAP-Identity request carries displayable message '${safeText(p.data)}'`);
    this.log.log('IKE', 2, `sending EAP identity '${this.identity}'`);
    return { status: 'continue', packet: { code: EapCode.RESPONSE, identifier: ctx.identifier, type: EapType.IDENTITY, data: encodeUtf8(this.identity) } };
  }
}

/** Server side: sends an Identity Request and records the identity the peer returns. */
export class EapIdentityServer implements EapMethod {
  readonly methodType = IDENTITY;
  readonly role: EapRole = 'server';
  /** The received identity (after success). */
  identity: string | undefined;

  constructor(
    private readonly prompt = '',
    private readonly log: Logger = getLogger(),
  ) {}

  initiate(identifier: number): EapPacket {
    return { code: EapCode.REQUEST, identifier, type: EapType.IDENTITY, data: encodeUtf8(this.prompt) };
  }

  process(p: EapPacket): EapMethodResult {
    try {
      this.identity = decodeUtf8(p.data, 5);
    } catch (e) {
      return { status: 'failure', error: new EapError(EapErrorCode.PROTOCOL, 'EAP identity is not valid UTF-8', { cause: e }) };
    }
    this.log.log('IKE', 1, `received EAP identity '${this.identity}'`);
    return { status: 'success' };
  }
}

/** Printable form of peer-supplied bytes for log lines. */
export function safeText(b: Uint8Array): string {
  let s = '';
  for (const c of b.subarray(0, 256)) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  return s;
}

export const identityServerFactory = (prompt = ''): EapMethodFactory => ({
  methodType: IDENTITY,
  create: (ctx) => new EapIdentityServer(prompt, ctx.logger),
});
