// The pure (sans-IO) ICE core: no sockets, timers or clocks inside.
export { IceAgentCore, PACKET_DROPPED, PACKET_STUN, type HostBinding } from './agent-core.js';
export * from './candidate-types.js';
export * from './candidate.js';
export * from './candidate-sdp.js';
export * from './config.js';
export * from './events.js';
export * from './ice-state.js';
export * from './pair.js';
export * from './pair-priority.js';
export * from './state-aggregator.js';
export { CoreStatsView, transportStatsId, type CoreStats, type IceCandidatePairStats, type IceCandidateStats } from './stats.js';
