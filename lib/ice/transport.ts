// The seam between the pure core and the driver's sockets (ARCHITECTURE.md "Growing it").
import type { TransportAddress } from '../stun/types.js';

/**
 * An opaque handle for a socket the driver owns: a host socket, the socket that talks to a
 * TURN server, or a port shared by many agents. A candidate's socket is not its base: a
 * relayed candidate's base is the relayed address, reached through a TURN server's socket.
 */
export type SocketId = number;

/** A host socket the driver has bound: one per (address, component). */
export interface HostBinding {
  readonly component: number;
  readonly socket: SocketId;
  /** The address the socket is bound to: the host candidate and its base. */
  readonly base: TransportAddress;
  /** Rank of its interface (0 = preferred), for the local preference. */
  readonly interfaceRank: number;
}

/** Where a datagram goes: from `socket` to `to`, with `header` (when present) in front of the payload. */
export interface Route {
  readonly socket: SocketId;
  readonly to: TransportAddress;
  /** Framing in front of the payload (a TURN ChannelData header), sent as a buffer list without a copy. */
  readonly header?: Buffer;
}

/** A datagram the driver must send: `header` + `data` from `socket` to `to`. */
export interface Transmit extends Route {
  readonly data: Buffer;
}
