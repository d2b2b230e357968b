/** RFC 5793 §3.2 state machine: every (state, role, batch type, direction) against the RFC's transitions. */
import { nextState, PbTncState, PbTncStateMachine, BatchType, PB_TNC_STATE_NAMES } from '../src/index.js';
import { Logger } from '@tncjs/common';

const { INIT, SERVER_WORKING: SW, CLIENT_WORKING: CW, DECIDED, END } = PbTncState;
const { CDATA, SDATA, RESULT, CRETRY, SRETRY, CLOSE } = BatchType;

// [state, batch type, sender] → next state; anything not listed is not allowed (except CLOSE → End, always).
const allowed: [number, number, 'client' | 'server', number][] = [
  [INIT, CDATA, 'client', SW],
  [INIT, SDATA, 'server', CW],
  [SW, SDATA, 'server', CW],
  [SW, SRETRY, 'server', CW],
  [SW, RESULT, 'server', DECIDED],
  [SW, CRETRY, 'client', SW],
  [CW, CDATA, 'client', SW],
  [CW, CRETRY, 'client', SW],
  [CW, SRETRY, 'server', CW],
  [DECIDED, CRETRY, 'client', SW],
  [DECIDED, SRETRY, 'server', SW],
];

const cases: [string, number, number, 'client' | 'server', number | undefined][] = [];
for (const state of [INIT, SW, CW, DECIDED, END]) {
  for (const type of [CDATA, SDATA, RESULT, CRETRY, SRETRY, CLOSE]) {
    for (const sender of ['client', 'server'] as const) {
      const hit = allowed.find(([s, t, r]) => s === state && t === type && r === sender);
      const expected = type === CLOSE ? END : hit?.[3];
      cases.push([`${PB_TNC_STATE_NAMES[state]}: ${sender} sends ${type}`, state, type, sender, expected]);
    }
  }
}

test.each(cases)('%s', (_n, state, type, sender, expected) => {
  // the sender sees it as sent, the other role as received: both must agree
  expect(nextState(state as PbTncState, sender, type, true)).toBe(expected);
  expect(nextState(state as PbTncState, sender === 'client' ? 'server' : 'client', type, false)).toBe(expected);
});

test('transitions are logged as strongSwan does', () => {
  const lines: string[] = [];
  const sm = new PbTncStateMachine('client', new Logger({ defaultLevel: 2, sink: (l) => lines.push(l) }));
  expect(sm.send(CDATA)).toBe(true);
  expect(sm.receive(SDATA)).toBe(true);
  expect(sm.receive(CDATA)).toBe(false);
  expect(sm.state).toBe(CW);
  expect(lines).toEqual([
    "00[TNC] PB-TNC state transition from 'Init' to 'Server Working'",
    "00[TNC] PB-TNC state transition from 'Server Working' to 'Client Working'",
  ]);
});
