import { monotonicClock, type Clock } from '../util/clock.js';

/** The driver's only timer, injectable so tests can run on a virtual clock. */
export interface Scheduler extends Clock {
  /** Calls `fn` at (or soon after) monotonic time `atMs`; returns a handle for `cancel`. */
  schedule(atMs: number, fn: () => void): unknown;
  cancel(handle: unknown): void;
}

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export const realScheduler: Scheduler = {
  now: monotonicClock.now,
  // libuv measures timeouts from its cached, whole-millisecond loop time, so a timer can fire
  // up to a millisecond before `atMs`; rounding up (+1) avoids a wasted early wakeup.
  // Node fires a delay above 2^31 - 1 ms at once; capped, the driver just wakes early and re-arms.
  schedule: (atMs, fn) => setTimeout(fn, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, Math.ceil(atMs - monotonicClock.now()) + 1))),
  cancel: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
