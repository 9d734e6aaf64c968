// SHIM for branches written before test/support existed: import from test/support/coturn.js instead.
// The lead deletes this file once every branch is merged.
export * from '../../support/coturn.js';
