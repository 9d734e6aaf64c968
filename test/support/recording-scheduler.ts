/**
 * The real scheduler, with a record of what the driver asked of it. On real sockets a test cannot
 * bound how long something took (a loaded machine runs timers late), but it can bound how long
 * the agent *asked* to wait: each fired timer's deadline minus the moment it was armed.
 */
import { realScheduler, type Scheduler } from '../../lib/net/scheduler.js';

export interface FiredTimer {
  readonly armedAt: number;
  readonly at: number;
  readonly firedAt: number;
}

export interface RecordingScheduler extends Scheduler {
  /** Timers that fired, in order. */
  readonly fired: readonly FiredTimer[];
  /** The sum of the waits the fired timers asked for (lateness not included). */
  readonly askedToWaitMs: () => number;
}

export function recordingScheduler(base: Scheduler = realScheduler): RecordingScheduler {
  const fired: FiredTimer[] = [];
  return {
    fired,
    askedToWaitMs: () => fired.reduce((sum, f) => sum + Math.max(0, f.at - f.armedAt), 0),
    now: () => base.now(),
    schedule: (at, fn) => {
      const armedAt = base.now();
      return base.schedule(at, () => {
        fired.push({ armedAt, at, firedAt: base.now() });
        fn();
      });
    },
    cancel: (handle) => base.cancel(handle),
  };
}
