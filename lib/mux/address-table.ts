import type { AddressSlot } from './router-types.js';

/**
 * address → owning agent, keyed by port, then by address text: the data hot path looks a source
 * up with two Map gets and builds no "ip:port" string per datagram (bench/mux-router.ts compares
 * the two keyings). Empty port maps are removed, so the table is bounded by its entries.
 */
export class AddressTable<A> {
  private readonly byPort = new Map<number, Map<string, AddressSlot<A>>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  lookup(port: number, address: string): AddressSlot<A> | undefined {
    return this.byPort.get(port)?.get(address);
  }

  /** Adds a slot; the caller has checked that its address is free. */
  insert(slot: AddressSlot<A>): void {
    let inner = this.byPort.get(slot.port);
    if (!inner) this.byPort.set(slot.port, (inner = new Map()));
    inner.set(slot.address, slot);
    this.count++;
  }

  /** Removes this exact slot (not another slot that took its address since). */
  remove(slot: AddressSlot<A>): boolean {
    const inner = this.byPort.get(slot.port);
    if (inner?.get(slot.address) !== slot) return false;
    inner.delete(slot.address);
    if (inner.size === 0) this.byPort.delete(slot.port);
    this.count--;
    return true;
  }
}
