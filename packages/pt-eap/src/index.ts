/**
 * @tncjs/pt-eap — RFC 7171 PT-EAP: the EAP method carrying PB-TNC batches between two `PbTncConnection`s, both roles.
 * @packageDocumentation
 */
export { encodePtEapData, decodePtEapData, PT_EAP_START, PT_EAP_RESERVED_MASK, PT_EAP_VERSION_MASK, PT_EAP_VERSION, PT_EAP_HEADER_SIZE, PT_EAP_MAX_BATCH_SIZE, type PtEapData } from './header.js';
export { PtEapMethod, PtEapPeer, PtEapServer, ptEapFactory, createPtEapConnection, PT_EAP_SEED_MAX_BATCH_SIZE, STRONGSWAN6_MAX_BATCH_SIZE, PB_PA_OVERHEAD, type PtEapOptions } from './pt-eap.js';
export { PtEapDecodeError, PtEapError, PtEapErrorCode } from './errors.js';
export { PtEapTnccsPeer, PtEapTnccsServer, ptEapTnccsPeerFactory, ptEapTnccsServerFactory, type TnccsClientEndpoint, type TnccsServerEndpoint, type PtEapTnccsOptions } from './tnccs.js';
