import { IceError } from '../util/errors.js';
import type { PeerAddress } from './router-types.js';

export interface MuxRouterOptions {
  /** Agents (= ufrags) the router accepts; `register` throws beyond. Default 100 000. */
  readonly maxAgents?: number;
  /** Authenticated addresses kept per agent, the least recently authenticated evicted. Default 8 (mediasoup's cap). */
  readonly maxAddressesPerAgent?: number;
  /** How long a request waits for its response, from its first transmission: RFC 8489 §6.2.1 gives 39.5 s at the default RTO. Default 40 000 ms. */
  readonly transactionTtlMs?: number;
  /** Requests recorded at once over all agents. Default 65 536. */
  readonly maxTransactions?: number;
  /** Requests recorded at once per agent (a checklist holds at most 100 pairs by default). Default 256. */
  readonly maxTransactionsPerAgent?: number;
  /**
   * Told about Binding requests for a ufrag no agent has, at most `unknownUfragReports` times.
   * Called as route()'s last step, when the tables are consistent: it may register an agent (the
   * client's retransmission then reaches it), but the datagram that triggered it is dropped. It
   * runs inside route(), so a driver isolates it (an exception propagates to the driver).
   */
  readonly onUnknownUfrag?: (ufrag: string, from: PeerAddress) => void;
  /** Token bucket for `onUnknownUfrag`. Default burst 10, 1 per second. */
  readonly unknownUfragReports?: { readonly burst: number; readonly perSecond: number };
}

export interface ResolvedMuxRouterOptions {
  readonly maxAgents: number;
  readonly maxAddressesPerAgent: number;
  readonly transactionTtlMs: number;
  readonly maxTransactions: number;
  readonly maxTransactionsPerAgent: number;
  readonly onUnknownUfrag: ((ufrag: string, from: PeerAddress) => void) | undefined;
  readonly unknownUfragReports: { readonly burst: number; readonly perSecond: number };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new IceError('ERR_INVALID_ARGUMENT', `${name} must be a positive integer, got ${String(v)}`);
  return v;
}

export function resolveMuxRouterOptions(o: MuxRouterOptions = {}): ResolvedMuxRouterOptions {
  const ttl = o.transactionTtlMs ?? 40_000;
  if (!(ttl > 0) || !Number.isFinite(ttl)) throw new IceError('ERR_INVALID_ARGUMENT', `transactionTtlMs must be > 0, got ${String(ttl)}`);
  return {
    maxAgents: positiveInteger('maxAgents', o.maxAgents, 100_000),
    maxAddressesPerAgent: positiveInteger('maxAddressesPerAgent', o.maxAddressesPerAgent, 8),
    transactionTtlMs: ttl,
    maxTransactions: positiveInteger('maxTransactions', o.maxTransactions, 65_536),
    maxTransactionsPerAgent: positiveInteger('maxTransactionsPerAgent', o.maxTransactionsPerAgent, 256),
    onUnknownUfrag: o.onUnknownUfrag,
    unknownUfragReports: o.unknownUfragReports ?? { burst: 10, perSecond: 1 },
  };
}
