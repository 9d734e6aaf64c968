// The public types of IceAgent: its options and its events.
import type { IceParameters } from './ice/agent-core.js';
import type { LocalCandidate } from './ice/candidate-types.js';
import type { AgentLimits, AgentTimers, IceRole } from './ice/config.js';
import type { GatheringState, TraceEvent } from './ice/events.js';
import type { ComponentState, IceState } from './ice/ice-state.js';
import type { PairInfo } from './ice/pair.js';
import type { EndpointFactory } from './net/datagram-endpoint.js';
import type { AddressFilterOptions, InterfaceSource } from './net/interfaces.js';
import type { Scheduler } from './net/scheduler.js';
import type { LookupFn } from './net/stun-server-spec.js';
import type { PortRange } from './net/udp-socket.js';
import type { IceServer } from './ice-servers.js';
import type { IceTransportPolicy, RelayInfo, RelayTimers } from './relay/types.js';
import type { TransportAddress } from './stun/types.js';
import type { Logger } from './util/logger.js';
import type { RandomSource } from './util/random.js';

export interface IceAgentOptions extends AddressFilterOptions {
  /** Default 'controlling' ('controlled' when lite); a conflict with the peer is resolved by tie-breaker (RFC 8445 §7.3.1.1). */
  readonly role?: IceRole;
  /** ICE-lite (RFC 8445 §2.5): host candidates only, always controlled, answers checks and never sends one. */
  readonly lite?: boolean;
  /** Components per stream (1 = RTP/rtcp-mux, 2 = RTP + RTCP). Default 1. */
  readonly components?: number;
  /** STUN servers as `host:port`, `[v6]:port` or `stun:` URIs. None by default: nothing is sent that you did not configure. */
  readonly stunServers?: readonly string[];
  /**
   * STUN and TURN servers in the RTCIceServer shape: `{ urls, username?, credential? }`, `urls` one or more
   * `stun:`, `turn:` or `turns:` URIs (`?transport=udp|tcp`). TURN servers give relay candidates.
   */
  readonly iceServers?: readonly IceServer[];
  /** `'relay'`: only relay candidates are gathered, signalled and paired (no host socket is bound). Default `'all'`. */
  readonly iceTransportPolicy?: IceTransportPolicy;
  /** `turns:` servers: trust these PEM certificates instead of the system store (a test's self-signed server). */
  readonly turnTlsCa?: string | Buffer | readonly (string | Buffer)[];
  /** TURN allocation timers (refresh and lifetimes); RFC 8656 defaults. For servers with short lifetimes, and tests. */
  readonly relayTimers?: RelayTimers;
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

/** How `restart()` restarts. */
export interface RestartOptions {
  /**
   * Gather anew (the host changed network: Wi-Fi to wired, a VPN came up): enumerate the
   * interfaces again, bind sockets on new addresses, ask the STUN servers again from every host,
   * and close the sockets of addresses that are gone, each once no selected pair uses it (the
   * selected pair keeps carrying data until the new generation selects one).
   */
  readonly regather?: boolean;
}

/** Something went wrong that the agent survived (socket error, unresolvable STUN server...). */
export interface IceWarning {
  readonly code: string;
  readonly message: string;
}

export interface IceAgentEvents {
  statechange: [state: IceState, previous: IceState, reason: string];
  /** A component's state changed; `reason` says why in words. */
  componentstatechange: [component: number, state: ComponentState, reason: string];
  /** A local candidate to signal; `sdp` and the candidate carry the generation's `ufrag` extension. */
  candidate: [candidate: LocalCandidate, sdp: string, ufrag: string];
  /** An ICE restart began, by `restart()` or by the peer (new remote parameters): signal `parameters` to the peer. */
  restart: [parameters: IceParameters, by: 'local' | 'peer'];
  gatheringstatechange: [state: GatheringState];
  endofcandidates: [];
  selectedpairchange: [component: number, pair: PairInfo];
  rolechange: [role: IceRole, reason: string];
  stunresult: [result: { server: TransportAddress; base: TransportAddress; mapped?: TransportAddress; error?: string }];
  /** A TURN allocation was made, failed or was lost (`state`, `reason`), or fell back to a Binding request (486/508). */
  relay: [relay: RelayInfo];
  data: [component: number, data: Buffer, from: TransportAddress];
  warning: [warning: IceWarning];
  /** Diagnostics: pairs formed and changed, checks sent and their results (see TraceEvent). */
  trace: [event: TraceEvent];
  /** What one of your listeners (or your logger) threw; without an `error` listener it is an uncaught exception. */
  error: [error: unknown];
}
