import type { TransportAddress } from '../stun/types.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import { pairPriority } from './pair-priority.js';
import type { IceRole } from './config.js';

/** RFC 8445 §6.1.2.6 pair states. */
export type PairState = 'frozen' | 'waiting' | 'in-progress' | 'succeeded' | 'failed';

/**
 * A candidate pair. `local` is the candidate whose base sends the checks (host);
 * `validLocal` is the local candidate the peer saw us as (RFC 8445 §7.2.5.3.2),
 * which ranks the pair once it is valid.
 */
export interface CandidatePair {
  readonly id: number;
  readonly component: number;
  readonly local: LocalCandidate;
  remote: Candidate;
  readonly foundation: string;
  state: PairState;
  priority: bigint;
  validLocal: LocalCandidate | undefined;
  /** Peer sent USE-CANDIDATE on it (controlled), or our USE-CANDIDATE check succeeded (controlling). */
  nominated: boolean;
  /** Controlling: a check with USE-CANDIDATE is under way. */
  nominating: boolean;
  /** Last measured round-trip time of a check or consent request on this pair. */
  rttMs: number | undefined;
  /** Remote address proved itself: an authenticated request or response on this pair. */
  remoteAuthenticated: boolean;
  /** State and nomination last published in a `pair` trace event. */
  reported: string | undefined;
  /** What crossed the wire on this pair (getStats). */
  readonly counters: PairCounters;
}

/**
 * What crossed the wire on one pair, named after W3C RTCIceCandidatePairStats. The core counts
 * STUN; the driver's data path counts application data (the core never sees most of it). Every
 * field starts as a number, so updates never change an object's shape or allocate.
 */
export interface PairCounters {
  /** Checks and consent checks sent, retransmissions not included. */
  requestsSent: number;
  retransmissionsSent: number;
  /** The consent checks (RFC 7675) among `requestsSent`. */
  consentRequestsSent: number;
  /** Authenticated requests received, retransmissions included (checks and consent look alike). */
  requestsReceived: number;
  responsesSent: number;
  /** Authenticated success responses to our checks; each one measured a round trip. */
  responsesReceived: number;
  totalRoundTripTimeMs: number;
  packetsSent: number;
  bytesSent: number;
  /** Driver clock (ms) of the last datagram; meaningless while `packetsSent` is 0. */
  lastPacketSentAt: number;
  packetsReceived: number;
  bytesReceived: number;
  lastPacketReceivedAt: number;
}

export function newPairCounters(): PairCounters {
  return {
    requestsSent: 0, retransmissionsSent: 0, consentRequestsSent: 0, requestsReceived: 0, responsesSent: 0, responsesReceived: 0,
    totalRoundTripTimeMs: 0, packetsSent: 0, bytesSent: 0, lastPacketSentAt: 0, packetsReceived: 0, bytesReceived: 0, lastPacketReceivedAt: 0,
  };
}

export function computePairPriority(role: IceRole, local: Candidate, remote: Candidate): bigint {
  return role === 'controlling'
    ? pairPriority(local.priority, remote.priority)
    : pairPriority(remote.priority, local.priority);
}

/** The priority that ranks a pair: the valid pair's if it has one. */
export function rankOf(role: IceRole, pair: CandidatePair): bigint {
  return pair.validLocal ? computePairPriority(role, pair.validLocal, pair.remote) : pair.priority;
}

export function remoteAddress(pair: CandidatePair): TransportAddress {
  return { address: pair.remote.address, port: pair.remote.port, family: pair.local.base.family };
}

/** The public view of a pair: what the CLI and stats show. */
export interface PairInfo {
  /** Unique within the agent (pair ids are not reused, also across restarts). */
  readonly id: number;
  readonly component: number;
  readonly local: LocalCandidate;
  readonly remote: Candidate;
  readonly state: PairState;
  readonly nominated: boolean;
  readonly priority: bigint;
  readonly rttMs: number | undefined;
}

export function pairInfo(role: IceRole, p: CandidatePair): PairInfo {
  return {
    id: p.id,
    component: p.component,
    local: p.validLocal ?? p.local,
    remote: p.remote,
    state: p.state,
    nominated: p.nominated,
    priority: rankOf(role, p),
    rttMs: p.rttMs,
  };
}
