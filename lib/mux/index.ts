// One UDP port for many agents: the pure parts (routing, pacing, worker ufrags). No sockets, no clock.
//
// How a server driver uses them (one socket per family, one DeadlineHeap for every agent):
//  - createAgent: router.register(agent, ufrag); close: router.unregister(agent), pacer.withdraw(agent),
//    heap.cancel(agent). ICE restart: router.rename(agent, oldUfrag, newUfrag), then forget the
//    addresses the agent stops using.
//  - on a datagram: agent = router.route(rinfo, data, now); if defined, feed the agent.
//  - the agent, after MESSAGE-INTEGRITY verified (a check it answers, or a response to its own
//    check): router.authenticated(agent, from, now). On pair failure or consent loss: router.forget.
//  - for each transmit of a full agent: router.requestSent(agent, to, data, now), then send.
//  - full agents ask pacer.tryAcquire(agent, now) before each new transaction; the driver arms its
//    timer for min(heap.peek(), pacer.nextSlot()) and wakes pacer.grant(now)'s agent.
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
