import type { Candidate, LocalCandidate } from './candidate-types.js';
import type { IceRole } from './config.js';
import { computePairPriority, newPairCounters, type CandidatePair } from './pair.js';
import { sameTransportAddress } from './candidate.js';

/**
 * The checklist of one data stream (RFC 8445 §6.1.2): pairs sorted by priority,
 * the triggered-check queue (§7.3.1.4) and the frozen/waiting rules (§6.1.2.6).
 */
export class Checklist {
  private pairs: CandidatePair[] = [];
  private triggered: CandidatePair[] = [];
  private pickedTriggered = false;
  private nextId = 1;
  /** Pairs that left the list since the last `takeRemoved()` (for `pair-removed` traces); made on first use. */
  private removed: CandidatePair[] | undefined;

  constructor(private readonly maxPairs: number) {}

  get all(): readonly CandidatePair[] {
    return this.pairs;
  }

  find(component: number, local: LocalCandidate, remote: { address: string; port: number }): CandidatePair | undefined {
    return this.pairs.find(
      (p) => p.component === component && p.local === local && sameTransportAddress(p.remote, remote),
    );
  }

  /** Forms a pair (frozen, or waiting if its foundation has nothing under way). Undefined when the list is full. */
  add(role: IceRole, local: LocalCandidate, remote: Candidate): CandidatePair | undefined {
    const existing = this.find(remote.component, local, remote);
    if (existing) return existing;
    const pair: CandidatePair = {
      id: this.nextId++,
      component: remote.component,
      local,
      remote,
      foundation: `${local.foundation}:${remote.foundation}`,
      state: 'frozen',
      priority: computePairPriority(role, local, remote),
      validLocal: undefined,
      nominated: false,
      nominating: false,
      rttMs: undefined,
      remoteAuthenticated: false,
      reported: undefined,
      counters: newPairCounters(),
    };
    if (this.pairs.length >= this.maxPairs && !this.evictLowest(pair.priority)) return undefined;
    // §6.1.2.6 with trickle: a pair waits behind a same-foundation pair of its own or a lower
    // component only. Freezing component 1 behind a component 2 that trickled in first can
    // deadlock two port-restricted NATs, each checking a different component, until timeout.
    const behind = this.pairs.some(
      (p) => p.foundation === pair.foundation && p.component <= pair.component && (p.state === 'waiting' || p.state === 'in-progress'),
    );
    if (!behind) {
      pair.state = 'waiting';
    }
    this.insertSorted(pair);
    return pair;
  }

  /** Recomputes priorities after a role switch or a remote priority change (§7.3.1.1). */
  reprioritise(role: IceRole): void {
    for (const p of this.pairs) p.priority = computePairPriority(role, p.local, p.remote);
    this.pairs.sort((a, b) => (a.priority === b.priority ? 0 : a.priority > b.priority ? -1 : 1));
  }

  /** §7.3.1.4: the pair goes to the front of the line for the next Ta slot. */
  trigger(pair: CandidatePair): void {
    // A valid pair re-checked for nomination stays succeeded: demoting it would hide it from
    // the valid list and let a lost USE-CANDIDATE check fail a working pair (§8.1.1).
    if (pair.state !== 'in-progress' && pair.state !== 'succeeded') pair.state = 'waiting';
    if (!this.triggered.includes(pair)) this.triggered.push(pair);
  }

  /**
   * The pair the next Ta slot checks (§6.1.4.2): triggered checks first, then the best
   * waiting pair, then an unfrozen one. A nomination (a triggered check with USE-CANDIDATE)
   * yields to ordinary checks of components that have no working pair yet: connecting
   * every component comes before concluding one.
   */
  next(connecting: (component: number) => boolean = () => false): CandidatePair | undefined {
    this.triggered = this.triggered.filter((p) => this.pairs.includes(p) && (p.state === 'waiting' || p.nominating));
    const pick =
      this.triggered.find((p) => !p.nominating) ??
      this.pairs.find((p) => p.state === 'waiting' && connecting(p.component)) ??
      this.triggered[0] ??
      this.pairs.find((p) => p.state === 'waiting') ??
      this.unfreezeOne();
    this.pickedTriggered = pick !== undefined && this.triggered.includes(pick);
    if (pick) this.triggered = this.triggered.filter((p) => p !== pick);
    return pick;
  }

  private unfreezeOne(): CandidatePair | undefined {
    const frozen = this.pairs.find((p) => p.state === 'frozen' && !this.foundationBusy(p.foundation));
    if (frozen) frozen.state = 'waiting';
    return frozen;
  }

  /** Whether the pair the last `next()` returned came from the triggered-check queue (§7.3.1.4). */
  get lastPickTriggered(): boolean {
    return this.pickedTriggered;
  }

  /** True when `next()` would return a pair; it changes nothing. */
  hasWork(): boolean {
    return (
      this.triggered.some((p) => p.state === 'waiting' || p.nominating) ||
      this.pairs.some((p) => p.state === 'waiting' || (p.state === 'frozen' && !this.foundationBusy(p.foundation)))
    );
  }

  /** §7.2.5.3.3: a success unfreezes every pair of the same foundation. */
  unfreeze(foundation: string): void {
    for (const p of this.pairs) if (p.state === 'frozen' && p.foundation === foundation) p.state = 'waiting';
  }

  /**
   * §8.1.2: once a component has a nominated pair, its frozen and waiting pairs are dropped.
   * `keep` is the nominated pair itself: a peer may nominate a pair we have not checked yet
   * (waiting, e.g. before its password arrived), and its triggered check must still go out.
   */
  dropPending(component: number, keep?: CandidatePair): void {
    this.keepOnly((p) => p === keep || p.component !== component || (p.state !== 'frozen' && p.state !== 'waiting') || p.nominating || p.nominated);
  }

  remove(pair: CandidatePair): void {
    this.keepOnly((p) => p !== pair);
  }

  clear(): void {
    this.keepOnly(() => false);
    this.triggered = [];
  }

  /** The pairs removed since the last call, once each. */
  takeRemoved(): readonly CandidatePair[] | undefined {
    const gone = this.removed;
    this.removed = undefined;
    return gone;
  }

  private keepOnly(keep: (p: CandidatePair) => boolean): void {
    const kept: CandidatePair[] = [];
    for (const p of this.pairs) {
      if (keep(p)) kept.push(p);
      else (this.removed ??= []).push(p);
    }
    this.pairs = kept;
  }

  private foundationBusy(foundation: string): boolean {
    return this.pairs.some((p) => p.foundation === foundation && (p.state === 'waiting' || p.state === 'in-progress'));
  }

  private insertSorted(pair: CandidatePair): void {
    const i = this.pairs.findIndex((p) => p.priority < pair.priority);
    if (i < 0) this.pairs.push(pair);
    else this.pairs.splice(i, 0, pair);
  }

  /** §6.1.2.5: keep the best pairs; only frozen or waiting ones of lower priority are evicted. */
  private evictLowest(than: bigint): boolean {
    for (let i = this.pairs.length - 1; i >= 0; i--) {
      const p = this.pairs[i]!;
      if (p.priority >= than) return false;
      if (p.state === 'frozen' || p.state === 'waiting') {
        this.pairs.splice(i, 1);
        (this.removed ??= []).push(p);
        return true;
      }
    }
    return false;
  }
}
