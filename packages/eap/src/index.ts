/**
 * @tncjs/eap — RFC 3748 EAP: the packet codec, the method interface, Identity, MD5-Challenge and Nak, and the two
 * roles (`EapPeer`, `EapAuthenticator`) with identifier handling and duplicate detection.
 * @packageDocumentation
 */
export { EapCode, EapType, EAP_CODE_NAMES, EAP_CODE_SHORT_NAMES, EAP_TYPE_NAMES, EAP_TYPE_SHORT_NAMES, eapCodeName, eapTypeName, eapTypeShortName, sameMethodType, describeMethodType, type EapMethodType } from './types.js';
export { encodeEapPacket, decodeEapPacket, describeEapPacket, methodTypeOf, methodPacket, successPacket, failurePacket, EAP_HEADER_SIZE, EAP_MAX_PACKET_SIZE, type EapPacket } from './packet.js';
export { EapDecodeError, EapError, EapErrorCode } from './errors.js';
export type { EapMethod, EapMethodResult, EapMethodContext, EapMethodFactory, EapMethodFactoryContext, EapRole } from './method.js';
export { encodeNak, encodeExpandedNak, decodeNak, isExpandedNak, EXPANDED_NAK_TYPE } from './nak.js';
export { EapIdentityPeer, EapIdentityServer, identityServerFactory, safeText } from './identity.js';
export { EapMd5Peer, EapMd5Server, md5Factory, md5Response, encodeMd5Data, decodeMd5Data, MD5_CHALLENGE_SIZE, type Md5Options } from './md5.js';
export { MemorySecretsStore, secretBytes, type SecretsStore, type Secret } from './secrets.js';
export { EapPeer, type EapPeerOptions, type EapOutcome } from './peer.js';
export { EapAuthenticator, type EapAuthenticatorOptions, type EapAuthenticatorResult } from './authenticator.js';
