/**
 * A virtual clock for the driver (ARCHITECTURE.md, tests level 2): the driver's Scheduler on
 * virtual milliseconds. Nothing runs until the test advances time; due callbacks then run one at
 * a time in (time, scheduling order), with promise continuations drained between them, so the
 * driver's async gathering proceeds as it would on a real loop.
 */
import type { Scheduler } from '../../lib/net/scheduler.js';

interface Task {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets pending promise continuations (and the microtasks they queue) run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class VirtualScheduler implements Scheduler {
  private t = 0;
  private seq = 0;
  private queue: Task[] = [];
  /** Exceptions thrown by callbacks; `run*` rethrows the first one. */
  readonly errors: unknown[] = [];
  /** Callbacks run so far. */
  executed = 0;

  now(): number {
    return this.t;
  }

  schedule(atMs: number, fn: () => void): unknown {
    // A deadline in the past runs at the next step, never before what is already due now.
    const task: Task = { at: Math.max(atMs, this.t), seq: this.seq++, fn, cancelled: false };
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1]!.at > task.at)) i--;
    this.queue.splice(i, 0, task);
    return task;
  }

  cancel(handle: unknown): void {
    const task = handle as Task;
    task.cancelled = true;
    const i = this.queue.indexOf(task);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Callbacks still scheduled. */
  get pending(): number {
    return this.queue.length;
  }

  nextAt(): number | undefined {
    return this.queue[0]?.at;
  }

  /** Runs every callback due at or before `t` (including ones they schedule), then sets the clock to `t`. */
  async runUntil(t: number): Promise<void> {
    await this.runWhile(() => true, t, Infinity);
    if (this.t < t) this.t = t;
  }

  advance(ms: number): Promise<void> {
    return this.runUntil(this.t + ms);
  }

  /**
   * Runs callbacks in order until `done()` holds (checked before each one), or the next
   * one is later than `limitAt`. Returns whether `done()` held. The clock stays at the
   * last callback run.
   */
  async runUntilTrue(done: () => boolean, limitAt: number): Promise<boolean> {
    return this.runWhile(() => !done(), limitAt, Infinity).then(() => done());
  }

  /** Runs everything left (at most `maxTasks` callbacks): a leaked periodic timer makes this throw. */
  async runUntilIdle(maxTasks = 100_000): Promise<void> {
    await this.runWhile(() => true, Infinity, maxTasks);
    if (this.queue.length > 0) throw new Error(`scheduler still busy after ${maxTasks} callbacks (next at ${this.nextAt()} ms)`);
  }

  private async runWhile(cont: () => boolean, limitAt: number, maxTasks: number): Promise<void> {
    for (let n = 0; n < maxTasks; n++) {
      await drainMicrotasks();
      this.throwIfFailed();
      if (!cont()) return;
      const task = this.queue[0];
      if (!task || task.at > limitAt) return;
      this.queue.shift();
      this.t = task.at;
      this.executed++;
      try {
        task.fn();
      } catch (err) {
        this.errors.push(err);
      }
    }
    await drainMicrotasks();
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.errors.length > 0) throw this.errors[0];
  }
}
