import type { TransportAddress } from '../stun/types.js';
import type { SocketId } from './transport.js';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** An ICE candidate as signalled (RFC 8839 §5.1 candidate-attribute). */
export interface Candidate {
  readonly foundation: string;
  /** 1-based component id (1 = RTP, 2 = RTCP ...). */
  readonly component: number;
  readonly transport: 'udp' | 'tcp';
  /** 32-bit unsigned priority, RFC 8445 §5.1.2. */
  readonly priority: number;
  /** IP literal, or an unresolved mDNS name ending in `.local`. */
  readonly address: string;
  readonly port: number;
  readonly type: CandidateType;
  readonly relatedAddress?: string;
  readonly relatedPort?: number;
  readonly tcpType?: string;
  /** Extension name/value pairs after the grammar's fixed part, in order (generation, ufrag, network-id, ...). */
  readonly extensions: readonly (readonly [string, string])[];
}

/**
 * A candidate of ours: where it is reached (address, port), its base (RFC 8445 §5.1.1: the
 * address checks are sent from; for a relayed candidate, the relayed address itself) and the
 * driver's socket that carries its packets.
 */
export interface LocalCandidate extends Candidate {
  readonly base: TransportAddress;
  readonly socket: SocketId;
}
