/**
 * RFC 5793 §3.2 PB-TNC state machine, for either role, with strongSwan's transitions and log line.
 *
 *   Init ──CDATA──► Server Working ──SDATA/SRETRY──► Client Working ──CDATA/CRETRY──► Server Working
 *                   Server Working ──RESULT──► Decided ──CRETRY/SRETRY──► Server Working
 *   any state ──CLOSE──► End
 */
import { getLogger, type Logger } from '@tncjs/common';
import { BatchType, batchTypeName } from './batch.js';

export const PbTncState = { INIT: 0, SERVER_WORKING: 1, CLIENT_WORKING: 2, DECIDED: 3, END: 4 } as const;
export type PbTncState = (typeof PbTncState)[keyof typeof PbTncState];

export const PB_TNC_STATE_NAMES: Readonly<Record<number, string>> = {
  0: 'Init',
  1: 'Server Working',
  2: 'Client Working',
  3: 'Decided',
  4: 'End',
};

export type Role = 'client' | 'server';

const { INIT, SERVER_WORKING, CLIENT_WORKING, DECIDED, END } = PbTncState;
const { CDATA, SDATA, RESULT, CRETRY, SRETRY, CLOSE } = BatchType;

/** Next state when the batch type is allowed, undefined when it is not. `sent` = we send it; otherwise we receive it. */
export function nextState(state: PbTncState, role: Role, type: number, sent: boolean): PbTncState | undefined {
  if (type === CLOSE) return END;
  // The sender's role decides which batch types are legal; receiving is the mirror image of the peer sending.
  const sender: Role = sent ? role : role === 'client' ? 'server' : 'client';
  switch (state) {
    case INIT:
      if (sender === 'client' && type === CDATA) return SERVER_WORKING;
      // strongSwan also lets a server open with SDATA (it sends PB-PDP-Referral first on some transports).
      if (sender === 'server' && type === SDATA) return CLIENT_WORKING;
      return undefined;
    case SERVER_WORKING:
      if (sender === 'server' && (type === SDATA || type === SRETRY)) return CLIENT_WORKING;
      if (sender === 'server' && type === RESULT) return DECIDED;
      if (sender === 'client' && type === CRETRY) return SERVER_WORKING;
      return undefined;
    case CLIENT_WORKING:
      if (sender === 'client' && (type === CDATA || type === CRETRY)) return SERVER_WORKING;
      if (sender === 'server' && type === SRETRY) return CLIENT_WORKING;
      return undefined;
    case DECIDED:
      if ((sender === 'client' && type === CRETRY) || (sender === 'server' && type === SRETRY)) return SERVER_WORKING;
      return undefined;
    default:
      return undefined;
  }
}

export class PbTncStateMachine {
  private current: PbTncState = INIT;

  constructor(
    readonly role: Role,
    private readonly log: Logger = getLogger(),
  ) {}

  get state(): PbTncState {
    return this.current;
  }

  get stateName(): string {
    return PB_TNC_STATE_NAMES[this.current];
  }

  /** Can we send a batch of this type now? */
  canSend(type: number): boolean {
    return nextState(this.current, this.role, type, true) !== undefined;
  }

  /** Account for a batch we send; false (state unchanged) when the type is not allowed now. */
  send(type: number): boolean {
    return this.move(nextState(this.current, this.role, type, true));
  }

  /** Account for a batch we received; false (state unchanged) when the type is not allowed now. */
  receive(type: number): boolean {
    return this.move(nextState(this.current, this.role, type, false));
  }

  private move(next: PbTncState | undefined): boolean {
    if (next === undefined) return false;
    if (next !== this.current) {
      this.log.log('TNC', 2, `PB-TNC state transition from '${PB_TNC_STATE_NAMES[this.current]}' to '${PB_TNC_STATE_NAMES[next]}'`);
      this.current = next;
    }
    return true;
  }
}

export { batchTypeName };
