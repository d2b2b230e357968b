/**
 * The JSON form of PB-TNC batches (RFC 5793 §4) and PA-TNC messages (RFC 5792 §4) that `tncjs decode` prints and
 * `tncjs encode` reads back. Every header field is shown; values use each type's codec JSON (`toJSON`/`fromJSON`),
 * bytes are lower-case hex.
 *
 * On encode, `name` and `length` are informational and ignored (lengths are recomputed); `vendorId` and `type` pick
 * the type. An element has either `value` (a registered type) or `raw` (its value bytes as hex, any type).
 */
import type { Json } from '@tncjs/common';

/** RFC 5792 §4.1 PA-TNC attribute. */
export interface AttributeJson {
  /** strongSwan's name, e.g. `IETF/Product Information` (`VENDOR/0x0000002a` when unnamed). */
  name: string;
  vendorId: number;
  type: number;
  noskip: boolean;
  /** Attribute Length as on the wire (header included). */
  length: number;
  /** The decoded value, for a registered type. */
  value?: Json;
  /** The value bytes, for a type the registry does not decode. */
  raw?: string;
}

/** RFC 5792 §4 PA-TNC message. */
export interface PaMessageJson {
  version: number;
  /** Message Identifier as `0x` and 8 hex digits (a number is accepted on encode). */
  identifier: string;
  attributes: AttributeJson[];
}

/** RFC 5793 §4.2 PB-TNC message. */
export interface MessageJson {
  /** strongSwan's name, e.g. `IETF/PB-PA`. */
  name: string;
  vendorId: number;
  type: number;
  noskip: boolean;
  /** Message Length as on the wire (header included). */
  length: number;
  value?: Json;
  raw?: string;
  /** PB-PA only: the PA message type as strongSwan logs it, `'IETF/Operating System' 0x000000/0x00000001`. */
  paType?: string;
  /** PB-PA only: the PA message body decoded as a PA-TNC message. On encode it replaces `value.body`. */
  paMessage?: PaMessageJson;
  /** PB-PA only: why the body is not a valid PA-TNC message (offsets count from the start of the body). */
  paMessageError?: string;
}

/** RFC 5793 §4.1 PB-TNC batch. */
export interface BatchJson {
  version: number;
  /** The Directionality flag: `server` when set. */
  direction: 'client' | 'server';
  /** Batch type name (`CDATA`, `SDATA`, `RESULT`, `CRETRY`, `SRETRY`, `CLOSE`); a number is accepted on encode. */
  type: string;
  /** Batch Length as on the wire (header included). */
  length: number;
  messages: MessageJson[];
}
