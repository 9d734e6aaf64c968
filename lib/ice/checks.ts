import { getAttribute } from '../stun/get-attribute.js';
import type { StunMessage } from '../stun/types.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import { addressFamily, candidatePriority } from './candidate.js';
import type { CheckKind, CheckTx } from './check-transactions.js';
import type { CoreContext } from './context.js';
import { localPreferenceOf } from './local-candidates.js';
import type { CandidatePair } from './pair.js';
import { hasPending } from './selection.js';

/** Forming pairs and running checks on them (RFC 8445 §6.1.2, §6.1.4, §7.2). */
export class Checks {
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  /** A shared pacer (config.pacer) said not yet: it wakes us, so no deadline of our own meanwhile. */
  private pacerWaiting = false;

  constructor(private readonly ctx: CoreContext) {}

  /**
   * Pairs a local candidate with a remote one of its component and family. Once the component
   * has a nominated pair, only a peer's authenticated check (`fromPeer`) still adds one: the
   * controlling side may nominate a new pair, and we must be able to follow.
   */
  formPair(local: LocalCandidate, remote: Candidate, fromPeer = false): CandidatePair | undefined {
    if (remote.component !== local.component || remote.transport !== 'udp') return undefined;
    // An ICE-lite agent has no checklist of its own: its pairs come from the peer's checks (§7.3.2).
    if (!fromPeer && !this.ctx.policy.sendsChecks) return undefined;
    if (addressFamily(remote.address) !== local.base.family || this.ctx.local.isRetired(local)) return undefined;
    if (!fromPeer && this.ctx.components[local.component - 1]!.selected?.nominated) return undefined;
    const pair = this.ctx.checklist.add(this.ctx.role, local, remote);
    if (!pair) this.ctx.drops.overLimit++;
    return pair;
  }

  /** Pairs every host candidate with `remote`. */
  pairWithHosts(remote: Candidate): void {
    for (const host of this.ctx.local.hosts()) this.formPair(host, remote);
  }

  /** When the next paced check may go (§6.1.4.2), if one is waiting. */
  nextPacedAt(): number | undefined {
    if (!this.canSend || this.pacerWaiting || !this.ctx.checklist.hasWork()) return undefined;
    return this.lastCheckAt + this.ctx.config.timers.taMs;
  }

  /** One new check per Ta (§6.1.4.2); the first goes out at once. A shared pacer may defer it (§14.2). */
  sendPaced(now: number): void {
    if (!this.canSend || now < this.lastCheckAt + this.ctx.config.timers.taMs) return;
    const { pacer } = this.ctx.config;
    if (pacer !== undefined) {
      // Ask for a slot only with a check to send, so a granted slot is never wasted.
      this.pacerWaiting = this.ctx.checklist.hasWork() && !pacer.tryAcquire(now);
      if (this.pacerWaiting) return;
    }
    const pair = this.ctx.checklist.next((component) => !this.ctx.components[component - 1]!.selected);
    if (!pair) return;
    this.lastCheckAt = now;
    this.send(now, pair, 'check', pair.nominating, this.ctx.checklist.lastPickTriggered);
  }

  send(now: number, pair: CandidatePair, kind: CheckKind, useCandidate: boolean, triggered = false): void {
    if (kind === 'check' && pair.state !== 'succeeded') pair.state = 'in-progress';
    // §7.1.1: PRIORITY is what a peer-reflexive candidate of ours on this socket would have.
    const priority = candidatePriority('prflx', localPreferenceOf(pair.local), pair.component);
    const { credentials, tieBreaker } = this.ctx;
    const who = { username: credentials.username, key: credentials.remoteKey!, role: this.ctx.role, tieBreaker };
    this.ctx.txs.send(now, pair, kind, useCandidate, priority, who, triggered);
  }

  fail(now: number, pair: CandidatePair): void {
    pair.nominating = false;
    if (pair.state === 'succeeded') return;
    pair.state = 'failed';
    const c = this.ctx.components[pair.component - 1]!;
    if (!hasPending(this.ctx.checklist.all, c.id)) c.allFailedAt ??= now;
  }

  /** §7.2.5.3: the pair succeeds; the mapped address names the local candidate of the valid pair. */
  markValid(now: number, pair: CandidatePair, t: CheckTx, msg: StunMessage): void {
    const c = this.ctx.components[pair.component - 1]!;
    pair.state = 'succeeded';
    const mapped = getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value;
    if (mapped) pair.validLocal = this.ctx.local.reflexiveOf(pair.local, mapped, t.priority);
    this.ctx.checklist.unfreeze(pair.foundation);
    c.firstValidAt ??= now;
    this.ctx.policy.checkSucceeded(pair, t.useCandidate);
    pair.nominating = false;
    c.select(now);
  }

  /** Consent checks (RFC 7675) on every component's selected pair. */
  keepConsent(now: number): void {
    const canSend = this.canSend;
    for (const c of this.ctx.components) {
      c.keepConsent(now, canSend, (pair) => this.send(now, pair, 'consent', pair.nominated && this.ctx.policy.consentNominates));
    }
  }

  /** Checks can go out: the peer's password is known and this is not an ICE-lite agent. */
  private get canSend(): boolean {
    return this.ctx.policy.sendsChecks && this.ctx.credentials.canCheck;
  }

  /** A new generation: the first check goes out at once again. */
  reset(): void {
    this.lastCheckAt = Number.NEGATIVE_INFINITY;
  }
}
