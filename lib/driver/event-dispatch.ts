import type { IceParameters } from '../ice/agent-core.js';
import { formatCandidate } from '../ice/candidate-sdp.js';
import type { AgentEvent } from '../ice/events.js';
import type { IceState } from '../ice/ice-state.js';
import type { ListenerGuard } from '../listener-guard.js';
import type { Logger } from '../util/logger.js';

/** What dispatching needs from the agent: its listener guard, its own waiters, and a few values. */
export interface DispatchTarget {
  readonly guard: ListenerGuard;
  readonly logger: Logger;
  /** The agent's own bookkeeping, told before any user listener runs. */
  onState(state: IceState, reason: string): void;
  onGatheringComplete(): void;
  localParameters(): IceParameters;
}

/** Turns one core event into the agent's public event(s); user listeners are each isolated by the guard. */
export function dispatchEvent(t: DispatchTarget, e: AgentEvent): void {
  const { guard } = t;
  switch (e.type) {
    case 'candidate': {
      // The line names its generation (RFC 8839 `ufrag` extension), so a late one is never applied to the next.
      const tagged = { ...e.candidate, extensions: [...e.candidate.extensions, ['ufrag', e.ufrag] as const] };
      return guard.emit('candidate', tagged, formatCandidate(tagged), e.ufrag);
    }
    case 'restart':
      return guard.emit('restart', t.localParameters(), e.by);
    case 'gathering':
      if (e.state === 'complete') t.onGatheringComplete();
      guard.emit('gatheringstatechange', e.state);
      if (e.state === 'complete') guard.emit('endofcandidates');
      return;
    case 'stun-result':
      return guard.emit('stunresult', e);
    case 'component-state':
      return guard.emit('componentstatechange', e.component, e.state, e.reason);
    case 'state':
      t.onState(e.state, e.reason);
      t.logger.debug('ice state', { state: e.state, previous: e.previous, reason: e.reason });
      return guard.emit('statechange', e.state, e.previous, e.reason);
    case 'selected-pair':
      return guard.emit('selectedpairchange', e.component, e.pair);
    case 'role':
      return guard.emit('rolechange', e.role, e.reason);
    default:
      return guard.emit('trace', e);
  }
}
