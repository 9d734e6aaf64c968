// One scheduler timer for many agents (lib/driver/timer.ts), on the virtual clock.
import { expect } from 'chai';
import { SharedTimer } from '../../lib/driver/timer.js';
import { VirtualScheduler } from '../support/virtual-clock.js';

describe('driver: SharedTimer (one timer, many agents)', () => {
  it('fires each owner at its deadline, in order, with one scheduler timer armed at a time', async () => {
    const clock = new VirtualScheduler();
    const timers = new SharedTimer(clock);
    const fired: [string, number][] = [];
    const slots = ['a', 'b', 'c'].map((name) => timers.slot(() => fired.push([name, clock.now()])));
    slots[0]!.arm(30);
    slots[1]!.arm(10);
    slots[2]!.arm(20);
    expect(clock.pending, 'one scheduler timer for three owners').to.equal(1);
    slots[2]!.arm(5); // moved earlier
    slots[0]!.disarm();
    await clock.runUntil(100);
    expect(fired).to.deep.equal([['c', 5], ['b', 10]]);
    expect(clock.pending).to.equal(0);
    expect(timers.size).to.equal(0);
  });

  it('an owner that re-arms for now runs again on the next wakeup, not in a loop; one that throws does not stop the others', async () => {
    const clock = new VirtualScheduler();
    const reported: unknown[] = [];
    const timers = new SharedTimer(clock, (err) => reported.push(err));
    let runs = 0;
    let others = 0;
    const greedy = timers.slot(() => {
      runs++;
      if (runs < 3) greedy.arm(clock.now());
    });
    const thrower = timers.slot(() => {
      throw new Error('owner failed');
    });
    const other = timers.slot(() => void others++);
    greedy.arm(10);
    thrower.arm(10);
    other.arm(10);
    await clock.runUntil(10);
    expect(runs).to.equal(3);
    expect(others).to.equal(1);
    expect(reported.map((e) => (e as Error).message)).to.deep.equal(['owner failed']);
  });

  it('10,000 owners: one armed timer, all fired once at their deadline', async () => {
    const clock = new VirtualScheduler();
    const timers = new SharedTimer(clock);
    const at: number[] = [];
    for (let i = 0; i < 10_000; i++) timers.slot(() => void (at[i] = clock.now())).arm(1000 + (i % 100));
    expect(clock.pending).to.equal(1);
    await clock.runUntil(2000);
    expect(at.filter((t, i) => t === 1000 + (i % 100))).to.have.length(10_000);
    expect(clock.executed, 'one wakeup per distinct deadline').to.equal(100);
  });
});
