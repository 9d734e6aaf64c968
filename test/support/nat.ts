/**
 * One model of a NAT box (RFC 4787), used by the pure simulation (sim.ts) and by the virtual
 * network (virtual-net.ts): mapping is endpoint-independent (one public port per internal
 * endpoint) or symmetric (one per internal endpoint and destination, RFC 4787 §4.1
 * "address and port-dependent"); filtering of inbound packets is endpoint-independent,
 * address-dependent or address-and-port-dependent (§5). Linux MASQUERADE is symmetric-ish
 * mapping with address-and-port-dependent filtering.
 */
import { addressKey } from '../../lib/ice/candidate.js';
import type { TransportAddress } from '../../lib/stun/types.js';

export type NatMapping = 'endpoint-independent' | 'symmetric';
export type NatFiltering = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

export interface NatConfig {
  /** The NAT's public (outside) IPv4 address. */
  readonly publicAddress: string;
  readonly mapping: NatMapping;
  /** Default address-and-port-dependent. */
  readonly filtering?: NatFiltering;
  /** First public port handed out (then +1 each). Default 20000. */
  readonly firstPort?: number;
}

interface Binding {
  readonly publicPort: number;
  readonly internal: TransportAddress;
  /** Outside endpoints this mapping has sent to: address keys and address:port keys. */
  readonly permissions: Set<string>;
}

export class Nat {
  readonly publicAddress: string;
  readonly mapping: NatMapping;
  readonly filtering: NatFiltering;
  private nextPort: number;
  private readonly byKey = new Map<string, Binding>();
  private readonly byPort = new Map<number, Binding>();

  constructor(cfg: NatConfig) {
    this.publicAddress = cfg.publicAddress;
    this.mapping = cfg.mapping;
    this.filtering = cfg.filtering ?? 'address-and-port-dependent';
    this.nextPort = cfg.firstPort ?? 20000;
  }

  /** Outbound: the public source for a packet from `internal` to `to` (creating the mapping and the permission). */
  outbound(internal: TransportAddress, to: TransportAddress): TransportAddress {
    const key = this.mapping === 'symmetric' ? `${addressKey(internal)}>${addressKey(to)}` : addressKey(internal);
    let b = this.byKey.get(key);
    if (!b) {
      b = { publicPort: this.nextPort++, internal, permissions: new Set() };
      this.byKey.set(key, b);
      this.byPort.set(b.publicPort, b);
    }
    b.permissions.add(to.address);
    b.permissions.add(addressKey(to));
    return { address: this.publicAddress, port: b.publicPort, family: 4 };
  }

  /** Inbound: the internal destination of a packet from `from` to public port `port`, or why it is dropped. */
  inbound(port: number, from: TransportAddress): TransportAddress | 'no-mapping' | 'filtered' {
    const b = this.byPort.get(port);
    if (!b) return 'no-mapping';
    if (this.filtering === 'address-dependent' && !b.permissions.has(from.address)) return 'filtered';
    if (this.filtering === 'address-and-port-dependent' && !b.permissions.has(addressKey(from))) return 'filtered';
    return b.internal;
  }

  /** Mappings created so far. */
  get mappings(): number {
    return this.byPort.size;
  }
}

/**
 * The pure simulation's shorthand: `eim` = endpoint-independent mapping, address-and-port-dependent
 * filtering ("port-restricted cone"); `eim-open` = endpoint-independent filtering too ("full
 * cone"); `symmetric` = symmetric mapping, address-and-port-dependent filtering.
 */
export type NatKind = 'none' | 'eim' | 'eim-open' | 'symmetric';

export function natConfigOfKind(kind: Exclude<NatKind, 'none'>, publicAddress: string, firstPort = 40000): NatConfig {
  const mapping: NatMapping = kind === 'symmetric' ? 'symmetric' : 'endpoint-independent';
  const filtering: NatFiltering = kind === 'eim-open' ? 'endpoint-independent' : 'address-and-port-dependent';
  return { publicAddress, mapping, filtering, firstPort };
}

export function natOfKind(kind: Exclude<NatKind, 'none'>, publicAddress: string): Nat {
  return new Nat(natConfigOfKind(kind, publicAddress));
}
