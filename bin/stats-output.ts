/** getStats() for people and programs: the peer's `stats` line, selftest's selected-pair counters. */
import type { IceAgent, IceCandidatePairStats, IceStatsReport } from '../lib/index.js';
import type { StatsMessage } from './peer-protocol.js';

/** The peer protocol's `stats` line: the whole report, flat. */
export function statsMessage(report: IceStatsReport): StatsMessage {
  return { type: 'stats', ...report };
}

/** The pair component `component` uses (the transport's selected pair), if any. */
export function selectedPairStats(agent: IceAgent, component: number): IceCandidatePairStats | undefined {
  const report = agent.getStats();
  const id = report.transports[component - 1]?.selectedCandidatePairId;
  return report.candidatePairs.find((p) => p.id === id);
}

/** The counters worth a glance, as JSON fields. */
export function pairCounters(p: IceCandidatePairStats): Record<string, number> {
  return {
    packetsSent: p.packetsSent, bytesSent: p.bytesSent, packetsReceived: p.packetsReceived, bytesReceived: p.bytesReceived,
    requestsSent: p.requestsSent, requestsReceived: p.requestsReceived, responsesSent: p.responsesSent, responsesReceived: p.responsesReceived,
    consentRequestsSent: p.consentRequestsSent, retransmissionsSent: p.retransmissionsSent, totalRoundTripTime: p.totalRoundTripTime,
  };
}

/** `sent 1 (27 B), received 1 (27 B); checks sent 2 (0 retransmitted, 0 consent), received 1; responses sent 1, received 2; mean rtt 1.20 ms` */
export function pairCountersText(p: IceCandidatePairStats): string {
  const mean = p.responsesReceived > 0 ? `mean rtt ${((p.totalRoundTripTime / p.responsesReceived) * 1000).toFixed(2)} ms` : 'no rtt';
  return `sent ${p.packetsSent} (${p.bytesSent} B), received ${p.packetsReceived} (${p.bytesReceived} B); ` +
    `checks sent ${p.requestsSent} (${p.retransmissionsSent} retransmitted, ${p.consentRequestsSent} consent), received ${p.requestsReceived}; ` +
    `responses sent ${p.responsesSent}, received ${p.responsesReceived}; ${mean}`;
}
