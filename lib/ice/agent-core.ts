import type { TransportAddress } from '../stun/types.js';
import { IceError } from '../util/errors.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import { addressKey } from './candidate.js';
import { Checks } from './checks.js';
import { checkCredential, type AgentConfig, type AgentOptions, type IceRole } from './config.js';
import { CoreContext } from './context.js';
import type { AgentEvent, DropCounters } from './events.js';
import type { Gatherer } from './gatherer.js';
import { toW3C, type ComponentState, type IceState, type W3CIceTransportState } from './ice-state.js';
import { IncomingPackets } from './incoming.js';
import { pairInfo, remoteAddress, type PairInfo } from './pair.js';
import { candidateUfrag } from './remote-generations.js';
import { startGeneration } from './generation.js';
import { RemoteIntake } from './remote-intake.js';
import { loseSocket } from './socket-loss.js';
import { releasedSocket, retireHost } from './host-retirement.js';
import { PacketIntake } from './packet-intake.js';
import { StateTracker } from './states.js';
import { CoreStatsView } from './stats.js';
import type { HostBinding, Route, SocketId, SocketLayer, Transmit } from './transport.js';

export type { HostBinding } from './transport.js';

/** An agent's ICE parameters as signalled (RFC 8839 `a=ice-ufrag`, `a=ice-pwd`, `a=ice-lite`). */
export interface IceParameters {
  readonly ufrag: string;
  readonly pwd: string;
  readonly lite?: true;
}

export { PACKET_DROPPED, PACKET_STUN } from './packet-intake.js';

/** The parts of a core a socket layer (lib/relay's TURN allocations) is built over. */
export interface CoreParts {
  readonly ctx: CoreContext;
  readonly checks: Checks;
}

/**
 * The sans-IO ICE agent (RFC 8445, full agent): packets, time and randomness come in as
 * arguments; transmits and events leave through queues. This class holds the public verbs;
 * the work is done by its parts (Checks, IncomingPackets, StateTracker, the components and
 * the role's nomination policy) over one shared CoreContext.
 */
export class IceAgentCore {
  private readonly ctx: CoreContext;
  private readonly checks: Checks;
  private readonly incoming: IncomingPackets;
  private readonly states: StateTracker;
  private readonly intake: RemoteIntake;
  private readonly packets: PacketIntake;
  /** Statistics (getStats): reports, and the pair counters a driver's data path updates. */
  readonly stats: CoreStatsView;

  constructor(options: AgentOptions) {
    this.ctx = new CoreContext(options);
    this.checks = new Checks(this.ctx);
    this.incoming = new IncomingPackets(this.ctx, this.checks);
    this.states = new StateTracker(this.ctx);
    this.intake = new RemoteIntake(this.ctx, this.checks);
    this.packets = new PacketIntake(this.ctx, this.incoming, (now, reason) => this.afterInput(now, reason));
    this.stats = new CoreStatsView(this.ctx);
  }

  // ---- identity and state ------------------------------------------------

  get config(): AgentConfig {
    return this.ctx.config;
  }
  get tieBreaker(): bigint {
    return this.ctx.tieBreaker;
  }
  /** What was dropped, and why. */
  get drops(): DropCounters {
    return this.ctx.drops;
  }
  get role(): IceRole {
    return this.ctx.role;
  }
  /** What to signal: ufrag, password and, for an ICE-lite agent, `lite: true` (RFC 8839 `a=ice-lite`). */
  get localParameters(): IceParameters {
    const { ufrag, pwd } = this.ctx.credentials;
    return this.ctx.config.lite ? { ufrag, pwd, lite: true } : { ufrag, pwd };
  }
  get state(): IceState {
    return this.states.state;
  }
  get w3cState(): W3CIceTransportState {
    return toW3C(this.states.state);
  }
  get gatheringState(): Gatherer['state'] {
    return this.ctx.gatherer.state;
  }
  get localCandidateList(): readonly LocalCandidate[] {
    return this.ctx.local.all;
  }
  /** The peer's candidates: signalled, and peer-reflexive ones learned from its checks. */
  get remoteCandidateList(): readonly Candidate[] {
    return this.ctx.remote.all;
  }
  componentStates(): ComponentState[] {
    return this.ctx.components.map((c) => c.state);
  }
  pairs(): PairInfo[] {
    return this.ctx.checklist.all.map((p) => pairInfo(this.ctx.role, p));
  }
  selectedPair(component: number): PairInfo | undefined {
    const p = this.ctx.component(component).selected;
    return p && pairInfo(this.ctx.role, p);
  }
  get isClosed(): boolean {
    return this.ctx.closed;
  }
  /** Closed, and every socket layer said its goodbyes: the driver may release the sockets. */
  get drained(): boolean {
    return this.ctx.closed && this.ctx.layers.closed;
  }

  /**
   * Bumped whenever a route or a data source's permission may have changed (selection,
   * consent loss, restart, close), so a driver can cache both on its hot path.
   */
  get routeEpoch(): number {
    return this.ctx.epoch.value;
  }

  /** Where `send(component)` goes: the selected pair, or during a restart the previous one. */
  route(component: number): Route | undefined {
    const p = this.ctx.closed ? undefined : this.ctx.components[component - 1]?.routePair();
    if (!p) return undefined;
    const direct = { socket: p.local.socket, to: remoteAddress(p) };
    return this.ctx.layers.empty ? direct : this.ctx.layers.route(this.ctx.lastInputAt, direct);
  }

  /** One datagram on a route marked `wrapped`: the core frames it (a TURN Send indication). */
  sendData(now: number, component: number, data: Buffer): void {
    const p = this.ctx.closed ? undefined : this.ctx.components[component - 1]?.routePair();
    if (!p) throw new IceError('ERR_NO_SELECTED_PAIR', `component ${component} has no selected pair yet`);
    this.ctx.lastInputAt = now;
    this.ctx.out.transmits.push({ socket: p.local.socket, to: remoteAddress(p), data });
  }

  /** After `handlePacket` returned PACKET_STUN: whether the message authenticated its source (a shared port may route it here). */
  get lastAuthenticated(): boolean {
    return this.packets.authenticated;
  }
  /** After `handlePacket` returned a component: what a layer unwrapped (deliver it), or undefined (deliver the datagram). */
  get lastUnwrapped(): Buffer | undefined {
    return this.packets.unwrapped;
  }

  /** Attaches a socket layer (lib/relay's TURN allocations) built over the core's parts. */
  attachLayer<L extends SocketLayer>(make: (parts: CoreParts) => L): L {
    const layer = make({ ctx: this.ctx, checks: this.checks });
    this.ctx.layers.add(layer);
    return layer;
  }

  // ---- driver verbs: queues and time -------------------------------------

  pollTransmit(): Transmit | undefined {
    const { layers, out } = this.ctx;
    return layers.empty ? out.transmits.shift() : layers.nextTransmit(out.transmits, this.ctx.lastInputAt);
  }
  pollEvent(): AgentEvent | undefined {
    return this.ctx.out.events.shift();
  }
  /** True while events wait to be polled. */
  get hasPendingEvents(): boolean {
    return this.ctx.out.events.length > 0;
  }

  /** The earliest time `handleTimeout` has work to do, or undefined if none. */
  pollTimeout(): number | undefined {
    let next: number | undefined;
    const at = (t: number | undefined): void => {
      if (t !== undefined && t !== Infinity && (next === undefined || t < next)) next = t;
    };
    this.ctx.layers.deadlines(at);
    if (this.ctx.closed) return next;
    at(this.ctx.gatherer.nextDeadline());
    at(this.ctx.txs.nextDeadline());
    at(this.checks.nextPacedAt());
    for (const c of this.ctx.components) {
      at(this.ctx.policy.deadline(c));
      c.deadlines(at);
    }
    this.states.deadlines(at);
    return next;
  }

  handleTimeout(now: number): void {
    this.ctx.lastInputAt = now;
    this.ctx.layers.handleTimeout(now);
    if (this.ctx.closed) return;
    this.ctx.gatherer.handleTimeout(now);
    for (const t of this.ctx.txs.tick(now)) if (t.kind === 'check') this.checks.fail(now, t.pair);
    this.ctx.policy.nominate(now);
    this.checks.keepConsent(now);
    this.checks.sendPaced(now);
    this.states.update(now, 'timer');
  }

  // ---- gathering -----------------------------------------------------------

  /** Adds the driver's bound host sockets as host candidates and asks each STUN server about every host. */
  startGathering(now: number, hosts: readonly HostBinding[], stunServers: readonly TransportAddress[] = []): void {
    this.assertOpen();
    const added: LocalCandidate[] = [];
    for (const h of hosts) {
      this.ctx.component(h.component);
      const host = this.ctx.local.addHost(h);
      if (!host) continue;
      this.ctx.emitCandidate(host);
      added.push(host);
      for (const r of this.ctx.remote.all) this.checks.formPair(host, r);
    }
    // After a restart with `regather`, the hosts kept from before are asked again too (their mapping may have changed).
    this.ctx.gatherer.start(now, [...this.ctx.local.hosts()].filter((h) => h.type === 'host'), stunServers);
    this.afterInput(now, 'local candidates gathered');
  }

  /**
   * The driver lost `socket` (closed or errored): its candidates stop being checked and its
   * pairs fail; a component whose selected pair used it picks another valid pair if it has one.
   */
  failHost(now: number, socket: SocketId): void {
    if (this.ctx.closed) return;
    const host = loseSocket(now, this.ctx, this.checks, socket);
    if (host) this.afterInput(now, `socket ${addressKey(host.base)} lost`);
  }

  /** The address of `socket` is gone (re-gathering): see host-retirement.ts. Its socket is released later. */
  retireHost(now: number, socket: SocketId): void {
    if (!this.ctx.closed && retireHost(this.ctx, socket)) this.afterInput(now, 'host address gone');
  }

  /** A retired host's socket that nothing uses any more (no pair routes data through it): close it. */
  pollReleasedSocket(): SocketId | undefined {
    return this.ctx.local.anyRetired ? releasedSocket(this.ctx) : undefined;
  }

  // ---- remote parameters ---------------------------------------------------

  /**
   * The peer's ufrag and password. The same ones again change nothing; different ones while
   * others are in force are an ICE restart by the peer (RFC 8445 §9, RFC 8839 §4.4.1.1.2): this
   * agent restarts too (new local credentials, a `restart` event) and checks the new generation.
   */
  setRemoteCredentials(now: number, ufrag: string, pwd: string, lite = false): void {
    this.assertOpen();
    const relation = this.ctx.credentials.compareRemote(ufrag, pwd);
    if (lite) this.facingLitePeer();
    if (relation === 'same') return;
    if (relation === 'changed') startGeneration(this.ctx, this.checks, this.states, 'peer');
    this.ctx.credentials.setRemote(ufrag, pwd);
    for (const candidate of this.ctx.generations.take(ufrag)) this.intake.addCurrent(now, candidate);
    // Peers that checked us before we knew their password get their triggered checks now (§7.3.1.4).
    for (const p of this.ctx.checklist.all) if (p.remoteAuthenticated && p.state !== 'succeeded') this.ctx.checklist.trigger(p);
    this.afterInput(now, 'remote credentials set');
  }

  /**
   * Adds a signalled remote candidate (trickled at any time). Unresolved mDNS and TCP candidates
   * are kept but not paired. `ufrag` (or the candidate's `ufrag` extension) names its generation:
   * a candidate of an older one is dropped and counted (`drops.staleCandidate`), one of a
   * generation whose parameters have not arrived yet waits for them. Unsafe addresses throw.
   */
  addRemoteCandidate(now: number, candidate: Candidate, ufrag = candidateUfrag(candidate)): void {
    this.assertOpen();
    if (this.intake.add(now, candidate, ufrag)) this.afterInput(now, 'remote candidate added');
  }

  endOfRemoteCandidates(now: number): void {
    this.assertOpen();
    this.ctx.remoteEnded = true;
    this.afterInput(now, 'remote end-of-candidates');
  }

  // ---- packets ---------------------------------------------------------------

  /**
   * One datagram received on `socket`. Network input never throws: malformed or
   * unauthenticated packets are dropped and counted in `drops`.
   */
  handlePacket(now: number, socket: SocketId, remote: TransportAddress, data: Buffer): number {
    return this.packets.handle(now, socket, remote, data);
  }

  // ---- restart and close -------------------------------------------------------

  /**
   * ICE restart (RFC 8445 §9): new local credentials; data keeps using the old pairs until new ones
   * are selected. With `regather`, gathering stays open for the driver's next startGathering.
   */
  restart(now: number, credentials?: { ufrag: string; pwd: string }, options?: { regather?: boolean }): void {
    this.assertOpen();
    if (credentials) {
      checkCredential('ufrag', credentials.ufrag, 4);
      checkCredential('pwd', credentials.pwd, 22);
    }
    startGeneration(this.ctx, this.checks, this.states, 'local', credentials, options?.regather === true);
    this.afterInput(now, 'ICE restart');
  }

  /**
   * Stops answering STUN and drops every pending transaction; idempotent. Socket layers may
   * still send their goodbyes (a TURN Refresh with LIFETIME 0) until `drained`.
   */
  close(): void {
    if (this.ctx.closed) return;
    this.ctx.closed = true;
    this.ctx.layers.close(this.ctx.lastInputAt);
    this.ctx.epoch.bump();
    this.ctx.gatherer.cancel();
    this.ctx.txs.clear();
    this.ctx.checklist.clear();
    this.states.moveTo('closed', 'close() called');
  }

  // ---- internals -----------------------------------------------------------------

  /** RFC 8445 §6.1.1: facing an ICE-lite peer, a full agent controls; two lite agents cannot connect (§6.2, unsupported here). */
  private facingLitePeer(): void {
    if (this.ctx.config.lite) throw new IceError('ERR_UNSUPPORTED', 'both agents are ICE-lite: neither would send a check (lite-lite is not supported)');
    if (this.ctx.role === 'controlled') this.ctx.switchRole('controlling', 'the peer is ICE-lite (RFC 8445 §6.1.1)');
  }

  /** What follows any input: nominate if due, send a check if a Ta slot is free, publish state changes. */
  private afterInput(now: number, reason: string): void {
    this.ctx.policy.nominate(now);
    this.checks.sendPaced(now);
    this.states.update(now, reason);
  }

  private assertOpen(): void {
    if (this.ctx.closed) throw new IceError('ERR_CLOSED', 'the agent is closed');
  }
}
