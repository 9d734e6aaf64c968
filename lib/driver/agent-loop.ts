import { PACKET_DROPPED, PACKET_STUN, type IceAgentCore } from '../ice/agent-core.js';
import type { AgentEvent } from '../ice/events.js';
import { newPairCounters, type PairCounters } from '../ice/pair.js';
import type { SocketId } from '../ice/transport.js';
import { RELAY_SOCKET_BASE } from '../relay/relay-layer.js';
import type { Unwrapped } from '../relay/types.js';
import type { TransportAddress } from '../stun/types.js';
import type { Scheduler } from '../net/scheduler.js';
import { IceError } from '../util/errors.js';
import type { SharedTimer } from './timer.js';
import { coarseClockOf, type CoarseClock } from './coarse-clock.js';
import type { DatagramSender, Transport, TransportEvents } from './transport.js';

/** Where the loop delivers what the core produced. */
export interface LoopOutput {
  /** One core event, after the core call that produced it returned (no re-entrancy). */
  event(e: AgentEvent): void;
  /** A datagram for the application on `component`. */
  data(component: number, data: Buffer, from: TransportAddress): void;
  warning(code: string, message: string): void;
}

/** Application data on one component, whatever the pair (W3C RTCTransportStats counters). */
export interface ComponentTraffic {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
}

/** Where the data path counts a datagram: its pair's counters and its component's. */
interface Counted {
  counters: PairCounters;
  total: ComponentTraffic;
}

/** A component's route, valid while the core's routeEpoch holds. */
interface CachedRoute extends Counted {
  readonly epoch: number;
  readonly sender: DatagramSender;
  readonly to: TransportAddress;
  readonly header: Buffer | undefined;
}

/** The remote a socket last delivered data from, trusted while the core's routeEpoch holds. */
interface DataSource extends Counted {
  epoch: number;
  address: string;
  port: number;
  component: number;
}

// Counting is a few increments on objects that already exist: nothing is allocated per datagram
// (the time goes field to field: a double passed or returned through a call may be boxed).
function countSent(c: Counted, bytes: number, clock: CoarseClock): void {
  const p = c.counters;
  p.packetsSent++;
  p.bytesSent += bytes;
  clock.update();
  p.lastPacketSentAt = clock.at;
  c.total.packetsSent++;
  c.total.bytesSent += bytes;
}

function countReceived(c: Counted, bytes: number, clock: CoarseClock): void {
  const p = c.counters;
  p.packetsReceived++;
  p.bytesReceived += bytes;
  clock.update();
  p.lastPacketReceivedAt = clock.at;
  c.total.packetsReceived++;
  c.total.bytesReceived += bytes;
}

/** A TURN channel whose ChannelData this socket last delivered: while the epoch holds, the next ones skip the core. */
interface ChannelSource {
  readonly epoch: number;
  /** The server's address: the only source accepted. */
  readonly address: string;
  readonly port: number;
  /** The channel number's two bytes. */
  readonly hi: number;
  readonly lo: number;
  readonly component: number;
  readonly peer: TransportAddress;
}

/**
 * The loop around one pure core: feeds it packets, time and API calls; sends its transmits
 * through the transport; hands its events out only after each core call returned; keeps its
 * one deadline on a (possibly shared) timer. The data path caches routes and sources per the
 * core's routeEpoch, so a datagram costs no lookup while nothing changed.
 */
export class AgentLoop implements TransportEvents {
  transport: Transport | undefined;

  private flushing = false;
  // Indexed by component (or socket); sized once, since an array grown from [] reserves 17 slots.
  private readonly routes: (CachedRoute | undefined)[];
  private sources: (DataSource | undefined)[] = [];
  private readonly totals: ComponentTraffic[];
  /** Counts data that no pair carried (the transport totals still include it). */
  private readonly unpaired = newPairCounters();
  /** Timestamps for data statistics: a clock read at most once a millisecond. */
  private readonly clock: CoarseClock;
  private whenDrained: (() => void) | undefined;
  /** Relay sockets' channels (a Map: their ids are far above the host sockets' array indexes). */
  private channels: Map<SocketId, ChannelSource> | undefined;
  /** Called at the end of every flush (the relay driver carries out its layer's socket commands). */
  afterFlush: (() => void) | undefined;
  /** What the socket layer unwrapped last (the relayed datagram's peer and channel). */
  unwrapped: (() => Unwrapped | undefined) | undefined;

  constructor(
    readonly core: IceAgentCore,
    private readonly scheduler: Scheduler,
    private readonly timers: SharedTimer,
    private readonly out: LoopOutput,
  ) {
    this.routes = new Array<CachedRoute | undefined>(core.config.components + 1).fill(undefined);

    this.clock = coarseClockOf(scheduler);
    this.totals = Array.from({ length: core.config.components + 1 }, () => ({ packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0 }));
  }

  /** The application data a component sent and received so far. */
  traffic(component: number): Readonly<ComponentTraffic> | undefined {
    return component >= 1 ? this.totals[component] : undefined;
  }

  /** Runs a core verb at the current time, then sends and tells what it produced. */
  run(verb: (now: number) => void): void {
    verb(this.scheduler.now());
    this.flush();
  }

  /** The data path: one datagram on the component's route. */
  send(component: number, data: Buffer): void {
    const cached = this.routes[component];
    if (cached !== undefined && cached.epoch === this.core.routeEpoch) {
      countSent(cached, data.length, this.clock);
      return cached.sender.send(cached.to, data, cached.header);
    }
    // Closed first: the sockets are gone even if the core still remembers a selected pair.
    if (this.core.isClosed) throw new IceError('ERR_CLOSED', 'the agent is closed');
    const route = this.core.route(component);
    if (!route) throw new IceError('ERR_NO_SELECTED_PAIR', `component ${component} has no selected pair yet`);
    const counted: Counted = { counters: this.core.stats.routeCounters(component) ?? this.unpaired, total: this.totals[component]! };
    // Framing that changes with every datagram (a TURN Send indication) is the core's to write.
    if (route.wrapped) {
      countSent(counted, data.length, this.clock);
      return this.run((now) => this.core.sendData(now, component, data));
    }
    const sender = this.transport?.sender(route.socket);
    if (!sender) throw new IceError('ERR_SOCKET', `the socket of component ${component}'s route is gone`);
    const fresh: CachedRoute = { epoch: this.core.routeEpoch, sender, to: route.to, header: route.header, ...counted };
    this.routes[component] = fresh;
    countSent(fresh, data.length, this.clock);
    sender.send(route.to, data, route.header);
  }

  datagram(socket: SocketId, data: Buffer, from: TransportAddress): void {
    // Hot path: more data from the source this socket last delivered, not STUN (RFC 7983 first byte > 3).
    const last = this.sources[socket];
    if (last !== undefined && data.length > 0 && data[0]! > 3 && last.epoch === this.core.routeEpoch && last.port === from.port && last.address === from.address) {
      countReceived(last, data.length, this.clock);
      return this.out.data(last.component, data, from);
    }
    if (socket >= RELAY_SOCKET_BASE && this.relayedFast(socket, data, from)) return;
    const now = this.scheduler.now();
    const r = this.core.handlePacket(now, socket, from, data);
    if (r === PACKET_STUN) {
      if (this.core.lastAuthenticated) this.transport?.authenticated?.(socket, from);
      return this.flush();
    }
    if (r === PACKET_DROPPED) return;
    // Events still queued (a restart's, say) are told before the data that follows them.
    if (this.core.hasPendingEvents) this.flush();
    const payload = this.core.lastUnwrapped ?? data;
    if (payload === data) {
      // Relay sockets' ids would make the array sparse: their direct data takes the slow path.
      if (socket < RELAY_SOCKET_BASE) countReceived(this.remember(socket, from, r), payload.length, this.clock);
      else this.countRelayed(r, payload.length);
      return this.out.data(r, payload, from);
    }
    // Unwrapped by the relay layer: it came from the peer, through the server.
    this.countRelayed(r, payload.length);
    const u = this.unwrapped?.();
    if (u === undefined || u.socket !== socket) return this.out.data(r, payload, from);
    if (u.channel !== undefined) this.rememberChannel(socket, from, u, r);
    this.out.data(r, payload, u.peer);
  }

  /**
   * The relayed hot path (design §1 "Data path"): from the server only, ChannelData (first byte
   * 0x40-0x4F) of the channel this socket last delivered, LENGTH within the datagram, a payload that
   * is not STUN; the payload is a view bounded by LENGTH, so padding or trailing bytes are never delivered.
   */
  private relayedFast(socket: SocketId, data: Buffer, from: TransportAddress): boolean {
    const ch = this.channels?.get(socket);
    if (ch === undefined || ch.epoch !== this.core.routeEpoch || data.length < 4 || data[0] !== ch.hi || data[1] !== ch.lo) return false;
    if (ch.port !== from.port || ch.address !== from.address) return false;
    const end = 4 + ((data[2]! << 8) | data[3]!);
    // STUN inside (a check or consent through the relay, RFC 7983 first byte 0-3) is the core's.
    if (end > data.length || end === 4 || data[4]! < 4) return false;
    this.countRelayed(ch.component, end - 4);
    this.out.data(ch.component, data.subarray(4, end), ch.peer);
    return true;
  }

  private rememberChannel(socket: SocketId, from: TransportAddress, u: Unwrapped, component: number): void {
    const channel = u.channel!;
    (this.channels ??= new Map()).set(socket, {
      epoch: this.core.routeEpoch, address: from.address, port: from.port, hi: channel >> 8, lo: channel & 0xff, component, peer: u.peer,
    });
  }

  socketLost(socket: SocketId): void {
    if (this.core.isClosed) return;
    this.run((now) => this.core.failHost(now, socket));
  }

  warning(code: string, message: string): void {
    this.out.warning(code, message);
  }

  wake(): void {
    if (!this.core.isClosed) this.run((now) => this.core.handleTimeout(now));
  }

  /** Sends what the core queued, tells its events, re-arms the timer. A re-entrant call just returns. */
  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let t = this.core.pollTransmit(); t; t = this.core.pollTransmit()) this.transport?.sender(t.socket)?.send(t.to, t.data, t.header);
      for (let s = this.core.pollReleasedSocket(); s !== undefined; s = this.core.pollReleasedSocket()) this.transport?.release?.(s);
      const events: AgentEvent[] = [];
      for (let e = this.core.pollEvent(); e; e = this.core.pollEvent()) events.push(e);
      this.armTimer();
      this.flushing = false;
      // The relay's news first: an allocation is told before the candidate it gave.
      this.afterFlush?.();
      for (const e of events) {
        this.transport?.observe?.(e);
        this.out.event(e);
      }
      if (this.whenDrained && this.core.drained) this.whenDrained();
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Closes the core and tells its last events; socket layers may say goodbye first (a TURN
   * Refresh with LIFETIME 0, answered or not within `drainMs`); then stops the timer and
   * releases the transport.
   */
  async close(drainMs = 1000): Promise<void> {
    this.core.close();
    if (this.core.drained) this.flush();
    else await this.drain(drainMs);
    this.timers.disarm(this.onTimer);
    await this.transport?.close();
  }

  /** Keeps the loop running (packets, the timer) until the core is drained or `maxMs` passed. */
  private drain(maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const giveUp = this.scheduler.schedule(this.scheduler.now() + maxMs, () => finish());
      const finish = (): void => {
        this.scheduler.cancel(giveUp);
        this.whenDrained = undefined;
        resolve();
      };
      this.whenDrained = finish;
      this.flush();
    });
  }

  /** Relayed data reaches the loop wrapped: it counts for its component, not for a pair (yet). */
  private countRelayed(component: number, bytes: number): void {
    this.unpaired.packetsReceived++;
    this.totals[component]!.packetsReceived++;
    this.totals[component]!.bytesReceived += bytes;
  }

  private remember(socket: SocketId, from: TransportAddress, component: number): DataSource {
    if (socket >= this.sources.length) this.sources = Array.from({ length: socket + 1 }, (_, i) => this.sources[i]);
    const source = (this.sources[socket] ??= { epoch: -1, address: '', port: 0, component: 0, counters: this.unpaired, total: this.totals[0]! });
    source.epoch = this.core.routeEpoch;
    source.address = from.address;
    source.port = from.port;
    source.component = component;
    source.counters = this.core.stats.countersOf(socket, from) ?? this.unpaired;
    source.total = this.totals[component]!;
    return source;
  }

  private armTimer(): void {
    const at = this.core.pollTimeout();
    if (at === undefined) this.timers.disarm(this.onTimer);
    else this.timers.arm(this.onTimer, at);
  }

  /** The core's deadline came (the timer may be shared with many agents). */
  private readonly onTimer = (): void => {
    this.core.handleTimeout(this.scheduler.now());
    this.flush();
  };
}
