import { IceError } from '../util/errors.js';

/** RFC 8445 §14.2: Ta is never below 5 ms. */
export const MIN_TA_MS = 5;

export interface PacerStats {
  readonly waiting: number;
  readonly granted: number;
  readonly deferred: number;
}

/**
 * RFC 8445 §14.2 pacing shared by every full agent of a server: one new STUN transaction
 * (check or gathering request; retransmissions are not new) per Ta across the whole port, not
 * per agent. Fair: agents that must wait queue once each and are served round-robin, so a busy
 * agent cannot starve the others. Pure: time comes as `now`.
 *
 * Use: an agent about to start a transaction calls `tryAcquire(agent, now)`. True: send now.
 * False: it is queued; it must not retry on its own timer, because the driver, at `nextSlot()`,
 * calls `grant(now)` and wakes the agent returned, whose next `tryAcquire` then succeeds (the
 * grant is held for Ta). Lite agents never send requests and never call it.
 */
export class SharedPacer<A> {
  private readonly waiting = new Set<A>(); // insertion order = queue order
  private nextFreeAt = Number.NEGATIVE_INFINITY;
  private holder: A | undefined;
  private holdUntil = Number.NEGATIVE_INFINITY;
  private granted = 0;
  private deferred = 0;

  constructor(readonly taMs: number = MIN_TA_MS) {
    if (!(taMs >= MIN_TA_MS) || !Number.isFinite(taMs)) {
      throw new IceError('ERR_INVALID_ARGUMENT', `Ta must be at least ${MIN_TA_MS} ms (RFC 8445 §14.2), got ${String(taMs)}`);
    }
  }

  /** May `agent` start a new transaction at `now`? If not, it is queued (once) for a later grant. */
  tryAcquire(agent: A, now: number): boolean {
    if (this.holder === agent) {
      this.holder = undefined;
      if (now < this.holdUntil) return true;
    }
    if (now >= this.nextFreeAt && (this.waiting.size === 0 || this.first() === agent)) {
      this.waiting.delete(agent);
      this.take(now);
      return true;
    }
    if (!this.waiting.has(agent)) {
      this.waiting.add(agent);
      this.deferred++;
    }
    return false;
  }

  /** When the driver should call `grant`: the next free slot if anyone waits, else Infinity. */
  nextSlot(): number {
    return this.waiting.size === 0 ? Number.POSITIVE_INFINITY : this.nextFreeAt;
  }

  /** Hands the free slot to the longest-waiting agent and returns it (to be woken), if a slot is free. */
  grant(now: number): A | undefined {
    if (this.waiting.size === 0 || now < this.nextFreeAt) return undefined;
    const agent = this.first()!;
    this.waiting.delete(agent);
    this.take(now);
    this.holder = agent;
    this.holdUntil = now + this.taMs;
    return agent;
  }

  /** The agent has nothing more to send (closed, or its checks are done): leave the queue. */
  withdraw(agent: A): void {
    this.waiting.delete(agent);
    if (this.holder === agent) this.holder = undefined;
  }

  stats(): PacerStats {
    return { waiting: this.waiting.size, granted: this.granted, deferred: this.deferred };
  }

  private take(now: number): void {
    this.nextFreeAt = now + this.taMs;
    this.granted++;
  }

  private first(): A | undefined {
    for (const agent of this.waiting) return agent;
    return undefined;
  }
}
