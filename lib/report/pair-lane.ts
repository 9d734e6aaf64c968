/**
 * One lane per candidate pair: its state over time (band on top) and every
 * transaction on it (requests above the line, answers below, joined by a line).
 */
import { candidateText, clip, hostPort } from './format.js';
import { LabelRows, stateBand, type Lane, type StateSpan } from './lane-layout.js';
import { el, frag, type Markup } from './markup.js';
import type { CheckView, PairView } from './model-types.js';
import { durationLabel, msLabel } from './scale.js';
import { marker, shape } from './svg-shapes.js';
import type { LaneContext } from './lanes.js';

const BAND_Y = 3;
const BAND_H = 12;
const LINE_Y = 28;
const HEIGHT = 44;

export function pairLane(ctx: LaneContext, p: PairView): Lane {
  const spans: StateSpan[] = p.states.map((s) => ({
    t: s.t, state: s.state, title: `pair #${p.id}: ${s.state}${s.nominated ? ', nominated' : ''} at ${msLabel(s.t)}`,
  }));
  const below = new LabelRows(1, ctx.scale.left, ctx.scale.left + ctx.scale.width);
  const body = frag(
    el('line', { x1: ctx.scale.x(p.formedAt), x2: ctx.scale.x(p.removedAt ?? ctx.endMs), y1: LINE_Y, y2: LINE_Y, class: 'axisline' }),
    spans.length > 0 ? stateBand(ctx.scale, spans, ctx.endMs, BAND_Y, BAND_H) : frag(),
    p.checks.map((c) => transaction(ctx, p, c, below)),
    p.nominatedAt !== undefined && marker(`pair #${p.id} nominated at ${msLabel(p.nominatedAt)}`, { nominated: p.id }, shape('flag', ctx.scale.x(p.nominatedAt), LINE_Y - 10, 3, 'nom')),
    p.selectedAt.map((t) => marker(`pair #${p.id} selected at ${msLabel(t)}`, { 'selected-at': t }, shape('star', ctx.scale.x(t), BAND_Y + BAND_H + 4, 3.5, 'sel'))),
  );
  const flags = [p.selectedAt.length > 0 ? 'selected' : '', p.nominatedAt !== undefined ? 'nominated' : '', p.rttMs !== undefined ? `rtt ${durationLabel(p.rttMs)}` : ''].filter((f) => f !== '');
  const alert = unanswered(p);
  return {
    height: HEIGHT,
    ...(alert !== '' && { alert }),
    label: [`#${p.id} c${p.component} ${p.local.type} -> ${p.remote.type}`, clip(`${hostPort(p.local)} -> ${hostPort(p.remote)}`, 44), flags.join(', ')],
    labelTitle: `pair #${p.id}, component ${p.component}\nlocal  ${candidateText(p.local)} (priority ${p.local.priority})\nremote ${candidateText(p.remote)} (priority ${p.remote.priority})\npair priority ${p.priority}${p.known ? '' : '\n(pair details were not recorded)'}`,
    body,
    cls: 'lane-pair',
    data: { pair: p.id, component: p.component, local: hostPort(p.local), remote: hostPort(p.remote) },
  };
}

function transaction(ctx: LaneContext, p: PairView, c: CheckView, below: LabelRows): Markup {
  const x = ctx.scale.x;
  const consent = c.kind === 'consent';
  const first = c.sends[0];
  const r = c.result;
  const startT = first?.t ?? r?.t ?? 0;
  const endT = r?.t ?? ctx.endMs;
  const what = `${consent ? 'consent check' : 'check'} ${c.transactionId}${c.useCandidate ? ' with USE-CANDIDATE' : ''}${c.triggered ? ' (triggered)' : ''}`;
  const outcome = r === undefined ? 'no answer by the end of the recording' : resultText(r.outcome, r.code, r.rttMs);
  const parts: (Markup | false | undefined)[] = [
    el('line', { x1: x(startT), x2: x(endT), y1: LINE_Y, y2: LINE_Y, class: `span-tx ${r ? `o-${outcomeClass(r.outcome)}` : 'o-open'}` }),
  ];
  for (const s of c.sends) {
    const cls = `req${c.useCandidate ? ' use' : ''}${consent ? ' consent' : ''}${s.attempt > 1 ? ' rtx' : ''}`;
    const label = `${s.attempt > 1 ? `${s.attempt}` : ''}${c.triggered ? 'T' : ''}`;
    parts.push(
      marker(`${msLabel(s.t)}: ${what}, ${s.attempt > 1 ? `retransmission (attempt ${s.attempt})` : 'sent'}\n${outcome}`,
        { tx: c.transactionId, attempt: s.attempt, kind: c.kind, pair: p.id },
        shape(consent ? 'diamond' : 'up', x(s.t), LINE_Y - 5, consent ? 3 : 3.6, cls),
        label !== '' ? el('text', { x: x(s.t), y: LINE_Y - 11, class: 'att', 'text-anchor': 'middle' }, label) : frag()),
    );
  }
  if (r) parts.push(resultMarker(x(r.t), r, what, c, p, below));
  return frag(parts);
}

function resultMarker(at: number, r: NonNullable<CheckView['result']>, what: string, c: CheckView, p: PairView, rows: LabelRows): Markup {
  const o = outcomeClass(r.outcome);
  const glyph = o === 'success' ? shape('circle', at, LINE_Y + 5, 3.2, 'res ok') : o === 'error' ? shape('cross', at, LINE_Y + 5, 3.2, 'res bad') : shape('xsquare', at, LINE_Y + 5, 3.2, 'res timeout');
  const short = o === 'success' ? (r.rttMs !== undefined ? durationLabel(r.rttMs) : 'ok') : o === 'error' ? `${r.code ?? 'error'}` : o === 'timeout' ? 'timeout' : r.outcome;
  const placed = rows.place(at, short);
  return marker(`${msLabel(r.t)}: ${what}: ${resultText(r.outcome, r.code, r.rttMs)}`, { result: o, tx: c.transactionId, pair: p.id },
    glyph,
    placed ? el('text', { x: placed.x, y: LINE_Y + 13, class: `lbl o-${o}`, 'text-anchor': placed.anchor }, short) : frag());
}

/** `NO ANSWER (3 sent)` when checks left and nothing came back: the first thing to see in a failed run. */
function unanswered(p: PairView): string {
  if (p.checks.some((c) => c.result?.outcome === 'success' || c.result?.outcome === 'error')) return '';
  const sent = p.checks.reduce((n, c) => n + c.sends.length, 0);
  return sent === 0 ? '' : `NO ANSWER (${sent} sent)`;
}

function outcomeClass(outcome: string): 'success' | 'error' | 'timeout' | 'other' {
  return outcome === 'success' || outcome === 'error' || outcome === 'timeout' ? outcome : 'other';
}

function resultText(outcome: string, code: number | undefined, rttMs: number | undefined): string {
  if (outcome === 'success') return `success response${rttMs !== undefined ? `, rtt ${durationLabel(rttMs)}` : ''}`;
  if (outcome === 'error') return `error response${code !== undefined ? ` ${code}` : ''}`;
  if (outcome === 'timeout') return 'timed out: no answer to any attempt';
  return outcome;
}
