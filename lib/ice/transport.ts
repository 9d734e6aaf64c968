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
  /** Each datagram must be wrapped by the core (a TURN Send indication): send it with `sendData()`. */
  readonly wrapped?: true;
}

/** A datagram the driver must send: `header` + `data` from `socket` to `to`. */
export interface Transmit extends Route {
  readonly data: Buffer;
}

/** What a socket layer made of an incoming datagram. */
export type LayerInbound =
  /** Not the layer's: handle it as it came. */
  | { readonly kind: 'pass' }
  /** The layer's own traffic (a TURN server's answer), or something it dropped. */
  | { readonly kind: 'consumed' }
  /** Unwrapped: handle `data` as if it arrived on `socket` from `from` (a relayed candidate's packet). */
  | { readonly kind: 'unwrapped'; readonly socket: SocketId; readonly from: TransportAddress; readonly data: Buffer };

/**
 * Sockets the core multiplexes itself over the driver's sockets: a TURN allocation's relayed
 * address is one (its candidate's socket is virtual; its packets travel to and from the TURN
 * server wrapped in Send/Data indications or ChannelData). Transmits on a virtual socket are
 * rewritten for the real one, datagrams from the real one are unwrapped, routes are framed.
 */
export interface SocketLayer {
  /** A transmit as the driver must send it, or undefined when the layer holds or drops it. */
  outbound(now: number, t: Transmit): Transmit | undefined;
  inbound(now: number, socket: SocketId, from: TransportAddress, data: Buffer): LayerInbound;
  /** A component's route as the driver must use it (for example with a ChannelData header). */
  route(now: number, r: Route): Route | undefined;
  /** The layer's own transmits (allocation refreshes...), drained like the core's. */
  pollTransmit(): Transmit | undefined;
  nextDeadline(): number | undefined;
  handleTimeout(now: number): void;
  /** The agent is closing: the layer may still send (a TURN Refresh with LIFETIME 0) until `closed`. */
  close(now: number): void;
  readonly closed: boolean;
}
