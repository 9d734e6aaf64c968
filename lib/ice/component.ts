import type { Consent } from './consent.js';
import type { ComponentState } from './ice-state.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import type { CandidatePair } from './pair.js';

export interface Component {
  readonly id: number;
  state: ComponentState;
  selected: CandidatePair | undefined;
  /** Before an ICE restart finds a new pair, data keeps using the old one. */
  previousSelected: CandidatePair | undefined;
  /** Last consent response on `previousSelected`: it stops carrying data once consent would have expired. */
  previousConsentAt: number | undefined;
  /** Its selected pair was lost with its socket: re-checking counts as `disconnected`, not `checking`. */
  lostSelection: boolean;
  /** When the first pair became valid (starts the nomination wait). */
  firstValidAt: number | undefined;
  /** When every pair of the component had failed (starts the trickle grace). */
  allFailedAt: number | undefined;
  consent: Consent | undefined;
  /** What the last `selected-pair` event said, so a change of its candidates is announced too. */
  announced: { readonly pair: CandidatePair; readonly local: LocalCandidate; readonly remote: Candidate } | undefined;
  /** Remote addresses that proved themselves (authenticated request or response): data from them is delivered. */
  readonly proven: Set<string>;
}

export function newComponent(id: number): Component {
  return {
    id,
    state: 'starting',
    selected: undefined,
    previousSelected: undefined,
    previousConsentAt: undefined,
    lostSelection: false,
    firstValidAt: undefined,
    allFailedAt: undefined,
    consent: undefined,
    announced: undefined,
    proven: new Set(),
  };
}

/** Facts that decide a component's state, gathered by the agent. */
export interface ComponentFacts {
  readonly canCheck: boolean;
  readonly pairs: number;
  readonly pending: number;
  readonly remoteEnded: boolean;
  readonly graceExpired: boolean;
  readonly gatheringComplete: boolean;
  /** A consent check on the selected pair has gone unanswered for `disconnectedAfterMs`. */
  readonly consentSilent: boolean;
}

/** The per-component state the aggregator combines (seed vocabulary). */
export function componentState(c: Component, f: ComponentFacts): ComponentState {
  if (c.consent?.lost) return 'failed';
  if (c.selected) {
    if (f.consentSilent) return 'disconnected';
    const finished = c.selected.nominated && f.pending === 0 && f.remoteEnded && f.gatheringComplete;
    return finished ? 'completed' : 'connected';
  }
  if (!f.canCheck) return 'starting';
  const searching = c.lostSelection ? 'disconnected' : 'checking';
  if (f.pending > 0) return searching;
  // Nothing left to check: failed once no more candidates can be expected.
  if (f.pairs === 0 && !f.remoteEnded) return 'starting';
  // With nothing ever paired, peer-reflexive checks may still come: wait out the grace first.
  const giveUp = f.pairs > 0 && f.remoteEnded ? f.gatheringComplete : f.graceExpired;
  return giveUp ? 'failed' : searching;
}
