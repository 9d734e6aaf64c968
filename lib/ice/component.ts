import { addressKey } from './candidate.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import type { CheckTransactions } from './check-transactions.js';
import type { Checklist } from './checklist.js';
import type { AgentConfig, IceRole } from './config.js';
import { consentSilent, freshConsent, nextConsentAt, type Consent } from './consent.js';
import type { ComponentState } from './ice-state.js';
import type { Outbox } from './outbox.js';
import { pairInfo, type CandidatePair } from './pair.js';
import { bestUsable, isUsable } from './selection.js';

/** Bumped whenever a route or a data source's permission may have changed, so drivers can cache both. */
export class RouteEpoch {
  value = 0;

  bump(): void {
    this.value++;
  }
}

/** What a component works with: the agent's shared checklist, transactions and outbox. */
export interface ComponentDeps {
  readonly config: AgentConfig;
  readonly checklist: Checklist;
  readonly txs: CheckTransactions;
  readonly out: Outbox;
  readonly epoch: RouteEpoch;
  readonly role: IceRole;
}

/**
 * One component (RFC 8445 §2): its selected pair and everything that must stay consistent
 * with it: consent on that pair (RFC 7675), the sources whose data is delivered, the pair of
 * the previous generation during a restart, and the route epoch drivers cache against.
 */
export class Component {
  state: ComponentState = 'starting';
  /** When the first pair became valid (starts the nomination wait). */
  firstValidAt: number | undefined;
  /** When every pair of the component had failed (starts the trickle grace). */
  allFailedAt: number | undefined;
  /** Remote addresses that proved themselves (authenticated request or response): data from them is delivered. */
  readonly proven = new Set<string>();
  /** How many times the selected pair changed (W3C selectedCandidatePairChanges). */
  selectionChanges = 0;
  private selectedPair: CandidatePair | undefined;
  private consentState: Consent | undefined;
  /** Before an ICE restart finds a new pair, data keeps using the old one until its consent would lapse. */
  private previous: { pair: CandidatePair; consentAt: number | undefined } | undefined;
  /** Its selected pair was lost with its socket: re-checking counts as `disconnected`, not `checking`. */
  private lostSelection = false;
  /** What the last `selected-pair` event said, so a change of its candidates is announced too. */
  private announced: { readonly pair: CandidatePair; readonly local: LocalCandidate; readonly remote: Candidate } | undefined;

  constructor(readonly id: number, private readonly deps: ComponentDeps) {}

  get selected(): CandidatePair | undefined {
    return this.selectedPair;
  }

  get consentLost(): boolean {
    return this.consentState?.lost === true;
  }

  get searchingAfterLoss(): boolean {
    return this.lostSelection;
  }

  /** Where data goes: the selected pair, or during a restart the previous one; nothing once consent is lost (RFC 7675 §5.1). */
  routePair(): CandidatePair | undefined {
    return this.consentLost ? undefined : this.selectedPair ?? this.previous?.pair;
  }

  /**
   * The selected pair looks dead for now: a consent check unanswered for `disconnectedAfterMs`,
   * or for an ICE-lite agent (which sends none) no authenticated request for `liteDisconnectedMs`.
   */
  silent(now: number): boolean {
    const { lite, timers } = this.deps.config;
    if (!lite) return consentSilent(this.consentState, now, timers);
    const consent = this.consentState;
    return consent !== undefined && !consent.lost && now - consent.lastResponseAt >= timers.liteDisconnectedMs;
  }

  /** §8.1.2 / §12: use the best nominated pair, else the best valid one (data may flow before nomination). */
  select(now: number): void {
    const best = bestUsable(this.deps.checklist.all, this.deps.role, this.id);
    if (!best) return;
    if (best.nominated) this.conclude(best);
    if (best === this.selectedPair) return this.announce();
    if (this.previous) {
      // The new generation has its own pair: the old one stops carrying data, its sources lose their proof.
      this.previous = undefined;
      this.proven.clear();
      for (const p of this.deps.checklist.all) if (p.component === this.id && p.remoteAuthenticated) this.proven.add(addressKey(p.remote));
    }
    this.selectedPair = best;
    this.selectionChanges++;
    this.lostSelection = false;
    this.consentState = freshConsent(now, this.deps.config.timers, this.deps.config.random);
    this.deps.epoch.bump();
    this.announce();
  }

  /** Emits `selected-pair` when the pair, or what we know of its candidates (valid local, signalled remote), changed. */
  announce(): void {
    const p = this.selectedPair;
    if (!p) return;
    const local = p.validLocal ?? p.local;
    if (this.announced?.pair === p && this.announced.local === local && this.announced.remote === p.remote) return;
    this.announced = { pair: p, local, remote: p.remote };
    this.deps.out.events.push({ type: 'selected-pair', component: this.id, pair: pairInfo(this.deps.role, p) });
  }

  /** The selected pair's socket is gone: it is retired and re-checking counts as `disconnected`. */
  loseSocket(): void {
    if (!this.selectedPair) return;
    this.retire();
    this.announced = undefined;
    this.lostSelection = true;
  }

  /** The socket of `host` is gone: the previous generation's pair cannot use it either. */
  forgetPreviousOn(host: LocalCandidate): void {
    if (this.previous?.pair.local === host) this.previous = undefined;
  }

  /**
   * The selected pair stopped answering consent checks: if another pair of the component proved
   * itself, move there and retire the silent one. This is also how the controlled side follows a
   * controlling peer that nominated a new pair after losing a socket.
   */
  failover(now: number): void {
    const current = this.selectedPair;
    if (!current || !this.silent(now)) return;
    const alternative = this.deps.checklist.all.some((p) => p !== current && p.component === this.id && p.state !== 'failed' && isUsable(p));
    if (!alternative) return;
    current.state = 'failed';
    current.nominated = false;
    this.deps.txs.cancel((t) => t.pair === current);
    this.retire();
    this.select(now);
  }

  /** RFC 7675: sends a due consent check on the selected pair (with `send`), or notices that consent expired. */
  keepConsent(now: number, canSend: boolean, send: (pair: CandidatePair) => void): void {
    const { timers, random, lite } = this.deps.config;
    if (lite) return this.keepLiteLiveness(now);
    if (!this.selectedPair && this.previous && now >= (this.previous.consentAt ?? now) + timers.consentTimeoutMs) {
      this.previous = undefined;
      this.deps.epoch.bump();
    }
    const consent = this.consentState;
    if (!consent || consent.lost || !this.selectedPair || !canSend) return;
    if (now - consent.lastResponseAt >= timers.consentTimeoutMs) {
      consent.lost = true;
      this.deps.epoch.bump();
      // §5.1: once consent expires we stop sending on the pair, consent retransmissions included.
      this.deps.txs.cancel((t) => t.kind === 'consent' && t.pair.component === this.id);
      return;
    }
    if (now >= consent.nextCheckAt) {
      send(this.selectedPair);
      consent.pendingSince ??= now;
      consent.nextCheckAt = nextConsentAt(now, timers, random);
    }
  }

  /** ICE-lite: an authenticated request arrived on the selected pair, which keeps it alive (no checks of ours). */
  peerRequested(now: number): void {
    if (!this.consentState || this.consentState.lost) return;
    this.consentState.lastResponseAt = now;
  }

  /** An authenticated answer to a consent check on `pair`. */
  consentAnswered(now: number, pair: CandidatePair): void {
    if (!this.consentState || this.selectedPair !== pair) return;
    this.consentState.lastResponseAt = now;
    this.consentState.pendingSince = undefined;
  }

  /** Reports the component's consent and previous-pair deadlines to `at`. */
  deadlines(at: (t: number | undefined) => void): void {
    const { timers, lite } = this.deps.config;
    const consent = this.consentState;
    if (lite && consent && !consent.lost) {
      if (this.state !== 'disconnected') at(consent.lastResponseAt + timers.liteDisconnectedMs);
      at(consent.lastResponseAt + timers.liteFailedMs);
    } else if (consent && !consent.lost) {
      at(consent.nextCheckAt);
      at(consent.lastResponseAt + timers.consentTimeoutMs);
      if (consent.pendingSince !== undefined && this.state !== 'disconnected') at(consent.pendingSince + timers.disconnectedAfterMs);
    }
    if (!this.selectedPair && this.previous?.consentAt !== undefined) at(this.previous.consentAt + timers.consentTimeoutMs);
  }

  /** ICE restart (RFC 8445 §9): the selected pair becomes the previous one, everything else starts over. */
  startGeneration(): void {
    // A pair whose consent expired must not carry data again (RFC 7675 §5.1), restart or not.
    if (this.consentLost) this.previous = undefined;
    else if (this.selectedPair) {
      // No consent checks run on the old pair during the restart, so its consent lapses on schedule.
      this.previous = { pair: this.selectedPair, consentAt: this.consentState?.lastResponseAt };
    }
    this.selectedPair = undefined;
    this.consentState = undefined;
    this.firstValidAt = undefined;
    this.allFailedAt = undefined;
    this.lostSelection = false;
    this.state = 'starting';
  }

  /** §8.1.2: with a nominated pair, the component's frozen and waiting pairs are dropped and others stop retransmitting. */
  private conclude(nominated: CandidatePair): void {
    const { checklist, txs } = this.deps;
    checklist.dropPending(this.id, nominated);
    txs.cancel((t) => {
      const other = t.kind === 'check' && t.pair.component === this.id && t.pair !== nominated;
      if (other) t.pair.state = 'failed';
      return other;
    });
    for (const p of checklist.all) {
      if (p.component === this.id && p !== nominated && p.state !== 'succeeded') checklist.remove(p);
    }
  }

  /** ICE-lite liveness: without authenticated requests for `liteFailedMs`, the pair carries nothing more. */
  private keepLiteLiveness(now: number): void {
    const consent = this.consentState;
    if (!consent || consent.lost || now - consent.lastResponseAt < this.deps.config.timers.liteFailedMs) return;
    consent.lost = true;
    this.deps.epoch.bump();
  }

  private retire(): void {
    this.selectedPair = undefined;
    this.consentState = undefined;
    this.deps.epoch.bump();
  }
}
