/**
 * @tncjs/eap-ttls — RFC 5281 EAP-TTLSv0 in both roles over node:tls (TLS 1.2 and 1.3, RFC 9427), with
 * fragmentation, Diameter AVPs, phase 2 tunneled EAP, MSK/EMSK, and pkijs-based certificate validation with CRL/OCSP.
 * @packageDocumentation
 */
export { EapTtlsPeer, EapTtlsServer, ttlsPeerFactory, ttlsServerFactory, peerChain, TTLS_VERSION, type TtlsCommonOptions, type TtlsPeerOptions, type TtlsServerOptions } from './ttls.js';
export { encodeTtlsData, decodeTtlsData, isTtlsAck, TtlsFlag, TTLS_VERSION_MASK, TTLS_RESERVED_MASK, TTLS_HEADER_SIZE, TTLS_DATA_OFFSET, TTLS_LENGTH_FIELD_SIZE, type TtlsData } from './header.js';
export { fragmentTlsMessage, TtlsReassembler, DEFAULT_FRAGMENT_SIZE, DEFAULT_MAX_TLS_MESSAGE_SIZE, STRONGSWAN_FRAGMENT_SIZE, MIN_FRAGMENT_SIZE, type FragmentOptions } from './fragmentation.js';
export { encodeAvp, encodeAvps, decodeAvps, readAvp, eapMessageAvp, describeAvp, AvpStream, AvpCode, AvpFlag, AVP_CODE_NAMES, AVP_HEADER_SIZE, AVP_VENDOR_HEADER_SIZE, AVP_MAX_LENGTH, type Avp } from './avp.js';
export { TlsChannel, type TlsChannelRole } from './tls-channel.js';
export { deriveTtlsKeys, TTLS_KEYING_LABEL, RFC9427_KEYING_LABEL, TTLS_TYPE_CODE, type Tls13KeyDerivation, type TtlsKeys } from './keys.js';
export { TtlsError, TtlsDecodeError, TtlsErrorCode, CertificateError, CertErrorCode } from './errors.js';
export { CertificateValidator, type ValidatorOptions, type ValidatedChain } from './x509/validator.js';
export { TrustStore, readPemOrDer, toPem, parseCertificate, parseCrl, loadCrlDirectory } from './x509/trust-store.js';
export { RevocationChecker, crlUris, ocspUris, type RevocationOptions, type RevocationPolicy, type RevocationStatus } from './x509/revocation.js';
export { httpFetcher, type Fetcher, type FetchRequest } from './x509/fetch.js';
export { formatDn, formatUtc, matchesIdentity, altNamesOf, subjectOf } from './x509/names.js';
