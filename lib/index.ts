// ice-agent: the public API. The pure core is also available as 'ice-agent/core', STUN as 'ice-agent/stun'.
export { IceAgent, type IceAgentOptions, type IceAgentEvents, type IceWarning } from './ice-agent.js';
export type { IceParameters } from './ice/agent-core.js';
export type { Candidate, LocalCandidate, CandidateType } from './ice/candidate-types.js';
export { parseCandidate, formatCandidate } from './ice/candidate-sdp.js';
export type { IceState, ComponentState, W3CIceTransportState } from './ice/ice-state.js';
export type { PairInfo, PairState } from './ice/pair.js';
export type { IceRole, AgentTimers, AgentLimits } from './ice/config.js';
export { DEFAULT_TIMERS, DEFAULT_LIMITS } from './ice/config.js';
export type { GatheringState, DropCounters, TraceEvent } from './ice/events.js';
export type { TransportAddress } from './stun/types.js';
export type { PortRange } from './net/udp-socket.js';
export type { AddressFilterOptions, HostAddress } from './net/interfaces.js';
export { parseStunServer, type StunServerSpec } from './net/stun-server-spec.js';
export { IceError, type IceErrorCode } from './util/errors.js';
export type { Logger } from './util/logger.js';
export type { IceServer } from './ice-servers.js';
export type { IceTransportPolicy, RelayInfo, RelayState, RelayFailureReason, RelayTimers } from './relay/types.js';
export { restCredentials, type TurnCredentials } from './turn/rest-credentials.js';
