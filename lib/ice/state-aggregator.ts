// Aggregates component states into the agent's iceState and paces its changes
// (ARCHITECTURE.md "The state aggregator"; seed iceState Notes).
import type { ComponentState, IceState } from './ice-state.js';

/**
 * Pure mapping, in priority order: closed > failed (ANY) > disconnected (ANY)
 * > starting (none begun) > checking (ANY without a working pair)
 * > completed (ALL) > connected.
 */
export function aggregateIceState(components: readonly ComponentState[], closed: boolean): IceState {
  if (closed) return 'closed';
  if (components.some((c) => c === 'failed')) return 'failed';
  if (components.some((c) => c === 'disconnected')) return 'disconnected';
  if (components.every((c) => c === 'starting')) return 'starting';
  if (components.some((c) => c === 'starting' || c === 'checking')) return 'checking';
  if (components.every((c) => c === 'completed')) return 'completed';
  return 'connected';
}

export interface IceStateChange {
  readonly state: IceState;
  readonly previous: IceState;
  readonly reason: string;
}

/** Intermediate states to pass through before `target` so observers never see a skipped step. */
function stepsBefore(from: IceState, target: IceState): IceState[] {
  switch (target) {
    case 'connected':
      // A working pair is only found while checking.
      return from === 'starting' ? ['checking'] : [];
    case 'completed':
      // connected always precedes completed.
      if (from === 'starting') return ['checking', 'connected'];
      if (from === 'connected') return [];
      return ['connected'];
    case 'failed':
      // Losing a working pair is first seen as disconnected.
      return from === 'connected' || from === 'completed' ? ['disconnected'] : [];
    default:
      // starting (ICE restart), closed (close()), checking, disconnected: direct.
      return [];
  }
}

/** Holds the current iceState and emits the ordered list of changes for a move. */
export class IceStateMachine {
  #state: IceState;

  constructor(initial: IceState = 'starting') {
    this.#state = initial;
  }

  get state(): IceState {
    return this.#state;
  }

  /** Moves toward `target`; returns every change in order ([] when nothing changes; closed is terminal). */
  moveTo(target: IceState, reason: string): IceStateChange[] {
    const from = this.#state;
    if (from === 'closed' || target === from) return [];
    const changes: IceStateChange[] = [];
    let previous: IceState = from;
    for (const step of stepsBefore(from, target)) {
      changes.push({ state: step, previous, reason: `${reason} (via ${step})` });
      previous = step;
    }
    changes.push({ state: target, previous, reason });
    this.#state = target;
    return changes;
  }
}
