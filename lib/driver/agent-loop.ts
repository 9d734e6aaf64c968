import { PACKET_DROPPED, PACKET_STUN, type IceAgentCore } from '../ice/agent-core.js';
import type { AgentEvent } from '../ice/events.js';
import type { SocketId } from '../ice/transport.js';
import { RELAY_SOCKET_BASE } from '../relay/relay-layer.js';
import type { Unwrapped } from '../relay/types.js';
import type { TransportAddress } from '../stun/types.js';
import type { Scheduler } from '../net/scheduler.js';
import { IceError } from '../util/errors.js';
import type { AgentTimer, SharedTimer } from './timer.js';
import type { DatagramSender, Transport, TransportEvents } from './transport.js';

/** Where the loop delivers what the core produced. */
export interface LoopOutput {
  /** One core event, after the core call that produced it returned (no re-entrancy). */
  event(e: AgentEvent): void;
  /** A datagram for the application on `component`. */
  data(component: number, data: Buffer, from: TransportAddress): void;
  warning(code: string, message: string): void;
}

/** A component's route, valid while the core's routeEpoch holds. */
interface CachedRoute {
  readonly epoch: number;
  readonly sender: DatagramSender;
  readonly to: TransportAddress;
  readonly header: Buffer | undefined;
}

/** The remote a socket last delivered data from, trusted while the core's routeEpoch holds. */
interface DataSource {
  epoch: number;
  address: string;
  port: number;
  component: number;
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
  private readonly timer: AgentTimer;
  private flushing = false;
  private readonly routes: (CachedRoute | undefined)[] = [];
  private readonly sources: (DataSource | undefined)[] = [];
  private whenDrained: (() => void) | undefined;
  /** Relay sockets' channels (a Map: their ids are far above the host sockets' array indexes). */
  private readonly channels = new Map<SocketId, ChannelSource>();
  /** Called at the end of every flush (the relay driver carries out its layer's socket commands). */
  afterFlush: (() => void) | undefined;
  /** What the socket layer unwrapped last (the relayed datagram's peer and channel). */
  unwrapped: (() => Unwrapped | undefined) | undefined;

  constructor(
    readonly core: IceAgentCore,
    private readonly scheduler: Scheduler,
    timers: SharedTimer,
    private readonly out: LoopOutput,
  ) {
    this.timer = timers.slot(() => {
      this.core.handleTimeout(this.scheduler.now());
      this.flush();
    });
  }

  /** Runs a core verb at the current time, then sends and tells what it produced. */
  run(verb: (now: number) => void): void {
    verb(this.scheduler.now());
    this.flush();
  }

  /** The data path: one datagram on the component's route. */
  send(component: number, data: Buffer): void {
    const cached = this.routes[component];
    if (cached !== undefined && cached.epoch === this.core.routeEpoch) return cached.sender.send(cached.to, data, cached.header);
    // Closed first: the sockets are gone even if the core still remembers a selected pair.
    if (this.core.isClosed) throw new IceError('ERR_CLOSED', 'the agent is closed');
    const route = this.core.route(component);
    if (!route) throw new IceError('ERR_NO_SELECTED_PAIR', `component ${component} has no selected pair yet`);
    // Framing that changes with every datagram (a TURN Send indication) is the core's to write.
    if (route.wrapped) return this.run((now) => this.core.sendData(now, component, data));
    const sender = this.transport?.sender(route.socket);
    if (!sender) throw new IceError('ERR_SOCKET', `the socket of component ${component}'s route is gone`);
    this.routes[component] = { epoch: this.core.routeEpoch, sender, to: route.to, header: route.header };
    sender.send(route.to, data, route.header);
  }

  datagram(socket: SocketId, data: Buffer, from: TransportAddress): void {
    // Hot path: more data from the source this socket last delivered, not STUN (RFC 7983 first byte > 3).
    const last = this.sources[socket];
    if (last !== undefined && data.length > 0 && data[0]! > 3 && last.epoch === this.core.routeEpoch && last.port === from.port && last.address === from.address) {
      return this.out.data(last.component, data, from);
    }
    if (socket >= RELAY_SOCKET_BASE && this.relayedFast(socket, data, from)) return;
    const r = this.core.handlePacket(this.scheduler.now(), socket, from, data);
    if (r === PACKET_STUN) {
      if (this.core.lastAuthenticated) this.transport?.authenticated?.(socket, from);
      return this.flush();
    }
    if (r === PACKET_DROPPED) return;
    // Events still queued (a restart's, say) are told before the data that follows them.
    if (this.core.hasPendingEvents) this.flush();
    const payload = this.core.lastData;
    if (payload === data) {
      // Relay sockets' ids would make the array sparse: their direct data takes the slow path.
      if (socket < RELAY_SOCKET_BASE) this.remember(socket, from, r);
      return this.out.data(r, payload, from);
    }
    // Unwrapped by the relay layer: it came from the peer, through the server.
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
    const ch = this.channels.get(socket);
    if (ch === undefined || ch.epoch !== this.core.routeEpoch || data.length < 4 || data[0] !== ch.hi || data[1] !== ch.lo) return false;
    if (ch.port !== from.port || ch.address !== from.address) return false;
    const end = 4 + ((data[2]! << 8) | data[3]!);
    // STUN inside (a check or consent through the relay, RFC 7983 first byte 0-3) is the core's.
    if (end > data.length || end === 4 || data[4]! < 4) return false;
    this.out.data(ch.component, data.subarray(4, end), ch.peer);
    return true;
  }

  private rememberChannel(socket: SocketId, from: TransportAddress, u: Unwrapped, component: number): void {
    const channel = u.channel!;
    this.channels.set(socket, {
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

  /** Sends what the core queued, tells its events, re-arms the timer. A re-entrant call just returns. */
  flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let t = this.core.pollTransmit(); t; t = this.core.pollTransmit()) this.transport?.sender(t.socket)?.send(t.to, t.data, t.header);
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
    this.timer.disarm();
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

  private remember(socket: SocketId, from: TransportAddress, component: number): void {
    const source = (this.sources[socket] ??= { epoch: -1, address: '', port: 0, component: 0 });
    source.epoch = this.core.routeEpoch;
    source.address = from.address;
    source.port = from.port;
    source.component = component;
  }

  private armTimer(): void {
    const at = this.core.pollTimeout();
    if (at === undefined) this.timer.disarm();
    else this.timer.arm(at);
  }
}
