import type { TransportAddress } from '../stun/types.js';
import type { LocalCandidate } from './candidate-types.js';
import type { IceRole } from './config.js';
import type { ComponentState, IceState } from './ice-state.js';
import type { PairInfo } from './pair.js';
import type { CheckKind } from './check-transactions.js';

export type GatheringState = 'new' | 'gathering' | 'complete';

/** What the core tells its driver, drained with `pollEvent()`. */
export type AgentEvent =
  /** A local candidate to signal; `ufrag` names its generation (it changes with each ICE restart). */
  | { readonly type: 'candidate'; readonly candidate: LocalCandidate; readonly ufrag: string }
  /** An ICE restart began (RFC 8445 §9), by `restart()` or by the peer's new credentials: signal the new local parameters. */
  | { readonly type: 'restart'; readonly by: 'local' | 'peer'; readonly ufrag: string }
  | { readonly type: 'gathering'; readonly state: GatheringState }
  /** One STUN server's answer (or silence) for one host base: the CLI uses it to judge NAT mapping. */
  | {
      readonly type: 'stun-result';
      readonly server: TransportAddress;
      readonly base: TransportAddress;
      readonly mapped?: TransportAddress;
      readonly error?: string;
    }
  /** A component's state changed; `reason` says why in words (the fact that decided it). */
  | { readonly type: 'component-state'; readonly component: number; readonly state: ComponentState; readonly reason: string }
  | { readonly type: 'state'; readonly state: IceState; readonly previous: IceState; readonly reason: string }
  | { readonly type: 'selected-pair'; readonly component: number; readonly pair: PairInfo }
  | { readonly type: 'role'; readonly role: IceRole; readonly reason: string }
  | TraceEvent;

/**
 * Diagnostics for reports and logs: pairs and the checks on them. Emitted per check, never per
 * data datagram, so recording them costs nothing on the data path.
 */
export type TraceEvent =
  /** A pair was formed, or its state or nomination changed. */
  | { readonly type: 'pair'; readonly pair: PairInfo }
  /** A pair left the checklist (pruned after nomination, §8.1.2; a restart; its socket lost). */
  | { readonly type: 'pair-removed'; readonly pairId: number; readonly component: number }
  /** A check (or consent check) left; `attempt` 1 is the first transmission, 2+ retransmissions. */
  | {
      readonly type: 'check-sent';
      readonly pairId: number;
      readonly component: number;
      readonly kind: CheckKind;
      readonly transactionId: string;
      readonly attempt: number;
      readonly useCandidate: boolean;
      /** From the triggered-check queue (RFC 8445 §7.3.1.4): a check that answers the peer's check. */
      readonly triggered: boolean;
    }
  /** How a check ended: an authenticated success or error response, or a timeout. */
  | {
      readonly type: 'check-result';
      readonly pairId: number;
      readonly component: number;
      readonly kind: CheckKind;
      readonly transactionId: string;
      readonly outcome: 'success' | 'error' | 'timeout';
      readonly code?: number;
      readonly rttMs?: number;
    };

export type TraceEventType = TraceEvent['type'];

export type { Transmit } from './transport.js';

/** Counters of what the core dropped, and why. */
export interface DropCounters {
  /** Not STUN-decodable although it looked like STUN. */
  malformed: number;
  /** Failed MESSAGE-INTEGRITY, FINGERPRINT, USERNAME or the remote ufrag. */
  unauthenticated: number;
  /** A STUN message of a method other than Binding: never a check (RFC 8445 §7.3). */
  notBinding: number;
  unknownTransaction: number;
  /** A response from somewhere other than where its request went (§7.2.5.2.1). */
  wrongSource: number;
  /** Data from a source that never proved itself with an authenticated check. */
  unprovenData: number;
  /** A request from an unspecified, broadcast or multicast source, or port 0. */
  unsafeAddress: number;
  /** A signalled candidate of an older ICE generation (its ufrag was retired by a restart). */
  staleCandidate: number;
  overLimit: number;
  afterClose: number;
}
