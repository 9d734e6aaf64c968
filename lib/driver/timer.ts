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
  private readonly earlyWakeups: boolean;

  /**
   * `report` gets what an owner threw (by default it is rethrown on the next tick: an uncaught
   * exception). `earlyWakeups` (a server's many agents): an owner may be called back before its
   * deadline, and must then re-arm; in exchange a later deadline costs no heap move and no new
   * scheduler timer. A busy server pushes an agent's deadline later on every packet (liveness), and
   * round-robin traffic always moves the earliest one: without it, each packet re-arms a Node timer.
   */
  constructor(
    private readonly scheduler: Scheduler,
    private readonly report: (err: unknown) => void = rethrowLater,
    options: { readonly earlyWakeups?: boolean } = {},
  ) {
    this.earlyWakeups = options.earlyWakeups === true;
  }

  /** A timer for one agent; `onFire` runs when its deadline has come (or earlier, with `earlyWakeups`). */
  slot(onFire: () => void): AgentTimer {
    return { arm: (at) => this.arm(onFire, at), disarm: () => this.disarm(onFire) };
  }

  /** `owner` runs at `at` (replacing its earlier deadline): the same as a slot's, without the slot object. */
  arm(owner: () => void, at: number): void {
    const current = this.heap.deadlineOf(owner);
    if (current === at || (this.earlyWakeups && current !== undefined && current < at)) return;
    this.heap.schedule(owner, at);
    this.rearm();
  }

  disarm(owner: () => void): void {
    if (this.heap.cancel(owner)) this.rearm();
  }

  /** Owners still waiting (for tests and stats). */
  get size(): number {
    return this.heap.size;
  }

  private rearm(): void {
    const next = this.heap.peek();
    if (next === this.armedAt) return;
    // The scheduler timer may stay early: it fires, finds nothing due and re-arms (never late).
    if (this.earlyWakeups && next > this.armedAt && next !== Infinity) return;
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
