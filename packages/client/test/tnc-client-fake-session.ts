/**
 * A fake network stack for the tnc-client command tests (the real stack is tested end-to-end in its own tier): it
 * resolves with a chosen outcome, reports upload progress, and records what the command did with it.
 */
import type { ClientConfig } from '../src/config/types.js';
import type { Outcome, Session, SessionContext, StartSession } from '../src/cli/session.js';

export interface FakeOptions {
  outcome?: Outcome;
  /** Reject instead of connecting. */
  fail?: Error;
  /** Never settle (until aborted). */
  hang?: boolean;
  /** Progress reports to make before resolving: [sent, total]. */
  progress?: [number, number][];
  /** Extra status fields (e.g. a secret that must be redacted). */
  status?: Record<string, unknown>;
  /** close() takes this long. */
  closeDelayMs?: number;
}

export interface FakeRecord {
  config?: ClientConfig;
  started: number;
  closed: number;
  aborted: boolean;
  /** Settle `session.closed` (the gateway deleted the SA). */
  peerClose?: () => void;
}

export function fakeStack(o: FakeOptions = {}): { startSession: StartSession; record: FakeRecord } {
  const record: FakeRecord = { started: 0, closed: 0, aborted: false };
  const startSession: StartSession = async (cfg, _log, ctx: SessionContext) => {
    record.config = cfg;
    record.started++;
    ctx.signal.addEventListener('abort', () => (record.aborted = true));
    for (const [sent, total] of o.progress ?? []) ctx.progress(sent, total);
    if (o.fail) throw o.fail;
    if (o.hang) {
      await new Promise<never>((_res, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('aborted'))));
    }
    let peerClose!: () => void;
    const closed = new Promise<void>((res) => (peerClose = res));
    record.peerClose = peerClose;
    const session: Session = {
      outcome: o.outcome ?? 'allowed',
      status: () => ({ ikeSa: 'home[1]', spis: { in: 'c1a2b3c4', out: 'd5e6f7a8' }, ...o.status }),
      close: async () => {
        if (o.closeDelayMs) await new Promise((r) => setTimeout(r, o.closeDelayMs));
        record.closed++;
      },
      closed,
    };
    return session;
  };
  return { startSession, record };
}
