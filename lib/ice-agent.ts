import { EventEmitter } from 'node:events';
import { checkAgentOptions } from './agent-options.js';
import { AgentRelay } from './agent-relay.js';
import { AgentLoop } from './driver/agent-loop.js';
import { AgentStats, type IceStatsReport } from './driver/agent-stats.js';
import { AgentOutput } from './driver/agent-output.js';
import { ownEnvironment, type AgentEnvironment, type HostTransport } from './driver/environment.js';
import { Regatherer } from './driver/regatherer.js';
import { IceAgentCore, type IceParameters } from './ice/agent-core.js';
import type { Candidate, LocalCandidate } from './ice/candidate-types.js';
import { parseCandidate } from './ice/candidate-sdp.js';
import type { IceRole } from './ice/config.js';
import type { DropCounters, GatheringState } from './ice/events.js';
import type { ComponentState, IceState, W3CIceTransportState } from './ice/ice-state.js';
import type { PairInfo } from './ice/pair.js';
import type { IceAgentEvents, IceAgentOptions, RestartOptions } from './ice-agent-types.js';
import { splitIceServers } from './ice-servers.js';
import { ListenerGuard } from './listener-guard.js';
import { selectHostAddresses } from './net/interfaces.js';
import type { Scheduler } from './net/scheduler.js';
import { parseStunServer, resolveStunServer } from './net/stun-server-spec.js';
import type { RelayInfo } from './relay/types.js';
import { StateWaiters } from './state-waiters.js';
import type { TransportAddress } from './stun/types.js';
import { IceError } from './util/errors.js';
import { silentLogger, type Logger } from './util/logger.js';
import { cryptoRandom } from './util/random.js';

export type { IceAgentEvents, IceAgentOptions, IceWarning, RestartOptions } from './ice-agent-types.js';

/**
 * An ICE agent on node:dgram sockets (RFC 8445): the public façade. It validates the options,
 * binds the host sockets, resolves STUN servers and turns the pure core's events into typed
 * events; the loop (lib/driver/agent-loop.ts) feeds the core and runs the data path.
 */
export class IceAgent extends EventEmitter<IceAgentEvents> {
  private readonly options: IceAgentOptions;
  private readonly core: IceAgentCore;
  private readonly loop: AgentLoop;
  private readonly hosts: HostTransport;
  private readonly guard = new ListenerGuard(this);
  private readonly logger: Logger;
  private readonly waiters: StateWaiters;
  private readonly scheduler: Scheduler;
  private readonly stats = new AgentStats();
  /** Made on the first restart({ regather: true }). */
  private regathering: Regatherer | undefined;
  /** TURN servers' sockets and relay layer; undefined without a turn: or turns: server. */
  private readonly relay: AgentRelay | undefined;
  /** `stunServers` and the STUN URLs of `iceServers`. */
  private readonly stunSpecs: readonly string[];
  private gathering: Promise<void> | undefined;
  private readonly output: AgentOutput;
  private closing: Promise<void> | undefined;

  /**
   * `environment` is for servers that give many agents one port and one timer (lib/server);
   * applications leave it out and each agent gets its own sockets and timer.
   */
  constructor(options: IceAgentOptions = {}, environment?: AgentEnvironment) {
    super();
    options = this.options = checkAgentOptions(options);
    const env = environment ?? ownEnvironment(options);
    const scheduler = (this.scheduler = env.scheduler);
    // The silent logger cannot throw: only a given one is guarded (three closures per agent saved).
    this.logger = options.logger === undefined ? silentLogger : this.guard.logger(options.logger);
    this.waiters = new StateWaiters(scheduler, () => this.core.state);
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
      ...(env.pacer !== undefined && { pacer: env.pacer }),
      ...(env.mintUfrag !== undefined && { mintUfrag: env.mintUfrag }),
    });
    this.output = new AgentOutput(this.guard, this.logger, this.waiters, this.stats, () => this.core);
    this.loop = new AgentLoop(this.core, scheduler, env.timers, this.output);
    this.hosts = env.hostTransport(this.loop);
    this.loop.transport = this.hosts;
    const servers = splitIceServers(options.iceServers ?? []);
    this.stunSpecs = [...(options.stunServers ?? []), ...servers.stun];
    this.relay = servers.turn.length === 0 ? undefined : new AgentRelay(this.loop, this.hosts, options, servers.turn, {
      warn: (code, message) => this.warn(code, message),
      emit: (info) => this.guard.emit('relay', info),
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
  /** Counters per pair, candidate and component, with W3C webrtc-stats names (lib/driver/agent-stats.ts). */
  getStats(): IceStatsReport {
    return this.stats.report(this.core, (c) => this.loop.traffic(c), this.scheduler.now());
  }
  /** Each TURN allocation (server x component): its state, relayed and mapped addresses, lifetime, what it dropped. */
  get relays(): RelayInfo[] {
    return this.relay?.relays ?? [];
  }

  // ---- gathering ---------------------------------------------------------------

  /** Binds one socket per (host address, component), then asks the STUN servers. Resolves when gathering is complete. */
  gather(): Promise<void> {
    this.gathering ??= this.runGathering();
    return this.gathering;
  }

  private async runGathering(): Promise<void> {
    this.assertOpen();
    // iceTransportPolicy 'relay': no host socket, no STUN; only the TURN servers' relay candidates.
    const relayOnly = this.options.iceTransportPolicy === 'relay';
    const { addresses, warnings } = this.hosts.ownAddresses === true
      ? { addresses: [], warnings: [] }
      : selectHostAddresses(this.options, this.options.interfaceSource);
    if (!relayOnly) for (const w of warnings) this.warn(w.code, w.message);
    this.relay?.useHostAddresses(addresses);
    const hosts = relayOnly ? [] : await this.hosts.bind(addresses, this.core.config.components);
    const [servers, turn] = await Promise.all([relayOnly ? [] : this.resolveServers(), this.relay?.resolve() ?? []]);
    if (this.core.isClosed) return;
    const layer = this.relay?.attach(this.core, turn);
    const done = this.gatheringDone();
    this.loop.run((now) => {
      layer?.start(now); // first: gathering then waits for the allocations
      this.core.startGathering(now, hosts, servers);
    });
    await done;
  }

  /** Resolves when the core says gathering is complete. */
  private gatheringDone(): Promise<void> {
    return new Promise<void>((resolve) => (this.output.gatheringComplete = resolve));
  }

  private async resolveServers(): Promise<TransportAddress[]> {
    const results = await Promise.all(
      this.stunSpecs.map(async (spec) => {
        try {
          const parsed = parseStunServer(spec);
          const address = await resolveStunServer(parsed, undefined, this.options.lookup);
          this.stats.serverResolved(address, parsed);
          return [address];
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
    this.loop.run((now) => this.core.setRemoteCredentials(now, params.ufrag, params.pwd, params.lite === true));
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
    this.loop.run((now) => this.core.addRemoteCandidate(now, parsed, ufrag));
  }

  endOfRemoteCandidates(): void {
    this.assertOpen();
    this.loop.run((now) => this.core.endOfRemoteCandidates(now));
  }

  /**
   * ICE restart: new local parameters, readable from `localParameters` when this returns (signal
   * them); the candidates of the new generation are emitted after this call returns, as `gather()`
   * does, so they follow the parameters. Data keeps flowing on the old pair meanwhile. With
   * `regather`, the interfaces are enumerated again (see RestartOptions). Resolves when the new
   * generation's gathering is complete; never rejects (socket and STUN failures are warnings).
   */
  restart(options: RestartOptions = {}): Promise<void> {
    this.assertOpen();
    if (typeof options !== 'object' || options === null || !['undefined', 'boolean'].includes(typeof options.regather)) {
      throw new IceError('ERR_INVALID_ARGUMENT', `restart options: expected { regather?: boolean }, got ${String(options)}`);
    }
    const now = this.scheduler.now();
    if (options.regather === true) this.regatherer().retireVanished(now);
    this.core.restart(now, undefined, { regather: options.regather === true });
    queueMicrotask(() => this.loop.flush());
    if (options.regather !== true) return Promise.resolve();
    // After the gathering under way, if any: its sockets are compared too.
    const run = (this.gathering ?? Promise.resolve()).catch(() => undefined).then(() => this.regather());
    this.gathering = run;
    return run;
  }

  /** Binds the new addresses, asks the STUN servers from every host again, completes the generation's gathering. */
  private async regather(): Promise<void> {
    const fresh = await this.regatherer().bindNew();
    if (fresh === undefined) return;
    const servers = await this.resolveServers();
    if (this.core.isClosed) return;
    const done = this.gatheringDone();
    this.loop.run((now) => this.core.startGathering(now, fresh, servers));
    await done;
  }

  // ---- data ------------------------------------------------------------------------

  /** Sends one datagram on the component's selected pair. Throws ERR_NO_SELECTED_PAIR before one exists. */
  send(component: number, data: Uint8Array): void {
    this.loop.send(component, data as Buffer);
  }

  // ---- lifecycle ---------------------------------------------------------------------

  /** Releases every socket and the timer; the process can exit afterwards. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.loop.close();
    return this.closing;
  }

  /**
   * Resolves when `iceState` is or becomes one of `states`. Rejects at once in (or on entering) a state the
   * agent never leaves by itself unless it is wanted: `closed` (ERR_CLOSED), `failed` (ERR_ICE_FAILED, until
   * a restart); ERR_TIMEOUT after `timeoutMs` on the agent's scheduler. See lib/state-waiters.ts.
   */
  waitFor(states: readonly IceState[], timeoutMs?: number): Promise<IceState> {
    return this.waiters.wait(states, timeoutMs);
  }

  // ---- events out ----------------------------------------------------------------------

  private regatherer(): Regatherer {
    return (this.regathering ??= new Regatherer(this.core, this.loop, this.hosts, this.options, (code, message) => this.warn(code, message)));
  }

  private warn(code: string, message: string): void {
    this.output.warning(code, message);
  }

  private assertOpen(): void {
    if (this.core.isClosed) throw new IceError('ERR_CLOSED', 'the agent is closed');
  }
}
