/**
 * The record a report is rendered from: plain JSON (bigints as decimal strings),
 * versioned, with one time axis (`t`, ms from the start of the recording).
 *
 * Compatibility rules: a reader accepts any record whose `format` matches and
 * whose `version` it does not know yet, renders the entry types it knows and
 * counts the others; a writer adds entry types or optional fields without a new
 * version, and bumps the version only when an existing field changes meaning.
 */

export const RECORD_FORMAT = 'ice-agent-report';
/** The version this library writes. */
export const RECORD_VERSION = 1;

export interface AddressRecord {
  readonly address: string;
  readonly port: number;
}

export interface CandidateRecord {
  readonly foundation: string;
  readonly component: number;
  readonly transport: string;
  /** 32-bit candidate priority (RFC 8445 §5.1.2). */
  readonly priority: number;
  readonly address: string;
  readonly port: number;
  readonly type: string;
  readonly relatedAddress?: string;
  readonly relatedPort?: number;
  /** Local candidates only: the address the checks are sent from. */
  readonly base?: AddressRecord;
}

export interface PairRecord {
  readonly id: number;
  readonly component: number;
  readonly local: CandidateRecord;
  readonly remote: CandidateRecord;
  readonly state: string;
  readonly nominated: boolean;
  /** 64-bit pair priority (RFC 8445 §6.1.2.3) as a decimal string. */
  readonly priority: string;
  readonly rttMs?: number;
}

/** Counter name -> cumulative count (malformed, unauthenticated, ...). */
export type DropSnapshot = Readonly<Record<string, number>>;

interface EntryBase {
  /** Milliseconds from the start of the recording. */
  readonly t: number;
  /** Label of the agent it is about (absent for run-level notes). */
  readonly agent?: string;
}

export type KnownEntry = EntryBase &
  (
    | { readonly type: 'candidate'; readonly candidate: CandidateRecord }
    | { readonly type: 'gathering'; readonly state: string }
    | { readonly type: 'stun-result'; readonly server: AddressRecord; readonly base: AddressRecord; readonly mapped?: AddressRecord; readonly error?: string }
    | { readonly type: 'component-state'; readonly component: number; readonly state: string; readonly reason?: string }
    | { readonly type: 'state'; readonly state: string; readonly previous: string; readonly reason: string }
    | { readonly type: 'selected-pair'; readonly component: number; readonly pair: PairRecord }
    | { readonly type: 'role'; readonly role: string; readonly reason: string }
    /** An ICE restart began (RFC 8445 §9): `by` is `local` (restart()) or `peer` (new remote credentials); the new local ufrag. */
    | { readonly type: 'restart'; readonly by: string; readonly ufrag: string }
    | { readonly type: 'pair'; readonly pair: PairRecord }
    | { readonly type: 'pair-removed'; readonly pairId: number; readonly component: number }
    | {
        readonly type: 'check-sent';
        readonly pairId: number;
        readonly component: number;
        readonly kind: string;
        readonly transactionId: string;
        readonly attempt: number;
        readonly useCandidate: boolean;
        /** Set when the core marks triggered checks (RFC 8445 §7.3.1.4); absent means unknown. */
        readonly triggered?: boolean;
      }
    | {
        readonly type: 'check-result';
        readonly pairId: number;
        readonly component: number;
        readonly kind: string;
        readonly transactionId: string;
        readonly outcome: string;
        readonly code?: number;
        readonly rttMs?: number;
      }
    /** Drop counters, sampled when they changed (cumulative values). */
    | { readonly type: 'drops'; readonly counters: DropSnapshot }
    | { readonly type: 'warning'; readonly code: string; readonly message: string }
    /** Something the program driving the agents wants on the timeline ("timed out", "datagram received"). */
    | { readonly type: 'note'; readonly text: string }
  );

export type EntryType = KnownEntry['type'];

/** What a reader does not know yet: kept in the JSON, counted by the renderer. */
export interface UnknownEntry extends EntryBase {
  readonly type: string;
  readonly [field: string]: unknown;
}

export type RecordEntry = KnownEntry | UnknownEntry;

/** A flat summary of options: names to scalars or lists (never credentials). */
export type OptionsSummary = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface AgentMeta {
  /** Unique within the record ("A", "B", "peer"). */
  readonly label: string;
  readonly role?: string;
  /** The local ufrag when recording started (the password is never recorded). */
  readonly ufrag?: string;
  readonly components?: number;
  /** iceState when recording started (normally `starting`). */
  readonly initialState?: string;
  readonly options?: OptionsSummary;
}

export interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
}

export interface RunMeta {
  /** What ran: `ice-probe selftest`, or a program's own name. */
  readonly title?: string;
  readonly options?: OptionsSummary;
  readonly verdict?: Verdict;
}

export interface IceRecord {
  readonly format: typeof RECORD_FORMAT;
  readonly version: number;
  /** Wall-clock time of t = 0, ISO 8601. */
  readonly startedAt?: string;
  /** Length of the recording (ms): from 0 to when it stopped, or to the last entry. */
  readonly durationMs: number;
  readonly run: RunMeta;
  readonly agents: readonly AgentMeta[];
  /** In recording order, which is time order. */
  readonly entries: readonly RecordEntry[];
  /** Set when the recorder hit its entry bound and stopped adding entries. */
  readonly truncated?: { readonly atMs: number; readonly droppedEntries: number };
}

/** Names that must never reach a record, whatever a caller puts in an options summary. */
const SECRET_NAME = /pwd|pass|secret|credential|key|token/i;

/** Keeps scalars and string lists, drops anything that looks like a secret. */
export function sanitizeOptions(options: Readonly<Record<string, unknown>>): OptionsSummary {
  const out: Record<string, string | number | boolean | readonly string[]> = {};
  for (const [name, value] of Object.entries(options)) {
    if (SECRET_NAME.test(name)) continue;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) out[name] = value;
    else if (typeof value === 'bigint') out[name] = value.toString();
    else if (Array.isArray(value)) out[name] = value.map((v) => String(v));
  }
  return out;
}
