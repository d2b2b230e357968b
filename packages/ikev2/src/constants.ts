/**
 * IKEv2 numbers (RFC 7296 §3, IANA "Internet Key Exchange Version 2 (IKEv2) Parameters") with strongSwan's names and
 * the short names strongSwan prints in its one-line message summaries.
 */

/** Exchange types (RFC 7296 §3.1). */
export const ExchangeType = { IKE_SA_INIT: 34, IKE_AUTH: 35, CREATE_CHILD_SA: 36, INFORMATIONAL: 37 } as const;
export const EXCHANGE_NAMES: Readonly<Record<number, string>> = { 34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL' };

/** Header flags (RFC 7296 §3.1). */
export const HeaderFlag = { INITIATOR: 0x08, VERSION: 0x10, RESPONSE: 0x20 } as const;

/** Payload types (RFC 7296 §3.2, RFC 7383 §2.5). */
export const PayloadType = {
  NONE: 0, SA: 33, KE: 34, IDi: 35, IDr: 36, CERT: 37, CERTREQ: 38, AUTH: 39, NONCE: 40, NOTIFY: 41, DELETE: 42,
  VENDOR_ID: 43, TSi: 44, TSr: 45, SK: 46, CP: 47, EAP: 48, SKF: 53,
} as const;
/** strongSwan's short payload names (`payload_type_short_names`). */
export const PAYLOAD_SHORT_NAMES: Readonly<Record<number, string>> = {
  33: 'SA', 34: 'KE', 35: 'IDi', 36: 'IDr', 37: 'CERT', 38: 'CERTREQ', 39: 'AUTH', 40: 'No', 41: 'N', 42: 'D', 43: 'V',
  44: 'TSi', 45: 'TSr', 46: 'E', 47: 'CP', 48: 'EAP', 53: 'EF',
};

/** Notify message types (RFC 7296 §3.10.1 and later RFCs), strongSwan's long names. */
export const NotifyType = {
  UNSUPPORTED_CRITICAL_PAYLOAD: 1, INVALID_IKE_SPI: 4, INVALID_MAJOR_VERSION: 5, INVALID_SYNTAX: 7, INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11, NO_PROPOSAL_CHOSEN: 14, INVALID_KE_PAYLOAD: 17, AUTHENTICATION_FAILED: 24, SINGLE_PAIR_REQUIRED: 34,
  NO_ADDITIONAL_SAS: 35, INTERNAL_ADDRESS_FAILURE: 36, FAILED_CP_REQUIRED: 37, TS_UNACCEPTABLE: 38, INVALID_SELECTORS: 39,
  UNACCEPTABLE_ADDRESSES: 40, UNEXPECTED_NAT_DETECTED: 41, USE_ASSIGNED_HoA: 42, TEMPORARY_FAILURE: 43, CHILD_SA_NOT_FOUND: 44,
  INITIAL_CONTACT: 16384, SET_WINDOW_SIZE: 16385, ADDITIONAL_TS_POSSIBLE: 16386, IPCOMP_SUPPORTED: 16387,
  NAT_DETECTION_SOURCE_IP: 16388, NAT_DETECTION_DESTINATION_IP: 16389, COOKIE: 16390, USE_TRANSPORT_MODE: 16391,
  HTTP_CERT_LOOKUP_SUPPORTED: 16392, REKEY_SA: 16393, ESP_TFC_PADDING_NOT_SUPPORTED: 16394, NON_FIRST_FRAGMENTS_ALSO: 16395,
  MOBIKE_SUPPORTED: 16396, ADDITIONAL_IP4_ADDRESS: 16397, ADDITIONAL_IP6_ADDRESS: 16398, NO_ADDITIONAL_ADDRESSES: 16399,
  UPDATE_SA_ADDRESSES: 16400, COOKIE2: 16401, NO_NATS_ALLOWED: 16402, AUTH_LIFETIME: 16403, MULTIPLE_AUTH_SUPPORTED: 16404,
  ANOTHER_AUTH_FOLLOWS: 16405, REDIRECT_SUPPORTED: 16406, REDIRECT: 16407, REDIRECTED_FROM: 16408,
  EAP_ONLY_AUTHENTICATION: 16417, CHILDLESS_IKEV2_SUPPORTED: 16418, QUICK_CRASH_DETECTION: 16419,
  IKEV2_MESSAGE_ID_SYNC_SUPPORTED: 16420, IKEV2_REPLAY_COUNTER_SYNC_SUPPORTED: 16421, IKEV2_MESSAGE_ID_SYNC: 16422,
  IPSEC_REPLAY_COUNTER_SYNC: 16423, SECURE_PASSWORD_METHODS: 16424, PSK_PERSIST: 16425, PSK_CONFIRM: 16426,
  ERX_SUPPORTED: 16427, IFOM_CAPABILITY: 16428, SENDER_REQUEST_ID: 16429, IKEV2_FRAGMENTATION_SUPPORTED: 16430,
  SIGNATURE_HASH_ALGORITHMS: 16431, CLONE_IKE_SA_SUPPORTED: 16432, CLONE_IKE_SA: 16433, PUZZLE: 16434, USE_PPK: 16435,
  PPK_IDENTITY: 16436, NO_PPK_AUTH: 16437, INTERMEDIATE_EXCHANGE_SUPPORTED: 16438,
} as const;

/** strongSwan's `notify_type_short_names`, as printed inside `N(...)`. */
export const NOTIFY_SHORT_NAMES: Readonly<Record<number, string>> = {
  1: 'CRIT', 4: 'INVAL_IKE_SPI', 5: 'INVAL_MAJOR', 7: 'INVAL_SYN', 9: 'INVAL_MID', 11: 'INVAL_SPI', 14: 'NO_PROP',
  17: 'INVAL_KE', 24: 'AUTH_FAILED', 34: 'SINGLE_PAIR', 35: 'NO_ADD_SAS', 36: 'INT_ADDR_FAIL', 37: 'FAIL_CP_REQ',
  38: 'TS_UNACCEPT', 39: 'INVAL_SEL', 40: 'UNACCEPT_ADDR', 41: 'UNEXPECT_NAT', 42: 'USE_ASSIGNED_HoA', 43: 'TEMP_FAIL',
  44: 'NO_CHILD_SA', 16384: 'INIT_CONTACT', 16385: 'SET_WINSIZE', 16386: 'ADD_TS_POSS', 16387: 'IPCOMP_SUP',
  16388: 'NATD_S_IP', 16389: 'NATD_D_IP', 16390: 'COOKIE', 16391: 'USE_TRANSP', 16392: 'HTTP_CERT_LOOK', 16393: 'REKEY_SA',
  16394: 'ESP_TFC_PAD_N', 16395: 'NON_FIRST_FRAG', 16396: 'MOBIKE_SUP', 16397: 'ADD_4_ADDR', 16398: 'ADD_6_ADDR',
  16399: 'NO_ADD_ADDR', 16400: 'UPD_SA_ADDR', 16401: 'COOKIE2', 16402: 'NO_NATS', 16403: 'AUTH_LFT', 16404: 'MULT_AUTH',
  16405: 'AUTH_FOLLOWS', 16406: 'REDIR_SUP', 16407: 'REDIR', 16408: 'REDIR_FROM', 16417: 'EAP_ONLY', 16418: 'CHDLESS_SUP',
  16419: 'QUICK_CRASH_DET', 16420: 'MSG_ID_SYN_SUP', 16421: 'RPL_CTR_SYN_SUP', 16422: 'MSG_ID_SYN', 16423: 'RPL_CTR_SYN',
  16424: 'SEC_PASSWD', 16425: 'PSK_PST', 16426: 'PSK_CFM', 16427: 'ERX_SUP', 16428: 'IFOM_CAP', 16429: 'SENDER_REQ_ID',
  16430: 'FRAG_SUP', 16431: 'HASH_ALG', 16432: 'CLONE_IKE_SUP', 16433: 'CLONE', 16434: 'PUZZLE', 16435: 'USE_PPK',
  16436: 'PPK_ID', 16437: 'NO_PPK', 16438: 'IKE_INT_SUP',
};
export const NOTIFY_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(NotifyType).map(([k, v]) => [v, k]));

/** Protocol IDs (RFC 7296 §3.3.1). */
export const ProtocolId = { IKE: 1, AH: 2, ESP: 3 } as const;
export const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'IKE', 2: 'AH', 3: 'ESP' };

/** Transform types (RFC 7296 §3.3.2). */
export const TransformType = { ENCR: 1, PRF: 2, INTEG: 3, DH: 4, ESN: 5 } as const;
export const TRANSFORM_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'ENCRYPTION_ALGORITHM', 2: 'PSEUDO_RANDOM_FUNCTION', 3: 'INTEGRITY_ALGORITHM', 4: 'DIFFIE_HELLMAN_GROUP', 5: 'EXTENDED_SEQUENCE_NUMBERS',
};
export const Encr = { DES3: 3, AES_CBC: 12, AES_CTR: 13, AES_GCM_8: 18, AES_GCM_12: 19, AES_GCM_16: 20, CHACHA20_POLY1305: 28 } as const;
export const ENCR_NAMES: Readonly<Record<number, string>> = { 3: '3DES_CBC', 12: 'AES_CBC', 13: 'AES_CTR', 18: 'AES_GCM_8', 19: 'AES_GCM_12', 20: 'AES_GCM_16', 28: 'CHACHA20_POLY1305' };
export const Prf = { HMAC_MD5: 1, HMAC_SHA1: 2, HMAC_SHA2_256: 5, HMAC_SHA2_384: 6, HMAC_SHA2_512: 7 } as const;
export const PRF_NAMES: Readonly<Record<number, string>> = { 1: 'PRF_HMAC_MD5', 2: 'PRF_HMAC_SHA1', 5: 'PRF_HMAC_SHA2_256', 6: 'PRF_HMAC_SHA2_384', 7: 'PRF_HMAC_SHA2_512' };
export const Integ = { NONE: 0, HMAC_SHA1_96: 2, HMAC_SHA2_256_128: 12, HMAC_SHA2_384_192: 13, HMAC_SHA2_512_256: 14 } as const;
export const INTEG_NAMES: Readonly<Record<number, string>> = { 0: 'NONE', 2: 'HMAC_SHA1_96', 12: 'HMAC_SHA2_256_128', 13: 'HMAC_SHA2_384_192', 14: 'HMAC_SHA2_512_256' };
export const DhGroup = { NONE: 0, MODP_2048: 14, MODP_3072: 15, ECP_256: 19, ECP_384: 20, CURVE_25519: 31 } as const;
export const DH_NAMES: Readonly<Record<number, string>> = { 0: 'NONE', 14: 'MODP_2048', 15: 'MODP_3072', 19: 'ECP_256', 20: 'ECP_384', 31: 'CURVE_25519' };
export const Esn = { NO: 0, YES: 1 } as const;
/** Transform attribute types (RFC 7296 §3.3.5). */
export const TransformAttr = { KEY_LENGTH: 14 } as const;

/** Identification types (RFC 7296 §3.5). */
export const IdType = { IPV4_ADDR: 1, FQDN: 2, RFC822_ADDR: 3, IPV6_ADDR: 5, DER_ASN1_DN: 9, DER_ASN1_GN: 10, KEY_ID: 11 } as const;
export const ID_TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'ID_IPV4_ADDR', 2: 'ID_FQDN', 3: 'ID_RFC822_ADDR', 5: 'ID_IPV6_ADDR', 9: 'ID_DER_ASN1_DN', 10: 'ID_DER_ASN1_GN', 11: 'ID_KEY_ID' };

/** Authentication methods (RFC 7296 §3.8, RFC 7427). */
export const AuthMethod = { RSA_SIG: 1, PSK: 2, DSS: 3, ECDSA_256: 9, ECDSA_384: 10, ECDSA_521: 11, GENERIC_DSS: 12, NULL: 13, DIGITAL_SIGNATURE: 14 } as const;
export const AUTH_METHOD_NAMES: Readonly<Record<number, string>> = {
  1: 'RSA signature', 2: 'pre-shared key', 3: 'DSS signature', 9: 'ECDSA-256 signature', 10: 'ECDSA-384 signature', 11: 'ECDSA-521 signature', 13: 'NULL authentication', 14: 'digital signature',
};

/** Certificate encodings (RFC 7296 §3.6). */
export const CertEncoding = { X509_SIGNATURE: 4, HASH_AND_URL_X509: 12 } as const;

/** Traffic selector types (RFC 7296 §3.13.1). */
export const TsType = { IPV4_ADDR_RANGE: 7, IPV6_ADDR_RANGE: 8 } as const;

/** Configuration payload types and attributes (RFC 7296 §3.15). */
export const CfgType = { CFG_REQUEST: 1, CFG_REPLY: 2, CFG_SET: 3, CFG_ACK: 4 } as const;
export const CFG_SHORT_NAMES: Readonly<Record<number, string>> = { 1: 'CPRQ', 2: 'CPRP', 3: 'CPS', 4: 'CPA' };
export const CfgAttr = { INTERNAL_IP4_ADDRESS: 1, INTERNAL_IP4_NETMASK: 2, INTERNAL_IP4_DNS: 3, INTERNAL_IP6_ADDRESS: 8, INTERNAL_IP6_DNS: 10 } as const;
export const CFG_ATTR_SHORT_NAMES: Readonly<Record<number, string>> = { 1: 'ADDR', 2: 'MASK', 3: 'DNS', 4: 'NBNS', 7: 'DHCP', 8: 'ADDR6', 10: 'DNS6', 13: 'SUBNET' };

/** IKE header size (RFC 7296 §3.1) and the generic payload header size (§3.2). */
export const IKE_HEADER_SIZE = 28;
export const GENERIC_HEADER_SIZE = 4;
/** IKEv2 version byte: major 2, minor 0. */
export const IKE_VERSION = 0x20;
/** UDP ports (RFC 7296 §2.11, RFC 3948). */
export const IKE_PORT = 500;
export const NATT_PORT = 4500;
/** Non-ESP marker prepended to IKE messages on port 4500 (RFC 3948 §2.2). */
export const NON_ESP_MARKER_SIZE = 4;
