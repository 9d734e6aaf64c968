import { sameTransportAddress } from '../ice/candidate.js';
import type { LocalCandidate } from '../ice/candidate-types.js';
import { loseSocket } from '../ice/socket-loss.js';
import type { SocketId } from '../ice/transport.js';
import type { TransportAddress } from '../stun/types.js';
import type { TurnAllocation } from '../turn/allocation.js';
import { mappedCandidate, relayCandidate, usableBase } from './relay-candidates.js';
import { RelayPeers } from './relay-peers.js';
import type { SlotHost } from './slot-host.js';
import type { RelayServer } from './types.js';

/** Where the allocation is: what its candidates are built from. */
export interface AllocationPlace {
  readonly server: TransportAddress;
  /** The client socket and its own address. */
  readonly socket: SocketId;
  readonly local: TransportAddress | undefined;
}

/**
 * The candidates one allocation gives, and their pairs' upkeep: the relay candidate on a
 * virtual socket (RFC 8445 §5.1.1.2) and, over UDP with policy `all`, the srflx candidate of the
 * client socket (its mapped address, de-duplicated against what is already signalled).
 */
export class SlotCandidates {
  relay: LocalCandidate | undefined;
  srflx: LocalCandidate | undefined;
  peers: RelayPeers | undefined;

  constructor(
    private readonly host: SlotHost,
    private readonly config: RelayServer,
    private readonly serverIndex: number,
    private readonly component: number,
  ) {}

  /** The relay candidate of a new allocation; false when it duplicates a local candidate (§5.1.1.2: discarded). */
  addRelay(now: number, at: AllocationPlace, allocation: TurnAllocation, relayed: TransportAddress, mapped: TransportAddress | undefined): boolean {
    const { ctx } = this.host;
    const virtual = this.host.newSocketId();
    const relay = relayCandidate({
      component: this.component, relayed, mapped, server: at.server, transport: this.config.transport, serverIndex: this.serverIndex, socket: virtual,
    });
    if (ctx.local.all.some((c) => sameTransportAddress(c, relay)) || !ctx.local.addOnSocket(relay)) return false;
    this.relay = relay;
    this.peers = new RelayPeers(ctx, allocation, relay);
    this.publish(relay);
    this.peers.sync(now);
    return true;
  }

  /** The srflx the mapped address gives: UDP, policy `all`, a real local address, an address not signalled yet. */
  addMapped(at: AllocationPlace, mapped: TransportAddress): void {
    const { ctx, options } = this.host;
    if (options.policy !== 'all' || this.config.transport !== 'udp' || !usableBase(at.local) || this.srflx) return;
    if (ctx.local.all.some((c) => (c.type === 'srflx' || c.type === 'host') && sameTransportAddress(c, mapped))) return;
    const srflx = mappedCandidate({ component: this.component, mapped, base: at.local, server: at.server, serverIndex: this.serverIndex, socket: at.socket });
    if (!ctx.local.addOnSocket(srflx)) return;
    this.srflx = srflx;
    this.publish(srflx);
  }

  /** Signal it, and pair it with the peer's candidates known so far. */
  private publish(candidate: LocalCandidate): void {
    const { ctx, checks } = this.host;
    ctx.emitCandidate(candidate);
    for (const r of ctx.remote.all) checks.formPair(candidate, r);
  }

  /** The allocation is gone: the relay candidate's pairs fail (a selected one gives way to another valid pair). */
  loseRelay(now: number): void {
    const { ctx, checks } = this.host;
    if (this.relay && !ctx.closed) loseSocket(now, ctx, checks, this.relay.socket);
  }

  /** The client socket is gone: so is the srflx on it. */
  loseMapped(now: number): void {
    const { ctx, checks } = this.host;
    if (this.srflx && !ctx.closed) loseSocket(now, ctx, checks, this.srflx.socket);
    this.srflx = undefined;
  }

  isVirtual(socket: SocketId): boolean {
    return this.relay?.socket === socket;
  }
}
