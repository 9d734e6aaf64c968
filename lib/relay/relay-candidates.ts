// The candidates a TURN allocation gives (RFC 8445 §5.1.1.2, §5.1.2, §5.1.1.3).
import { crc32 } from 'node:zlib';
import type { LocalCandidate } from '../ice/candidate-types.js';
import { candidatePriority, localPreference, normalizeAddress } from '../ice/candidate.js';
import type { SocketId } from '../ice/transport.js';
import type { TransportAddress } from '../stun/types.js';
import type { TurnTransport } from '../turn/types.js';

/** §5.1.2.1 local preference of a relay: UDP > TCP > TLS to the server (pion's order), then server order. */
const TRANSPORT_CLASS: Record<TurnTransport, number> = { udp: 3, tcp: 2, tls: 1 };
const MAX_SERVER_RANK = 16383;

export function relayLocalPreference(transport: TurnTransport, serverIndex: number): number {
  return TRANSPORT_CLASS[transport] * 16384 + (MAX_SERVER_RANK - Math.min(serverIndex, MAX_SERVER_RANK));
}

/** §5.1.1.3: same type, base IP, server and transport ⇔ same foundation; crc32 keeps it short and deterministic. */
export function relayFoundation(type: 'relay' | 'srflx', base: string, server: TransportAddress, transport: TurnTransport): string {
  return String(crc32([type, normalizeAddress(base), normalizeAddress(server.address), transport].join('|')));
}

export interface RelayCandidateInput {
  readonly component: number;
  readonly relayed: TransportAddress;
  /** XOR-MAPPED-ADDRESS: the related address (§4: a relayed candidate's related address is the mapped one). */
  readonly mapped: TransportAddress | undefined;
  readonly server: TransportAddress;
  readonly transport: TurnTransport;
  readonly serverIndex: number;
  /** The virtual socket: transmits on it are wrapped for the server, unwrapped datagrams arrive on it. */
  readonly socket: SocketId;
}

/** The relayed candidate: its own base (§5.1.1.2), type preference 0, on a virtual socket. */
export function relayCandidate(i: RelayCandidateInput): LocalCandidate {
  return {
    foundation: relayFoundation('relay', i.relayed.address, i.server, i.transport),
    component: i.component,
    transport: 'udp',
    priority: candidatePriority('relay', relayLocalPreference(i.transport, i.serverIndex), i.component),
    address: i.relayed.address,
    port: i.relayed.port,
    type: 'relay',
    ...(i.mapped !== undefined && { relatedAddress: i.mapped.address, relatedPort: i.mapped.port }),
    extensions: [],
    base: i.relayed,
    socket: i.socket,
  };
}

export interface MappedCandidateInput {
  readonly component: number;
  readonly mapped: TransportAddress;
  /** The client socket's own address: the srflx's base, which sends its checks. */
  readonly base: TransportAddress;
  readonly server: TransportAddress;
  readonly serverIndex: number;
  /** The client socket (UDP): direct checks leave from it and arrive on it, next to the server's traffic. */
  readonly socket: SocketId;
}

/**
 * The server-reflexive candidate XOR-MAPPED-ADDRESS (or a Binding answer) reveals. Its base is the
 * client socket, which has no host candidate of its own: so the srflx owns that socket, receives
 * checks on it and is paired like a host (checks go out from the base, §6.1.2.4).
 */
export function mappedCandidate(i: MappedCandidateInput): LocalCandidate {
  return {
    foundation: relayFoundation('srflx', i.base.address, i.server, 'udp'),
    component: i.component,
    transport: 'udp',
    priority: candidatePriority('srflx', localPreference(i.base.address, Math.min(i.serverIndex, MAX_SERVER_RANK)), i.component),
    address: i.mapped.address,
    port: i.mapped.port,
    type: 'srflx',
    relatedAddress: i.base.address,
    relatedPort: i.base.port,
    extensions: [],
    base: i.base,
    socket: i.socket,
  };
}

/** A wildcard or port-0 local address cannot be a base: the driver did not say where the socket is. */
export function usableBase(local: TransportAddress | undefined): local is TransportAddress {
  if (local === undefined || local.port === 0) return false;
  return local.address !== '0.0.0.0' && normalizeAddress(local.address) !== '::';
}
