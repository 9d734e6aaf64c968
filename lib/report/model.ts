/** Record -> ReportModel: groups entries per agent, pairs and transactions, and counts. */
import { checkEntry } from './entry-guards.js';
import type { AgentView, CheckView, MarkView, PairView, ReportModel } from './model-types.js';
import type { AgentMeta, CandidateRecord, IceRecord, KnownEntry, PairRecord } from './record.js';
import { agentStats, linkServers, sortPairs } from './model-finish.js';
import { hostPort } from './format.js';
import { durationLabel } from './scale.js';

type Entry<T extends KnownEntry['type']> = Extract<KnownEntry, { type: T }>;

/** An agent's view while building: its stats are counted once, in finish. */
type ViewInProgress = Omit<AgentView, 'stats'>;

/** Per agent while building: the view plus lookup tables. */
interface Builder {
  readonly view: ViewInProgress;
  readonly pairs: Map<number, PairView>;
  readonly checks: Map<string, CheckView>;
  components: Set<number>;
}

export function buildModel(record: IceRecord): ReportModel {
  const builders = new Map<string, Builder>();
  for (const meta of record.agents) if (!builders.has(meta.label)) builders.set(meta.label, newBuilder(meta));
  const unknownTypes = new Map<string, number>();
  const runMarks: MarkView[] = [];
  const times: number[] = [];
  // A loop, not Math.max(...times): spreading a long record (>~120k entries) overflows the stack.
  let durationMs = record.durationMs;
  let malformed = 0;
  for (const raw of record.entries) {
    const r = checkEntry(raw);
    if (!r.ok) {
      if (r.why === 'unknown') unknownTypes.set(r.type, (unknownTypes.get(r.type) ?? 0) + 1);
      else malformed++;
      continue;
    }
    const e = r.entry;
    times.push(e.t);
    if (e.t > durationMs) durationMs = e.t;
    if (e.agent === undefined && e.type === 'note') runMarks.push({ t: e.t, kind: 'note', text: e.text });
    else apply(builderFor(builders, e.agent ?? '(none)'), e);
  }
  const agents = [...builders.values()].map(finish);
  return { record, durationMs, agents, runMarks, times, unknownTypes, malformed };
}

function newBuilder(meta: AgentMeta): Builder {
  const view: ViewInProgress = {
    meta, components: [], candidates: [], stun: [], iceStates: [], componentStates: new Map(), selected: [], pairs: [],
    drops: [], marks: [], changes: [],
  };
  const components = new Set<number>();
  for (let c = 1; c <= (meta.components ?? 0); c++) components.add(c);
  return { view, pairs: new Map(), checks: new Map(), components };
}

function builderFor(builders: Map<string, Builder>, label: string): Builder {
  let b = builders.get(label);
  if (!b) builders.set(label, (b = newBuilder({ label })));
  return b;
}

function apply(b: Builder, e: KnownEntry): void {
  const v = b.view;
  switch (e.type) {
    case 'candidate':
      b.components.add(e.candidate.component);
      return void v.candidates.push({ t: e.t, candidate: e.candidate, server: undefined });
    case 'stun-result':
      return void v.stun.push({ t: e.t, server: e.server, base: e.base, ...(e.mapped && { mapped: e.mapped }), ...(e.error !== undefined && { error: e.error }) });
    case 'state':
      change(v, e.t, 'icestate', 'iceState', `${e.previous} -> ${e.state}`, e.reason);
      return void v.iceStates.push({ t: e.t, state: e.state, previous: e.previous, reason: e.reason });
    case 'component-state': {
      b.components.add(e.component);
      const lane = componentLane(v, e.component);
      change(v, e.t, `component-${e.component}`, `component ${e.component}`, `${lane[lane.length - 1]?.state ?? 'starting'} -> ${e.state}`, e.reason ?? '');
      return void lane.push({ t: e.t, state: e.state });
    }
    case 'selected-pair':
      v.selected.push({ t: e.t, component: e.component, pair: e.pair });
      change(v, e.t, `selected-${e.component}`, `selected pair c${e.component}`, `#${e.pair.id} ${hostPort(e.pair.local)} -> ${hostPort(e.pair.remote)}`,
        e.pair.rttMs !== undefined ? `rtt ${durationLabel(e.pair.rttMs)}` : '');
      return void updatePair(b, e.t, e.pair).selectedAt.push(e.t);
    case 'pair':
      return void updatePair(b, e.t, e.pair);
    case 'pair-removed': {
      // Its lane ends here: pruned after a nomination (§8.1.2), a restart, or a lost socket.
      const view = pairView(b, e.t, e.pairId, e.component);
      view.removedAt = e.t;
      return void view.states.push({ t: e.t, state: 'removed', nominated: false });
    }
    case 'check-sent':
      return onCheckSent(b, e);
    case 'check-result':
      return onCheckResult(b, e);
    case 'drops':
      return onDrops(v, e);
    case 'gathering':
      change(v, e.t, 'gathering', 'gathering', e.state, '');
      return void v.marks.push({ t: e.t, kind: 'gathering', text: e.state === 'gathering' ? 'gathering started' : `gathering ${e.state}` });
    case 'role':
      change(v, e.t, 'role', 'role', e.role, e.reason);
      return void v.marks.push({ t: e.t, kind: 'role', text: `role ${e.role} (${e.reason})` });
    case 'restart': {
      const by = e.by === 'local' ? 'this agent' : e.by;
      change(v, e.t, 'restart', 'ICE restart', `new ufrag ${e.ufrag}`, `by ${by}`);
      return void v.marks.push({ t: e.t, kind: 'restart', text: `ICE restart (by ${by}), ufrag ${e.ufrag}` });
    }
    case 'warning':
      return void v.marks.push({ t: e.t, kind: 'warning', text: `${e.code}: ${e.message}` });
    case 'note':
      return void v.marks.push({ t: e.t, kind: 'note', text: e.text });
  }
}

function change(v: ViewInProgress, t: number, kind: string, what: string, text: string, reason: string): void {
  v.changes.push({ t, kind, what, change: text, reason });
}

function componentLane(v: ViewInProgress, component: number): { t: number; state: string }[] {
  let lane = v.componentStates.get(component);
  if (!lane) v.componentStates.set(component, (lane = []));
  return lane;
}

function updatePair(b: Builder, t: number, p: PairRecord): PairView {
  b.components.add(p.component);
  const view = pairView(b, t, p.id, p.component);
  view.local = p.local;
  view.remote = p.remote;
  view.priority = BigInt(p.priority);
  view.known = true;
  if (p.rttMs !== undefined) view.rttMs = p.rttMs;
  const last = view.states[view.states.length - 1];
  if (!last || last.state !== p.state || last.nominated !== p.nominated) view.states.push({ t, state: p.state, nominated: p.nominated });
  if (p.nominated && view.nominatedAt === undefined) view.nominatedAt = t;
  return view;
}

const UNKNOWN_CANDIDATE: CandidateRecord = { foundation: '?', component: 0, transport: 'udp', priority: 0, address: '?', port: 0, type: '?' };

function pairView(b: Builder, t: number, id: number, component: number): PairView {
  let view = b.pairs.get(id);
  if (!view) {
    view = {
      id, component, local: UNKNOWN_CANDIDATE, remote: UNKNOWN_CANDIDATE, priority: 0n, rttMs: undefined, formedAt: t,
      states: [], checks: [], selectedAt: [], nominatedAt: undefined, removedAt: undefined, known: false,
    };
    b.pairs.set(id, view);
  }
  return view;
}

function checkView(b: Builder, e: Entry<'check-sent'> | Entry<'check-result'>, useCandidate: boolean, triggered?: boolean): CheckView {
  let c = b.checks.get(e.transactionId);
  if (!c) {
    c = { transactionId: e.transactionId, kind: e.kind, useCandidate, triggered, sends: [], result: undefined };
    b.checks.set(e.transactionId, c);
    pairView(b, e.t, e.pairId, e.component).checks.push(c);
  }
  return c;
}

function onCheckSent(b: Builder, e: Entry<'check-sent'>): void {
  checkView(b, e, e.useCandidate, e.triggered).sends.push({ t: e.t, attempt: e.attempt });
}

function onCheckResult(b: Builder, e: Entry<'check-result'>): void {
  const c = checkView(b, e, false);
  c.result = { t: e.t, outcome: e.outcome, ...(e.code !== undefined && { code: e.code }), ...(e.rttMs !== undefined && { rttMs: e.rttMs }) };
  const pair = b.pairs.get(e.pairId);
  if (pair && e.rttMs !== undefined) pair.rttMs = e.rttMs;
}

function onDrops(v: ViewInProgress, e: Entry<'drops'>): void {
  const previous = v.drops[v.drops.length - 1]?.counters ?? {};
  const delta: Record<string, number> = {};
  for (const [name, n] of Object.entries(e.counters)) if (n > (previous[name] ?? 0)) delta[name] = n - (previous[name] ?? 0);
  if (Object.keys(delta).length > 0) v.drops.push({ t: e.t, counters: e.counters, delta });
}

function finish(b: Builder): AgentView {
  const pairs = sortPairs([...b.pairs.values()]);
  const candidates = linkServers(b.view.candidates, b.view.stun);
  const components = [...b.components].sort((x, y) => x - y);
  const stats = agentStats(b.view.iceStates, pairs, b.view.drops, b.view.meta.initialState);
  return { ...b.view, pairs, candidates, components, stats };
}
