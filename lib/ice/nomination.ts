import type { Checklist } from './checklist.js';
import type { Component } from './component.js';
import type { AgentTimers, IceRole } from './config.js';
import type { CandidatePair } from './pair.js';
import { bestValid, nominationTime } from './selection.js';

/** What a nomination policy works with. */
export interface NominationDeps {
  readonly checklist: Checklist;
  readonly components: readonly Component[];
  readonly timers: AgentTimers;
}

/**
 * How a role nominates (RFC 8445 §8): the controlling side chooses and nominates, the
 * controlled side follows. One object per role instead of role tests spread over the agent.
 */
export interface NominationPolicy {
  readonly role: IceRole;
  /** An authenticated check from the peer arrived on `pair` (§7.3.1.4, §7.3.1.5). */
  peerChecked(now: number, c: Component, pair: CandidatePair, useCandidate: boolean): void;
  /** Our check on `pair` succeeded; `useCandidate` says whether it carried USE-CANDIDATE. */
  checkSucceeded(pair: CandidatePair, useCandidate: boolean): void;
  /** When `c`'s nomination falls due, if one is to come. */
  deadline(c: Component): number | undefined;
  /** Starts the nominations that are due. */
  nominate(now: number): void;
  /** Whether consent checks on a nominated pair repeat USE-CANDIDATE. */
  readonly consentNominates: boolean;
  /** Whether this agent sends checks at all (an ICE-lite agent only answers them, §2.5). */
  readonly sendsChecks: boolean;
}

/** §7.3.1.4: a triggered check on a pair the peer checked, unless ours is done or under way. */
function triggerCheck(checklist: Checklist, c: Component, pair: CandidatePair): void {
  if (pair.state !== 'succeeded' && pair.state !== 'in-progress' && !c.selected?.nominated) checklist.trigger(pair);
}

/** Regular nomination (§8.1.1): after a short wait for better pairs, USE-CANDIDATE on the best valid pair. */
class ControllingPolicy implements NominationPolicy {
  readonly role = 'controlling';
  readonly consentNominates = true;
  readonly sendsChecks = true;

  constructor(private readonly deps: NominationDeps) {}

  peerChecked(_now: number, c: Component, pair: CandidatePair): void {
    triggerCheck(this.deps.checklist, c, pair);
  }

  checkSucceeded(pair: CandidatePair, useCandidate: boolean): void {
    if (useCandidate) pair.nominated = true;
  }

  deadline(c: Component): number | undefined {
    if (c.firstValidAt === undefined || c.selected?.nominated) return undefined;
    const { checklist, timers } = this.deps;
    if (checklist.all.some((p) => p.component === c.id && p.nominating)) return undefined;
    return nominationTime(checklist.all, this.role, c.id, c.firstValidAt, timers);
  }

  nominate(now: number): void {
    for (const c of this.deps.components) {
      const due = this.deadline(c);
      if (due === undefined || now < due) continue;
      const best = bestValid(this.deps.checklist.all, this.role, c.id);
      if (!best) continue;
      best.nominating = true;
      this.deps.checklist.trigger(best);
    }
  }
}

/** The controlled side follows the peer's nominations (§7.3.1.5). */
class ControlledPolicy implements NominationPolicy {
  readonly role = 'controlled';
  readonly consentNominates = false;
  readonly sendsChecks = true;

  constructor(private readonly deps: NominationDeps) {}

  /**
   * A nomination takes effect once our own check on the pair succeeded (§7.2.5.3: consent
   * before any data, RFC 7675); until then its triggered check is first in line. Repeats are no-ops.
   */
  peerChecked(now: number, c: Component, pair: CandidatePair, useCandidate: boolean): void {
    if (!useCandidate) return triggerCheck(this.deps.checklist, c, pair);
    pair.nominated = true;
    if (pair.state === 'succeeded') c.select(now);
    else if (pair.state !== 'in-progress') this.deps.checklist.trigger(pair);
  }

  checkSucceeded(): void {}

  deadline(): undefined {
    return undefined;
  }

  nominate(): void {}
}

/**
 * ICE-lite (RFC 8445 §2.5, §7.3.2): always controlled, never checks. An authenticated request
 * with USE-CANDIDATE makes its pair valid, nominated and selected at once; a later nomination
 * moves the selection (the last one wins). Every authenticated request on the selected pair is
 * the liveness signal.
 */
class LitePolicy implements NominationPolicy {
  readonly role = 'controlled';
  readonly consentNominates = false;
  readonly sendsChecks = false;

  constructor(private readonly deps: NominationDeps) {}

  peerChecked(now: number, c: Component, pair: CandidatePair, useCandidate: boolean): void {
    if (useCandidate && !(pair.nominated && c.selected === pair)) {
      for (const p of this.deps.checklist.all) if (p.component === c.id && p !== pair) p.nominated = false;
      pair.state = 'succeeded';
      pair.nominated = true;
      c.firstValidAt ??= now;
      c.select(now);
    }
    if (c.selected === pair) c.peerRequested(now);
  }

  checkSucceeded(): void {}

  deadline(): undefined {
    return undefined;
  }

  nominate(): void {}
}

export function nominationPolicy(role: IceRole, deps: NominationDeps, lite = false): NominationPolicy {
  if (lite) return new LitePolicy(deps);
  return role === 'controlling' ? new ControllingPolicy(deps) : new ControlledPolicy(deps);
}
