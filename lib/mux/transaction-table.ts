import type { AgentRecord, MuxCounters, PeerAddress } from './router-types.js';

/** RFC 8489 §5: the transaction id is bytes 8..19 of the header. */
const TID_START = 8;
const TID_END = 20;

interface PendingRequest<A> {
  readonly owner: AgentRecord<A>;
  readonly port: number;
  readonly address: string;
  expiresAt: number;
}

export interface TransactionLimits {
  readonly ttlMs: number;
  readonly max: number;
  readonly maxPerAgent: number;
}

export type MatchResult<A> = AgentRecord<A> | 'unknown' | 'wrong-source' | 'stale';

/**
 * Requests our full agents sent, by 12-byte transaction id, so that each response reaches the
 * agent that asked (step 3 of MuxRouter.route). Only our own agents add entries, each capped and
 * expiring after `ttlMs`. Every entry gets the same TTL and a retransmission re-inserts its entry,
 * so the Map's insertion order is expiry order and expiring is a pop from the front.
 */
export class TransactionTable<A> {
  private readonly byId = new Map<string, PendingRequest<A>>();

  constructor(private readonly limits: TransactionLimits, private readonly counters: MuxCounters) {}

  get size(): number {
    return this.byId.size;
  }

  /** Records (or, for a retransmission, refreshes) the request in `data`, sent by `owner` to `to`. */
  record(owner: AgentRecord<A>, to: PeerAddress, data: Buffer, now: number): void {
    this.expire(now);
    const id = data.toString('latin1', TID_START, TID_END);
    const known = this.byId.get(id);
    if (known) {
      // Another agent's id (a 96-bit collision, or a bug) is never taken over.
      if (known.owner !== owner || known.port !== to.port || known.address !== to.address) {
        this.counters.transactionsRefused++;
        return;
      }
      this.byId.delete(id);
      known.expiresAt = now + this.limits.ttlMs;
      this.byId.set(id, known);
      this.counters.transactionsRefreshed++;
      return;
    }
    if (this.byId.size >= this.limits.max || owner.pendingTransactions >= this.limits.maxPerAgent) {
      this.counters.transactionsRefused++;
      return;
    }
    this.byId.set(id, { owner, port: to.port, address: to.address, expiresAt: now + this.limits.ttlMs });
    owner.pendingTransactions++;
    this.counters.transactionsRecorded++;
  }

  /** The agent that sent the request `data` answers, if it came from where the request went. */
  match(data: Buffer, from: PeerAddress, now: number): MatchResult<A> {
    this.expire(now);
    const id = data.toString('latin1', TID_START, TID_END);
    const pending = this.byId.get(id);
    if (!pending) return 'unknown';
    // RFC 8445 §7.2.5.2.1: only a symmetric response counts; a spoofed one must not consume the entry.
    if (pending.port !== from.port || pending.address !== from.address) return 'wrong-source';
    this.delete(id, pending);
    if (!pending.owner.alive) return 'stale';
    this.counters.transactionsMatched++;
    return pending.owner;
  }

  /** Drops entries whose time is up; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [id, pending] of this.byId) {
      if (pending.expiresAt > now) break;
      this.delete(id, pending);
      n++;
    }
    this.counters.transactionsExpired += n;
    return n;
  }

  private delete(id: string, pending: PendingRequest<A>): void {
    this.byId.delete(id);
    pending.owner.pendingTransactions--;
  }
}
