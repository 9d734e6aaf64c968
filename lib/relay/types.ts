import type { SocketId } from '../ice/transport.js';
import type { TransportAddress } from '../stun/types.js';
import type { TurnAllocationOptions, TurnDropCounters, TurnFailureReason, TurnTransport } from '../turn/types.js';

/** `all`: every candidate type; `relay`: only relay candidates are gathered, signalled and paired (W3C iceTransportPolicy). */
export type IceTransportPolicy = 'all' | 'relay';

/** One TURN server as configured and resolved (a `turn:`/`turns:` URI with its credentials). */
export interface RelayServer {
  /** The URI as configured, for reports. */
  readonly uri: string;
  readonly address: TransportAddress;
  readonly transport: TurnTransport;
  /** The host part of the URI: the name a TLS certificate must match. */
  readonly hostname: string;
  readonly username: string;
  readonly password: string;
}

/** The allocation timers a test (or an operator with a short-lived server) may change; defaults are RFC 8656's. */
export type RelayTimers = Partial<Pick<TurnAllocationOptions,
  'lifetimeS' | 'refreshMarginMs' | 'permissionRefreshMs' | 'permissionLifetimeMs' | 'channelRefreshMs' | 'channelLifetimeMs' | 'closeWaitMs'>>;

export interface RelayLayerOptions {
  /** In configuration order: the order ranks their candidates (RFC 8445 §5.1.2.1 local preference). */
  readonly servers: readonly RelayServer[];
  readonly policy: IceTransportPolicy;
  /** At most this many allocations (server x component); default and upper bound 4. */
  readonly maxAllocations?: number;
  readonly timers?: RelayTimers;
  readonly software?: string;
}

/** The core cannot open sockets: it asks the driver, which answers with socketOpened()/socketFailed(). */
export type RelayCommand =
  | {
      readonly kind: 'open';
      /** The id the driver must give the new socket (the layer owns this range of ids). */
      readonly socket: SocketId;
      readonly server: TransportAddress;
      readonly transport: TurnTransport;
      /** TLS: the name the server's certificate must match. */
      readonly hostname: string;
      readonly component: number;
    }
  /** The layer is done with this socket (437, a redirect, a failed allocation): release it. */
  | { readonly kind: 'close'; readonly socket: SocketId };

export type RelayState = 'pending' | 'allocating' | 'allocated' | 'failed' | 'closing' | 'closed';

/** Why a relay failed: the allocation's reason, or the socket's (`socket`: could not connect, TLS refused...). */
export type RelayFailureReason = TurnFailureReason | 'socket' | 'over-limit';

/** What one allocation is and did: the `relay` event and `IceAgent.relays`. */
export interface RelayInfo {
  readonly uri: string;
  readonly server: TransportAddress;
  readonly transport: TurnTransport;
  readonly component: number;
  readonly state: RelayState;
  /** The client socket's own address (TCP/TLS and UDP), once open. */
  readonly local?: TransportAddress;
  readonly relayed?: TransportAddress;
  /** XOR-MAPPED-ADDRESS of the Allocate answer: the relay candidate's related address. */
  readonly mapped?: TransportAddress;
  readonly lifetimeS?: number;
  /** From asking for the socket to the Allocate success. */
  readonly allocateMs?: number;
  readonly reason?: RelayFailureReason;
  /** The error code of the answer that failed it (401, 437, 486...). */
  readonly code?: number;
  readonly detail?: string;
  /** Sockets used: more than 1 after a 437 or a redirect. */
  readonly sockets: number;
  /** Peer IPs the relay keeps a permission for (those of live pairs), and channels bound (selected pairs). */
  readonly permissions: number;
  readonly channels: number;
  /** What the allocation dropped and why (forged answers, unknown channels, peers without permission...). */
  readonly drops: Readonly<TurnDropCounters>;
}

export type RelayEvent =
  | { readonly type: 'allocated'; readonly relay: RelayInfo }
  /** The allocation could not be made, or (after `allocated`) was lost: its candidate's pairs failed. */
  | { readonly type: 'failed'; readonly relay: RelayInfo }
  /** 486/508: no relay; a plain Binding request on the same socket gave (or not) a srflx candidate. */
  | { readonly type: 'binding'; readonly relay: RelayInfo; readonly mapped: TransportAddress | undefined };

/** The last datagram the layer unwrapped: its peer, and the channel it came on (undefined for a Data indication). */
export interface Unwrapped {
  readonly socket: SocketId;
  readonly peer: TransportAddress;
  readonly channel: number | undefined;
}
