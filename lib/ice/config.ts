import type { RetransmitPolicy } from '../stun/transaction.js';
import type { RandomSource } from '../util/random.js';
import { IceError } from '../util/errors.js';

export type IceRole = 'controlling' | 'controlled';

/** Every timer and bound of the core, with the defaults documented in the README. */
export interface AgentTimers {
  /** RFC 8445 §14.2 pacing between new checks (first check goes out at once). Never below 5 ms. */
  readonly taMs: number;
  /** Retransmission of connectivity checks (RFC 8489 §6.2.1 with RFC 8445 §14.3 RTO floor of 500 ms). */
  readonly checkRetransmit: RetransmitPolicy;
  /** Retransmission of Binding requests to STUN servers while gathering: bounds how long a dead server can hold gathering. */
  readonly gatherRetransmit: RetransmitPolicy;
  /** Controlling side: how long a valid pair of each type waits for a better pair before it is nominated. */
  readonly nominationWaitMs: Readonly<Record<'host' | 'srflx' | 'prflx' | 'relay', number>>;
  /** RFC 7675 consent check interval (randomised ±20%). */
  readonly consentIntervalMs: number;
  /** Consent checks fall due on this grid of the monotonic clock, so many agents in one process share wakeups (0: off). */
  readonly consentGridMs: number;
  /** A consent check unanswered this long marks the component `disconnected`. */
  readonly disconnectedAfterMs: number;
  /** RFC 7675 §5.1: consent expires this long after the last response → `failed`. */
  readonly consentTimeoutMs: number;
  /** Without remote end-of-candidates, how long after every pair failed the agent waits for more candidates before `failed`. */
  readonly trickleGraceMs: number;
  /** ICE-lite (it sends no checks): no authenticated request on the selected pair this long → `disconnected`. */
  readonly liteDisconnectedMs: number;
  /** ICE-lite: no authenticated request on the selected pair this long → `failed` (RFC 7675's 30 s). */
  readonly liteFailedMs: number;
}

export interface AgentLimits {
  /** RFC 8445 §6.1.2.5 checklist bound. */
  readonly maxPairs: number;
  /** Remote candidates per agent, signalled and peer-reflexive together. */
  readonly maxRemoteCandidates: number;
}

/**
 * RFC 8445 §14.2 pacing shared with other agents (many agents on one server port): Ta applies
 * across all of them, not per agent. Optional; without it only the agent's own Ta applies.
 */
export interface CheckPacer {
  /**
   * May a new check start at `now`? False queues the agent: it must not ask again on its own
   * timer (no busy loop); the driver runs its `handleTimeout` when the pacer grants it a slot.
   */
  tryAcquire(now: number): boolean;
}

export interface AgentConfig {
  readonly components: number;
  readonly role: IceRole;
  /** ICE-lite (RFC 8445 §2.5): host candidates only, always controlled, answers checks but never sends one. */
  readonly lite: boolean;
  readonly random: RandomSource;
  /** Fixed local credentials (tests, or signalling that mints them); random otherwise. */
  readonly ufrag?: string;
  readonly pwd?: string;
  /** Fixed 64-bit tie-breaker (tests); random otherwise. */
  readonly tieBreaker?: bigint;
  readonly timers: AgentTimers;
  readonly limits: AgentLimits;
  /** SOFTWARE attribute for responses to STUN servers' clients; none by default. */
  readonly software?: string;
  /** A pacer shared with other agents (a server's port), on top of this agent's own `taMs`. */
  readonly pacer?: CheckPacer;
  /**
   * Mints the local ufrag of each new generation (ICE restart) where a plain random one would not
   * do: a server's agents need ufrags free on the shared port, a worker's need its prefix.
   */
  readonly mintUfrag?: (random: RandomSource) => string;
}

export const DEFAULT_TIMERS: AgentTimers = {
  taMs: 50,
  checkRetransmit: { rtoMs: 500, maxRequests: 6, finalWaitFactor: 8 },
  gatherRetransmit: { rtoMs: 500, maxRequests: 4, finalWaitFactor: 4 },
  nominationWaitMs: { host: 0, srflx: 200, prflx: 500, relay: 1000 },
  consentIntervalMs: 5000,
  consentGridMs: 100,
  disconnectedAfterMs: 2500,
  consentTimeoutMs: 30000,
  trickleGraceMs: 5000,
  liteDisconnectedMs: 10000,
  liteFailedMs: 30000,
};

export const DEFAULT_LIMITS: AgentLimits = { maxPairs: 100, maxRemoteCandidates: 100 };

export type AgentOptions = Partial<Omit<AgentConfig, 'timers' | 'limits' | 'random'>> & {
  readonly random: RandomSource;
  readonly timers?: Partial<AgentTimers>;
  readonly limits?: Partial<AgentLimits>;
};

/** Fills defaults and rejects misuse with a typed error. */
export function resolveConfig(opts: AgentOptions): AgentConfig {
  // Without overrides the defaults are shared (the core never writes to them): a server holds thousands of agents.
  const timers = opts.timers === undefined ? DEFAULT_TIMERS : { ...DEFAULT_TIMERS, ...opts.timers };
  const limits = opts.limits === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...opts.limits };
  const components = opts.components ?? 1;
  if (!Number.isInteger(components) || components < 1 || components > 256) {
    throw new IceError('ERR_INVALID_ARGUMENT', `components must be an integer in 1..256, got ${components}`);
  }
  // RFC 8445 §14.2: never more often than once every 5 ms.
  if (!(timers.taMs >= 5)) throw new IceError('ERR_INVALID_ARGUMENT', `taMs must be at least 5, got ${timers.taMs}`);
  if (limits.maxPairs < 1 || limits.maxRemoteCandidates < 1) {
    throw new IceError('ERR_INVALID_ARGUMENT', 'maxPairs and maxRemoteCandidates must be at least 1');
  }
  const lite = opts.lite ?? false;
  // RFC 8445 §6.1.1: a lite agent is always the controlled one.
  if (lite && opts.role === 'controlling') throw new IceError('ERR_INVALID_ARGUMENT', "role 'controlling' is not possible with lite: true (an ICE-lite agent is always controlled)");
  if (opts.ufrag !== undefined) checkCredential('ufrag', opts.ufrag, 4);
  if (opts.pwd !== undefined) checkCredential('pwd', opts.pwd, 22);
  return {
    components,
    role: opts.role ?? (lite ? 'controlled' : 'controlling'),
    lite,
    random: opts.random,
    timers,
    limits,
    ...(opts.ufrag !== undefined && { ufrag: opts.ufrag }),
    ...(opts.pwd !== undefined && { pwd: opts.pwd }),
    ...(opts.tieBreaker !== undefined && { tieBreaker: opts.tieBreaker }),
    ...(opts.software !== undefined && { software: opts.software }),
    ...(opts.pacer !== undefined && { pacer: opts.pacer }),
    ...(opts.mintUfrag !== undefined && { mintUfrag: opts.mintUfrag }),
  };
}

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;

/** RFC 8839 §5.4: ufrag 4..256 ice-chars, pwd 22..256 ice-chars. */
export function checkCredential(what: 'ufrag' | 'pwd', value: string, min: number): void {
  if (typeof value !== 'string' || value.length < min || value.length > 256 || !ICE_CHARS.test(value)) {
    throw new IceError('ERR_INVALID_CREDENTIALS', `${what} must be ${min}..256 characters of [A-Za-z0-9+/]`);
  }
}
