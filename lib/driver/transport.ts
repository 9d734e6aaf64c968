import type { AgentEvent } from '../ice/events.js';
import type { SocketId } from '../ice/transport.js';
import type { TransportAddress } from '../stun/types.js';

/** Sends datagrams from one socket; the data path caches it per route. */
export interface DatagramSender {
  /** One datagram: `header` (framing such as a TURN ChannelData header), when given, then `data`. Never throws. */
  send(to: TransportAddress, data: Buffer, header?: Buffer): void;
}

/**
 * Where an agent's socket handles lead: per-address host sockets (HostSockets), a port shared
 * by many agents (server mode), a TURN server's connection. The core names a socket in every
 * transmit; the transport finds it.
 */
export interface Transport {
  /** The sender for `socket`, or undefined once it is gone. */
  sender(socket: SocketId): DatagramSender | undefined;
  /** Releases what this agent owns (a shared port is not closed by one of its agents). */
  close(): Promise<void>;
  /** The core no longer uses `socket` (its address is gone, see IceAgentCore.retireHost): close it. */
  release?(socket: SocketId): void;
  /** `from` proved itself on `socket` with an authenticated STUN message (a shared port may now route it here). */
  authenticated?(socket: SocketId, from: TransportAddress): void;
  /** Every core event, before the application sees it (a shared port follows restarts and selections). */
  observe?(e: AgentEvent): void;
}

/** What a transport tells the agent loop about its sockets. */
export interface TransportEvents {
  /** A datagram arrived on `socket`. */
  datagram(socket: SocketId, data: Buffer, from: TransportAddress): void;
  /** `socket` is gone (a socket-level error): its candidates must fail. */
  socketLost(socket: SocketId, why: string): void;
  /** Something the agent survived (a send error...). */
  warning(code: string, message: string): void;
  /** Runs the agent's timer work now: a pacer shared by many agents granted it a slot (RFC 8445 §14.2). */
  wake(): void;
}
