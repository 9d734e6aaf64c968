import type { IceAgentCore, IceParameters } from '../ice/agent-core.js';
import type { AgentEvent } from '../ice/events.js';
import type { IceState } from '../ice/ice-state.js';
import type { ListenerGuard } from '../listener-guard.js';
import type { StateWaiters } from '../state-waiters.js';
import type { TransportAddress } from '../stun/types.js';
import type { Logger } from '../util/logger.js';
import type { LoopOutput } from './agent-loop.js';
import type { AgentStats } from './agent-stats.js';
import { dispatchEvent, type DispatchTarget } from './event-dispatch.js';

/**
 * Where one agent's loop delivers: the agent's own bookkeeping (waiters, statistics, gathering)
 * first, then the application's listeners through the guard. One object per agent, its methods
 * shared on the prototype (an agent of a 10,000-agent server pays no closure per callback).
 */
export class AgentOutput implements LoopOutput, DispatchTarget {
  /** Resolves `gather()` when the core says gathering is complete. */
  gatheringComplete: (() => void) | undefined;

  constructor(
    readonly guard: ListenerGuard,
    readonly logger: Logger,
    private readonly waiters: StateWaiters,
    private readonly stats: AgentStats,
    private readonly core: () => IceAgentCore,
  ) {}

  event(e: AgentEvent): void {
    this.stats.observe(e);
    dispatchEvent(this, e);
  }

  data(component: number, data: Buffer, from: TransportAddress): void {
    this.guard.emit3('data', component, data, from);
  }

  warning(code: string, message: string): void {
    this.logger.warn(message, { code });
    this.guard.emit('warning', { code, message });
  }

  onState(state: IceState, reason: string): void {
    this.waiters.onState(state, reason);
  }

  onGatheringComplete(): void {
    this.gatheringComplete?.();
  }

  localParameters(): IceParameters {
    return this.core().localParameters;
  }
}

