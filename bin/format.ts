/** How candidates, addresses and pairs are shown to people and to programs. */
import type { Candidate, PairInfo, TransportAddress } from '../lib/index.js';
import { hostPort } from '../lib/report/format.js';

// One writing of addresses and priorities for the CLI and the report.
export { hostPort, priorityParts } from '../lib/report/format.js';

export function relatedOf(c: Candidate): string {
  return c.relatedAddress !== undefined ? hostPort({ address: c.relatedAddress, port: c.relatedPort ?? 0 }) : '-';
}

/** The fields of one candidate row, for tables and JSON. */
export function candidateFields(c: Candidate): {
  component: number; type: string; protocol: string; address: string; port: number;
  priority: number; foundation: string; relatedAddress: string | null; relatedPort: number | null;
} {
  return {
    component: c.component,
    type: c.type,
    protocol: c.transport,
    address: c.address,
    port: c.port,
    priority: c.priority,
    foundation: c.foundation,
    relatedAddress: c.relatedAddress ?? null,
    relatedPort: c.relatedPort ?? null,
  };
}

/** `host  udp 127.0.0.1:5000` */
export function candidateShort(c: Candidate): string {
  return `${c.type.padEnd(5)} ${c.transport} ${hostPort(c)}`;
}

export function rttText(rttMs: number | undefined): string {
  return rttMs === undefined ? 'rtt n/a' : `rtt ${rttMs.toFixed(2)} ms`;
}

/** `host udp 127.0.0.1:5000 <-> host udp 127.0.0.1:5001, rtt 0.31 ms` */
export function pairText(p: PairInfo): string {
  return `${candidateShort(p.local).replace(/ +/g, ' ')} <-> ${candidateShort(p.remote).replace(/ +/g, ' ')}, ${rttText(p.rttMs)}`;
}

export function addressText(a: TransportAddress): string {
  return hostPort(a);
}
