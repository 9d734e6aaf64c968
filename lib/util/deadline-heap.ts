import { IceError } from './errors.js';

/**
 * One timer for many owners (agents): a binary min-heap of (deadline, owner) where each owner
 * has at most one entry. Rescheduling moves the owner's entry (decrease- or increase-key) in
 * O(log n); the entry's array slots and Map key are reused, so only an owner's first entry
 * allocates. Pure: deadlines are plain numbers (ms on the caller's clock).
 */
export class DeadlineHeap<O> {
  private readonly deadlines: number[] = [];
  private readonly owners: O[] = [];
  private readonly position = new Map<O, number>();

  get size(): number {
    return this.owners.length;
  }

  /** Sets `owner`'s deadline (inserting or moving its entry). Infinity or undefined removes it. */
  schedule(owner: O, deadline: number | undefined): void {
    if (deadline === undefined || deadline === Number.POSITIVE_INFINITY) {
      this.cancel(owner);
      return;
    }
    if (Number.isNaN(deadline)) throw new IceError('ERR_INVALID_ARGUMENT', 'a deadline must be a number, got NaN');
    const at = this.position.get(owner);
    if (at === undefined) {
      const i = this.owners.length;
      this.owners.push(owner);
      this.deadlines.push(deadline);
      this.position.set(owner, i);
      this.siftUp(i);
      return;
    }
    const before = this.deadlines[at]!;
    this.deadlines[at] = deadline;
    if (deadline < before) this.siftUp(at);
    else if (deadline > before) this.siftDown(at);
  }

  /** Removes `owner`'s entry; false if it had none. */
  cancel(owner: O): boolean {
    const at = this.position.get(owner);
    if (at === undefined) return false;
    this.removeAt(at);
    return true;
  }

  has(owner: O): boolean {
    return this.position.has(owner);
  }

  deadlineOf(owner: O): number | undefined {
    const at = this.position.get(owner);
    return at === undefined ? undefined : this.deadlines[at];
  }

  /** The earliest deadline, or Infinity when empty (arm the one timer for it). */
  peek(): number {
    return this.deadlines[0] ?? Number.POSITIVE_INFINITY;
  }

  /** The owner of the earliest deadline. */
  peekOwner(): O | undefined {
    return this.owners[0];
  }

  /** Removes and returns the owner of the earliest deadline if it is due (≤ now); loop until undefined. */
  popDue(now: number): O | undefined {
    if (this.owners.length === 0 || this.deadlines[0]! > now) return undefined;
    const owner = this.owners[0]!;
    this.removeAt(0);
    return owner;
  }

  private removeAt(i: number): void {
    const removed = this.owners[i]!;
    const last = this.owners.length - 1;
    this.position.delete(removed);
    if (i !== last) {
      this.move(last, i);
      this.owners.pop();
      this.deadlines.pop();
      // The moved entry may belong above or below its new place.
      if (i > 0 && this.deadlines[i]! < this.deadlines[(i - 1) >> 1]!) this.siftUp(i);
      else this.siftDown(i);
    } else {
      this.owners.pop();
      this.deadlines.pop();
    }
  }

  private siftUp(i: number): void {
    const owner = this.owners[i]!;
    const deadline = this.deadlines[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.deadlines[parent]! <= deadline) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, owner, deadline);
  }

  private siftDown(i: number): void {
    const n = this.owners.length;
    const owner = this.owners[i]!;
    const deadline = this.deadlines[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.deadlines[right]! < this.deadlines[left]! ? right : left;
      if (this.deadlines[child]! >= deadline) break;
      this.move(child, i);
      i = child;
    }
    this.place(i, owner, deadline);
  }

  /** Copies the entry at `from` into slot `to` (the caller fills or drops `from`). */
  private move(from: number, to: number): void {
    const owner = this.owners[from]!;
    this.owners[to] = owner;
    this.deadlines[to] = this.deadlines[from]!;
    this.position.set(owner, to);
  }

  private place(i: number, owner: O, deadline: number): void {
    this.owners[i] = owner;
    this.deadlines[i] = deadline;
    this.position.set(owner, i);
  }
}
