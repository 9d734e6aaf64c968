/** Last steps of building the model: ordering, linking and counting. */
import type { AgentStats, CandidateView, DropView, PairView, StateChange, StunView } from './model-types.js';

/** Lanes in checklist order: component, then pair priority, highest first (RFC 8445 §6.1.2.3). */
export function sortPairs(pairs: PairView[]): PairView[] {
  return pairs.sort((a, b) => a.component - b.component || (a.priority === b.priority ? a.id - b.id : a.priority > b.priority ? -1 : 1));
}

/** A server-reflexive candidate came from the STUN answer that mapped its related (base) address to it. */
export function linkServers(candidates: CandidateView[], stun: readonly StunView[]): CandidateView[] {
  for (const c of candidates) {
    if (c.candidate.type !== 'srflx') continue;
    const base = c.candidate.base ?? (c.candidate.relatedAddress !== undefined ? { address: c.candidate.relatedAddress, port: c.candidate.relatedPort ?? 0 } : undefined);
    const answer = stun.find(
      (s) => s.mapped?.address === c.candidate.address && s.mapped.port === c.candidate.port &&
        (base === undefined || (s.base.address === base.address && s.base.port === base.port)),
    );
    if (answer) c.server = answer.server;
  }
  return candidates;
}

export function agentStats(states: readonly StateChange[] | undefined, pairs: readonly PairView[], drops: readonly DropView[], initial = 'starting'): AgentStats {
  const s: AgentStats = {
    checks: 0, retransmissions: 0, answers: 0, errors: 0, timeouts: 0, consentChecks: 0, consentAnswers: 0, consentTimeouts: 0,
    dropped: 0, connectedAt: undefined, completedAt: undefined, finalState: states?.[states.length - 1]?.state ?? initial, stateBeforeClose: undefined,
  };
  for (const c of pairs.flatMap((p) => p.checks)) {
    const consent = c.kind === 'consent';
    const firsts = c.sends.filter((x) => x.attempt <= 1).length;
    if (consent) s.consentChecks += firsts;
    else s.checks += firsts;
    s.retransmissions += c.sends.length - firsts;
    const outcome = c.result?.outcome;
    if (outcome === 'success') consent ? s.consentAnswers++ : s.answers++;
    else if (outcome === 'timeout') consent ? s.consentTimeouts++ : s.timeouts++;
    else if (outcome === 'error') s.errors++;
  }
  for (const d of drops) for (const n of Object.values(d.delta)) s.dropped += n;
  for (const st of states ?? []) {
    if (st.state === 'connected') s.connectedAt ??= st.t;
    if (st.state === 'completed') s.completedAt ??= st.t;
    if (st.state === 'closed' && st.previous !== undefined) s.stateBeforeClose = st.previous;
  }
  return s;
}

/** `checking, then closed`: a closed agent is described by what it had reached. */
export function finalStateText(s: AgentStats): string {
  return s.finalState === 'closed' && s.stateBeforeClose !== undefined ? `${s.stateBeforeClose}, then closed` : s.finalState;
}
