import type { LayerInbound, Route, SocketId, Transmit } from '../ice/transport.js';
import { decodeMessage } from '../stun/decode.js';
import { isStunDatagram } from '../stun/demux.js';
import type { TransportAddress } from '../stun/types.js';
import { TurnAllocation } from '../turn/allocation.js';
import { sameAddress } from '../turn/context.js';
import type { TurnEvent, TurnTransmit } from '../turn/types.js';
import { BindingProbe } from './binding-probe.js';
import { usableBase } from './relay-candidates.js';
import { SlotCandidates, type AllocationPlace } from './slot-candidates.js';
import type { SlotHost } from './slot-host.js';
import { SlotReport, type Outcome } from './slot-report.js';
import type { RelayFailureReason, RelayInfo, RelayServer, RelayState } from './types.js';

const PASS: LayerInbound = { kind: 'pass' };
const CONSUMED: LayerInbound = { kind: 'consumed' };

/**
 * One TURN allocation for one component, from asking the driver for a client socket to the
 * Refresh with LIFETIME 0: 437 asks for a new socket (at most 3 times), 300 for a socket to the
 * alternate server (once), 486/508 fall back to a plain Binding request; `allocated` makes the
 * relay candidate (on a virtual socket) and, over UDP, the srflx one (on the client socket).
 */
export class RelaySlot {
  state: RelayState = 'pending';
  private server: TransportAddress;
  private socket: SocketId | undefined;
  private local: TransportAddress | undefined;
  private allocation: TurnAllocation | undefined;
  private probe: BindingProbe | undefined;
  private readonly history = { redirects: 0, mismatchRetries: 0 };
  private askedAt = 0;
  private readonly gatherToken = {};
  private readonly report = new SlotReport();
  private readonly candidates: SlotCandidates;

  constructor(
    private readonly host: SlotHost,
    readonly config: RelayServer,
    serverIndex: number,
    readonly component: number,
  ) {
    this.server = config.address;
    this.candidates = new SlotCandidates(host, config, serverIndex, component);
  }

  /** Ask for the first socket; gathering is not complete until this slot has an outcome. */
  start(now: number): void {
    this.host.ctx.gatherer.hold(this.gatherToken);
    this.askedAt = now;
    this.openSocket();
  }

  /** Gives up before it began: over the allocation bound. */
  refuse(reason: RelayFailureReason, detail: string): void {
    this.state = 'failed';
    Object.assign(this.report.outcome, { reason, detail });
    this.host.event({ type: 'failed', relay: this.info() });
  }

  private openSocket(): void {
    this.socket = this.host.newSocketId();
    this.host.claim(this.socket, this);
    const { transport, hostname } = this.config;
    this.host.command({ kind: 'open', socket: this.socket, server: this.server, transport, hostname, component: this.component });
  }

  // ---- driver verbs --------------------------------------------------------------------

  socketOpened(now: number, socket: SocketId, local: TransportAddress): void {
    if (socket !== this.socket || this.state !== 'pending') return this.host.command({ kind: 'close', socket });
    this.local = local;
    this.report.sockets++;
    const { ctx, options } = this.host;
    this.allocation = new TurnAllocation({
      server: this.server, transport: this.config.transport, username: this.config.username, password: this.config.password,
      rng: ctx.config.random, family: this.server.family, history: { ...this.history },
      maxPermissions: ctx.config.limits.maxRemoteCandidates, ...options.timers,
      ...(options.software !== undefined && { software: options.software }),
    });
    this.state = 'allocating';
    this.allocation.start(now);
  }

  socketFailed(now: number, socket: SocketId, detail: string): void {
    if (socket !== this.socket) return;
    this.host.unclaim(socket);
    this.socket = undefined;
    this.fail(now, { reason: 'socket', detail });
  }

  /** The connection (TCP/TLS) or the socket is gone: the allocation and every candidate on it go too. */
  socketClosed(now: number, socket: SocketId, detail: string): void {
    if (socket !== this.socket) return;
    this.candidates.loseMapped(now);
    if (this.allocation && this.state !== 'failed' && this.state !== 'closed') {
      this.allocation.transportClosed(now, detail);
      this.pump(now);
    } else if (this.probe) {
      this.probe = undefined;
      this.fail(now, { reason: 'connection-lost', detail });
    }
    this.host.nudge(now);
  }

  // ---- datagrams ---------------------------------------------------------------------------

  /** A datagram on the client socket: the server's (answers, relayed data) or, on UDP, direct ICE traffic to the srflx. */
  inbound(now: number, from: TransportAddress, data: Buffer): LayerInbound {
    const fromServer = sameAddress(from, this.server);
    if (!fromServer && this.candidates.srflx) return PASS;
    if (fromServer && this.probe && isStunDatagram(data)) {
      const d = decodeMessage(data);
      if (d.ok && this.probe.owns(d.message)) return this.probed(now, this.probe.answer(d.message));
    }
    if (!this.allocation) return CONSUMED;
    const r = this.allocation.unwrap(now, from, data);
    this.pump(now);
    const relay = this.candidates.relay;
    if (r.kind !== 'data' || !relay || this.state !== 'allocated') return CONSUMED;
    this.host.unwrapped({ socket: this.socket!, peer: r.peer, channel: r.channel });
    // A check or its answer may select a pair: its channel and permissions follow at once (handleTimeout).
    if (r.payload.length > 0 && r.payload[0]! < 4) this.host.nudge(now);
    return { kind: 'unwrapped', socket: relay.socket, from: r.peer, data: r.payload };
  }

  /** A transmit on the relay candidate's virtual socket, wrapped for the server (or held until its permission). */
  outbound(now: number, t: Transmit): Transmit | undefined {
    if (!this.allocation || this.state !== 'allocated') return undefined;
    this.candidates.peers?.noteOutbound(t.to.address);
    const r = this.allocation.wrap(now, t.to, t.data);
    return r.kind === 'send' ? this.toTransmit(r) : undefined;
  }

  /** Once the pair's channel is bound, data goes as ChannelData straight from the driver; before, the core wraps each datagram. */
  route(r: Route): Route {
    const header = this.state === 'allocated' ? this.candidates.peers?.header(r.to) : undefined;
    return header !== undefined ? { socket: this.socket!, to: this.server, header } : { socket: r.socket, to: r.to, wrapped: true };
  }

  pollTransmit(): Transmit | undefined {
    const probe = this.probe?.pollTransmit();
    if (probe) return { socket: this.socket!, to: this.server, data: probe };
    const t = this.allocation?.pollTransmit();
    return t && this.toTransmit(t);
  }

  /** A buffer list as a transmit: one message, or a ChannelData header and its payload (a stream sender pads it to 4). */
  private toTransmit(t: Pick<TurnTransmit, 'to' | 'data'>): Transmit {
    const [first, second] = t.data;
    if (second === undefined) return { socket: this.socket!, to: t.to, data: first! };
    return { socket: this.socket!, to: t.to, header: first!, data: second };
  }

  // ---- time -----------------------------------------------------------------------------------

  nextDeadline(): number | undefined {
    const a = this.allocation?.pollTimeout();
    const p = this.probe?.deadline;
    if (p === undefined || p === Infinity) return a;
    return a === undefined ? p : Math.min(a, p);
  }

  handleTimeout(now: number): void {
    if (this.probe) {
      const o = this.probe.tick(now);
      if (o.done) this.probed(now, o);
    }
    if (!this.allocation) return;
    this.allocation.handleTimeout(now);
    this.pump(now);
    if (this.state === 'allocated' && !this.host.ctx.closed) this.candidates.peers?.sync(now);
  }

  /** Delete the allocation (Refresh with LIFETIME 0, answered or not within closeWaitMs). */
  close(now: number): void {
    this.probe = undefined;
    if (this.state === 'allocated') {
      this.state = 'closing';
      this.allocation!.close(now);
      this.pump(now);
    } else if (this.state === 'pending' || this.state === 'allocating') {
      this.allocation?.close(now);
      this.state = 'closed';
    }
  }

  /** Nothing more to send: the layer may report itself closed. */
  get done(): boolean {
    return this.state === 'failed' || this.state === 'closed';
  }

  // ---- the allocation's events -----------------------------------------------------------

  private pump(now: number): void {
    const a = this.allocation;
    // An event may replace the allocation (437, a redirect): the old one's later events are moot.
    for (let e = a?.pollEvent(); a && e && a === this.allocation; e = a.pollEvent()) this.onTurnEvent(now, e);
  }

  private onTurnEvent(now: number, e: TurnEvent): void {
    switch (e.type) {
      case 'allocated': return this.allocated(now, e);
      case 'refreshed': this.report.outcome.lifetimeS = e.lifetimeS; return;
      case 'failed': return this.failed(now, e);
      case 'redirect': return this.reconnect(e.server, 'redirect');
      case 'permission-failed': return this.candidates.peers?.permissionFailed(now, e.ips);
      case 'channel-bound': return this.candidates.peers?.channelBound(e.peer);
      case 'channel-failed': return this.candidates.peers?.channelFailed(e.peer);
      case 'closed': this.state = 'closed'; return;
      default: return;
    }
  }

  private allocated(now: number, e: Extract<TurnEvent, { type: 'allocated' }>): void {
    const { ctx } = this.host;
    if (ctx.closed) return;
    this.state = 'allocated';
    Object.assign(this.report.outcome, { relayed: e.relayed, lifetimeS: e.lifetimeS, allocateMs: now - this.askedAt, ...(e.mapped && { mapped: e.mapped }) });
    if (this.candidates.addRelay(now, this.place(), this.allocation!, e.relayed, e.mapped)) this.host.claim(this.candidates.relay!.socket, this);
    if (e.mapped) this.candidates.addMapped(this.place(), e.mapped);
    this.host.event({ type: 'allocated', relay: this.info() });
    ctx.gatherer.release(this.gatherToken);
    ctx.epoch.bump();
  }

  private place(): AllocationPlace {
    return { server: this.server, socket: this.socket!, local: this.local };
  }

  isVirtual(socket: SocketId): boolean {
    return this.candidates.isVirtual(socket);
  }

  private failed(now: number, e: Extract<TurnEvent, { type: 'failed' }>): void {
    const why: Outcome = { reason: e.reason, detail: e.detail, ...(e.code !== undefined && { code: e.code }) };
    if (e.recovery === 'new-socket' && this.state === 'allocating') {
      this.history.mismatchRetries++;
      return this.reconnect(this.server, 'mismatch');
    }
    const canProbe = this.host.options.policy === 'all' && this.config.transport === 'udp' && usableBase(this.local);
    if (e.recovery === 'binding' && canProbe && !this.host.ctx.closed) {
      Object.assign(this.report.outcome, why);
      this.probe = new BindingProbe(now, this.host.ctx.config.random);
      return;
    }
    this.fail(now, why);
  }

  /** 437 or 300: the same allocation from a new socket (to the same server, or the alternate one). */
  private reconnect(server: TransportAddress, why: 'mismatch' | 'redirect'): void {
    if (why === 'redirect') this.history.redirects++;
    if (this.socket !== undefined) {
      this.host.unclaim(this.socket);
      this.host.command({ kind: 'close', socket: this.socket });
    }
    this.retire();
    this.server = server;
    this.state = 'pending';
    this.openSocket();
  }

  private probed(now: number, o: { readonly mapped: TransportAddress | undefined; readonly detail: string }): LayerInbound {
    this.probe = undefined;
    if (o.mapped) this.candidates.addMapped(this.place(), o.mapped);
    this.host.event({ type: 'binding', relay: this.info(), mapped: o.mapped });
    this.fail(now, { detail: `${this.report.outcome.detail ?? 'no relay'}; ${o.detail}` });
    return CONSUMED;
  }

  /** The end (or the loss) of this relay: its candidate's pairs fail, gathering no longer waits for it. */
  private fail(now: number, why: Outcome): void {
    const { ctx } = this.host;
    const was = this.state;
    this.state = 'failed';
    Object.assign(this.report.outcome, why);
    this.candidates.loseRelay(now);
    if (this.socket !== undefined && !this.candidates.srflx) {
      this.host.unclaim(this.socket);
      this.host.command({ kind: 'close', socket: this.socket });
    }
    ctx.epoch.bump();
    if (was !== 'closing' && was !== 'closed') this.host.event({ type: 'failed', relay: this.info() });
    ctx.gatherer.release(this.gatherToken);
    this.host.nudge(now);
  }

  private retire(): void {
    this.report.retire(this.allocation?.counters);
    this.allocation = undefined;
  }

  info(): RelayInfo {
    const at = { server: this.server, local: this.local, component: this.component, state: this.state };
    return this.report.info(this.config, at, this.allocation?.counters, this.candidates.peers?.counts());
  }
}
