/** A record from JSON (a file, a pipe, another version): checked at the top, tolerant inside. */
import { IceError } from '../util/errors.js';
import { isObject } from './entry-guards.js';
import { RECORD_FORMAT, sanitizeOptions, type AgentMeta, type IceRecord, type RecordEntry, type RunMeta } from './record.js';

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parses (if given text) and checks a record; entries are checked later, one by one, by the renderer. */
export function readRecord(input: unknown): IceRecord {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new IceError('ERR_INVALID_ARGUMENT', `the record is not JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(value) || value['format'] !== RECORD_FORMAT) {
    throw new IceError('ERR_INVALID_ARGUMENT', `not an ice-agent report record (expected "format": "${RECORD_FORMAT}")`);
  }
  const version = value['version'];
  if (!num(version) || version < 1) throw new IceError('ERR_INVALID_ARGUMENT', 'the record has no valid "version"');
  if (!Array.isArray(value['entries'])) throw new IceError('ERR_INVALID_ARGUMENT', 'the record has no "entries" list');
  const entries = value['entries'] as RecordEntry[];
  const last = entries.reduce((m, e) => (isObject(e) && num(e['t']) ? Math.max(m, e['t']) : m), 0);
  const truncated = value['truncated'];
  return {
    format: RECORD_FORMAT,
    version,
    ...(str(value['startedAt']) && { startedAt: value['startedAt'] }),
    durationMs: num(value['durationMs']) ? Math.max(value['durationMs'], last) : last,
    run: readRun(value['run']),
    agents: Array.isArray(value['agents']) ? value['agents'].flatMap(readAgent) : [],
    entries,
    ...(isObject(truncated) && num(truncated['atMs']) && num(truncated['droppedEntries']) && {
      truncated: { atMs: truncated['atMs'], droppedEntries: truncated['droppedEntries'] },
    }),
  };
}

function readRun(v: unknown): RunMeta {
  if (!isObject(v)) return {};
  const verdict = v['verdict'];
  return {
    ...(str(v['title']) && { title: v['title'] }),
    ...(isObject(v['options']) && { options: sanitizeOptions(v['options']) }),
    ...(isObject(verdict) && typeof verdict['ok'] === 'boolean' && str(verdict['reason']) && { verdict: { ok: verdict['ok'], reason: verdict['reason'] } }),
  };
}

function readAgent(v: unknown): AgentMeta[] {
  if (!isObject(v) || !str(v['label'])) return [];
  return [{
    label: v['label'],
    ...(str(v['role']) && { role: v['role'] }),
    ...(str(v['ufrag']) && { ufrag: v['ufrag'] }),
    ...(num(v['components']) && { components: v['components'] }),
    ...(str(v['initialState']) && { initialState: v['initialState'] }),
    ...(isObject(v['options']) && { options: sanitizeOptions(v['options']) }),
  }];
}
