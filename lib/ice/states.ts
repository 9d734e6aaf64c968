import type { Component } from './component.js';
import { componentReason, componentState, type ComponentFacts } from './component-state.js';
import type { CoreContext } from './context.js';
import type { IceState } from './ice-state.js';
import { pairInfo } from './pair.js';
import { IceStateMachine, aggregateIceState } from './state-aggregator.js';

/** Derives each component's state and the aggregate iceState from the facts, and publishes changes. */
export class StateTracker {
  private readonly machine = new IceStateMachine();

  constructor(private readonly ctx: CoreContext) {}

  get state(): IceState {
    return this.machine.state;
  }

  /** Moves iceState (restart, close), publishing every step. */
  moveTo(state: IceState, reason: string): void {
    for (const change of this.machine.moveTo(state, reason)) this.ctx.out.events.push({ type: 'state', ...change });
  }

  /** Recomputes each component's state and the aggregate iceState; emits what changed. */
  update(now: number, reason: string): void {
    if (this.ctx.closed) return;
    this.tracePairs();
    let changed = '';
    for (const c of this.ctx.components) {
      // failed is terminal until an ICE restart (W3C RTCIceTransportState): late candidates do not revive it.
      if (c.state === 'failed') continue;
      c.failover(now);
      const facts = this.facts(now, c);
      const state = componentState(facts);
      if (state === c.state) continue;
      c.state = state;
      changed = `component ${c.id} ${state}`;
      this.ctx.out.events.push({ type: 'component-state', component: c.id, state, reason: componentReason(state, facts) });
    }
    if (changed) this.moveTo(aggregateIceState(this.ctx.components.map((c) => c.state), false), `${changed} (${reason})`);
  }

  /** When a component gives up waiting for more candidates (the trickle grace). */
  graceEnd(c: Component): number {
    return Math.max(c.allFailedAt ?? 0, this.ctx.lastRemoteCandidateAt) + this.ctx.config.timers.trickleGraceMs;
  }

  /** Reports the grace deadlines still ahead to `at`. */
  deadlines(at: (t: number | undefined) => void): void {
    for (const c of this.ctx.components) if (!c.selected && c.allFailedAt !== undefined && c.state !== 'failed') at(this.graceEnd(c));
  }

  private facts(now: number, c: Component): ComponentFacts {
    const { checklist, credentials, remoteEnded, gatherer, config } = this.ctx;
    let pairs = 0;
    let pending = 0;
    let peerChecked = false;
    for (const p of checklist.all) {
      if (p.component !== c.id) continue;
      pairs++;
      if (p.state !== 'succeeded' && p.state !== 'failed') pending++;
      peerChecked ||= p.remoteAuthenticated;
    }
    if (pending === 0 && (pairs > 0 || (remoteEnded && credentials.canCheck))) c.allFailedAt ??= now;
    return {
      consentLost: c.consentLost,
      selected: c.selected,
      lostSelection: c.searchingAfterLoss,
      // An ICE-lite agent never checks: the peer's first authenticated check is its start (§2.5).
      canCheck: config.lite ? peerChecked : credentials.canCheck,
      pairs,
      pending,
      remoteEnded,
      graceExpired: c.allFailedAt !== undefined && now >= this.graceEnd(c),
      gatheringComplete: gatherer.state === 'complete',
      consentSilent: c.silent(now),
      finishesOnNomination: config.lite,
    };
  }

  /** Publishes a `pair` trace event for every pair formed or changed since the last input, and `pair-removed` for those gone. */
  private tracePairs(): void {
    const { checklist, out } = this.ctx;
    for (const p of checklist.all) {
      const key = p.nominated ? `${p.state}+` : p.state;
      if (p.reported === key) continue;
      p.reported = key;
      out.events.push({ type: 'pair', pair: pairInfo(this.ctx.role, p) });
    }
    for (const p of checklist.takeRemoved() ?? []) {
      if (p.reported !== undefined) out.events.push({ type: 'pair-removed', pairId: p.id, component: p.component });
    }
  }
}
