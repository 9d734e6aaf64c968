import { EventEmitter } from 'node:events';
import { checkAgentOptions } from './agent-options.js';
import { ListenerGuard } from './listener-guard.js';
import { StateWaiters } from './state-waiters.js';
import { IceAgentCore, PACKET_DROPPED, PACKET_STUN, type HostBinding, type IceParameters } from './ice/agent.js';
import type { SocketId } from './ice/transport.js';
import type { Candidate, LocalCandidate } from './ice/candidate-types.js';
import { addressKey } from './ice/candidate.js';
import { formatCandidate, parseCandidate } from './ice/candidate-sdp.js';
import type { AgentLimits, AgentTimers, IceRole } from './ice/config.js';
import type { AgentEvent, DropCounters, GatheringState, TraceEvent } from './ice/events.js';
import type { ComponentState, IceState, W3CIceTransportState } from './ice/ice-state.js';
import type { PairInfo } from './ice/pair.js';
import { udpEndpointFactory, type DatagramEndpoint, type EndpointFactory } from './net/datagram-endpoint.js';
import { selectHostAddresses, type AddressFilterOptions, type InterfaceSource } from './net/interfaces.js';
import { realScheduler, type Scheduler } from './net/scheduler.js';
import { parseStunServer, resolveStunServer, type LookupFn } from './net/stun-server-spec.js';
import type { PortRange, UdpErrorKind } from './net/udp-socket.js';
import type { TransportAddress } from './stun/types.js';
import { IceError } from './util/errors.js';
import { silentLogger, type Logger } from './util/logger.js';
import { cryptoRandom, type RandomSource } from './util/random.js';

export interface IceAgentOptions extends AddressFilterOptions {
  /** Default 'controlling' ('controlled' when lite); a conflict with the peer is resolved by tie-breaker (RFC 8445 §7.3.1.1). */
  readonly role?: IceRole;
  /** ICE-lite (RFC 8445 §2.5): host candidates only, always controlled, answers checks and never sends one. */
  readonly lite?: boolean;
  /** Components per stream (1 = RTP/rtcp-mux, 2 = RTP + RTCP). Default 1. */
  readonly components?: number;
  /** STUN servers as `host:port`, `[v6]:port` or `stun:` URIs. None by default: nothing is sent that you did not configure. */
  readonly stunServers?: readonly string[];
  readonly portRange?: PortRange;
  readonly timers?: Partial<AgentTimers>;
  readonly limits?: Partial<AgentLimits>;
  readonly ufrag?: string;
  readonly pwd?: string;
  readonly tieBreaker?: bigint;
  readonly logger?: Logger;
  // Injection points for tests: virtual clock, in-memory network, fake interfaces and DNS.
  readonly scheduler?: Scheduler;
  readonly random?: RandomSource;
  readonly endpointFactory?: EndpointFactory;
  readonly interfaceSource?: InterfaceSource;
  readonly lookup?: LookupFn;
}

/** The remote a socket last delivered data from, trusted while the core's routeEpoch holds. */
interface DataSource {
  epoch: number;
  address: string;
  port: number;
  component: number;
}

/** Something went wrong that the agent survived (socket error, unresolvable STUN server...). */
export interface IceWarning {
  readonly code: string;
  readonly message: string;
}

export interface IceAgentEvents {
  statechange: [state: IceState, previous: IceState, reason: string];
  componentstatechange: [component: number, state: ComponentState];
  /** A local candidate to signal; `sdp` and the candidate carry the generation's `ufrag` extension. */
  candidate: [candidate: LocalCandidate, sdp: string, ufrag: string];
  /** An ICE restart began, by `restart()` or by the peer (new remote parameters): signal `parameters` to the peer. */
  restart: [parameters: IceParameters, by: 'local' | 'peer'];
  gatheringstatechange: [state: GatheringState];
  endofcandidates: [];
  selectedpairchange: [component: number, pair: PairInfo];
  rolechange: [role: IceRole, reason: string];
  stunresult: [result: { server: TransportAddress; base: TransportAddress; mapped?: TransportAddress; error?: string }];
  data: [component: number, data: Buffer, from: TransportAddress];
  warning: [warning: IceWarning];
  /** Diagnostics: pairs formed and changed, checks sent and their results (see TraceEvent). */
  trace: [event: TraceEvent];
  /** What one of your listeners (or your logger) threw; without an `error` listener it is an uncaught exception. */
  error: [error: unknown];
}

/**
 * The Node driver: owns the sockets, the clock and one timer; feeds packets and
 * timeouts into the pure core, sends its transmits and re-emits its events
 * only after each core call has returned.
 */
export class IceAgent extends EventEmitter<IceAgentEvents> {
  private readonly core: IceAgentCore;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly endpoints = new Map<SocketId, DatagramEndpoint>();
  private nextSocket = 1;
  /** Per component: the socket and destination of the route, valid while the core's routeEpoch holds. */
  private readonly routes: ({ epoch: number; endpoint: DatagramEndpoint; to: TransportAddress; header: Buffer | undefined } | undefined)[] = [];
  private timer: unknown;
  private timerAt = Infinity;
  private flushing = false;
  private gathering: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private gatheringComplete: (() => void) | undefined;
  private readonly guard = new ListenerGuard(this);
  private readonly waiters: StateWaiters;

  private readonly options: IceAgentOptions;

  constructor(options: IceAgentOptions = {}) {
    super();
    options = this.options = checkAgentOptions(options);
    this.scheduler = options.scheduler ?? realScheduler;
    this.logger = this.guard.logger(options.logger ?? silentLogger);
    this.waiters = new StateWaiters(this.scheduler, () => this.core.state);
    this.core = new IceAgentCore({
      random: options.random ?? cryptoRandom,
      ...(options.role !== undefined && { role: options.role }),
      ...(options.lite !== undefined && { lite: options.lite }),
      ...(options.components !== undefined && { components: options.components }),
      ...(options.ufrag !== undefined && { ufrag: options.ufrag }),
      ...(options.pwd !== undefined && { pwd: options.pwd }),
      ...(options.tieBreaker !== undefined && { tieBreaker: options.tieBreaker }),
      ...(options.timers !== undefined && { timers: options.timers }),
      ...(options.limits !== undefined && { limits: options.limits }),
    });
  }

  // ---- read-only views -------------------------------------------------------

  /** What to signal: `{ ufrag, pwd }`, plus `lite: true` for an ICE-lite agent (SDP `a=ice-lite`). */
  get localParameters(): IceParameters {
    return this.core.localParameters;
  }
  get role(): IceRole {
    return this.core.role;
  }
  /** The seed's vocabulary: starting, checking, connected, completed, failed, disconnected, closed. */
  get iceState(): IceState {
    return this.core.state;
  }
  /** The W3C RTCIceTransportState vocabulary (`new` for `starting`). */
  get w3cState(): W3CIceTransportState {
    return this.core.w3cState;
  }
  get gatheringState(): GatheringState {
    return this.core.gatheringState;
  }
  get componentStates(): ComponentState[] {
    return this.core.componentStates();
  }
  get localCandidates(): readonly LocalCandidate[] {
    return this.core.localCandidateList;
  }
  /** Every pair with its state and last round-trip time. */
  getPairs(): PairInfo[] {
    return this.core.pairs();
  }
  getSelectedPair(component = 1): PairInfo | undefined {
    return this.core.selectedPair(component);
  }
  /** What was dropped and why (malformed, unauthenticated, unproven data sources...). */
  get drops(): Readonly<DropCounters> {
    return this.core.drops;
  }

  // ---- gathering ---------------------------------------------------------------

  /** Binds one socket per (host address, component), then asks the STUN servers. Resolves when gathering is complete. */
  gather(): Promise<void> {
    this.gathering ??= this.runGathering();
    return this.gathering;
  }

  private async runGathering(): Promise<void> {
    this.assertOpen();
    const { addresses, warnings } = selectHostAddresses(this.options, this.options.interfaceSource);
    for (const w of warnings) this.warn(w.code, w.message);
    const factory = this.options.endpointFactory ?? udpEndpointFactory;
    const hosts: HostBinding[] = [];
    const components = this.core.config.components;
    await Promise.all(
      addresses.flatMap((a) =>
        Array.from({ length: components }, async (_, i) => {
          try {
            const last: DataSource = { epoch: -1, address: '', port: 0, component: 0 };
            const socket = this.nextSocket++;
            const endpoint = await factory(
              a.address,
              {
                onMessage: (data, from) => this.onDatagram(socket, data, from, last),
                onError: (err, kind) => this.onSocketError(socket, endpoint, err, kind),
              },
              this.options.portRange,
            );
            if (this.core.isClosed) return void endpoint.close();
            this.endpoints.set(socket, endpoint);
            hosts.push({ component: i + 1, socket, base: endpoint.local, interfaceRank: a.interfaceRank });
          } catch (err) {
            this.warn('ERR_SOCKET', `cannot bind ${a.address}: ${(err as Error).message}`);
          }
        }),
      ),
    );
    const servers = await this.resolveServers();
    if (this.core.isClosed) return;
    // Stable order: component, then interface rank, whatever order the binds finished in.
    hosts.sort((x, y) => x.component - y.component || x.interfaceRank - y.interfaceRank);
    const done = new Promise<void>((resolve) => (this.gatheringComplete = resolve));
    this.core.startGathering(this.scheduler.now(), hosts, servers);
    this.flush();
    await done;
  }

  private async resolveServers(): Promise<TransportAddress[]> {
    const results = await Promise.all(
      (this.options.stunServers ?? []).map(async (spec) => {
        try {
          return [await resolveStunServer(parseStunServer(spec), undefined, this.options.lookup)];
        } catch (err) {
          this.warn('ERR_STUN_SERVER', (err as Error).message);
          return [];
        }
      }),
    );
    return results.flat();
  }

  // ---- signalling in -------------------------------------------------------------

  /**
   * The peer's `{ ufrag, pwd }`, with `lite: true` when it is ICE-lite (then this agent controls;
   * two lite agents are ERR_UNSUPPORTED). New values while others are in force are a restart by the peer.
   */
  setRemoteParameters(params: { readonly ufrag: string; readonly pwd: string; readonly lite?: boolean }): void {
    this.assertOpen();
    this.core.setRemoteCredentials(this.scheduler.now(), params.ufrag, params.pwd, params.lite === true);
    this.flush();
  }

  /**
   * A candidate line (`candidate:...`, with or without `a=`) or object; `null` means end-of-candidates.
   * `ufrag` (or a `ufrag` extension on the line, as browsers write it) names the peer's generation:
   * candidates of a generation an ICE restart retired are dropped (counted in `drops.staleCandidate`).
   * Throws ERR_INVALID_CANDIDATE for a malformed line or an address that is never checked
   * (unspecified, broadcast, multicast, port 0).
   */
  addRemoteCandidate(candidate: string | Candidate | null, ufrag?: string): void {
    this.assertOpen();
    if (candidate === null) return this.endOfRemoteCandidates();
    const parsed = typeof candidate === 'string' ? parseCandidate(candidate) : candidate;
    this.core.addRemoteCandidate(this.scheduler.now(), parsed, ufrag);
    this.flush();
  }

  endOfRemoteCandidates(): void {
    this.assertOpen();
    this.core.endOfRemoteCandidates(this.scheduler.now());
    this.flush();
  }

  /**
   * ICE restart: new local parameters, readable from `localParameters` when this returns (signal
   * them); the candidates of the new generation are emitted after this call returns, as `gather()`
   * does, so they follow the parameters. Data keeps flowing on the old pair meanwhile.
   */
  restart(): void {
    this.assertOpen();
    this.core.restart(this.scheduler.now());
    queueMicrotask(() => this.flush());
  }

  // ---- data ------------------------------------------------------------------------

  /** Sends one datagram on the component's selected pair. Throws ERR_NO_SELECTED_PAIR before one exists. */
  send(component: number, data: Uint8Array): void {
    const cached = this.routes[component];
    if (cached !== undefined && cached.epoch === this.core.routeEpoch) return cached.endpoint.send(cached.to, data as Buffer, cached.header);
    // Closed first: the sockets are gone even if the core still remembers a selected
    // pair (otherwise send-after-close silently drops instead of throwing ERR_CLOSED).
    if (this.core.isClosed) throw new IceError('ERR_CLOSED', 'the agent is closed');
    const route = this.core.route(component);
    if (!route) throw new IceError('ERR_NO_SELECTED_PAIR', `component ${component} has no selected pair yet`);
    const endpoint = this.endpoints.get(route.socket);
    if (!endpoint) throw new IceError('ERR_SOCKET', `the socket of component ${component}'s route is gone`);
    this.routes[component] = { epoch: this.core.routeEpoch, endpoint, to: route.to, header: route.header };
    endpoint.send(route.to, data as Buffer, route.header);
  }

  private onDatagram(socket: SocketId, data: Buffer, from: TransportAddress, last: DataSource): void {
    // Hot path: more data from the source this socket last delivered, not STUN (RFC 7983 first byte > 3).
    if (data.length > 0 && data[0]! > 3 && last.epoch === this.core.routeEpoch && last.port === from.port && last.address === from.address) {
      this.guard.emit3('data', last.component, data, from);
      return;
    }
    const r = this.core.handlePacket(this.scheduler.now(), socket, from, data);
    if (r === PACKET_STUN) this.flush();
    else if (r !== PACKET_DROPPED) {
      // Events still queued (a restart's, say) are told before the data that follows them.
      if (this.core.hasPendingEvents) this.flush();
      Object.assign(last, { epoch: this.core.routeEpoch, address: from.address, port: from.port, component: r });
      this.guard.emit3('data', r, data, from);
    }
  }

  /** Send errors (ENETUNREACH...) are reported; a socket-level error retires the socket and fails its candidates. */
  private onSocketError(socket: SocketId, endpoint: DatagramEndpoint, err: Error, kind: UdpErrorKind): void {
    this.warn('ERR_SOCKET', `${kind} error on ${addressKey(endpoint.local)}: ${err.message}`);
    if (kind !== 'socket' || this.core.isClosed) return;
    this.endpoints.delete(socket);
    void endpoint.close();
    this.core.failHost(this.scheduler.now(), socket);
    this.flush();
  }

  // ---- lifecycle ---------------------------------------------------------------------

  /** Releases every socket and the timer; the process can exit afterwards. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.core.close();
      this.flush();
      this.disarm();
      await Promise.all([...this.endpoints.values()].map((e) => e.close()));
      this.endpoints.clear();
    })();
    return this.closing;
  }

  /**
   * Resolves when `iceState` is or becomes one of `states`. Rejects at once in (or on entering) a state the
   * agent never leaves by itself unless it is wanted: `closed` (ERR_CLOSED), `failed` (ERR_ICE_FAILED, until
   * restart()); ERR_TIMEOUT after `timeoutMs` on the agent's scheduler. See lib/state-waiters.ts.
   */
  waitFor(states: readonly IceState[], timeoutMs?: number): Promise<IceState> {
    return this.waiters.wait(states, timeoutMs);
  }

  // ---- the loop ------------------------------------------------------------------------

  /** Sends what the core queued, emits its events, re-arms the single timer. Re-entrant calls just ask for another pass. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let t = this.core.pollTransmit(); t; t = this.core.pollTransmit()) {
        const endpoint = this.endpoints.get(t.socket);
        if (endpoint) endpoint.send(t.to, t.data, t.header);
      }
      const events: AgentEvent[] = [];
      for (let e = this.core.pollEvent(); e; e = this.core.pollEvent()) events.push(e);
      this.arm();
      this.flushing = false;
      for (const e of events) this.dispatch(e);
    } finally {
      this.flushing = false;
    }
  }

  /** The agent's own waiters first, then user listeners, each isolated (lib/listener-guard.ts). */
  private dispatch(e: AgentEvent): void {
    const guard = this.guard;
    switch (e.type) {
      case 'candidate': {
        const tagged = { ...e.candidate, extensions: [...e.candidate.extensions, ['ufrag', e.ufrag] as const] };
        guard.emit('candidate', tagged, formatCandidate(tagged), e.ufrag);
        break;
      }
      case 'restart':
        guard.emit('restart', this.core.localParameters, e.by);
        break;
      case 'gathering':
        if (e.state === 'complete') this.gatheringComplete?.();
        guard.emit('gatheringstatechange', e.state);
        if (e.state === 'complete') guard.emit('endofcandidates');
        break;
      case 'stun-result':
        guard.emit('stunresult', e);
        break;
      case 'component-state':
        guard.emit('componentstatechange', e.component, e.state);
        break;
      case 'state':
        this.waiters.onState(e.state, e.reason);
        this.logger.debug('ice state', { state: e.state, previous: e.previous, reason: e.reason });
        guard.emit('statechange', e.state, e.previous, e.reason);
        break;
      case 'selected-pair':
        guard.emit('selectedpairchange', e.component, e.pair);
        break;
      case 'role':
        guard.emit('rolechange', e.role, e.reason);
        break;
      default:
        this.emit('trace', e);
    }
  }

  private arm(): void {
    const at = this.core.pollTimeout();
    if (at === undefined) return this.disarm();
    if (at === this.timerAt) return;
    this.disarm();
    this.timerAt = at;
    this.timer = this.scheduler.schedule(at, () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.core.handleTimeout(this.scheduler.now());
      this.flush();
    });
  }

  private disarm(): void {
    if (this.timer !== undefined) this.scheduler.cancel(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private warn(code: string, message: string): void {
    this.logger.warn(message, { code });
    this.guard.emit('warning', { code, message });
  }

  private assertOpen(): void {
    if (this.core.isClosed) throw new IceError('ERR_CLOSED', 'the agent is closed');
  }
}
