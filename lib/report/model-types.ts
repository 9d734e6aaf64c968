/** The report's view of a record: per agent, what each lane and table shows. */
import type { AddressRecord, AgentMeta, CandidateRecord, DropSnapshot, IceRecord, PairRecord } from './record.js';

export interface StateChange {
  readonly t: number;
  readonly state: string;
  readonly previous?: string;
  readonly reason?: string;
}

export interface CheckSend {
  readonly t: number;
  readonly attempt: number;
}

export interface CheckResult {
  readonly t: number;
  readonly outcome: string;
  readonly code?: number;
  readonly rttMs?: number;
}

/** One transaction: its first request, retransmissions and how it ended. */
export interface CheckView {
  readonly transactionId: string;
  readonly kind: string;
  readonly useCandidate: boolean;
  readonly triggered: boolean | undefined;
  readonly sends: CheckSend[];
  result: CheckResult | undefined;
}

export interface PairStatePoint {
  readonly t: number;
  readonly state: string;
  readonly nominated: boolean;
}

export interface PairView {
  readonly id: number;
  readonly component: number;
  local: CandidateRecord;
  remote: CandidateRecord;
  /** Latest known pair priority (it changes when the pair becomes valid through another local candidate). */
  priority: bigint;
  rttMs: number | undefined;
  readonly formedAt: number;
  readonly states: PairStatePoint[];
  readonly checks: CheckView[];
  /** When this pair became the selected pair of its component. */
  readonly selectedAt: number[];
  nominatedAt: number | undefined;
  /** When it left the checklist, if it did. */
  removedAt: number | undefined;
  /** Pair seen only in check events (its `pair` entry was lost to the bound). */
  known: boolean;
}

export interface CandidateView {
  readonly t: number;
  readonly candidate: CandidateRecord;
  /** For a server-reflexive candidate: the STUN server whose answer gave it. */
  server: AddressRecord | undefined;
}

export interface StunView {
  readonly t: number;
  readonly server: AddressRecord;
  readonly base: AddressRecord;
  readonly mapped?: AddressRecord;
  readonly error?: string;
}

export interface DropView {
  readonly t: number;
  readonly counters: DropSnapshot;
  /** Growth of each counter since the previous sample. */
  readonly delta: Readonly<Record<string, number>>;
}

export interface MarkView {
  readonly t: number;
  readonly kind: 'role' | 'warning' | 'note' | 'gathering' | 'restart';
  readonly text: string;
}

export interface SelectedView {
  readonly t: number;
  readonly component: number;
  readonly pair: PairRecord;
}

/** A state change of any kind (iceState, component, selection, role, gathering, ICE restart) in record order. */
export interface ChangeView {
  readonly t: number;
  /** `icestate`, `component-N`, `selected-N`, `role`, `gathering`, `restart`. */
  readonly kind: string;
  readonly what: string;
  readonly change: string;
  readonly reason: string;
}

export interface AgentStats {
  /** First attempts of connectivity checks (not consent). */
  checks: number;
  retransmissions: number;
  answers: number;
  errors: number;
  timeouts: number;
  consentChecks: number;
  consentAnswers: number;
  consentTimeouts: number;
  dropped: number;
  connectedAt: number | undefined;
  completedAt: number | undefined;
  finalState: string;
  /** The last state before `closed` (what the agent had come to when it was closed). */
  stateBeforeClose: string | undefined;
}

export interface AgentView {
  readonly meta: AgentMeta;
  readonly components: number[];
  readonly candidates: CandidateView[];
  readonly stun: StunView[];
  readonly iceStates: StateChange[];
  readonly componentStates: Map<number, StateChange[]>;
  readonly selected: SelectedView[];
  /** Ordered by component, then priority (highest first). */
  readonly pairs: PairView[];
  readonly drops: DropView[];
  readonly marks: MarkView[];
  readonly changes: ChangeView[];
  readonly stats: AgentStats;
}

export interface ReportModel {
  readonly record: IceRecord;
  readonly durationMs: number;
  readonly agents: AgentView[];
  /** Notes not about one agent. */
  readonly runMarks: MarkView[];
  /** Every entry time, for the time scale. */
  readonly times: number[];
  /** Entry types this renderer does not know, with counts. */
  readonly unknownTypes: Map<string, number>;
  readonly malformed: number;
}
