import type { RetransmitPolicy, TransportAddress } from '../stun/index.js';
import type { RandomSource } from '../util/random.js';
import type { ServerTransport } from './uri.js';

/** The transport between the client and the TURN server (the relay itself is always UDP). */
export type TurnTransport = ServerTransport;

export type TurnAllocationState =
  | 'new' | 'allocating' | 'allocated' | 'closing' | 'closed' | 'failed' | 'redirected';

/** What the owner already went through for this server: the limits are enforced by the allocation. */
export interface TurnAttemptHistory {
  /** Redirects (300) followed to reach this server. At most MAX_REDIRECTS. */
  readonly redirects: number;
  /** New client sockets already tried after a 437 on Allocate. At most MAX_ALLOCATION_MISMATCH_RETRIES. */
  readonly mismatchRetries: number;
}

export interface TurnAllocationOptions {
  /** Where requests go, and the only source accepted for anything inbound. */
  readonly server: TransportAddress;
  readonly transport: TurnTransport;
  readonly username: string;
  readonly password: string;
  readonly rng: RandomSource;
  /** REQUESTED-ADDRESS-FAMILY (RFC 8656 §7.1). Default 4: the attribute is omitted. */
  readonly family?: 4 | 6;
  /** LIFETIME asked for in Allocate and Refresh, seconds (default 600, RFC 8656 §7.1). */
  readonly lifetimeS?: number;
  /** Refresh at max(L/2, L - margin) after a grant of L (default margin 60 000 ms). */
  readonly refreshMarginMs?: number;
  /** Batched CreatePermission for the live peers every this often (default 120 000, like pion). */
  readonly permissionRefreshMs?: number;
  /** What the server keeps a permission for (RFC 8656 §9: 300 s); past it a permission is lapsed. */
  readonly permissionLifetimeMs?: number;
  /** ChannelBind again this long after the last bind of THAT channel (default 300 000). */
  readonly channelRefreshMs?: number;
  /** What the server keeps a channel for (RFC 8656 §12: 600 s). */
  readonly channelLifetimeMs?: number;
  /** close(): wait this long for the answer to the Refresh with LIFETIME 0 (default 1 000). */
  readonly closeWaitMs?: number;
  /** UDP retransmission (RFC 8489 §6.2.1; default rto 500 ms, Rc 7, Rm 16: 39.5 s). */
  readonly retransmit?: RetransmitPolicy;
  /** TCP/TLS: no retransmission; a transaction gives up after this (RFC 8489 §6.2.2: 39 500). */
  readonly streamTimeoutMs?: number;
  /** 438 answers accepted in a row for one request before the allocation fails (default 3). */
  readonly maxStaleNonceRetries?: number;
  /** Bound on peer IPs with permissions (default 100, like the remote candidate bound). */
  readonly maxPermissions?: number;
  /** Datagrams held per peer IP while its first permission is being created (default 4). */
  readonly maxQueuedPerPeer?: number;
  readonly software?: string;
  readonly history?: TurnAttemptHistory;
}

/**
 * Why an allocation ended. `recovery` says what the owner can do:
 *   'new-socket'  437 on Allocate: retry from a new client address (RFC 8656 §7.2)
 *   'binding'     486/508: no relay here; use a plain Binding request for srflx (RFC 8445 §5.1.1.2)
 *   'reallocate'  the allocation was lost (expired, connection lost, 437 on Refresh)
 *   'none'        do not retry this server with these credentials
 */
export type TurnFailureReason =
  | 'auth-failed' | 'stale-nonce-loop' | 'allocation-mismatch' | 'allocation-lost' | 'fallback-to-binding'
  | 'too-many-redirects' | 'timeout' | 'expired' | 'connection-lost' | 'error-response' | 'bad-response';
export type TurnRecovery = 'new-socket' | 'binding' | 'reallocate' | 'none';

export type TurnEvent =
  | {
      readonly type: 'allocated'; readonly relayed: TransportAddress;
      readonly mapped: TransportAddress | undefined; readonly lifetimeS: number;
    }
  | { readonly type: 'refreshed'; readonly lifetimeS: number }
  | {
      readonly type: 'failed'; readonly reason: TurnFailureReason; readonly recovery: TurnRecovery;
      readonly code: number | undefined; readonly detail: string;
    }
  /** 300 + ALTERNATE-SERVER: allocate there instead (the owner does, with history.redirects + 1). */
  | { readonly type: 'redirect'; readonly server: TransportAddress }
  /** First installation (not refreshes). */
  | { readonly type: 'permission-created'; readonly ips: readonly string[] }
  /** 403/443/... or a lapse: only these peers are concerned; `code` undefined for a timeout or lapse. */
  | {
      readonly type: 'permission-failed'; readonly ips: readonly string[];
      readonly code: number | undefined; readonly detail: string;
    }
  | { readonly type: 'channel-bound'; readonly peer: TransportAddress; readonly channel: number }
  | {
      readonly type: 'channel-failed'; readonly peer: TransportAddress; readonly channel: number;
      readonly code: number | undefined; readonly detail: string;
    }
  /** After close(): `acknowledged` when the server answered the Refresh with LIFETIME 0. */
  | { readonly type: 'closed'; readonly acknowledged: boolean };

/** Bytes for the server, sent as one datagram (UDP) or written in order (TCP/TLS). Buffer list: no copy. */
export interface TurnTransmit {
  readonly to: TransportAddress;
  readonly data: readonly Buffer[];
}

export type TurnDropReason =
  /** Inbound: not from the server's address (aioice/pion accepted ChannelData from anyone). */
  | 'not-from-server'
  | 'malformed'
  | 'unknown-transaction'
  /** A response without valid MESSAGE-INTEGRITY where one is required (forged or unsigned). */
  | 'integrity'
  /** A Data indication from a peer IP we did not permit, or without XOR-PEER-ADDRESS/DATA. */
  | 'not-permitted'
  | 'unknown-channel'
  | 'unexpected'
  /** Anything after the allocation ended. */
  | 'inactive'
  /** Outbound: the peer's permission was refused, the family differs, or the queue is full. */
  | 'permission-denied'
  | 'family-mismatch'
  | 'queue-full'
  | 'not-allocated';

export type TurnDropCounters = Record<TurnDropReason, number>;

/** What unwrap() made of a packet from the client socket. */
export type TurnInbound =
  /** Relayed data from `peer`: hand it to ICE as received on the relayed address. */
  | { readonly kind: 'data'; readonly peer: TransportAddress; readonly payload: Buffer; readonly channel: number | undefined }
  /** A TURN response, consumed by the allocation. */
  | { readonly kind: 'control' }
  | { readonly kind: 'dropped'; readonly reason: TurnDropReason };

/** What wrap() made of an outbound datagram. */
export type TurnWrapResult =
  | { readonly kind: 'send'; readonly to: TransportAddress; readonly data: readonly Buffer[] }
  /** Held until the peer's first permission is installed; then it comes out of pollTransmit(). */
  | { readonly kind: 'queued' }
  | { readonly kind: 'dropped'; readonly reason: TurnDropReason };
