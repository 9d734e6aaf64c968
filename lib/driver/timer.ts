import { DeadlineHeap } from '../util/deadline-heap.js';
import type { Scheduler } from '../net/scheduler.js';

/** One agent's deadline on a timer it may share with many others. */
export interface AgentTimer {
  /** Calls the owner back at monotonic time `at`; replaces any earlier arming. */
  arm(at: number): void;
  disarm(): void;
}

/**
 * One scheduler timer for any number of agents: their next deadlines live in one heap and the
 * single timer is armed for the earliest. An agent alone gets one too (the cost is one heap
 * entry); a server with 10,000 agents wakes once per due instant, not 10,000 times.
 */
export class SharedTimer {
  private readonly heap = new DeadlineHeap<() => void>();
  private handle: unknown;
  private armedAt = Infinity;

  /** `report` gets what an owner threw (by default it is rethrown on the next tick: an uncaught exception). */
  constructor(
    private readonly scheduler: Scheduler,
    private readonly report: (err: unknown) => void = rethrowLater,
  ) {}

  /** A timer for one agent; `onFire` runs when its deadline has come. */
  slot(onFire: () => void): AgentTimer {
    return {
      arm: (at) => {
        if (this.heap.deadlineOf(onFire) === at) return;
        this.heap.schedule(onFire, at);
        this.rearm();
      },
      disarm: () => {
        if (this.heap.cancel(onFire)) this.rearm();
      },
    };
  }

  /** Owners still waiting (for tests and stats). */
  get size(): number {
    return this.heap.size;
  }

  private rearm(): void {
    const next = this.heap.peek();
    if (next === this.armedAt) return;
    if (this.handle !== undefined) this.scheduler.cancel(this.handle);
    this.handle = undefined;
    this.armedAt = next;
    if (next !== Infinity) this.handle = this.scheduler.schedule(next, this.fire);
  }

  /**
   * Runs every owner whose deadline has come, then re-arms for the next. Owners are collected
   * first, so one that re-arms for `now` runs on the next wakeup instead of starving the others;
   * one owner's exception does not keep the rest from running (it is rethrown on the next tick).
   */
  private readonly fire = (): void => {
    this.handle = undefined;
    this.armedAt = Infinity;
    const now = this.scheduler.now();
    const due: (() => void)[] = [];
    for (let owner = this.heap.popDue(now); owner; owner = this.heap.popDue(now)) due.push(owner);
    for (const owner of due) {
      try {
        owner();
      } catch (err) {
        this.report(err);
      }
    }
    this.rearm();
  };
}

function rethrowLater(err: unknown): void {
  process.nextTick(() => {
    throw err;
  });
}
