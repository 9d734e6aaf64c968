// SharedTimer with earlyWakeups (what IceServer uses): a later deadline moves nothing; the owner
// is called at its old deadline, re-arms, and is called again at the new one. Virtual clock.
import { expect } from 'chai';
import { SharedTimer } from '../../lib/driver/timer.js';
import type { Scheduler } from '../../lib/net/scheduler.js';
import { VirtualScheduler } from '../support/virtual-clock.js';

/** Counts what the timer asks of the scheduler. */
function counting(clock: VirtualScheduler): { scheduler: Scheduler; scheduled: () => number } {
  let n = 0;
  return {
    scheduler: { now: () => clock.now(), schedule: (at, fn) => (n++, clock.schedule(at, fn)), cancel: (h) => clock.cancel(h) },
    scheduled: () => n,
  };
}

describe('driver: SharedTimer with earlyWakeups (a server pushing deadlines later on every packet)', () => {
  it('a later deadline costs no scheduler timer; the owner is woken early once, re-arms, and runs at its real deadline', async () => {
    const clock = new VirtualScheduler();
    const { scheduler, scheduled } = counting(clock);
    const timers = new SharedTimer(scheduler, undefined, { earlyWakeups: true });
    let deadline = 100;
    const calls: number[] = [];
    const slot = timers.slot(() => {
      calls.push(clock.now());
      if (clock.now() < deadline) slot.arm(deadline); // woken early: re-arm for the real deadline
    });
    slot.arm(deadline);
    for (let t = 10; t <= 90; t += 10) {
      await clock.runUntil(t);
      deadline = t + 100; // every "packet" pushes the deadline later
      slot.arm(deadline);
    }
    expect(scheduled(), 'one scheduler timer for ten arms').to.equal(1);
    await clock.runUntil(400);
    expect(calls, 'early at 100, then at the last deadline (190)').to.deep.equal([100, 190]);
  });

  it('an earlier deadline still moves at once, and disarming the last owner cancels the scheduler timer', async () => {
    const clock = new VirtualScheduler();
    const timers = new SharedTimer(clock, undefined, { earlyWakeups: true });
    const calls: string[] = [];
    const a = timers.slot(() => calls.push(`a@${clock.now()}`));
    const b = timers.slot(() => calls.push(`b@${clock.now()}`));
    a.arm(50);
    b.arm(80);
    a.arm(20);
    await clock.runUntil(30);
    expect(calls).to.deep.equal(['a@20']);
    b.disarm();
    expect(clock.pending, 'nothing left armed: the process may exit').to.equal(0);
  });

  it('without the option, arm() keeps its exact semantics (a later deadline moves the entry)', async () => {
    const clock = new VirtualScheduler();
    const timers = new SharedTimer(clock);
    const calls: number[] = [];
    const slot = timers.slot(() => calls.push(clock.now()));
    slot.arm(100);
    slot.arm(150);
    await clock.runUntil(400);
    expect(calls).to.deep.equal([150]);
  });
});
