// SHIM for branches written before test/support existed: import from test/support instead.
// The lead deletes this file once every branch is merged.
import { Nat as NatModel, natConfigOfKind, type NatKind } from '../support/nat.js';

export * from '../support/sim.js';
export { seededUnit } from '../support/random.js';
export { errorCodeOf, stunOf } from '../support/stun-bytes.js';
export type { NatKind };

/** The old `new Nat('eim', ip)`: use natOfKind(kind, ip) from test/support/nat.ts. */
export class Nat extends NatModel {
  constructor(kind: Exclude<NatKind, 'none'>, publicIp: string) {
    super(natConfigOfKind(kind, publicIp));
  }
}
