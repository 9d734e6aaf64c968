import type { Scheduler } from '../net/scheduler.js';

/**
 * The data path's clock for statistics timestamps: read at most once per `resolutionMs`. A clock
 * read costs 40–70 ns here and Node 20's performance.now() allocates (it is built on
 * process.hrtime()); read per datagram it cost about 5 % CPU per datagram (A/B, same process), one
 * setImmediate per event-loop turn about 3 %, this (one unref'd timer per millisecond while data
 * flows, a field check per datagram) about 2 %.
 */
export class CoarseClock {
  /** The time of the last read; current within `resolutionMs` after `update()`. */
  at = 0;
  private fresh = false;
  private readonly expire = (): void => {
    this.fresh = false;
  };

  constructor(private readonly scheduler: Scheduler, private readonly resolutionMs = 1) {}

  /**
   * Makes `at` current. Callers read the field rather than a return value: a double returned
   * from a call that is not inlined is boxed, which would allocate per datagram again.
   */
  update(): void {
    if (this.fresh) return;
    this.at = this.scheduler.now();
    this.fresh = true;
    const timer = this.scheduler.schedule(this.at + this.resolutionMs, this.expire) as { unref?: () => void } | undefined;
    // Never what keeps a process alive (or shows as a leaked handle after close()).
    timer?.unref?.();
  }
}

const shared = new WeakMap<Scheduler, CoarseClock>();

/** One coarse clock per scheduler: the agents of a process share its one timer. */
export function coarseClockOf(scheduler: Scheduler): CoarseClock {
  let c = shared.get(scheduler);
  if (!c) shared.set(scheduler, (c = new CoarseClock(scheduler)));
  return c;
}
