/**
 * IF-IMC 1.3 / IF-IMV 1.3 (TCG TNC) constants and the types shared by IMCs, IMVs and the TNC client/server managers,
 * in idiomatic TypeScript: numeric values are the specifications' so they can be logged and compared with C code.
 */
import type { Logger } from '@tncjs/common';

/** TNC_ConnectionState (IF-IMC 1.3 §3.5.2.6, IF-IMV 1.3). */
export const ConnectionState = { CREATE: 0, HANDSHAKE: 1, ACCESS_ALLOWED: 2, ACCESS_ISOLATED: 3, ACCESS_NONE: 4, DELETE: 5 } as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];
/** strongSwan's names: "changed state of Connection ID 1 to 'Handshake'". */
export const CONNECTION_STATE_NAMES: Readonly<Record<number, string>> = { 0: 'Create', 1: 'Handshake', 2: 'Allowed', 3: 'Isolated', 4: 'None', 5: 'Delete' };

/** TNC_IMV_Action_Recommendation (IF-IMV 1.3 §3.5.2.8). */
export const ImvRecommendation = { ALLOW: 0, NO_ACCESS: 1, ISOLATE: 2, NO_RECOMMENDATION: 3 } as const;
export type ImvRecommendation = (typeof ImvRecommendation)[keyof typeof ImvRecommendation];
export const IMV_RECOMMENDATION_NAMES: Readonly<Record<number, string>> = { 0: 'allow', 1: 'no access', 2: 'isolate', 3: 'no recommendation' };

/** TNC_IMV_Evaluation_Result (IF-IMV 1.3 §3.5.2.9); the same values as PA-TNC/PB-TNC assessment results. */
export const ImvEvaluation = { COMPLIANT: 0, NONCOMPLIANT_MINOR: 1, NONCOMPLIANT_MAJOR: 2, ERROR: 3, DONT_KNOW: 4 } as const;
export type ImvEvaluation = (typeof ImvEvaluation)[keyof typeof ImvEvaluation];
export const IMV_EVALUATION_NAMES: Readonly<Record<number, string>> = { 0: 'compliant', 1: 'non-compliant minor', 2: 'non-compliant major', 3: 'error', 4: "don't know" };

/** TNC_VENDORID_ANY / TNC_SUBTYPE_ANY (long types) and TNC_IMCID_ANY / TNC_IMVID_ANY. */
export const VENDOR_ANY = 0xffffff;
export const SUBTYPE_ANY = 0xffffffff;
export const ID_ANY = 0xffff;

/** A message type an IMC/IMV subscribes to (TNC_IMC_ReportMessageTypesLong). */
export interface MessageType {
  vendorId: number;
  subtype: number;
}

/** A message as TNC_IMC_ReceiveMessageLong / TNC_IMV_ReceiveMessageLong deliver it. */
export interface ReceivedMessage {
  vendorId: number;
  subtype: number;
  /** IMV ID (to an IMC) or IMC ID (to an IMV) of the sender. */
  sourceId: number;
  /** Our ID, or ID_ANY. */
  destinationId: number;
  /** TNC_MESSAGE_FLAGS_EXCLUSIVE. */
  exclusive: boolean;
  /** The PA message (a PA-TNC message). */
  body: Uint8Array;
}

/** Connection attributes an IMC/IMV may query (TNC_IMC_GetAttribute: TNC_ATTRIBUTEID_*). */
export interface ConnectionAttributes {
  /** TNC_ATTRIBUTEID_MAX_ROUND_TRIPS is not tracked; this is TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE. */
  maxMessageSize: number;
  /** TNC_ATTRIBUTEID_HAS_LONG_TYPES. */
  hasLongTypes: boolean;
  /** TNC_ATTRIBUTEID_HAS_EXCLUSIVE. */
  hasExclusive: boolean;
  /** TNC_ATTRIBUTEID_HAS_SOH. */
  hasSoh: boolean;
  /** TNC_ATTRIBUTEID_IFTNCCS_PROTOCOL / _VERSION. */
  ifTnccs: { protocol: string; version: string };
  /** TNC_ATTRIBUTEID_IFT_PROTOCOL / _VERSION. */
  ifT: { protocol: string; version: string };
  /** The peer's preferred language (server side, from PB-Language-Preference). */
  preferredLanguage?: string;
}

/** What an IMC/IMV is given at initialization (TNC_IMC_Initialize + TNC_TNCC_BindFunction). */
export interface InitContext {
  /** IMC or IMV ID assigned by the manager (1, 2, … in load order). */
  id: number;
  logger: Logger;
}

/** What a message to send looks like: PA-TNC attributes (packed by the builder) or a ready PA message. */
export interface OutgoingMessage {
  /** Message type (default: the first the IMC/IMV subscribed to). */
  type?: MessageType;
  /** Destination IMV/IMC ID (default ID_ANY from an IMC; the source of the last message from an IMV). */
  destinationId?: number;
  /** Deliver only to `destinationId` (EXCL). */
  exclusive?: boolean;
  /** PA-TNC attributes: split into as many PA-TNC messages as the maximum message size needs. */
  attributes?: import('@tncjs/pa-tnc').PaTncAttribute<any>[];
  /** A ready PA message body instead of attributes. */
  body?: Uint8Array;
}
