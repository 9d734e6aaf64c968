import type { AgentEvent } from './events.js';
import type { Transmit } from './transport.js';

/** FIFO of what the core produced; the driver drains it after each call. */
export class Queue<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.items.length - this.head;
  }
}

export class Outbox {
  readonly transmits = new Queue<Transmit>();
  readonly events = new Queue<AgentEvent>();
}
