import type { AgentTimers, IceRole } from './config.js';
import { rankOf, type CandidatePair } from './pair.js';

/**
 * A pair data may use: valid, that is our own check on it succeeded (RFC 8445 §7.2.5.3).
 * A peer's nomination alone never makes a pair usable: we send nothing without consent (RFC 7675).
 */
export function isUsable(p: CandidatePair): boolean {
  return p.state === 'succeeded';
}

/** The pair a component should use: the best nominated one, else the best valid one (data may flow before nomination, §12). */
export function bestUsable(pairs: readonly CandidatePair[], role: IceRole, component: number): CandidatePair | undefined {
  let best: CandidatePair | undefined;
  for (const p of pairs) {
    if (p.component !== component || !isUsable(p)) continue;
    if (!best || (p.nominated && !best.nominated) || (p.nominated === best.nominated && rankOf(role, p) > rankOf(role, best))) best = p;
  }
  return best;
}

/** The highest-ranked valid pair of a component (§7.2.5.3.2). */
export function bestValid(pairs: readonly CandidatePair[], role: IceRole, component: number): CandidatePair | undefined {
  let best: CandidatePair | undefined;
  for (const p of pairs) {
    if (p.component !== component || p.state !== 'succeeded') continue;
    if (!best || rankOf(role, p) > rankOf(role, best)) best = p;
  }
  return best;
}

/** Whether a check of the component is still to be sent or answered. */
export function hasPending(pairs: readonly CandidatePair[], component: number, except?: CandidatePair): boolean {
  return pairs.some(
    (p) => p !== except && p.component === component && (p.state === 'frozen' || p.state === 'waiting' || p.state === 'in-progress'),
  );
}

/**
 * Regular nomination (§8.1.1) on the controlling side: when the best valid pair is to be
 * nominated. It waits `nominationWaitMs` for its worse candidate type so a better pair can win,
 * unless nothing else of the component is pending.
 */
export function nominationTime(pairs: readonly CandidatePair[], role: IceRole, component: number, firstValidAt: number, timers: AgentTimers): number | undefined {
  const best = bestValid(pairs, role, component);
  if (!best) return undefined;
  const wait = Math.max(timers.nominationWaitMs[(best.validLocal ?? best.local).type], timers.nominationWaitMs[best.remote.type]);
  return hasPending(pairs, component, best) ? firstValidAt + wait : firstValidAt;
}
