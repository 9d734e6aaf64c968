/**
 * A FIFO the owner drains (pollTransmit / pollEvent); amortised O(1) shift. Its array exists only
 * while something is queued: thousands of idle agents keep none.
 */
export class Fifo<T> {
  private items: T[] | undefined;
  private head = 0;

  push(item: T): void {
    (this.items ??= []).push(item);
  }

  shift(): T | undefined {
    const items = this.items;
    if (items === undefined) return undefined;
    const item = items[this.head++];
    if (this.head === items.length) {
      this.items = undefined;
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.items === undefined ? 0 : this.items.length - this.head;
  }
}
