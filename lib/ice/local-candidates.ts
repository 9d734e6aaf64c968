import type { TransportAddress } from '../stun/types.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import { candidateFoundation, candidatePriority, localPreference, sameTransportAddress } from './candidate.js';
import type { HostBinding, SocketId } from './transport.js';

export type { HostBinding } from './transport.js';

/** The local preference a candidate's priority was built from (RFC 8445 §5.1.2.1). */
export function localPreferenceOf(c: Candidate): number {
  return Math.floor(c.priority / 256) % 65536;
}

/**
 * Our candidates: hosts (one per bound socket), and the srflx and prflx ones learned through them.
 * A socket layer may add candidates that own a socket of theirs (a TURN relayed address on its
 * virtual socket): those receive checks and are paired like hosts.
 */
export class LocalCandidates {
  private readonly hostsBySocket = new Map<SocketId, LocalCandidate>();
  private list: LocalCandidate[] = [];
  /** Hosts whose address is gone (re-gathering): they still receive until their socket is released. */
  /** Made on first use: most agents never re-gather. */
  private retired: Set<SocketId> | undefined;

  get all(): readonly LocalCandidate[] {
    return this.list;
  }

  /** The hosts that pair and gather (retired ones do not). */
  *hosts(): IterableIterator<LocalCandidate> {
    for (const [socket, host] of this.hostsBySocket) if (!this.retired?.has(socket)) yield host;
  }

  /** The host candidate whose socket is `socket`. */
  hostOn(socket: SocketId): LocalCandidate | undefined {
    return this.hostsBySocket.get(socket);
  }

  /** A new host candidate for a bound socket; undefined if that socket is known already. */
  addHost(h: HostBinding): LocalCandidate | undefined {
    if (this.hostsBySocket.has(h.socket)) return undefined;
    const host: LocalCandidate = {
      foundation: candidateFoundation('host', h.base.address, 'udp'),
      component: h.component,
      transport: 'udp',
      priority: candidatePriority('host', localPreference(h.base.address, h.interfaceRank), h.component),
      address: h.base.address,
      port: h.base.port,
      type: 'host',
      extensions: [],
      base: h.base,
      socket: h.socket,
    };
    this.hostsBySocket.set(h.socket, host);
    this.list.push(host);
    return host;
  }

  /**
   * §5.1.3: one srflx per mapped address and base; undefined if redundant. It is kept even when it
   * equals its base (no NAT), so a probe shows what the server saw; it is never paired (§6.1.2.4).
   */
  addServerReflexive(host: LocalCandidate, mapped: TransportAddress, server: TransportAddress): LocalCandidate | undefined {
    if (this.list.some((c) => c.type === 'srflx' && c.base === host.base && sameTransportAddress(c, mapped))) return undefined;
    const srflx = reflexive(host, 'srflx', mapped, candidatePriority('srflx', localPreferenceOf(host), host.component), server);
    this.list.push(srflx);
    return srflx;
  }

  /** The candidate with this mapped address on `host`'s socket, learning a peer-reflexive one if new (§7.2.5.3.1). */
  reflexiveOf(host: LocalCandidate, mapped: TransportAddress, priority: number): LocalCandidate {
    const known = this.list.find((c) => c.base === host.base && sameTransportAddress(c, mapped));
    if (known) return known;
    const prflx = reflexive(host, 'prflx', mapped, priority);
    this.list.push(prflx);
    return prflx;
  }

  /**
   * A candidate that owns `candidate.socket` (RFC 8445 §5.1.1.2: a relayed candidate is its own
   * base); false when that socket already has one. It is paired and receives like a host.
   */
  addOnSocket(candidate: LocalCandidate): boolean {
    if (this.hostsBySocket.has(candidate.socket)) return false;
    this.hostsBySocket.set(candidate.socket, candidate);
    this.list.push(candidate);
    return true;
  }

  /** The socket is gone: its host no longer receives or pairs. */
  removeHost(socket: SocketId): LocalCandidate | undefined {
    const host = this.hostOn(socket);
    this.hostsBySocket.delete(socket);
    return host;
  }

  /** Peer-reflexive candidates belong to one session: an ICE restart forgets them (and srflx ones when it gathers anew). */
  forgetPeerReflexive(serverReflexiveToo = false): void {
    this.list = this.list.filter((c) => c.type !== 'prflx' && !(serverReflexiveToo && c.type === 'srflx'));
  }

  /**
   * The host's address is gone: it and the candidates learned through it are no longer ours to
   * signal or pair, but its socket still receives (a selected pair may use it) until `release`.
   */
  retire(socket: SocketId): LocalCandidate | undefined {
    const host = this.hostOn(socket);
    if (!host || this.retired?.has(socket)) return undefined;
    (this.retired ??= new Set()).add(socket);
    this.list = this.list.filter((c) => c.socket !== socket);
    return host;
  }

  get anyRetired(): boolean {
    return (this.retired?.size ?? 0) > 0;
  }

  isRetired(c: LocalCandidate): boolean {
    return this.retired?.has(c.socket) === true;
  }

  retiredHosts(): LocalCandidate[] {
    return [...(this.retired ?? [])].flatMap((socket) => this.hostsBySocket.get(socket) ?? []);
  }

  /** A retired host's socket is closed: nothing arrives on it any more. */
  release(socket: SocketId): void {
    this.retired?.delete(socket);
    this.hostsBySocket.delete(socket);
  }
}

/** A candidate learned through `host`'s socket: it is sent from that base, and names it as related address. */
function reflexive(host: LocalCandidate, type: 'srflx' | 'prflx', mapped: TransportAddress, priority: number, server?: TransportAddress): LocalCandidate {
  return {
    foundation: candidateFoundation(type, host.base.address, 'udp', server?.address),
    component: host.component,
    transport: 'udp',
    priority,
    address: mapped.address,
    port: mapped.port,
    type,
    relatedAddress: host.address,
    relatedPort: host.port,
    extensions: [],
    base: host.base,
    socket: host.socket,
  };
}
