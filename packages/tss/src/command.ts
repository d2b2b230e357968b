/**
 * Command and response framing (Part 1 §18, Part 3 §4): the header (tag, size, code), the handle area, the
 * authorization area (TPMS_AUTH_COMMAND, Part 2 §10.13.2) and the parameters; and the response with its
 * parameterSize and TPMS_AUTH_RESPONSE list (§10.13.3). Pure functions: no I/O, so every byte is unit-testable.
 */
import { Reader, Writer } from '@tncjs/common';
import { TPM_ST, TPM_ST_NAMES } from './constants.js';
import { TpmDecodeError, asTpmDecodeError } from './errors.js';
import { readTpm2b, writeTpm2b } from './structures/tpm2b.js';

/** TPMS_AUTH_COMMAND. */
export interface AuthCommand {
  sessionHandle: number;
  nonce: Uint8Array;
  /** TPMA_SESSION */
  attributes: number;
  /** HMAC, or the password for TPM_RS_PW. Secret. */
  hmac: Uint8Array;
}

/** TPMS_AUTH_RESPONSE. */
export interface AuthResponse {
  nonce: Uint8Array;
  attributes: number;
  hmac: Uint8Array;
}

export interface EncodedCommand {
  bytes: Uint8Array;
  /** Where the authorization area (authorizationSize included) starts and how long it is (0 without sessions). */
  authOffset: number;
  authLength: number;
  /** Where the parameters start. */
  paramsOffset: number;
}

export const COMMAND_HEADER_SIZE = 10;

/** Marshal a command. `TPM2_Startup(CLEAR)` = `80 01 00 00 00 0c 00 00 01 44 00 00`. */
export function encodeCommand(commandCode: number, handles: readonly number[], auths: readonly AuthCommand[] | undefined, params: Uint8Array): EncodedCommand {
  const w = new Writer(COMMAND_HEADER_SIZE + handles.length * 4 + params.byteLength + 128);
  const withSessions = !!auths && auths.length > 0;
  w.u16(withSessions ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS);
  const setSize = w.placeholderU32();
  w.u32(commandCode >>> 0);
  for (const h of handles) w.u32(h >>> 0);
  const authOffset = w.length;
  if (withSessions) {
    const a = new Writer(64 * auths.length);
    for (const s of auths) {
      a.u32(s.sessionHandle >>> 0);
      writeTpm2b(a, s.nonce);
      a.u8(s.attributes);
      writeTpm2b(a, s.hmac);
    }
    const area = a.finish();
    w.u32(area.byteLength).bytes(area);
  }
  const authLength = w.length - authOffset;
  const paramsOffset = w.length;
  w.bytes(params);
  setSize(w.length);
  return { bytes: w.finish(), authOffset, authLength, paramsOffset };
}

export interface DecodedResponse {
  tag: number;
  responseCode: number;
  handles: number[];
  /** The parameter area (a view into the response). */
  params: Uint8Array;
  /** Offset of the parameter area in the response, for error offsets. */
  paramsOffset: number;
  auths: AuthResponse[];
}

/**
 * Parse a response. A non-zero response code is returned (not thrown) with empty handles and parameters; anything
 * that does not fit the expected shape throws TpmDecodeError with the offset of the offending field.
 * @param expect.handles number of handles the command returns
 * @param expect.sessions number of authorization sessions the command was sent with
 */
export function decodeResponse(b: Uint8Array, expect: { handles: number; sessions: number }): DecodedResponse {
  try {
    const r = new Reader(b);
    const tag = r.u16('response tag');
    const size = r.u32('responseSize');
    if (size !== b.byteLength) throw new TpmDecodeError(`responseSize ${size} does not match the ${b.byteLength} bytes received`, 2);
    const responseCode = r.u32('responseCode');
    if (tag !== TPM_ST.NO_SESSIONS && tag !== TPM_ST.SESSIONS && tag !== TPM_ST.RSP_COMMAND) {
      throw new TpmDecodeError(`unexpected response tag 0x${tag.toString(16).padStart(4, '0')}`, 0);
    }
    if (responseCode !== 0) return { tag, responseCode, handles: [], params: new Uint8Array(0), paramsOffset: b.byteLength, auths: [] };
    if (tag === TPM_ST.RSP_COMMAND) throw new TpmDecodeError('TPM_ST_RSP_COMMAND response with TPM_RC_SUCCESS', 0);
    const wantTag = expect.sessions > 0 ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS;
    if (tag !== wantTag) throw new TpmDecodeError(`response tag ${TPM_ST_NAMES[tag]} after a command with ${expect.sessions} sessions`, 0);
    const handles: number[] = [];
    for (let i = 0; i < expect.handles; i++) handles.push(r.u32('response handle'));
    if (tag === TPM_ST.NO_SESSIONS) {
      const paramsOffset = r.offset;
      return { tag, responseCode, handles, params: r.borrow(r.remaining), paramsOffset, auths: [] };
    }
    const psAt = r.offset;
    const parameterSize = r.u32('parameterSize');
    if (parameterSize > r.remaining) throw new TpmDecodeError(`parameterSize ${parameterSize} exceeds the ${r.remaining} bytes left`, psAt);
    const paramsOffset = r.offset;
    const params = r.borrow(parameterSize, 'parameters');
    const auths: AuthResponse[] = [];
    for (let i = 0; i < expect.sessions; i++) {
      auths.push({ nonce: readTpm2b(r, 'TPMS_AUTH_RESPONSE.nonce', 128), attributes: r.u8('TPMS_AUTH_RESPONSE.sessionAttributes'), hmac: readTpm2b(r, 'TPMS_AUTH_RESPONSE.hmac', 128) });
    }
    r.end('response authorization area');
    return { tag, responseCode, handles, params, paramsOffset, auths };
  } catch (e) {
    throw asTpmDecodeError(e, 'malformed TPM response');
  }
}
