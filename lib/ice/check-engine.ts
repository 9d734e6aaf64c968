import { getAttribute } from '../stun/get-attribute.js';
import { shortTermKey } from '../stun/integrity.js';
import type { StunMessage } from '../stun/types.js';
import { IceError } from '../util/errors.js';
import { randomBigUint64, randomIceString } from '../util/random.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import { addressFamily, addressKey, candidatePriority } from './candidate.js';
import { CheckTransactions, type CheckTx } from './check-transactions.js';
import { Checklist } from './checklist.js';
import { componentState, newComponent, type Component } from './component.js';
import { consentSilent, freshConsent, nextConsentAt } from './consent.js';
import { resolveConfig, type AgentConfig, type AgentOptions, type IceRole } from './config.js';
import type { DropCounters } from './events.js';
import { Gatherer } from './gatherer.js';
import { LocalCandidates, localPreferenceOf } from './local-candidates.js';
import { Outbox } from './outbox.js';
import { pairInfo, type CandidatePair } from './pair.js';
import { RemoteCandidates } from './remote-candidates.js';
import { RemoteGenerations } from './remote-generations.js';
import { bestUsable, bestValid, hasPending, isUsable, nominationTime } from './selection.js';
import { IceStateMachine, aggregateIceState } from './state-aggregator.js';

/**
 * The agent's state and the work of RFC 8445 §6-8 and RFC 7675 on it: forming and
 * pacing checks, nominating, selecting a pair per component, keeping consent, and
 * deriving each component's state. IceAgentCore adds the public verbs and the
 * handling of incoming packets on top.
 */
export abstract class CheckEngine {
  readonly config: AgentConfig;
  readonly tieBreaker: bigint;
  readonly drops: DropCounters = {
    malformed: 0, unauthenticated: 0, notBinding: 0, unknownTransaction: 0, wrongSource: 0, unprovenData: 0,
    unsafeAddress: 0, staleCandidate: 0, overLimit: 0, afterClose: 0,
  };
  protected _role: IceRole;
  protected ufrag: string;
  protected pwd: string;
  protected localKey: Buffer;
  protected remoteUfrag: string | undefined;
  protected remoteKey: Buffer | undefined;
  protected remoteEnded = false;
  protected closed = false;
  protected readonly out = new Outbox();
  protected readonly machine = new IceStateMachine();
  protected readonly components: Component[];
  protected readonly local = new LocalCandidates();
  protected readonly remote: RemoteCandidates;
  protected readonly checklist: Checklist;
  protected readonly txs: CheckTransactions;
  protected readonly gatherer: Gatherer;
  protected readonly generations: RemoteGenerations;
  protected lastCheckAt = Number.NEGATIVE_INFINITY;
  protected lastRemoteCandidateAt = 0;
  protected epoch = 0;

  constructor(options: AgentOptions) {
    this.config = resolveConfig(options);
    const rng = this.config.random;
    this._role = this.config.role;
    this.tieBreaker = this.config.tieBreaker ?? randomBigUint64(rng);
    this.ufrag = this.config.ufrag ?? randomIceString(rng, 8);
    this.pwd = this.config.pwd ?? randomIceString(rng, 24);
    this.localKey = shortTermKey(this.pwd);
    this.components = Array.from({ length: this.config.components }, (_, i) => newComponent(i + 1));
    this.checklist = new Checklist(this.config.limits.maxPairs);
    this.remote = new RemoteCandidates(this.config.limits.maxRemoteCandidates);
    this.generations = new RemoteGenerations(this.config.limits.maxRemoteCandidates);
    this.txs = new CheckTransactions(this.out, rng, this.config.timers.checkRetransmit);
    this.gatherer = new Gatherer(this.out, rng, this.config.timers.gatherRetransmit, (host, mapped, server) => {
      const srflx = this.local.addServerReflexive(host, mapped, server);
      if (srflx) this.emitCandidate(srflx);
    });
  }

  /** A local candidate to signal, with the ufrag of the generation it belongs to. */
  protected emitCandidate(candidate: LocalCandidate): void {
    this.out.events.push({ type: 'candidate', candidate, ufrag: this.ufrag });
  }

  // ---- checks (RFC 8445 §6.1.4, §7.2) --------------------------------------------

  /** §7.2.5.3: the pair succeeds; the mapped address names the local candidate of the valid pair. */
  protected markValid(now: number, pair: CandidatePair, t: CheckTx, msg: StunMessage): void {
    const component = this.components[pair.component - 1]!;
    pair.state = 'succeeded';
    const mapped = getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value;
    if (mapped) pair.validLocal = this.local.reflexiveOf(pair.local, mapped, t.priority);
    this.checklist.unfreeze(pair.foundation);
    component.firstValidAt ??= now;
    if (t.useCandidate && this._role === 'controlling') pair.nominated = true;
    pair.nominating = false;
    this.select(now, component);
  }

  /**
   * Pairs a host with a remote candidate of its component and family. Once the component has a
   * nominated pair, only a peer's authenticated check (`fromPeer`) still adds one: the controlling
   * side may nominate a new pair, and we must be able to follow.
   */
  protected formPair(host: LocalCandidate, remote: Candidate, fromPeer = false): CandidatePair | undefined {
    if (remote.component !== host.component || remote.transport !== 'udp') return undefined;
    if (addressFamily(remote.address) !== host.base.family) return undefined;
    if (!fromPeer && this.components[host.component - 1]!.selected?.nominated) return undefined;
    const pair = this.checklist.add(this._role, host, remote);
    if (!pair) this.drops.overLimit++;
    return pair;
  }

  /** One new check per Ta (§6.1.4.2); the first goes out at once. */
  protected sendPacedCheck(now: number): void {
    if (!this.remoteKey || now < this.lastCheckAt + this.config.timers.taMs) return;
    const pair = this.checklist.next((component) => !this.components[component - 1]!.selected);
    if (!pair) return;
    this.lastCheckAt = now;
    this.sendCheck(now, pair, 'check', pair.nominating);
  }

  protected sendCheck(now: number, pair: CandidatePair, kind: CheckTx['kind'], useCandidate: boolean): void {
    if (kind === 'check' && pair.state !== 'succeeded') pair.state = 'in-progress';
    // §7.1.1: PRIORITY is what a peer-reflexive candidate of ours on this socket would have.
    const priority = candidatePriority('prflx', localPreferenceOf(pair.local), pair.component);
    const who = { username: `${this.remoteUfrag}:${this.ufrag}`, key: this.remoteKey!, role: this._role, tieBreaker: this.tieBreaker };
    this.txs.send(now, pair, kind, useCandidate, priority, who);
  }

  protected failPair(now: number, pair: CandidatePair): void {
    pair.nominating = false;
    if (pair.state === 'succeeded') return;
    pair.state = 'failed';
    const c = this.components[pair.component - 1]!;
    if (!hasPending(this.checklist.all, c.id)) c.allFailedAt ??= now;
  }

  // ---- nomination and the selected pair (§8) -------------------------------------

  /**
   * Controlled side, §7.3.1.5: the peer nominated `pair`. It takes effect once our own check on
   * it succeeded (§7.2.5.3: consent before any data, RFC 7675); until then a triggered check is
   * first in line. Repeats are no-ops.
   */
  protected acceptNomination(now: number, c: Component, pair: CandidatePair): void {
    pair.nominated = true;
    if (pair.state === 'succeeded') this.select(now, c);
    else if (pair.state !== 'in-progress') this.checklist.trigger(pair);
  }

  /** Controlling side, regular nomination (§8.1.1): after a short wait for better pairs, USE-CANDIDATE on the best valid pair. */
  protected nominate(now: number): void {
    if (this._role !== 'controlling') return;
    for (const c of this.components) {
      const deadline = this.nominationDeadline(c);
      if (deadline === undefined || now < deadline) continue;
      const best = bestValid(this.checklist.all, this._role, c.id);
      if (!best) continue;
      best.nominating = true;
      this.checklist.trigger(best);
    }
  }

  protected nominationDeadline(c: Component): number | undefined {
    if (this._role !== 'controlling' || c.firstValidAt === undefined || c.selected?.nominated) return undefined;
    if (this.checklist.all.some((p) => p.component === c.id && p.nominating)) return undefined;
    return nominationTime(this.checklist.all, this._role, c.id, c.firstValidAt, this.config.timers);
  }

  /** The selected pair: the best nominated pair, else the best valid one (data may flow before nomination, §12). */
  protected select(now: number, c: Component): void {
    const best = bestUsable(this.checklist.all, this._role, c.id);
    if (!best) return;
    if (best.nominated) this.concludeComponent(c, best);
    if (best === c.selected) return this.announceSelected(c);
    if (c.previousSelected) {
      c.previousSelected = undefined;
      c.proven.clear();
      this.epoch++;
      for (const p of this.checklist.all) if (p.component === c.id && p.remoteAuthenticated) c.proven.add(addressKey(p.remote));
    }
    c.selected = best;
    c.lostSelection = false;
    this.epoch++;
    c.consent = freshConsent(now, this.config.timers, this.config.random);
    this.announceSelected(c);
  }

  /** Emits `selected-pair` when the pair, or what we know of its candidates (valid local, signalled remote), changed. */
  protected announceSelected(c: Component): void {
    const p = c.selected;
    if (!p) return;
    const local = p.validLocal ?? p.local;
    if (c.announced?.pair === p && c.announced.local === local && c.announced.remote === p.remote) return;
    c.announced = { pair: p, local, remote: p.remote };
    this.out.events.push({ type: 'selected-pair', component: c.id, pair: pairInfo(this._role, p) });
  }

  /**
   * The selected pair stopped answering consent checks (it would be `disconnected`): if another
   * pair of the component proved itself, move there and retire the silent one. This is also how
   * the controlled side follows a controlling peer that nominated a new pair after losing a socket.
   */
  protected failover(now: number, c: Component): void {
    const current = c.selected;
    if (!current || !consentSilent(c.consent, now, this.config.timers)) return;
    const alternative = this.checklist.all.some((p) => p !== current && p.component === c.id && p.state !== 'failed' && isUsable(p));
    if (!alternative) return;
    current.state = 'failed';
    current.nominated = false;
    this.txs.cancel((t) => t.pair === current);
    c.selected = undefined;
    c.consent = undefined;
    this.epoch++;
    this.select(now, c);
  }

  /** §8.1.2: with a nominated pair, the component's frozen and waiting pairs are dropped and others stop retransmitting. */
  protected concludeComponent(c: Component, nominated: CandidatePair): void {
    this.checklist.dropPending(c.id, nominated);
    this.txs.cancel((t) => {
      const other = t.kind === 'check' && t.pair.component === c.id && t.pair !== nominated;
      if (other) t.pair.state = 'failed';
      return other;
    });
    for (const p of this.checklist.all) {
      if (p.component === c.id && p !== nominated && p.state !== 'succeeded') this.checklist.remove(p);
    }
  }

  // ---- consent freshness (RFC 7675) ----------------------------------------------

  /** Sends due consent checks on the selected pairs; consent expires without responses (§5.1). */
  protected runConsent(now: number): void {
    const { timers } = this.config;
    for (const c of this.components) {
      if (!c.selected && c.previousSelected && now >= (c.previousConsentAt ?? now) + timers.consentTimeoutMs) {
        c.previousSelected = undefined;
        this.epoch++;
      }
      const consent = c.consent;
      if (!consent || consent.lost || !c.selected || !this.remoteKey) continue;
      if (now - consent.lastResponseAt >= timers.consentTimeoutMs) {
        consent.lost = true;
        this.epoch++;
        // RFC 7675 §5.1: once consent expires we stop sending on the pair, consent retransmissions included.
        this.txs.cancel((t) => t.kind === 'consent' && t.pair.component === c.id);
        continue;
      }
      if (now >= consent.nextCheckAt) {
        this.sendCheck(now, c.selected, 'consent', c.selected.nominated && this._role === 'controlling');
        consent.pendingSince ??= now;
        consent.nextCheckAt = nextConsentAt(now, this.config.timers, this.config.random);
      }
    }
  }

  // ---- states and helpers --------------------------------------------------------

  /** What follows any input: nominate if due, send a check if a Ta slot is free, publish state changes. */
  protected afterInput(now: number, reason: string): void {
    this.nominate(now);
    this.sendPacedCheck(now);
    this.updateStates(now, reason);
  }

  /** Recomputes each component's state and the aggregate iceState; emits what changed. */
  protected updateStates(now: number, reason: string): void {
    if (this.closed) return;
    this.tracePairs();
    let changed = '';
    for (const c of this.components) {
      // failed is terminal until an ICE restart (W3C RTCIceTransportState): late candidates do not revive it.
      if (c.state === 'failed') continue;
      this.failover(now, c);
      const pending = this.checklist.all.filter((p) => p.component === c.id && p.state !== 'succeeded' && p.state !== 'failed').length;
      const pairs = this.checklist.all.filter((p) => p.component === c.id).length;
      if (pending === 0 && (pairs > 0 || (this.remoteEnded && this.remoteKey))) c.allFailedAt ??= now;
      const state = componentState(c, {
        canCheck: this.remoteKey !== undefined,
        pairs,
        pending,
        remoteEnded: this.remoteEnded,
        graceExpired: c.allFailedAt !== undefined && now >= this.graceEnd(c),
        gatheringComplete: this.gatherer.state === 'complete',
        consentSilent: consentSilent(c.consent, now, this.config.timers),
      });
      if (state === c.state) continue;
      c.state = state;
      changed = `component ${c.id} ${state}`;
      this.out.events.push({ type: 'component-state', component: c.id, state });
    }
    if (!changed) return;
    const target = aggregateIceState(this.components.map((c) => c.state), false);
    for (const change of this.machine.moveTo(target, `${changed} (${reason})`)) this.out.events.push({ type: 'state', ...change });
  }

  /** Publishes a `pair` trace event for every pair formed or changed since the last input. */
  private tracePairs(): void {
    for (const p of this.checklist.all) {
      const key = p.nominated ? `${p.state}+` : p.state;
      if (p.reported === key) continue;
      p.reported = key;
      this.out.events.push({ type: 'pair', pair: pairInfo(this._role, p) });
    }
  }

  protected graceEnd(c: Component): number {
    return Math.max(c.allFailedAt ?? 0, this.lastRemoteCandidateAt) + this.config.timers.trickleGraceMs;
  }

  protected switchRole(role: IceRole, reason: string): void {
    this._role = role;
    this.checklist.reprioritise(role);
    for (const p of this.checklist.all) p.nominating = false;
    this.out.events.push({ type: 'role', role, reason });
  }

  protected replaceRemote(old: Candidate, next: Candidate): void {
    this.remote.replace(old, next);
    for (const p of this.checklist.all) {
      if (p.remote === old) p.remote = next;
    }
    this.checklist.reprioritise(this._role);
    for (const c of this.components) this.announceSelected(c);
  }

  protected component(id: number): Component {
    const c = this.components[id - 1];
    if (!c) throw new IceError('ERR_INVALID_ARGUMENT', `component ${id} is not in 1..${this.components.length}`);
    return c;
  }

  protected assertOpen(): void {
    if (this.closed) throw new IceError('ERR_CLOSED', 'the agent is closed');
  }
}
