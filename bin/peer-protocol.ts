/**
 * The `peer` signalling protocol: JSON Lines, one object per line, unknown
 * types ignored. This file only knows the shapes; peer.ts drives the agent.
 */
import type { IceStatsReport } from '../lib/index.js';

export type Role = 'controlling' | 'controlled';

export interface ParamsMessage {
  readonly type: 'params';
  readonly ufrag: string;
  readonly pwd: string;
  readonly role: Role;
  readonly components: number;
  /** Whether this side sends a datagram on every component once connected; absent means true. */
  readonly sends?: boolean;
  /** This side is ICE-lite (RFC 8445 §2.5): the other side must control. */
  readonly lite?: boolean;
}
export interface CandidateMessage {
  readonly type: 'candidate';
  readonly component: number;
  /** SDP candidate-attribute value (`candidate:...`, no `a=`). */
  readonly candidate: string;
}
export interface EndOfCandidatesMessage {
  readonly type: 'end-of-candidates';
}
export interface StateMessage {
  readonly type: 'state';
  readonly state: string;
  readonly at: number;
}
export interface SelectedMessage {
  readonly type: 'selected';
  readonly component: number;
  readonly local: string;
  readonly remote: string;
  readonly rttMs?: number;
}
export interface ReceivedMessage {
  readonly type: 'received';
  readonly component: number;
  readonly data: string;
}
export interface DoneMessage {
  readonly type: 'done';
  readonly ok: boolean;
  readonly reason: string;
}

/** With --stats, just before `done`: the agent's getStats() report. */
export interface StatsMessage extends IceStatsReport {
  readonly type: 'stats';
}

export type PeerMessage =
  | ParamsMessage | CandidateMessage | EndOfCandidatesMessage | StateMessage
  | SelectedMessage | ReceivedMessage | StatsMessage | DoneMessage;

/** What a peer acts on from stdin. */
export type Incoming =
  | { readonly kind: 'params'; readonly ufrag: string; readonly pwd: string; readonly components?: number; readonly sends: boolean; readonly lite: boolean }
  | { readonly kind: 'candidate'; readonly component?: number; readonly candidate: string }
  | { readonly kind: 'end-of-candidates' }
  | { readonly kind: 'done'; readonly ok: boolean; readonly reason: string }
  | { readonly kind: 'ignored'; readonly type: string };

export type ParseResult = { readonly ok: true; readonly value: Incoming } | { readonly ok: false; readonly error: string };

/** Lines are hostile input: bound what we look at. */
export const MAX_LINE = 64 * 1024;

const bad = (error: string): ParseResult => ({ ok: false, error });

export function parseIncoming(line: string): ParseResult {
  if (line.length > MAX_LINE) return bad(`line of ${line.length} characters is too long`);
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    return bad(`not JSON: ${(err as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return bad('not a JSON object');
  const o = obj as Record<string, unknown>;
  if (typeof o['type'] !== 'string') return bad('no "type" string');
  const component = o['component'];
  switch (o['type']) {
    case 'params': {
      const { ufrag, pwd, components } = o;
      if (typeof ufrag !== 'string' || ufrag === '') return bad('params without a "ufrag" string');
      if (typeof pwd !== 'string' || pwd === '') return bad('params without a "pwd" string');
      const n = typeof components === 'number' && Number.isInteger(components) && components > 0 ? components : undefined;
      // Only an explicit "sends": false says no data is coming: a peer that writes just the listed fields sends.
      return { ok: true, value: { kind: 'params', ufrag, pwd, ...(n !== undefined && { components: n }), sends: o['sends'] !== false, lite: o['lite'] === true } };
    }
    case 'candidate': {
      if (typeof o['candidate'] !== 'string') return bad('candidate without a "candidate" string');
      const c = typeof component === 'number' && Number.isInteger(component) ? component : undefined;
      return { ok: true, value: { kind: 'candidate', ...(c !== undefined && { component: c }), candidate: o['candidate'] } };
    }
    case 'end-of-candidates':
      return { ok: true, value: { kind: 'end-of-candidates' } };
    case 'done':
      return { ok: true, value: { kind: 'done', ok: o['ok'] === true, reason: typeof o['reason'] === 'string' ? o['reason'] : '' } };
    default:
      return { ok: true, value: { kind: 'ignored', type: o['type'] } };
  }
}

export function encodeMessage(m: PeerMessage): string {
  return JSON.stringify(m);
}
