import type { AddressSlot } from './router-types.js';

/** A port's entries: a short chain of slots, or a Map once the chain would grow past CHAIN_LIMIT. */
type Bucket<A> = AddressSlot<A> | Map<string, AddressSlot<A>>;

/** Longest chain walked per lookup; beyond it a port's addresses move into a Map (no O(n) port). */
const CHAIN_LIMIT = 8;

/**
 * address → owning agent, for the data hot path. Keyed by port first: remote ports are spread
 * (ephemeral), so a port usually holds one address and a lookup is one Map get on a number plus
 * one string comparison. No "ip:port" key is built and the source address string (fresh for
 * every datagram from the UDP socket) is never hashed. A port shared by many addresses (clients on a
 * fixed port) switches to a Map by address once it holds more than CHAIN_LIMIT, so no input makes
 * a lookup walk a long chain. bench/mux-router.ts measures this against a Map per port and a
 * single Map keyed by "address:port": it is the fastest and smallest of the three.
 */
export class AddressTable<A> {
  private readonly byPort = new Map<number, Bucket<A>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  lookup(port: number, address: string): AddressSlot<A> | undefined {
    const bucket = this.byPort.get(port);
    if (bucket === undefined) return undefined;
    if (bucket instanceof Map) return bucket.get(address);
    for (let s: AddressSlot<A> | undefined = bucket; s !== undefined; s = s.nextSamePort) {
      if (s.address === address) return s;
    }
    return undefined;
  }

  /** Adds a slot; the caller has checked that its address is free. */
  insert(slot: AddressSlot<A>): void {
    const bucket = this.byPort.get(slot.port);
    this.count++;
    slot.nextSamePort = undefined;
    if (bucket === undefined) {
      this.byPort.set(slot.port, slot);
    } else if (bucket instanceof Map) {
      bucket.set(slot.address, slot);
    } else if (chainLength(bucket) < CHAIN_LIMIT) {
      slot.nextSamePort = bucket;
      this.byPort.set(slot.port, slot);
    } else {
      const map = new Map<string, AddressSlot<A>>();
      for (let s: AddressSlot<A> | undefined = bucket; s !== undefined;) {
        const next: AddressSlot<A> | undefined = s.nextSamePort;
        s.nextSamePort = undefined;
        map.set(s.address, s);
        s = next;
      }
      map.set(slot.address, slot);
      this.byPort.set(slot.port, map);
    }
  }

  /** Removes this exact slot (not another slot that took its address since). */
  remove(slot: AddressSlot<A>): boolean {
    const bucket = this.byPort.get(slot.port);
    if (bucket === undefined) return false;
    if (bucket instanceof Map) {
      if (bucket.get(slot.address) !== slot) return false;
      bucket.delete(slot.address);
      if (bucket.size === 0) this.byPort.delete(slot.port);
    } else if (!this.unlink(bucket, slot)) {
      return false;
    }
    this.count--;
    return true;
  }

  private unlink(head: AddressSlot<A>, slot: AddressSlot<A>): boolean {
    if (head === slot) {
      if (slot.nextSamePort === undefined) this.byPort.delete(slot.port);
      else this.byPort.set(slot.port, slot.nextSamePort);
    } else {
      let prev = head;
      while (prev.nextSamePort !== slot) {
        if (prev.nextSamePort === undefined) return false;
        prev = prev.nextSamePort;
      }
      prev.nextSamePort = slot.nextSamePort;
    }
    slot.nextSamePort = undefined;
    return true;
  }
}

function chainLength<A>(head: AddressSlot<A>): number {
  let n = 0;
  for (let s: AddressSlot<A> | undefined = head; s !== undefined; s = s.nextSamePort) n++;
  return n;
}
