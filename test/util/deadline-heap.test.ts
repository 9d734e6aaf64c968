import { expect } from 'chai';
import { DeadlineHeap } from '../../lib/util/deadline-heap.js';
import { IceError } from '../../lib/util/errors.js';
import { Rng } from '../fuzz/mutator.js';

describe('util: DeadlineHeap (one timer for many agents)', () => {
  it('pops due owners earliest first and leaves the rest', () => {
    const h = new DeadlineHeap<string>();
    h.schedule('c', 30);
    h.schedule('a', 10);
    h.schedule('b', 20);
    expect(h.peek()).to.equal(10);
    expect(h.peekOwner()).to.equal('a');
    expect(h.popDue(25)).to.equal('a');
    expect(h.popDue(25)).to.equal('b');
    expect(h.popDue(25)).to.equal(undefined);
    expect(h.size).to.equal(1);
    expect(h.peek()).to.equal(30);
  });

  it('keeps one entry per owner: rescheduling moves it both ways', () => {
    const h = new DeadlineHeap<string>();
    h.schedule('a', 10);
    h.schedule('b', 20);
    h.schedule('a', 30); // increase-key
    expect(h.size).to.equal(2);
    expect(h.peekOwner()).to.equal('b');
    h.schedule('a', 5); // decrease-key
    expect(h.peekOwner()).to.equal('a');
    expect(h.deadlineOf('a')).to.equal(5);
  });

  it('cancels by owner, and treats Infinity or undefined as no deadline', () => {
    const h = new DeadlineHeap<string>();
    h.schedule('a', 1);
    h.schedule('b', 2);
    expect(h.cancel('a')).to.equal(true);
    expect(h.cancel('a')).to.equal(false);
    h.schedule('b', Number.POSITIVE_INFINITY);
    expect(h.has('b')).to.equal(false);
    h.schedule('c', undefined);
    expect(h.size).to.equal(0);
    expect(h.peek()).to.equal(Number.POSITIVE_INFINITY);
    expect(h.popDue(1e9)).to.equal(undefined);
    expect(() => h.schedule('d', Number.NaN)).to.throw(IceError);
  });

  it('matches a naive model over 50 000 seeded operations', () => {
    const rng = new Rng(0x4ea9);
    const h = new DeadlineHeap<number>();
    const model = new Map<number, number>();
    const earliest = (): number => { let m = Number.POSITIVE_INFINITY; for (const v of model.values()) if (v < m) m = v; return m; };
    const problems: string[] = [];
    let now = 0;
    let pops = 0;
    for (let op = 0; op < 50_000 && problems.length === 0; op++) {
      const owner = rng.int(200);
      const r = rng.int(10);
      if (r < 6) {
        const d = now + rng.int(1000);
        h.schedule(owner, d);
        model.set(owner, d);
      } else if (r < 7) {
        if (h.cancel(owner) !== model.delete(owner)) problems.push(`op ${op}: cancel(${owner})`);
      } else {
        now += rng.int(50);
        for (let o = h.popDue(now); o !== undefined; o = h.popDue(now)) {
          // Earliest first: what pops is due and no earlier than anything left.
          const d = model.get(o);
          if (d === undefined || d > now || d !== earliest()) problems.push(`op ${op}: popped ${o} at ${String(d)}, now ${now}`);
          model.delete(o);
          pops++;
        }
        if (earliest() <= now) problems.push(`op ${op}: a due owner was left behind`);
      }
      if (h.size !== model.size || h.peek() !== earliest()) problems.push(`op ${op}: size ${h.size}/${model.size}, peek ${h.peek()}/${earliest()}`);
    }
    expect(problems).to.deep.equal([]);
    expect(pops).to.be.greaterThan(10_000);
  });
});
