import { expect } from 'chai';
import { SharedPacer } from '../../lib/mux/index.js';
import { IceError } from '../../lib/util/errors.js';

/**
 * A driver loop in virtual time: every agent wants a new transaction whenever its own Ta (50 ms)
 * allows; the pacer is the only other gate. Returns the start times of transactions per agent.
 */
function simulate(agentCount: number, untilMs: number, pacer = new SharedPacer<number>(5)): number[][] {
  const started: number[][] = Array.from({ length: agentCount }, () => []);
  const ownNext = new Array<number>(agentCount).fill(0); // each agent's own pacing, §6.1.4.2
  const waiting = new Set<number>();
  const attempt = (a: number, now: number): void => {
    if (pacer.tryAcquire(a, now)) {
      started[a]!.push(now);
      ownNext[a] = now + 50;
      waiting.delete(a);
    } else {
      waiting.add(a); // parked: it retries only when the pacer grants
    }
  };
  for (let now = 0; now <= untilMs; now++) {
    for (let a = 0; a < agentCount; a++) if (!waiting.has(a) && now >= ownNext[a]!) attempt(a, now);
    for (let g = pacer.nextSlot() <= now ? pacer.grant(now) : undefined; g !== undefined; g = pacer.grant(now)) attempt(g, now);
  }
  return started;
}

describe('mux: SharedPacer (RFC 8445 §14.2 across all agents)', () => {
  it('lets one transaction start per Ta across every agent', () => {
    const started = simulate(100, 10_000);
    const all = started.flat().sort((a, b) => a - b);
    for (let i = 1; i < all.length; i++) expect(all[i]! - all[i - 1]!, `at ${all[i]}`).to.be.at.least(5);
    // 100 agents each wanting one per 50 ms would start 20 000; the port allows 2001.
    expect(all.length).to.equal(2001);
  });

  it('is fair: waiting agents are served round-robin', () => {
    const started = simulate(100, 10_000);
    const counts = started.map((s) => s.length);
    expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1);
  });

  it('does not slow agents that the port can carry: each keeps its own Ta', () => {
    const started = simulate(5, 1000); // 5 agents × 1 per 50 ms = 1 per 10 ms < 1 per 5 ms
    for (const s of started) expect(s.length).to.be.within(19, 21);
  });

  it('queues an agent once and hands it the slot through grant()', () => {
    const p = new SharedPacer<string>(5);
    expect(p.tryAcquire('a', 0)).to.equal(true);
    expect(p.nextSlot()).to.equal(Number.POSITIVE_INFINITY);
    expect(p.tryAcquire('b', 1)).to.equal(false);
    expect(p.tryAcquire('b', 2)).to.equal(false);
    expect(p.tryAcquire('c', 2)).to.equal(false);
    expect(p.stats()).to.deep.equal({ waiting: 2, granted: 1, deferred: 2 });
    expect(p.nextSlot()).to.equal(5);
    expect(p.grant(4)).to.equal(undefined);
    expect(p.tryAcquire('a', 5), 'a newcomer waits behind the queue').to.equal(false);
    expect(p.grant(5)).to.equal('b');
    expect(p.tryAcquire('c', 6), 'not c\'s turn yet: b holds the slot').to.equal(false);
    expect(p.tryAcquire('b', 6)).to.equal(true);
    expect(p.nextSlot()).to.equal(10);
    expect(p.tryAcquire('c', 10), 'the head of the queue may take a free slot itself').to.equal(true);
    expect(p.grant(15)).to.equal('a');
  });

  it('lets a grant lapse after Ta and forgets withdrawn agents', () => {
    const p = new SharedPacer<string>(5);
    p.tryAcquire('a', 0);
    p.tryAcquire('b', 0);
    p.tryAcquire('c', 0);
    expect(p.grant(5)).to.equal('b');
    expect(p.tryAcquire('b', 10), 'a grant unused for Ta is gone').to.equal(false);
    p.withdraw('c');
    expect(p.grant(10)).to.equal('b');
    expect(p.stats().waiting).to.equal(0);
    expect(p.nextSlot()).to.equal(Number.POSITIVE_INFINITY);
  });

  it('refuses a Ta below 5 ms', () => {
    expect(() => new SharedPacer(4)).to.throw(IceError);
    expect(() => new SharedPacer(Number.NaN)).to.throw(IceError);
    expect(new SharedPacer().taMs).to.equal(5);
  });
});
