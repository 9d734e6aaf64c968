/**
 * Validation of record entries read back from JSON: a record may come from a
 * file, an older or newer writer, or someone hostile. Known entry types are
 * checked field by field; unknown types are reported as such, never guessed at.
 */
import type { EntryType, KnownEntry } from './record.js';

type Check = (v: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isStr: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const opt = (check: Check): Check => (v) => v === undefined || check(v);
const shape = (fields: Readonly<Record<string, Check>>): Check => (v) =>
  isObject(v) && Object.entries(fields).every(([name, check]) => check(v[name]));

const isAddress = shape({ address: isStr, port: isNum });
const isDecimal: Check = (v) => typeof v === 'string' && /^\d{1,20}$/.test(v);
const isCandidate = shape({
  foundation: isStr, component: isNum, transport: isStr, priority: isNum, address: isStr, port: isNum, type: isStr,
  relatedAddress: opt(isStr), relatedPort: opt(isNum), base: opt(isAddress),
});
const isPair = shape({
  id: isNum, component: isNum, local: isCandidate, remote: isCandidate, state: isStr, nominated: isBool,
  priority: isDecimal, rttMs: opt(isNum),
});
const isCounters: Check = (v) => isObject(v) && Object.values(v).every(isNum);
const check = { pairId: isNum, component: isNum, kind: isStr, transactionId: isStr };

const SHAPES: Readonly<Record<EntryType, Readonly<Record<string, Check>>>> = {
  candidate: { candidate: isCandidate },
  gathering: { state: isStr },
  'stun-result': { server: isAddress, base: isAddress, mapped: opt(isAddress), error: opt(isStr) },
  'component-state': { component: isNum, state: isStr, reason: opt(isStr) },
  state: { state: isStr, previous: isStr, reason: isStr },
  'selected-pair': { component: isNum, pair: isPair },
  role: { role: isStr, reason: isStr },
  restart: { by: isStr, ufrag: isStr },
  pair: { pair: isPair },
  'pair-removed': { pairId: isNum, component: isNum },
  'check-sent': { ...check, attempt: isNum, useCandidate: isBool, triggered: opt(isBool) },
  'check-result': { ...check, outcome: isStr, code: opt(isNum), rttMs: opt(isNum) },
  drops: { counters: isCounters },
  warning: { code: isStr, message: isStr },
  note: { text: isStr },
};

export type EntryCheck = { readonly ok: true; readonly entry: KnownEntry } | { readonly ok: false; readonly why: 'unknown' | 'malformed'; readonly type: string };

/** An entry of a known type with every field it needs, or why not. */
export function checkEntry(e: unknown): EntryCheck {
  if (!isObject(e) || !isNum(e['t']) || !isStr(e['type']) || !opt(isStr)(e['agent'])) return { ok: false, why: 'malformed', type: '?' };
  const type = e['type'] as string;
  const fields = Object.prototype.hasOwnProperty.call(SHAPES, type) ? SHAPES[type as EntryType] : undefined;
  if (fields === undefined) return { ok: false, why: 'unknown', type };
  return shape(fields)(e) ? { ok: true, entry: e as unknown as KnownEntry } : { ok: false, why: 'malformed', type };
}

export { isObject };
