// One UDP port for many agents: the pure parts (routing, pacing, worker ufrags). No sockets, no clock.
export { MuxRouter, DuplicateUfragError } from './router.js';
export type { MuxRouterOptions } from './router-options.js';
export type { PeerAddress, MuxCounters, MuxDropReason, MuxSize, MuxStats } from './router-types.js';
export { DROP_REASONS } from './router-types.js';
export { SharedPacer, MIN_TA_MS, type PacerStats } from './pacer.js';
export { targetUfrag, isIceUfrag, MIN_UFRAG_LENGTH, MAX_UFRAG_LENGTH } from './username.js';
export { stunClassOf, isBindingRequestType } from './stun-header.js';
export { TokenBucket } from './token-bucket.js';
export { workerUfrag, workerOf, MAX_WORKERS, DEFAULT_WORKER_UFRAG_LENGTH } from './worker-ufrag.js';
export { DeadlineHeap } from '../util/deadline-heap.js';
