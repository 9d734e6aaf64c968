/** The tables under each timeline: candidates, STUN answers, pairs, and every state change in order. */
import { candidateText, hostPort, priorityParts, relatedText } from './format.js';
import { el, type Child, type Markup } from './markup.js';
import type { AgentView, PairView } from './model-types.js';
import { durationLabel, msLabel } from './scale.js';

function table(cls: string, head: readonly string[], rows: readonly Markup[], empty: string): Markup {
  if (rows.length === 0) return el('p', { class: 'none' }, empty);
  return el('table', { class: cls }, el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))), el('tbody', {}, rows));
}

const td = (c: Child, cls?: string): Markup => el('td', cls !== undefined ? { class: cls } : {}, c);

export function candidatesTable(a: AgentView): Markup {
  const rows = a.candidates.map((cv) => {
    const c = cv.candidate;
    return el('tr', { 'data-candidate': `${c.type} ${hostPort(c)}`, 'data-component': c.component },
      td(msLabel(cv.t), 'num'), td(c.component, 'num'), td(c.type), td(c.transport), td(hostPort(c), 'mono'),
      td(`${c.priority} (${priorityParts(c.priority)})`, 'mono'), td(relatedText(c), 'mono'),
      td(c.base ? hostPort(c.base) : '', 'mono'), td(cv.server ? hostPort(cv.server) : '', 'mono'));
  });
  return table('cands', ['at', 'comp', 'type', 'proto', 'address', 'priority (type | local | comp)', 'related', 'base', 'STUN server'], rows, 'No local candidate was gathered.');
}

export function stunTable(a: AgentView): Markup | undefined {
  if (a.stun.length === 0) return undefined;
  const rows = a.stun.map((s) =>
    el('tr', { 'data-stun': hostPort(s.server) },
      td(msLabel(s.t), 'num'), td(hostPort(s.server), 'mono'), td(hostPort(s.base), 'mono'),
      td(s.mapped ? `mapped ${hostPort(s.mapped)}` : `FAILED: ${s.error ?? 'no answer'}`, s.mapped ? 'mono' : 'mono bad')));
  return table('stun', ['answered at', 'STUN server', 'asked from', 'result'], rows, '');
}

function pairCounts(p: PairView): { sent: number; rtx: number; ok: number; err: string; timeouts: number; consent: number } {
  const checks = p.checks.filter((c) => c.kind !== 'consent');
  const errors = checks.flatMap((c) => (c.result?.outcome === 'error' ? [String(c.result.code ?? '?')] : []));
  return {
    sent: checks.reduce((n, c) => n + c.sends.filter((s) => s.attempt <= 1).length, 0),
    rtx: checks.reduce((n, c) => n + c.sends.filter((s) => s.attempt > 1).length, 0),
    ok: checks.filter((c) => c.result?.outcome === 'success').length,
    err: errors.length === 0 ? '0' : `${errors.length} (${[...new Set(errors)].join(', ')})`,
    timeouts: checks.filter((c) => c.result?.outcome === 'timeout').length,
    consent: p.checks.length - checks.length,
  };
}

export function pairsTable(a: AgentView): Markup {
  const rows = a.pairs.map((p) => {
    const n = pairCounts(p);
    const history = p.states.map((s) => `${s.state}${s.nominated ? '+nominated' : ''} @${msLabel(s.t)}`).join(' -> ');
    return el('tr', { 'data-pair': p.id },
      td(`#${p.id}`, 'num'), td(p.component, 'num'), td(candidateText(p.local), 'mono'), td(candidateText(p.remote), 'mono'),
      td(p.priority.toString(), 'mono'), td(history, 'hist'), td(n.sent, 'num'), td(n.rtx, 'num'), td(n.ok, 'num'), td(n.err, 'num'),
      td(n.timeouts, 'num'), td(n.consent, 'num'), td(p.rttMs !== undefined ? durationLabel(p.rttMs) : '', 'num'),
      td(p.selectedAt.length > 0 ? `yes @${p.selectedAt.map(msLabel).join(', ')}` : ''));
  });
  return table('pairs', ['pair', 'comp', 'local', 'remote', 'priority', 'state history', 'checks', 'retx', 'answers', 'errors', 'timeouts', 'consent', 'last rtt', 'selected'], rows, 'No candidate pair was formed (no remote candidate, or none matched a local one).');
}

export function changesTable(a: AgentView): Markup {
  const rows = a.changes.map((c) =>
    el('tr', { class: 'change', 'data-kind': c.kind, 'data-t': String(c.t), 'data-change': c.change },
      td(msLabel(c.t), 'num'), td(c.what), td(c.change, c.change.endsWith('failed') ? 'mono bad' : 'mono'), td(c.reason)));
  return table('changes', ['at', 'what', 'change', 'reason'], rows, 'No state change was recorded.');
}
