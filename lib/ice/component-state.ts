import type { ComponentState } from './ice-state.js';

/** Facts that decide a component's state, gathered by the agent. */
export interface ComponentFacts {
  readonly consentLost: boolean;
  readonly selected: { readonly nominated: boolean } | undefined;
  readonly lostSelection: boolean;
  readonly canCheck: boolean;
  readonly pairs: number;
  readonly pending: number;
  readonly remoteEnded: boolean;
  readonly graceExpired: boolean;
  readonly gatheringComplete: boolean;
  /** A consent check on the selected pair has gone unanswered for `disconnectedAfterMs`. */
  readonly consentSilent: boolean;
  /** ICE-lite (§8.2): a nominated pair finishes the component; there are no checks of ours to wait for. */
  readonly finishesOnNomination: boolean;
}

/** Why a component is in `state`, in words, from the same facts (for logs and reports). */
export function componentReason(state: ComponentState, f: ComponentFacts): string {
  switch (state) {
    case 'failed':
      return f.consentLost ? 'consent expired (RFC 7675 §5.1)' : f.pairs > 0 ? 'every pair failed' : 'no pair to check';
    case 'disconnected':
      return f.selected ? 'consent checks unanswered' : 'selected pair lost, checking other pairs';
    case 'completed':
      return f.finishesOnNomination ? 'a pair was nominated (ICE-lite)' : 'nominated pair, checks done, candidates complete';
    case 'connected':
      return f.selected?.nominated ? 'nominated pair, still checking or waiting for candidates' : 'a pair is valid';
    case 'checking':
      return f.canCheck ? 'checking pairs' : 'answering the peer';
    default:
      return f.canCheck ? 'no pair yet' : 'no remote parameters yet';
  }
}

/** The per-component state the aggregator combines (seed vocabulary). */
export function componentState(f: ComponentFacts): ComponentState {
  if (f.consentLost) return 'failed';
  if (f.selected) {
    if (f.consentSilent) return 'disconnected';
    const finished = f.selected.nominated && (f.finishesOnNomination || (f.pending === 0 && f.remoteEnded && f.gatheringComplete));
    return finished ? 'completed' : 'connected';
  }
  if (!f.canCheck) return 'starting';
  const searching = f.lostSelection ? 'disconnected' : 'checking';
  if (f.pending > 0) return searching;
  // Nothing left to check: failed once no more candidates can be expected.
  if (f.pairs === 0 && !f.remoteEnded) return 'starting';
  // With nothing ever paired, peer-reflexive checks may still come: wait out the grace first.
  const giveUp = f.pairs > 0 && f.remoteEnded ? f.gatheringComplete : f.graceExpired;
  return giveUp ? 'failed' : searching;
}
