// SHIM for branches written before test/support existed: import from test/support (signalling.ts,
// waits.ts, resources.ts, udp.ts, egress-guard.ts) instead. The lead deletes this file once every
// branch is merged.
export { signalGathered, wire } from '../../support/signalling.js';
export { nextData } from '../../support/waits.js';
export { baselineResourceCounts, resourceCounts, settledResourceCounts, type ResourceCounts } from '../../support/resources.js';
export { canBind } from '../../support/udp.js';
export { guardLoopbackEgress } from '../../support/egress-guard.js';
/** @deprecated never wait to see that nothing happened: wait on a counter or a round trip (test/support/waits.ts, attacker.ts). */
export { pace as sleep } from '../../support/waits.js';
