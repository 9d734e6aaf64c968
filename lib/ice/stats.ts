// Statistics of the core's pairs and candidates, named after W3C webrtc-stats (RTCIceCandidatePairStats,
// RTCIceCandidateStats). Built on demand from the pair records; nothing is recorded per report.
import type { TransportAddress } from '../stun/types.js';
import { sameTransportAddress } from './candidate.js';
import type { Candidate, CandidateType, LocalCandidate } from './candidate-types.js';
import type { CoreContext } from './context.js';
import type { CandidatePair, PairCounters, PairState } from './pair.js';
import type { SocketId } from './transport.js';

/** One candidate pair (W3C RTCIceCandidatePairStats); round-trip times in seconds, timestamps on the agent's clock (ms). */
export interface IceCandidatePairStats {
  readonly type: 'candidate-pair';
  readonly id: string;
  readonly timestamp: number;
  /** `T<component>`: the component's IceTransportStats. */
  readonly transportId: string;
  readonly localCandidateId: string;
  readonly remoteCandidateId: string;
  readonly state: PairState;
  readonly nominated: boolean;
  /** Application datagrams (`send()` / `data`) and their payload bytes; STUN is counted below. */
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** When the last datagram left / arrived; absent while none did. */
  readonly lastPacketSentTimestamp?: number;
  readonly lastPacketReceivedTimestamp?: number;
  /** Sum of the round trips of `responsesReceived`, in seconds. */
  readonly totalRoundTripTime: number;
  /** The latest round trip (check or consent check), in seconds. */
  readonly currentRoundTripTime?: number;
  /** Checks and consent checks sent, retransmissions not included (they are in `retransmissionsSent`). */
  readonly requestsSent: number;
  /** Authenticated requests received, retransmissions included. */
  readonly requestsReceived: number;
  readonly responsesSent: number;
  /** Authenticated success responses to our checks. */
  readonly responsesReceived: number;
  /** The RFC 7675 consent checks among `requestsSent`. */
  readonly consentRequestsSent: number;
  readonly retransmissionsSent: number;
}

/** One candidate (W3C RTCIceCandidateStats). */
export interface IceCandidateStats {
  readonly type: 'local-candidate' | 'remote-candidate';
  readonly id: string;
  readonly timestamp: number;
  readonly transportId: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: 'udp' | 'tcp';
  readonly candidateType: CandidateType;
  readonly priority: number;
  readonly foundation: string;
  readonly relatedAddress?: string;
  readonly relatedPort?: number;
  /** For a local srflx candidate: the STUN server it was learned from. */
  readonly url?: string;
}

/** The core's part of a report: its pairs and candidates; the driver adds the transports. */
export interface CoreStats {
  readonly candidatePairs: IceCandidatePairStats[];
  readonly localCandidates: IceCandidateStats[];
  readonly remoteCandidates: IceCandidateStats[];
  /** Per component (index 0 = component 1): the pair data uses, selected or (during a restart) the previous one. */
  readonly routePairIds: (string | undefined)[];
}

/** W3C reports round trips in seconds; microseconds are as fine as a clock in ms resolves them here. */
const seconds = (ms: number): number => Math.round(ms * 1000) / 1e6;

export const transportStatsId = (component: number): string => `T${component}`;

/** What a driver needs for statistics: reports, and the counters its data path updates. */
export class CoreStatsView {
  /** Candidate ids stay the same from one report to the next (W3C ids are opaque strings). */
  /** Made on the first report: most agents are never asked. */
  private ids: { readonly of: WeakMap<Candidate, string>; L: number; R: number } | undefined;

  constructor(private readonly ctx: CoreContext) {}

  /** How many times the component's selected pair changed. */
  selectionChanges(component: number): number {
    return this.ctx.components[component - 1]?.selectionChanges ?? 0;
  }

  /** The counters of the pair `send(component)` uses. */
  routeCounters(component: number): PairCounters | undefined {
    return this.ctx.components[component - 1]?.routePair()?.counters;
  }

  /** The counters of the pair whose local socket is `socket` and remote address `from`. */
  countersOf(socket: SocketId, from: TransportAddress): PairCounters | undefined {
    const host = this.ctx.local.hostOn(socket);
    if (!host) return undefined;
    const route = this.ctx.components[host.component - 1]?.routePair();
    if (route?.local === host && sameTransportAddress(route.remote, from)) return route.counters;
    return this.ctx.checklist.find(host.component, host, from)?.counters;
  }

  /** Pairs (the checklist's and the ones data uses) and every candidate they or the lists name. */
  report(now: number, urlOf: (c: LocalCandidate) => string | undefined = () => undefined): CoreStats {
    const { ctx } = this;
    const routes = ctx.components.map((c) => c.routePair());
    const pairs = [...ctx.checklist.all];
    for (const r of routes) if (r && !pairs.includes(r)) pairs.push(r);
    const local = new Set<LocalCandidate>(ctx.local.all);
    const remote = new Set<Candidate>(ctx.remote.all);
    for (const p of pairs) {
      local.add(p.validLocal ?? p.local);
      remote.add(p.remote);
    }
    return {
      candidatePairs: pairs.map((p) => this.pair(now, p)),
      localCandidates: [...local].map((c) => this.candidate(now, 'local-candidate', c, urlOf(c))),
      remoteCandidates: [...remote].map((c) => this.candidate(now, 'remote-candidate', c, undefined)),
      routePairIds: routes.map((p) => p && `CP${p.id}`),
    };
  }

  private pair(now: number, p: CandidatePair): IceCandidatePairStats {
    const c = p.counters;
    return {
      type: 'candidate-pair', id: `CP${p.id}`, timestamp: now, transportId: transportStatsId(p.component),
      localCandidateId: this.idOf(p.validLocal ?? p.local, 'L'), remoteCandidateId: this.idOf(p.remote, 'R'),
      state: p.state, nominated: p.nominated,
      packetsSent: c.packetsSent, packetsReceived: c.packetsReceived, bytesSent: c.bytesSent, bytesReceived: c.bytesReceived,
      ...(c.packetsSent > 0 && { lastPacketSentTimestamp: c.lastPacketSentAt }),
      ...(c.packetsReceived > 0 && { lastPacketReceivedTimestamp: c.lastPacketReceivedAt }),
      totalRoundTripTime: seconds(c.totalRoundTripTimeMs),
      ...(p.rttMs !== undefined && { currentRoundTripTime: seconds(p.rttMs) }),
      requestsSent: c.requestsSent, requestsReceived: c.requestsReceived, responsesSent: c.responsesSent,
      responsesReceived: c.responsesReceived, consentRequestsSent: c.consentRequestsSent, retransmissionsSent: c.retransmissionsSent,
    };
  }

  private candidate(now: number, type: IceCandidateStats['type'], c: Candidate, url: string | undefined): IceCandidateStats {
    return {
      type, id: this.idOf(c, type === 'local-candidate' ? 'L' : 'R'), timestamp: now, transportId: transportStatsId(c.component),
      address: c.address, port: c.port, protocol: c.transport, candidateType: c.type, priority: c.priority, foundation: c.foundation,
      ...(c.relatedAddress !== undefined && { relatedAddress: c.relatedAddress }),
      ...(c.relatedPort !== undefined && { relatedPort: c.relatedPort }),
      ...(url !== undefined && { url }),
    };
  }

  private idOf(c: Candidate, prefix: 'L' | 'R'): string {
    const ids = (this.ids ??= { of: new WeakMap(), L: 1, R: 1 });
    let id = ids.of.get(c);
    if (id === undefined) ids.of.set(c, (id = `${prefix}${ids[prefix]++}`));
    return id;
  }
}
