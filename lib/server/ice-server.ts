import { EventEmitter } from 'node:events';
import type { AgentEnvironment } from '../driver/environment.js';
import { SharedTimer, type AgentTimer } from '../driver/timer.js';
import type { CheckPacer } from '../ice/config.js';
import type { HostBinding, SocketId } from '../ice/transport.js';
import { IceAgent } from '../ice-agent.js';
import type { IceWarning } from '../ice-agent-types.js';
import { DuplicateUfragError, MuxRouter, SharedPacer, workerUfrag, type MuxStats, type PacerStats } from '../mux/index.js';
import { realScheduler, type Scheduler } from '../net/scheduler.js';
import type { UdpCounters } from '../net/udp-socket.js';
import type { TransportAddress } from '../stun/types.js';
import { IceError } from '../util/errors.js';
import { cryptoRandom, randomIceString, type RandomSource } from '../util/random.js';
import { bindPortSockets, type PortSocket } from './port-sockets.js';
import { REUSE_PORT_WARNING } from './reuse-port.js';
import { checkServerAgentOptions, type ServerAgentOptions } from './server-agent-options.js';
import { resolveServerOptions, type IceServerOptions, type ResolvedServerOptions } from './server-options.js';
import { SharedPortTransport, type SharedPort } from './shared-port-transport.js';

export interface IceServerEvents {
  /** Something the server survived: a socket error, an `onUnknownUfrag` hook that threw. */
  warning: [warning: IceWarning];
}

export interface IceServerStats {
  readonly agents: number;
  readonly router: MuxStats;
  readonly pacer: PacerStats;
  /** Per socket: its counters, and `silenced`: answers to unauthenticated requests not sent. */
  readonly sockets: readonly ({ readonly local: TransportAddress; readonly announced: TransportAddress; readonly silenced: number } & Readonly<UdpCounters>)[];
}

/**
 * Many ICE agents on one UDP port (per address family and component), with one timer heap for
 * all of them. Every datagram is routed synchronously by a MuxRouter (authenticated address
 * first, then the ufrag of a check, then a response's transaction) and handed to its agent: no
 * queue. `createAgent()` returns a plain IceAgent (ICE-lite by default) whose sockets are the
 * server's. Full agents share one RFC 8445 §14.2 pacer across the server.
 */
export class IceServer extends EventEmitter<IceServerEvents> {
  private readonly router: MuxRouter<SharedPortTransport>;
  private readonly pacer: SharedPacer<SharedPortTransport>;
  private readonly timers: SharedTimer;
  private readonly pacerTimer: AgentTimer;
  private readonly agents = new Map<SharedPortTransport, IceAgent>();
  private sockets: readonly PortSocket[] = [];
  private readonly port: SharedPort;
  private closing: Promise<void> | undefined;

  /** Binds the server's sockets; resolves when it is ready for agents. */
  static async listen(options: IceServerOptions): Promise<IceServer> {
    const server = new IceServer(options, resolveServerOptions(options));
    await server.bind();
    return server;
  }

  private constructor(
    private readonly options: IceServerOptions,
    private readonly config: ResolvedServerOptions,
  ) {
    super();
    this.scheduler = options.scheduler ?? realScheduler;
    this.random = options.random ?? cryptoRandom;
    this.router = new MuxRouter({
      ...(options.maxAgents !== undefined && { maxAgents: options.maxAgents }),
      ...(options.maxAddressesPerAgent !== undefined && { maxAddressesPerAgent: options.maxAddressesPerAgent }),
      ...(options.unknownUfragReports !== undefined && { unknownUfragReports: options.unknownUfragReports }),
      ...(options.onUnknownUfrag !== undefined && { onUnknownUfrag: (ufrag, from) => this.reportUnknownUfrag(ufrag, from) }),
    });
    this.pacer = new SharedPacer(config.taMs);
    // Agents tolerate early wakeups (the core is deadline-driven): no heap move per packet.
    this.timers = new SharedTimer(this.scheduler, undefined, { earlyWakeups: true });
    this.pacerTimer = this.timers.slot(() => this.grantSlot());
    this.port = {
      router: this.router,
      now: () => this.scheduler.now(),
      bindings: (components) => this.bindings(components),
      sender: (socket) => this.sockets[socket - 1]?.sender,
      release: (t) => this.release(t),
    };
  }

  private readonly scheduler: Scheduler;
  private readonly random: RandomSource;

  private async bind(): Promise<void> {
    const { listen, port, components, reusePort } = this.config;
    this.sockets = await bindPortSockets(listen, port, components, reusePort, (id) => ({
      onMessage: (data, from) => this.deliver(id, data, from),
      onError: (err, kind) => this.warn('ERR_SOCKET', `${kind} error on the server socket: ${err.message}`),
    }));
    // A process warning (printed by Node unless the application handles 'warning'): the choice is the operator's.
    if (reusePort) process.emitWarning(REUSE_PORT_WARNING, { code: 'WARN_REUSE_PORT' });
  }

  /** The hot path: one router lookup, then the agent's loop, synchronously. */
  private deliver(socket: SocketId, data: Buffer, from: TransportAddress): void {
    // Data (first byte > 3) goes by address only; the clock is read for STUN (rate limits, transaction expiry).
    const now = data.length > 0 && data[0]! > 3 ? 0 : this.scheduler.now();
    const agent = this.router.route(from, data, now);
    if (agent !== undefined) agent.events.datagram(socket, data, from);
  }

  // ---- agents -----------------------------------------------------------------------------

  /**
   * A new agent on the server's port: an IceAgent with the same API and events, ICE-lite unless
   * `lite: false` (or the server's `lite: false`), controlled unless `role` says otherwise. Call `gather()` as usual: its candidates are
   * the server's sockets (the announced address, if any). Its ufrag must be free on this port
   * (a DuplicateUfragError otherwise); for a worker it names the worker.
   */
  createAgent(options: ServerAgentOptions = {}): IceAgent {
    if (this.closing) throw new IceError('ERR_CLOSED', 'the server is closed');
    const o = checkServerAgentOptions(options, this.config.components);
    const lite = o.lite ?? this.config.lite;
    const ufrag = o.ufrag ?? this.mintUfrag(o.random ?? this.random);
    if (this.router.agentOfUfrag(ufrag) !== undefined) throw new DuplicateUfragError(ufrag);
    let transport: SharedPortTransport | undefined;
    const pacer: CheckPacer = { tryAcquire: (now) => this.tryAcquire(transport!, now) };
    const env: AgentEnvironment = {
      scheduler: this.scheduler,
      timers: this.timers,
      hostTransport: (events) => (transport = new SharedPortTransport(this.port, events, !lite)),
      ...(!lite && { pacer }),
      mintUfrag: this.mintUfrag,
    };
    // A server answers: its agents are controlled unless told otherwise (a lite one always is).
    const agent = new IceAgent({ random: this.random, role: 'controlled', ...o, lite, ufrag }, env);
    const t = transport!;
    t.ufrag = agent.localParameters.ufrag;
    t.agent = agent;
    try {
      this.router.register(t, t.ufrag);
    } catch (err) {
      void agent.close();
      throw err;
    }
    this.agents.set(t, agent);
    return agent;
  }

  /** Agents open on this server. */
  get size(): number {
    return this.agents.size;
  }

  /** The bound sockets' local addresses (what a firewall opens). */
  get localAddresses(): TransportAddress[] {
    return this.sockets.map((s) => s.endpoint.local);
  }

  /** What candidates carry: the announced address (1:1 NAT) with the bound port, else the bound address. */
  get candidateAddresses(): TransportAddress[] {
    return this.sockets.map((s) => s.base);
  }

  stats(): IceServerStats {
    return {
      agents: this.agents.size,
      router: this.router.stats(),
      pacer: this.pacer.stats(),
      sockets: this.sockets.map((s) => ({ local: s.endpoint.local, announced: s.base, silenced: s.sender.silenced, ...s.endpoint.counters })),
    };
  }

  /** Closes every agent, then the sockets. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.agents.values()].map((a) => a.close()));
      this.pacerTimer.disarm();
      await Promise.all(this.sockets.map((s) => s.endpoint.close()));
    })();
    return this.closing;
  }

  // ---- what agents borrow -----------------------------------------------------------------

  /**
   * An agent's ufrag, at creation and at each ICE restart: free on this port (the router finds
   * agents by it) and naming the worker when this server is one. 48 random bits rarely collide;
   * after a few tries the router's rename reports the duplicate as a warning.
   */
  private readonly mintUfrag = (random: RandomSource): string => {
    let ufrag = '';
    for (let i = 0; i < 4; i++) {
      ufrag = this.config.worker === undefined ? randomIceString(random, 8) : workerUfrag(this.config.worker, random);
      if (this.router.agentOfUfrag(ufrag) === undefined) break;
    }
    return ufrag;
  };

  private bindings(components: number): HostBinding[] {
    return this.sockets
      .filter((s) => s.component <= components)
      .map((s) => ({ component: s.component, socket: s.id, base: s.base, interfaceRank: 0 }));
  }

  private release(t: SharedPortTransport): void {
    this.router.unregister(t);
    this.pacer.withdraw(t);
    this.agents.delete(t);
    this.armPacer();
  }

  /** RFC 8445 §14.2 across the server: a full agent refused a slot is woken when it is granted one. */
  private tryAcquire(t: SharedPortTransport, now: number): boolean {
    if (this.pacer.tryAcquire(t, now)) return true;
    this.armPacer();
    return false;
  }

  private grantSlot(): void {
    const granted = this.pacer.grant(this.scheduler.now());
    this.armPacer();
    granted?.events.wake();
  }

  private armPacer(): void {
    const at = this.pacer.nextSlot();
    if (at === Number.POSITIVE_INFINITY) this.pacerTimer.disarm();
    else this.pacerTimer.arm(at);
  }

  private reportUnknownUfrag(ufrag: string, from: { address: string; port: number }): void {
    try {
      this.options.onUnknownUfrag?.(ufrag, from);
    } catch (err) {
      this.warn('ERR_LISTENER', `onUnknownUfrag threw: ${(err as Error).message}`);
    }
  }

  private warn(code: string, message: string): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', { code, message });
  }
}
