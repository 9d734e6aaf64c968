import { IceError } from '../util/errors.js';
import type { RandomSource } from '../util/random.js';
import { TRANSACTION_ID_LENGTH } from './constants.js';

/** RFC 8489 §6.2.1 retransmission parameters. */
export interface RetransmitPolicy {
  /** Initial RTO in ms (RFC 8489: 500 ms recommended; ICE uses its own, RFC 8445 §14.3). */
  readonly rtoMs: number;
  /** Rc: total number of requests sent, the first included (default 7). */
  readonly maxRequests: number;
  /** Rm: after the last request, wait Rm * RTO before giving up (default 16). */
  readonly finalWaitFactor: number;
}

export const DEFAULT_RETRANSMIT: RetransmitPolicy = Object.freeze({ rtoMs: 500, maxRequests: 7, finalWaitFactor: 16 });

export type TransactionTick = 'retransmit' | 'timeout' | 'wait';

/**
 * One client transaction over UDP as pure data (RFC 8489 §6.2.1). Request #1 is sent by the
 * caller when the transaction is created (`now`); request #k+1 is due rto * 2^(k-1) after
 * request #k (intervals rto, 2rto, 4rto ...); after request #Rc it waits Rm * rto, then times out.
 * Defaults: sends at 0, 500, 1500, 3500, 7500, 15500, 31500; timeout at 39500.
 *
 * Late ticks: if the caller wakes up after a deadline (even several), tick() returns
 * 'retransmit' once and the next interval is measured from that `now`, not from the original
 * schedule, so a stalled loop never emits a burst and the spacing between sends never shrinks.
 * After 'timeout' the transaction is finished: further ticks keep returning 'timeout'.
 */
export class ClientTransaction {
  private sent = 1;
  private deadline: number;
  private finished = false;

  constructor(private readonly policy: RetransmitPolicy, now: number) {
    if (!(policy.rtoMs > 0) || !Number.isInteger(policy.maxRequests) || policy.maxRequests < 1
      || !(policy.finalWaitFactor >= 0)) {
      throw new IceError('ERR_INVALID_ARGUMENT', 'retransmit policy needs rtoMs > 0, maxRequests >= 1, finalWaitFactor >= 0');
    }
    this.deadline = now + this.waitAfter(1);
  }

  /** Requests sent so far (1 right after construction). */
  get sentCount(): number {
    return this.sent;
  }

  /** True once the transaction has timed out. */
  get timedOut(): boolean {
    return this.finished;
  }

  /** When tick() next has something to do; Infinity once timed out. */
  nextDeadline(): number {
    return this.finished ? Infinity : this.deadline;
  }

  tick(now: number): TransactionTick {
    if (this.finished) return 'timeout';
    if (now < this.deadline) return 'wait';
    if (this.sent >= this.policy.maxRequests) {
      this.finished = true;
      return 'timeout';
    }
    this.sent++;
    this.deadline = now + this.waitAfter(this.sent);
    return 'retransmit';
  }

  /** Time to wait after request #k: rto * 2^(k-1), or Rm * rto after the last one. */
  private waitAfter(k: number): number {
    const { rtoMs, maxRequests, finalWaitFactor } = this.policy;
    return k >= maxRequests ? rtoMs * finalWaitFactor : rtoMs * 2 ** (k - 1);
  }
}

/** The earliest deadline among pending transactions, or undefined when none waits. */
export function earliestDeadline(pending: Iterable<{ readonly tx: ClientTransaction }>): number | undefined {
  let next: number | undefined;
  for (const { tx } of pending) {
    const d = tx.nextDeadline();
    if (d !== Infinity && (next === undefined || d < next)) next = d;
  }
  return next;
}

/** 96 random bits (RFC 8489 §5: uniformly and randomly chosen). */
export function newTransactionId(rng: RandomSource): Buffer {
  return rng.fill(Buffer.allocUnsafe(TRANSACTION_ID_LENGTH));
}

/** Pending transactions keyed by transaction id bytes (latin1 string: one char per byte). */
export class TransactionTable<T> implements Iterable<[Buffer, T]> {
  // Made on first use and dropped when empty: an idle agent (or an ICE-lite one) keeps none.
  private map: Map<string, T> | undefined;

  add(id: Buffer, ctx: T): void {
    (this.map ??= new Map()).set(id.toString('latin1'), ctx);
  }

  get(id: Buffer): T | undefined {
    return this.map?.get(id.toString('latin1'));
  }

  /** Remove and return: the usual path when a response matches. */
  take(id: Buffer): T | undefined {
    if (this.map === undefined) return undefined;
    const key = id.toString('latin1');
    const ctx = this.map.get(key);
    this.delete(id);
    return ctx;
  }

  delete(id: Buffer): boolean {
    const gone = this.map?.delete(id.toString('latin1')) ?? false;
    if (this.map?.size === 0) this.map = undefined;
    return gone;
  }

  get size(): number {
    return this.map?.size ?? 0;
  }

  clear(): void {
    this.map = undefined;
  }

  *[Symbol.iterator](): Iterator<[Buffer, T]> {
    for (const [key, ctx] of this.map ?? []) yield [Buffer.from(key, 'latin1'), ctx];
  }

  values(): IterableIterator<T> {
    return (this.map ?? new Map<string, T>()).values();
  }
}
