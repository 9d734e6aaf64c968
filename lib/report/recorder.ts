/**
 * Records what IceAgents tell their listeners into a report record. It listens
 * to state, candidate, selection and trace events only (never to 'data'), and
 * samples the drop counters when an event is recorded, so the data path costs
 * nothing more while recording.
 */
import type { IceAgentEvents } from '../ice-agent.js';
import { monotonicClock, type Clock } from '../util/clock.js';
import { IceError } from '../util/errors.js';
import { addressRecord, candidateRecord, dropSnapshot, pairRecord, sameDrops } from './convert.js';
import { jsonSafe } from './json-safe.js';
import {
  RECORD_FORMAT, RECORD_VERSION, sanitizeOptions,
  type AgentMeta, type DropSnapshot, type IceRecord, type RecordEntry, type Verdict,
} from './record.js';

// Never 'data' (the data path stays free) nor 'error' (listening would swallow the application's own exceptions).
type RecordedEvent = Exclude<keyof IceAgentEvents, 'data' | 'endofcandidates' | 'error'>;
type Listener<K extends RecordedEvent> = (...args: IceAgentEvents[K]) => void;

/** What the recorder needs from an agent: IceAgent, or anything emitting the same events. */
export interface RecordableAgent {
  on<K extends RecordedEvent>(event: K, listener: Listener<K>): unknown;
  off<K extends RecordedEvent>(event: K, listener: Listener<K>): unknown;
  /** Drop counters (sampled, never listened to). */
  readonly drops?: object;
  readonly localParameters?: { readonly ufrag: string };
  readonly role?: string;
  readonly iceState?: string;
  readonly componentStates?: readonly string[];
}

export interface RecorderOptions {
  /** Monotonic milliseconds; default the process's monotonic clock. */
  readonly clock?: Clock;
  /** Label of the agent given to `recordAgent` (default "A", then "B"...). */
  readonly label?: string;
  readonly title?: string;
  /** Run options to show in the report (secrets are dropped by name). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Wall-clock time of t = 0 (default: now). */
  readonly startedAt?: Date | string;
  /** Bound on check and pair entries (default 100 000); state and notes keep a reserve beyond it. */
  readonly maxEntries?: number;
}

export interface AddAgentOptions {
  readonly label?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Entries that grow with the number of checks: the first to stop at the bound. */
const BULK: ReadonlySet<string> = new Set(['check-sent', 'check-result', 'pair', 'drops']);
const RESERVE = 10_000;

interface Subscription {
  readonly agent: RecordableAgent;
  readonly label: string;
  lastDrops: DropSnapshot | undefined;
  readonly unsubscribe: () => void;
}

export class Recorder {
  private readonly clock: Clock;
  private readonly t0: number;
  private readonly startedAt: string;
  private readonly maxEntries: number;
  private readonly entries: RecordEntry[] = [];
  private readonly agents: AgentMeta[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly title: string | undefined;
  private readonly options: Readonly<Record<string, unknown>> | undefined;
  private verdict: Verdict | undefined;
  private stoppedAt: number | undefined;
  private dropped = 0;
  private truncatedAt: number | undefined;

  constructor(opts: RecorderOptions = {}) {
    this.clock = opts.clock ?? monotonicClock;
    this.t0 = this.clock.now();
    const started = opts.startedAt ?? new Date();
    this.startedAt = typeof started === 'string' ? started : started.toISOString();
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.title = opts.title;
    this.options = opts.options;
  }

  /** Milliseconds since the recording started. */
  get now(): number {
    return Math.round((this.clock.now() - this.t0) * 1000) / 1000;
  }

  /** Starts recording `agent`'s events; returns its label (unique in the record). */
  add(agent: RecordableAgent, opts: AddAgentOptions = {}): string {
    if (this.stoppedAt !== undefined) throw new IceError('ERR_INVALID_STATE', 'the recorder is stopped');
    if (this.subscriptions.some((s) => s.agent === agent)) throw new IceError('ERR_INVALID_ARGUMENT', 'this agent is already recorded');
    const label = this.uniqueLabel(opts.label ?? String.fromCharCode(65 + (this.agents.length % 26)));
    this.agents.push({
      label,
      ...(agent.role !== undefined && { role: agent.role }),
      ...(agent.localParameters !== undefined && { ufrag: agent.localParameters.ufrag }),
      ...(agent.componentStates !== undefined && { components: agent.componentStates.length }),
      ...(agent.iceState !== undefined && { initialState: agent.iceState }),
      ...(opts.options !== undefined && { options: sanitizeOptions(opts.options) }),
    });
    const sub: Subscription = { agent, label, lastDrops: undefined, unsubscribe: subscribe(agent, (e) => this.onEvent(sub, e)) };
    this.subscriptions.push(sub);
    this.sampleDrops(sub);
    return label;
  }

  /** A line of text on the timeline ("timed out after 10 s"), about one agent or the run. */
  note(text: string, agentLabel?: string): void {
    this.push({ t: this.now, ...(agentLabel !== undefined && { agent: agentLabel }), type: 'note', text });
  }

  /** How the run ended; shown at the top of the report. */
  setVerdict(ok: boolean, reason: string): void {
    this.verdict = { ok, reason };
  }

  /** Unsubscribes from every agent (taking a last drop sample); the record keeps what it has. Idempotent. */
  stop(): void {
    if (this.stoppedAt !== undefined) return;
    for (const s of this.subscriptions) {
      this.sampleDrops(s);
      s.unsubscribe();
    }
    this.stoppedAt = this.now;
  }

  /** The record so far (a snapshot: plain JSON values, safe to stringify). */
  record(): IceRecord {
    if (this.stoppedAt === undefined) for (const s of this.subscriptions) this.sampleDrops(s);
    const last = this.entries.length > 0 ? this.entries[this.entries.length - 1]!.t : 0;
    return {
      format: RECORD_FORMAT,
      version: RECORD_VERSION,
      startedAt: this.startedAt,
      durationMs: Math.max(last, this.stoppedAt ?? this.now),
      run: {
        ...(this.title !== undefined && { title: this.title }),
        ...(this.options !== undefined && { options: sanitizeOptions(this.options) }),
        ...(this.verdict !== undefined && { verdict: this.verdict }),
      },
      agents: this.agents.map((a) => ({ ...a })),
      entries: [...this.entries],
      ...(this.truncatedAt !== undefined && { truncated: { atMs: this.truncatedAt, droppedEntries: this.dropped } }),
    };
  }

  private onEvent(sub: Subscription, entry: Omit<RecordEntry, 't' | 'agent'> & { type: string }): void {
    this.push({ t: this.now, agent: sub.label, ...entry });
    this.sampleDrops(sub);
  }

  private sampleDrops(sub: Subscription): void {
    const drops = sub.agent.drops as Readonly<Record<string, unknown>> | undefined;
    if (drops === undefined || sameDrops(sub.lastDrops, drops)) return;
    const snapshot = dropSnapshot(drops);
    const first = sub.lastDrops === undefined;
    sub.lastDrops = snapshot;
    // The baseline is only worth an entry when something was dropped before recording began.
    if (first && Object.values(snapshot).every((n) => n === 0)) return;
    this.push({ t: this.now, agent: sub.label, type: 'drops', counters: snapshot });
  }

  private push(entry: RecordEntry): void {
    const bound = BULK.has(entry.type) ? this.maxEntries : this.maxEntries + RESERVE;
    if (this.entries.length >= bound) {
      this.truncatedAt ??= entry.t;
      this.dropped++;
      return;
    }
    this.entries.push(entry);
  }

  private uniqueLabel(wanted: string): string {
    const taken = new Set(this.agents.map((a) => a.label));
    if (!taken.has(wanted)) return wanted;
    for (let i = 2; ; i++) if (!taken.has(`${wanted}${i}`)) return `${wanted}${i}`;
  }
}

/** Records one agent (add more with `recorder.add`). */
export function recordAgent(agent: RecordableAgent, opts: RecorderOptions = {}): Recorder {
  const recorder = new Recorder(opts);
  recorder.add(agent, opts.label !== undefined ? { label: opts.label } : {});
  return recorder;
}

type Sink = (entry: { type: string } & Record<string, unknown>) => void;

/** Subscribes the recorded events; returns the unsubscribe function. */
function subscribe(agent: RecordableAgent, sink: Sink): () => void {
  const handlers: { [K in RecordedEvent]: Listener<K> } = {
    statechange: (state, previous, reason) => sink({ type: 'state', state, previous, reason }),
    componentstatechange: (component, state, reason) => sink({ type: 'component-state', component, state, reason }),
    candidate: (candidate) => sink({ type: 'candidate', candidate: candidateRecord(candidate) }),
    gatheringstatechange: (state) => sink({ type: 'gathering', state }),
    selectedpairchange: (component, pair) => sink({ type: 'selected-pair', component, pair: pairRecord(pair) }),
    rolechange: (role, reason) => sink({ type: 'role', role, reason }),
    stunresult: (r) =>
      sink({
        type: 'stun-result', server: addressRecord(r.server), base: addressRecord(r.base),
        ...(r.mapped !== undefined && { mapped: addressRecord(r.mapped) }),
        ...(r.error !== undefined && { error: r.error }),
      }),
    warning: (w) => sink({ type: 'warning', code: w.code, message: w.message }),
    // A TURN allocation's outcome, as a note on the timeline (no credential in it).
    relay: (r) => sink({ type: 'note', text: `TURN ${r.uri} (component ${r.component}): ${r.state}${r.relayed ? ` ${r.relayed.address}:${r.relayed.port}` : ''}${r.reason ? ` (${r.reason}${r.code ? ` ${r.code}` : ''})` : ''}` }),
    // The new generation's ufrag only: a password never goes into a record.
    restart: (params, by) => sink({ type: 'restart', by, ufrag: params.ufrag }),
    // Trace kinds this version does not know are kept as they come (bigints as strings).
    trace: (e) => sink(e.type === 'pair' ? { type: 'pair', pair: pairRecord(e.pair) } : (jsonSafe(e) as { type: string })),
  };
  const names = Object.keys(handlers) as RecordedEvent[];
  for (const name of names) agent.on(name, handlers[name] as Listener<typeof name>);
  return () => {
    for (const name of names) agent.off(name, handlers[name] as Listener<typeof name>);
  };
}
