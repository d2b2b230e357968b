/**
 * The interface every EAP method implements, in either role (RFC 3748 §2: peer and authenticator/server). A method
 * sees only Requests (peer) or Responses (server) of its own type; identifiers, duplicates, Nak and method
 * selection are handled once, by `EapPeer` and `EapAuthenticator`.
 */
import type { Logger } from '@tncjs/common';
import type { EapPacket } from './packet.js';
import type { EapMethodType } from './types.js';
import type { EapError } from './errors.js';

export type EapRole = 'peer' | 'server';

/**
 * What a method answers to a packet:
 * - `continue`: send `packet` (peer: the Response; server: the next Request);
 * - `success`: server: the method authenticated the peer (the authenticator sends EAP-Success or starts the next
 *   method); peer: the method finished on its side and needs no further Request;
 * - `failure`: the method failed (server: the authenticator sends EAP-Failure; peer: the exchange ends).
 */
export type EapMethodResult =
  | { status: 'continue'; packet: EapPacket }
  | { status: 'success' }
  | { status: 'failure'; error: EapError };

/** Context handed to a method for each packet. */
export interface EapMethodContext {
  /** Server: the identifier the next Request carries; peer: the identifier of the Request being answered. */
  identifier: number;
}

export interface EapMethod {
  readonly methodType: EapMethodType;
  readonly role: EapRole;
  /** Server: the method's first Request, carrying `identifier`. */
  initiate?(identifier: number): Promise<EapPacket> | EapPacket;
  /** Handle a Request (peer) or a Response (server) of this method's type. Never throws on peer input. */
  process(packet: EapPacket, context: EapMethodContext): Promise<EapMethodResult> | EapMethodResult;
  /**
   * Peer: whether an EAP-Success is acceptable now (RFC 4137 methodState DONE / decision). A tunnel method says no
   * until its tunnel is up and the server authenticated, so a forged EAP-Success cannot end authentication early.
   */
  canSucceed?(): boolean;
  /** The Master Session Key (64 bytes) once the method succeeded, if the method derives keys. */
  getMsk?(): Uint8Array | undefined;
  /** The Extended Master Session Key (64 bytes), if the method derives keys. */
  getEmsk?(): Uint8Array | undefined;
  /** Zeroize secrets and release resources. */
  destroy?(): void;
}

/** What a method factory gets. */
export interface EapMethodFactoryContext {
  role: EapRole;
  /** Peer: our own identity; server: the peer identity from EAP-Identity (or the lower layer). */
  identity: string;
  /** Server identity, when the lower layer knows it (e.g. IKE IDr). */
  serverIdentity?: string;
  logger: Logger;
}

/** Creates method instances of one type for one role. */
export interface EapMethodFactory {
  readonly methodType: EapMethodType;
  create(context: EapMethodFactoryContext): EapMethod;
}
