/** The agent-level lanes: iceState, component states, candidates, STUN, selected pair, drops, other events. */
import { candidateText, clip, hostPort, priorityParts, relatedText } from './format.js';
import { LabelRows, rowText, stateBand, type Lane, type StateSpan } from './lane-layout.js';
import { el, frag } from './markup.js';
import type { AgentView, StateChange } from './model-types.js';
import { msLabel, type TimeScale } from './scale.js';
import { marker, shape, type ShapeName } from './svg-shapes.js';

export interface LaneContext {
  readonly scale: TimeScale;
  readonly endMs: number;
}

const right = (ctx: LaneContext): number => ctx.scale.left + ctx.scale.width;

/** Label rows for a lane whose markers (half-size about 4) sit on row 0 at these times. */
function rowsFor(ctx: LaneContext, rows: number, times: readonly number[]): LabelRows {
  const r = new LabelRows(rows, ctx.scale.left, right(ctx));
  for (const t of times) r.block(ctx.scale.x(t), 3);
  return r;
}

function spansOf(what: string, initial: string, changes: readonly StateChange[]): StateSpan[] {
  const spans: StateSpan[] = [];
  if (changes[0] === undefined || changes[0].t > 0) spans.push({ t: 0, state: initial, title: `${what}: ${initial} at start` });
  for (const c of changes) {
    const from = c.previous !== undefined ? `${c.previous} -> ` : '';
    spans.push({ t: c.t, state: c.state, title: `${what}: ${from}${c.state} at ${msLabel(c.t)}${c.reason ? ` (${c.reason})` : ''}` });
  }
  return spans;
}

/** iceState with the reason of each change written under it (where there is room; always in the hover title). */
export function iceStateLane(ctx: LaneContext, a: AgentView): Lane {
  const spans = spansOf('iceState', a.meta.initialState ?? 'starting', a.iceStates);
  const rows = new LabelRows(2, ctx.scale.left, right(ctx));
  const reasons = a.iceStates.map((s) => rowText(rows, ctx.scale.x(s.t) + 2, 26, 9, clip(`${s.state}: ${s.reason ?? ''}`, 60), 'lbl reason', 'from'));
  return {
    height: 38, label: ['iceState', 'with the reason of each change'], labelTitle: 'the agent-wide state and why it changed',
    body: frag(stateBand(ctx.scale, spans, ctx.endMs, 4, 13), reasons), cls: 'lane-state', data: { lane: 'icestate' },
  };
}

export function componentLane(ctx: LaneContext, a: AgentView, component: number): Lane {
  const spans = spansOf(`component ${component}`, 'starting', a.componentStates.get(component) ?? []);
  return { height: 20, label: [`component ${component}`], body: stateBand(ctx.scale, spans, ctx.endMs, 4, 13), cls: 'lane-state', data: { lane: `component-${component}` } };
}

const CANDIDATE_SHAPE: Readonly<Record<string, ShapeName>> = { host: 'square', srflx: 'diamond', prflx: 'up', relay: 'circle' };

export function candidatesLane(ctx: LaneContext, a: AgentView, component: number): Lane {
  const mine = a.candidates.filter((c) => c.candidate.component === component);
  const rows = rowsFor(ctx, 2, mine.map((c) => c.t));
  const parts = mine.map((cv) => {
    const c = cv.candidate;
    const x = ctx.scale.x(cv.t);
    const related = relatedText(c);
    const title = [
      `${msLabel(cv.t)}: local candidate ${candidateText(c)}`,
      `component ${c.component}, priority ${c.priority} (${priorityParts(c.priority)}), foundation ${c.foundation}`,
      related !== '' ? `related address ${related}` : '',
      cv.server ? `from STUN server ${hostPort(cv.server)}` : '',
    ].filter((l) => l !== '').join('\n');
    return marker(title, { candidate: `${c.type} ${hostPort(c)}`, component: c.component },
      shape(CANDIDATE_SHAPE[c.type] ?? 'cross', x, 9, 4, `cand c-${CANDIDATE_SHAPE[c.type] ? c.type : 'other'}`),
      rowText(rows, x, 12, 10, clip(`${c.type} ${hostPort(c)}`, 40)) ?? frag());
  });
  return { height: 26, label: [`candidates c${component}`], labelTitle: 'local candidates as gathered', body: frag(parts), cls: 'lane-cand', data: { lane: `candidates-${component}` } };
}

export function stunLane(ctx: LaneContext, a: AgentView): Lane | undefined {
  if (a.stun.length === 0) return undefined;
  const rows = rowsFor(ctx, 2, a.stun.map((s) => s.t));
  const parts = a.stun.map((s) => {
    const x = ctx.scale.x(s.t);
    const ok = s.mapped !== undefined;
    const what = ok ? `mapped ${hostPort(s.mapped!)}` : `failed: ${s.error ?? 'no answer'}`;
    return marker(`${msLabel(s.t)}: STUN server ${hostPort(s.server)} asked from ${hostPort(s.base)}: ${what}`, { stun: hostPort(s.server), outcome: ok ? 'success' : 'failure' },
      shape(ok ? 'circle' : 'cross', x, 9, 3.5, ok ? 'res ok' : 'res bad'),
      rowText(rows, x, 12, 10, clip(`${hostPort(s.server)}: ${ok ? 'ok' : s.error ?? 'no answer'}`, 44)) ?? frag());
  });
  return { height: 26, label: ['STUN servers'], labelTitle: 'answers of STUN servers while gathering (the time the request left is not traced yet)', body: frag(parts), cls: 'lane-stun', data: { lane: 'stun' } };
}

export function selectedLane(ctx: LaneContext, a: AgentView, component: number): Lane {
  const changes = a.selected.filter((s) => s.component === component);
  const rows = rowsFor(ctx, 1, changes.map((s) => s.t));
  const parts = changes.map((s) => {
    const x = ctx.scale.x(s.t);
    const p = s.pair;
    const title = `${msLabel(s.t)}: selected pair #${p.id} (component ${component}): ${candidateText(p.local)} -> ${candidateText(p.remote)}${p.rttMs !== undefined ? `, rtt ${p.rttMs.toFixed(2)} ms` : ''}`;
    return marker(title, { selected: p.id, component }, shape('star', x, 9, 4, 'sel'), rowText(rows, x, 12, 10, `#${p.id} ${p.local.type}->${p.remote.type}`) ?? frag());
  });
  const body = parts.length > 0 ? frag(parts) : el('text', { x: ctx.scale.left + 4, y: 13, class: 'none' }, 'no pair selected');
  return { height: 20, label: [`selected c${component}`], body, cls: 'lane-sel', data: { lane: `selected-${component}` } };
}

/** Only when something was dropped (the summary says `dropped 0` otherwise). */
export function dropsLane(ctx: LaneContext, a: AgentView): Lane | undefined {
  if (a.drops.length === 0) return undefined;
  const rows = rowsFor(ctx, 2, a.drops.map((d) => d.t));
  const parts = a.drops.map((d) => {
    const x = ctx.scale.x(d.t);
    const what = Object.entries(d.delta).map(([name, n]) => `+${n} ${name}`).join(', ');
    const totals = Object.entries(d.counters).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n}`).join(', ');
    return marker(`${msLabel(d.t)}: dropped ${what} (totals: ${totals})`, { drops: what }, shape('xsquare', x, 9, 3.5, 'drop'), rowText(rows, x, 12, 10, clip(what, 40)) ?? frag());
  });
  return { height: 26, label: ['drops'], labelTitle: 'datagrams the agent dropped, by reason (sampled when the counters changed)', body: frag(parts), cls: 'lane-drops', data: { lane: 'drops' } };
}

const MARK_SHAPE: Readonly<Record<string, ShapeName>> = { gathering: 'circle', role: 'diamond', restart: 'down', warning: 'bang', note: 'flag' };

export function eventsLane(ctx: LaneContext, a: AgentView, runMarks: AgentView['marks']): Lane | undefined {
  const marks = [...a.marks, ...runMarks].sort((x, y) => x.t - y.t);
  if (marks.length === 0) return undefined;
  const rows = rowsFor(ctx, 2, marks.map((m) => m.t));
  const parts = marks.map((m) => {
    const x = ctx.scale.x(m.t);
    return marker(`${msLabel(m.t)}: ${m.kind}: ${m.text}`, { mark: m.kind }, shape(MARK_SHAPE[m.kind] ?? 'circle', x, 9, 3.5, `ev ev-${m.kind}`), rowText(rows, x, 12, 10, clip(m.text, 48)) ?? frag());
  });
  return { height: 26, label: ['events'], labelTitle: 'gathering, role changes, ICE restarts, warnings and notes', body: frag(parts), cls: 'lane-ev', data: { lane: 'events' } };
}
