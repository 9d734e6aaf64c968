// The ICE side of TURN (pure): relay candidates from TurnAllocations, as a socket layer of the core.
export { RelayLayer, RELAY_SOCKET_BASE, MAX_ALLOCATIONS } from './relay-layer.js';
export { relayCandidate, mappedCandidate, relayFoundation, relayLocalPreference } from './relay-candidates.js';
export type {
  IceTransportPolicy, RelayServer, RelayTimers, RelayLayerOptions, RelayCommand, RelayState, RelayFailureReason,
  RelayInfo, RelayEvent, Unwrapped,
} from './types.js';
