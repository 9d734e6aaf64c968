// The seed's iceState vocabulary (shared/seed/iceState.wiki.txt) and its W3C mapping.

/** Agent-wide state, aggregated from the components (see state-aggregator.ts). */
export type IceState = 'starting' | 'checking' | 'connected' | 'completed' | 'failed' | 'disconnected' | 'closed';

/**
 * Per-component state:
 * - starting: nothing to check yet (no remote candidates)
 * - checking: checks running, no working pair yet
 * - connected: has a selected/working pair, still checking or awaiting end-of-candidates
 * - completed: selected pair and its checks are finished
 * - failed: gave up (RFC 8445 §8.1.2)
 * - disconnected: liveness (consent, RFC 7675) failing on its selected pair
 */
export type ComponentState = 'starting' | 'checking' | 'connected' | 'completed' | 'failed' | 'disconnected';

/** RTCIceTransportState (W3C webrtc-pc). */
export type W3CIceTransportState = 'new' | 'checking' | 'connected' | 'completed' | 'failed' | 'disconnected' | 'closed';

/** The modern name for each state: only 'starting' differs ('new'). */
export function toW3C(s: IceState): W3CIceTransportState {
  return s === 'starting' ? 'new' : s;
}
