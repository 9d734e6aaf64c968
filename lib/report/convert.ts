/** Library objects -> record JSON: bigints as strings, no optional field set to undefined. */
import type { Candidate, LocalCandidate } from '../ice/candidate-types.js';
import type { PairInfo } from '../ice/pair.js';
import type { TransportAddress } from '../stun/types.js';
import type { AddressRecord, CandidateRecord, DropSnapshot, PairRecord } from './record.js';

export function addressRecord(a: Pick<TransportAddress, 'address' | 'port'>): AddressRecord {
  return { address: a.address, port: a.port };
}

export function candidateRecord(c: Candidate | LocalCandidate): CandidateRecord {
  const base = 'base' in c ? (c as LocalCandidate).base : undefined;
  return {
    foundation: c.foundation,
    component: c.component,
    transport: c.transport,
    priority: c.priority,
    address: c.address,
    port: c.port,
    type: c.type,
    ...(c.relatedAddress !== undefined && { relatedAddress: c.relatedAddress }),
    ...(c.relatedPort !== undefined && { relatedPort: c.relatedPort }),
    ...(base !== undefined && { base: addressRecord(base) }),
  };
}

export function pairRecord(p: PairInfo): PairRecord {
  return {
    id: p.id,
    component: p.component,
    local: candidateRecord(p.local),
    remote: candidateRecord(p.remote),
    state: p.state,
    nominated: p.nominated,
    priority: p.priority.toString(),
    ...(p.rttMs !== undefined && { rttMs: p.rttMs }),
  };
}

/** A copy of the counters with numbers only (the agent's object is live). */
export function dropSnapshot(drops: Readonly<Record<string, unknown>>): DropSnapshot {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(drops)) if (typeof value === 'number') out[name] = value;
  return out;
}

export function sameDrops(a: DropSnapshot | undefined, b: Readonly<Record<string, unknown>>): boolean {
  if (a === undefined) return false;
  for (const [name, value] of Object.entries(b)) if (typeof value === 'number' && a[name] !== value) return false;
  return true;
}
