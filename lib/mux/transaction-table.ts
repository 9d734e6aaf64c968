import type { AgentRecord, MuxCounters, PeerAddress } from './router-types.js';

/** RFC 8489 §5: the transaction id is bytes 8..19 of the header. */
const TID_START = 8;
const TID_END = 20;

interface PendingRequest<A> {
  readonly id: string;
  readonly owner: AgentRecord<A>;
  readonly port: number;
  readonly address: string;
  readonly expiresAt: number;
  /** Answered (removed from the map); its place in the expiry queue is skipped. */
  settled: boolean;
}

export interface TransactionLimits {
  readonly ttlMs: number;
  readonly max: number;
  readonly maxPerAgent: number;
}

export type MatchResult<A> = AgentRecord<A> | 'unknown' | 'wrong-source' | 'stale';

/**
 * Requests our full agents sent, by 12-byte transaction id, so that each response reaches the
 * agent that asked (step 3 of MuxRouter.route). Only our own agents add entries, each capped.
 * An entry lives `ttlMs` from the request's first transmission (the TTL covers every
 * retransmission, RFC 8489 §6.2.1), so entries expire in the order they were recorded: a FIFO
 * queue, popped from the front, instead of iterating the Map (whose iteration would step over
 * the holes that answered entries leave).
 */
export class TransactionTable<A> {
  private readonly byId = new Map<string, PendingRequest<A>>();
  private queue: PendingRequest<A>[] = [];
  private head = 0;

  constructor(private readonly limits: TransactionLimits, private readonly counters: MuxCounters) {}

  get size(): number {
    return this.byId.size;
  }

  /** Records the request in `data`, sent by `owner` to `to`; a retransmission (same id) is a no-op. */
  record(owner: AgentRecord<A>, to: PeerAddress, data: Buffer, now: number): void {
    this.expire(now);
    const id = data.toString('latin1', TID_START, TID_END);
    const known = this.byId.get(id);
    if (known) {
      // Another agent's id (a 96-bit collision, or a bug) is never taken over.
      if (known.owner === owner && known.port === to.port && known.address === to.address) this.counters.transactionsRetransmitted++;
      else this.counters.transactionsRefused++;
      return;
    }
    if (this.byId.size >= this.limits.max || owner.pendingTransactions >= this.limits.maxPerAgent) {
      this.counters.transactionsRefused++;
      return;
    }
    const pending: PendingRequest<A> = { id, owner, port: to.port, address: to.address, expiresAt: now + this.limits.ttlMs, settled: false };
    this.byId.set(id, pending);
    if (this.queue.length - this.head >= 2 * this.limits.max) this.compact();
    this.queue.push(pending);
    owner.pendingTransactions++;
    this.counters.transactionsRecorded++;
  }

  /** The agent that sent the request `data` answers, if it came from where the request went. */
  match(data: Buffer, from: PeerAddress, now: number): MatchResult<A> {
    this.expire(now);
    const pending = this.byId.get(data.toString('latin1', TID_START, TID_END));
    if (!pending) return 'unknown';
    // RFC 8445 §7.2.5.2.1: only a symmetric response counts; a spoofed one must not consume the entry.
    if (pending.port !== from.port || pending.address !== from.address) return 'wrong-source';
    this.settle(pending);
    if (!pending.owner.alive) return 'stale';
    this.counters.transactionsMatched++;
    return pending.owner;
  }

  /** Drops entries whose time is up; returns how many. */
  expire(now: number): number {
    let n = 0;
    while (this.head < this.queue.length && this.queue[this.head]!.expiresAt <= now) {
      const pending = this.queue[this.head++]!;
      if (pending.settled) continue;
      this.settle(pending);
      n++;
    }
    if (this.head > 1024 && 2 * this.head > this.queue.length) this.compact();
    this.counters.transactionsExpired += n;
    return n;
  }

  private settle(pending: PendingRequest<A>): void {
    pending.settled = true;
    this.byId.delete(pending.id);
    pending.owner.pendingTransactions--;
  }

  /** Drops the consumed head and answered entries (amortized: runs when they dominate). */
  private compact(): void {
    this.queue = this.queue.slice(this.head).filter((p) => !p.settled);
    this.head = 0;
  }
}
