// What re-gathering changes: the machine's host addresses now against the sockets bound before.
import type { HostBinding } from '../ice/transport.js';
import { normalizeIp, type HostAddress } from '../net/interfaces.js';

const bindingAddress = (b: HostBinding): string => normalizeIp(b.base.address);

/** Bound sockets whose address the machine no longer has (or the filters no longer let through). */
export function vanishedHosts(bound: readonly HostBinding[], addresses: readonly HostAddress[]): HostBinding[] {
  const now = new Set(addresses.map((a) => a.address));
  return bound.filter((b) => !now.has(bindingAddress(b)));
}

/** Addresses that have no socket yet. */
export function unboundAddresses(bound: readonly HostBinding[], addresses: readonly HostAddress[]): HostAddress[] {
  const have = new Set(bound.map(bindingAddress));
  return addresses.filter((a) => !have.has(a.address));
}
