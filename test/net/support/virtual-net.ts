// SHIM for branches written before test/support existed: import from test/support/virtual-net.js,
// virtual-clock.js, nat.js and random.js instead. The lead deletes this file once every branch is merged.
export * from '../../support/virtual-net.js';
export { VirtualScheduler } from '../../support/virtual-clock.js';
export { Nat as NatBox, type NatConfig, type NatFiltering, type NatMapping } from '../../support/nat.js';
export { seededUnit } from '../../support/random.js';
