// getStats(): the core's pairs and candidates plus one transport per component, named after W3C
// webrtc-stats (RTCTransportStats for the transports). Built on demand; the only state kept here
// is what events tell (selected-pair changes, the STUN server of each srflx candidate).
import type { IceAgentCore } from '../ice/agent-core.js';
import { addressKey } from '../ice/candidate.js';
import type { LocalCandidate } from '../ice/candidate-types.js';
import type { IceRole } from '../ice/config.js';
import type { AgentEvent } from '../ice/events.js';
import { toW3C, type W3CIceTransportState } from '../ice/ice-state.js';
import { transportStatsId, type IceCandidatePairStats, type IceCandidateStats } from '../ice/stats.js';
import type { StunServerSpec } from '../net/stun-server-spec.js';
import type { TransportAddress } from '../stun/types.js';
import type { ComponentTraffic } from './agent-loop.js';

export type { IceCandidatePairStats, IceCandidateStats } from '../ice/stats.js';

/** One component (W3C RTCTransportStats: an RTCIceTransport per component). */
export interface IceTransportStats {
  readonly type: 'transport';
  readonly id: string;
  readonly timestamp: number;
  readonly component: number;
  /** Application datagrams and payload bytes on this component, whatever the pair. */
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly iceRole: IceRole;
  readonly iceLocalUsernameFragment: string;
  readonly iceState: W3CIceTransportState;
  /** The pair data uses: the selected one, or during an ICE restart the previous one until a new one is selected. */
  readonly selectedCandidatePairId?: string;
  readonly selectedCandidatePairChanges: number;
}

/** What `getStats()` returns; every entry has the W3C `type` and `id`. Timestamps are the agent's clock in ms. */
export interface IceStatsReport {
  readonly timestamp: number;
  readonly transports: IceTransportStats[];
  readonly candidatePairs: IceCandidatePairStats[];
  readonly localCandidates: IceCandidateStats[];
  readonly remoteCandidates: IceCandidateStats[];
}

/** A `stun:` URI for a server (RFC 7064). */
export function stunUrl(s: StunServerSpec): string {
  return `stun:${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
}

/** Bounds the srflx → server map: one entry per (host socket, STUN server, mapping) seen. */
const MAX_SRFLX_URLS = 1024;

export class AgentStats {
  /** Resolved server address → the URI the application configured (made when a server is resolved). */
  private serverUrls: Map<string, string> | undefined;
  private srflxUrls: Map<string, string> | undefined;

  /** A configured STUN server resolved to `address`. */
  serverResolved(address: TransportAddress, spec: StunServerSpec): void {
    (this.serverUrls ??= new Map()).set(addressKey(address), stunUrl(spec));
  }

  /** Every core event passes here before the application sees it. */
  observe(e: AgentEvent): void {
    if (e.type !== 'stun-result' || !e.mapped) return;
    const urls = (this.srflxUrls ??= new Map());
    if (urls.size >= MAX_SRFLX_URLS) urls.delete(urls.keys().next().value!);
    const url = this.serverUrls?.get(addressKey(e.server)) ?? stunUrl({ host: e.server.address, port: e.server.port });
    urls.set(`${addressKey(e.base)}>${addressKey(e.mapped)}`, url);
  }

  report(core: IceAgentCore, traffic: (component: number) => Readonly<ComponentTraffic> | undefined, now: number): IceStatsReport {
    const urlOf = (c: LocalCandidate): string | undefined => (c.type === 'srflx' ? this.srflxUrls?.get(`${addressKey(c.base)}>${addressKey(c)}`) : undefined);
    const { candidatePairs, localCandidates, remoteCandidates, routePairIds } = core.stats.report(now, urlOf);
    const transports = core.componentStates().map((state, i): IceTransportStats => {
      const component = i + 1;
      const t = traffic(component);
      const selected = routePairIds[i];
      return {
        type: 'transport', id: transportStatsId(component), timestamp: now, component,
        packetsSent: t?.packetsSent ?? 0, packetsReceived: t?.packetsReceived ?? 0, bytesSent: t?.bytesSent ?? 0, bytesReceived: t?.bytesReceived ?? 0,
        iceRole: core.role, iceLocalUsernameFragment: core.localParameters.ufrag, iceState: core.isClosed ? 'closed' : toW3C(state),
        ...(selected !== undefined && { selectedCandidatePairId: selected }),
        selectedCandidatePairChanges: core.stats.selectionChanges(component),
      };
    });
    return { timestamp: now, transports, candidatePairs, localCandidates, remoteCandidates };
  }
}
