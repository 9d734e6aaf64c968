import type { CheckPacer } from '../ice/config.js';
import type { HostBinding } from '../ice/transport.js';
import type { HostAddress } from '../net/interfaces.js';
import { realScheduler, type Scheduler } from '../net/scheduler.js';
import type { EndpointFactory } from '../net/datagram-endpoint.js';
import type { PortRange } from '../net/udp-socket.js';
import type { RandomSource } from '../util/random.js';
import { HostSockets } from './host-sockets.js';
import { SharedTimer } from './timer.js';
import type { Transport, TransportEvents } from './transport.js';

/** An agent's host-candidate transport: sockets bound for it, or lent by a server that shares a port. */
export interface HostTransport extends Transport {
  /** The sockets of the agent's host candidates (one per address and component). */
  bind(addresses: readonly HostAddress[], components: number): Promise<HostBinding[]>;
  /** The sockets bound so far and not released; re-gathering compares their addresses with the machine's. */
  bindings?(): readonly HostBinding[];
  /** True when the transport has its own addresses (a server's port): the interface filters are not consulted. */
  readonly ownAddresses?: boolean;
}

/**
 * Where an agent's clock, timer and sockets come from. By default each agent has its own;
 * a server gives all its agents one timer and one port (lib/server).
 */
export interface AgentEnvironment {
  readonly scheduler: Scheduler;
  readonly timers: SharedTimer;
  /** The transport for one agent, delivering its datagrams and socket events to `events`. */
  hostTransport(events: TransportEvents): HostTransport;
  /** RFC 8445 §14.2 pacing shared by every agent of a server (lib/server); none for an agent alone. */
  readonly pacer?: CheckPacer;
  /** The ufrag of each ICE restart's new generation, for a server (free on its port, its worker's prefix). */
  readonly mintUfrag?: (random: RandomSource) => string;
}

const processTimers = new WeakMap<Scheduler, SharedTimer>();

/**
 * One timer for every stand-alone agent of the process on the same scheduler: their consent
 * checks fall due on a common grid (consentGridMs), so they share wakeups (less idle CPU), and
 * an agent costs one heap entry instead of a timer, a heap and a Map of its own.
 */
function timersOf(scheduler: Scheduler): SharedTimer {
  let timers = processTimers.get(scheduler);
  if (!timers) processTimers.set(scheduler, (timers = new SharedTimer(scheduler)));
  return timers;
}

/** What a stand-alone agent uses: its own sockets (per address and component) and the process's timer. */
export function ownEnvironment(o: { scheduler?: Scheduler; endpointFactory?: EndpointFactory; portRange?: PortRange }): AgentEnvironment {
  const scheduler = o.scheduler ?? realScheduler;
  return {
    scheduler,
    timers: timersOf(scheduler),
    hostTransport: (events) => new HostSockets(events, o.endpointFactory, o.portRange),
  };
}
