/**
 * `waitFor(states, timeoutMs)`: promises on iceState that always settle. The
 * driver feeds every state change here before any user listener runs, so no
 * listener (throwing, or removing every listener) can keep a waiter pending.
 *
 * A waiter rejects at once when the agent is in, or enters, a state it never
 * leaves by itself: `closed` (ERR_CLOSED), and `failed` (ERR_ICE_FAILED),
 * which only the application's `restart()` ends (RFC 8445 §8.1.2: a failed
 * checklist stays failed; late candidates do not revive it). After a restart
 * the application calls waitFor again. A state that is wanted always wins, so
 * `waitFor(['failed'])` resolves on failure. Timeouts run on the agent's
 * scheduler (ERR_TIMEOUT).
 */
import { inspect } from 'node:util';
import type { IceState } from './ice/ice-state.js';
import type { Scheduler } from './net/scheduler.js';
import { IceError } from './util/errors.js';

const STATES: readonly IceState[] = ['starting', 'checking', 'connected', 'completed', 'failed', 'disconnected', 'closed'];

interface Waiter {
  readonly states: readonly IceState[];
  readonly settle: (err: IceError | undefined, state: IceState) => void;
}

export class StateWaiters {
  /** Made on the first wait: most agents of a server never wait. */
  private waiters: Set<Waiter> | undefined;
  private lastReason = '';

  constructor(
    private readonly scheduler: Scheduler,
    private readonly current: () => IceState,
  ) {}

  wait(states: unknown, timeoutMs: unknown): Promise<IceState> {
    const problem = invalidArguments(states, timeoutMs);
    if (problem) return Promise.reject(new IceError('ERR_INVALID_ARGUMENT', problem));
    const wanted = states as readonly IceState[];
    const now = this.current();
    const early = verdict(wanted, now, this.lastReason);
    if (early !== undefined) return early === true ? Promise.resolve(now) : Promise.reject(early);
    return new Promise<IceState>((resolve, reject) => {
      let timer: unknown;
      const waiter: Waiter = {
        states: wanted,
        settle: (err, state) => {
          this.waiters?.delete(waiter);
          if (timer !== undefined) this.scheduler.cancel(timer);
          if (err) reject(err);
          else resolve(state);
        },
      };
      (this.waiters ??= new Set()).add(waiter);
      if (timeoutMs === undefined) return;
      const ms = timeoutMs as number;
      timer = this.scheduler.schedule(this.scheduler.now() + ms, () => {
        timer = undefined;
        const state = this.current();
        waiter.settle(new IceError('ERR_TIMEOUT', `waitFor(${wanted.join('/')}): still ${state} after ${ms} ms`), state);
      });
    });
  }

  /** Every state change, in order, before user listeners see it. */
  onState(state: IceState, reason: string): void {
    // Only the reason of a state a later waiter is told about (failed) is kept: one string less per agent.
    this.lastReason = state === 'failed' ? reason : '';
    if (this.waiters === undefined || this.waiters.size === 0) return;
    for (const w of [...this.waiters]) {
      const v = verdict(w.states, state, reason);
      if (v === true) w.settle(undefined, state);
      else if (v !== undefined) w.settle(v, state);
    }
  }
}

/** true: resolved; an error: rejected; undefined: keep waiting. */
function verdict(wanted: readonly IceState[], state: IceState, reason: string): true | IceError | undefined {
  if (wanted.includes(state)) return true;
  const waitingFor = `while waiting for ${wanted.join('/')}`;
  if (state === 'closed') return new IceError('ERR_CLOSED', `the agent was closed ${waitingFor}`);
  if (state === 'failed') return new IceError('ERR_ICE_FAILED', `ICE failed (${reason}) ${waitingFor}; only restart() leaves failed`);
  return undefined;
}

function invalidArguments(states: unknown, timeoutMs: unknown): string | undefined {
  if (!Array.isArray(states) || states.length === 0 || !states.every((s) => STATES.includes(s as IceState))) {
    return `waitFor: states must be a non-empty array of ${STATES.join(', ')}; got ${inspect(states)}`;
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0)) {
    return `waitFor: timeoutMs must be a finite number >= 0 or undefined; got ${String(timeoutMs)}`;
  }
  return undefined;
}
