/**
 * Where a datagram came from or goes to. `address` is compared as an exact string: pass the
 * text the UDP socket reports in `rinfo.address` (already canonical), both to `route` and, through the
 * agent, to `authenticated`, so the hot path never normalizes or builds a key.
 */
export interface PeerAddress {
  readonly address: string;
  readonly port: number;
}

/** What the router knows about one registered agent. Internal; exported for the tables. */
export interface AgentRecord<A> {
  readonly agent: A;
  ufrag: string;
  /** The addresses this agent authenticated, at most `maxAddressesPerAgent`. */
  readonly addresses: AddressSlot<A>[];
  /** Requests of this agent waiting for a response in the transaction table. */
  pendingTransactions: number;
  /** False once unregistered: transaction entries that still point here are stale. */
  alive: boolean;
}

/** One entry of the address map: owned by exactly one agent. */
export interface AddressSlot<A> {
  readonly port: number;
  readonly address: string;
  readonly owner: AgentRecord<A>;
  /** When the owner last authenticated traffic from this address (for least-recent eviction). */
  authenticatedAt: number;
  /** The next slot on the same port while the port's slots form a chain (AddressTable). */
  nextSamePort: AddressSlot<A> | undefined;
}

/** Why a datagram went nowhere. */
export type MuxDropReason =
  /** Not STUN (RFC 7983) and from an address no agent authenticated. */
  | 'unknown-address'
  /** A Binding request for a ufrag no agent has (silently: a 401 would be an oracle). */
  | 'unknown-ufrag'
  /** A Binding request whose USERNAME could not be read, from an unknown address. */
  | 'no-username'
  /** First byte 0..3 but not a well-formed STUN header, from an unknown address. */
  | 'malformed-stun'
  /** A STUN request of another method (not Binding), from an unknown address. */
  | 'not-binding'
  /** A STUN indication from an unknown address. */
  | 'indication'
  /** A response to no recorded request, from an unknown address. */
  | 'unmatched-response'
  /** A response whose transaction is recorded but that came from another address (RFC 8445 §7.2.5.2.1). */
  | 'response-wrong-source'
  /** A response to a request of an agent that has since been unregistered. */
  | 'stale-transaction';

export const DROP_REASONS: readonly MuxDropReason[] = [
  'unknown-address', 'unknown-ufrag', 'no-username', 'malformed-stun', 'not-binding', 'indication',
  'unmatched-response', 'response-wrong-source', 'stale-transaction',
];

/** Every outcome the router counts. */
export interface MuxCounters {
  routedByAddress: number;
  routedByUfrag: number;
  routedByTransaction: number;
  readonly drops: Record<MuxDropReason, number>;
  unknownUfragReported: number;
  unknownUfragSuppressed: number;
  addressesAdded: number;
  addressesRefreshed: number;
  addressesMoved: number;
  addressesEvicted: number;
  addressesForgotten: number;
  transactionsRecorded: number;
  /** A request sent again with the same id (its entry keeps its first expiry). */
  transactionsRetransmitted: number;
  transactionsMatched: number;
  transactionsExpired: number;
  /** Requests not recorded: table or per-agent cap full, or a transaction id already taken. */
  transactionsRefused: number;
}

export function zeroCounters(): MuxCounters {
  const drops = {} as Record<MuxDropReason, number>;
  for (const reason of DROP_REASONS) drops[reason] = 0;
  return {
    routedByAddress: 0, routedByUfrag: 0, routedByTransaction: 0, drops,
    unknownUfragReported: 0, unknownUfragSuppressed: 0,
    addressesAdded: 0, addressesRefreshed: 0, addressesMoved: 0, addressesEvicted: 0, addressesForgotten: 0,
    transactionsRecorded: 0, transactionsRetransmitted: 0, transactionsMatched: 0, transactionsExpired: 0, transactionsRefused: 0,
  };
}

/** Table sizes. */
export interface MuxSize {
  readonly agents: number;
  readonly addresses: number;
  readonly transactions: number;
}

export interface MuxStats extends MuxSize {
  readonly counters: MuxCounters;
}
