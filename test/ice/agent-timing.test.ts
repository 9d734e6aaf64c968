import { expect } from 'chai';
import { DEFAULT_TIMERS } from '../../lib/ice/config.js';
import { IceError } from '../../lib/util/errors.js';
import { Sim, firstAt, states, type SimAgent } from '../support/sim.js';
import { stunOf } from '../support/stun-bytes.js';

/** Send times of `agent`'s new checks (first transmission of each request transaction). */
function newCheckTimes(sim: Sim, agent: string, until = Infinity): number[] {
  const seen = new Set<string>();
  const times: number[] = [];
  for (const w of sim.wire) {
    const m = stunOf(w.data);
    if (w.agent !== agent || w.at > until || m?.cls !== 'request') continue;
    const id = m.transactionId.toString('hex');
    if (seen.has(id)) continue;
    seen.add(id);
    times.push(w.at);
  }
  return times;
}

function pair(sim: Sim, bIps: string[], components = 1, taMs?: number): [SimAgent, SimAgent] {
  const t = taMs === undefined ? {} : { timers: { taMs } };
  const a = sim.addAgent('A', ['10.0.0.1'], { role: 'controlling', components, ...t });
  const b = sim.addAgent('B', bIps, { role: 'controlled', components, ...t });
  sim.gather(a);
  sim.gather(b);
  return [a, b];
}

describe('IceAgentCore: timing on the virtual clock (1 ms latency)', () => {
  it('the first check goes out at once; both sides are connected within 3 ms of signalling', () => {
    const sim = new Sim({ latencyMs: 1 });
    const [a, b] = pair(sim, ['10.0.0.2']);
    sim.run(1000);
    const t0 = sim.now;
    sim.signal(a, b);
    sim.signal(b, a);
    expect(newCheckTimes(sim, 'A')).to.deep.equal([t0]);
    expect(newCheckTimes(sim, 'B')).to.deep.equal([t0]);
    sim.run(t0 + 1000, () => a.core.state === 'completed' && b.core.state === 'completed');
    for (const x of [a, b]) expect(firstAt(x, 'connected')! - t0, x.name).to.be.at.most(3);
    expect(states(a)).to.deep.equal(['checking', 'connected', 'completed']);
  });

  it('the second new check is spaced by taMs, and every new check after it too', () => {
    const sim = new Sim({ latencyMs: 1 });
    const [a, b] = pair(sim, ['10.0.0.2', '10.0.1.2', '10.0.2.2']);
    sim.signal(b, a); // only A checks (B has nothing of A's yet)
    sim.run(400);
    const times = newCheckTimes(sim, 'A');
    expect(times.length).to.be.at.least(2);
    expect(times.slice(0, 2)).to.deep.equal([0, DEFAULT_TIMERS.taMs]);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).to.be.at.least(DEFAULT_TIMERS.taMs);
  });

  it('pacing is per agent across components, with a custom taMs', () => {
    const taMs = 20;
    const sim = new Sim({ latencyMs: 1 });
    const [a, b] = pair(sim, ['10.0.0.2', '10.0.1.2'], 2, taMs);
    sim.signal(b, a);
    sim.run(500);
    const times = newCheckTimes(sim, 'A');
    // B answers at once: check c1, nominate c1, check c2, nominate c2 — one per Ta slot across components.
    expect(times.length).to.equal(4);
    expect(times).to.deep.equal([0, taMs, 2 * taMs, 3 * taMs]);
  });

  it('rejects taMs below 5 ms (RFC 8445 §14.2)', () => {
    const sim = new Sim();
    expect(() => sim.addAgent('A', ['10.0.0.1'], { timers: { taMs: 4 } })).to.throw(IceError).with.property('code', 'ERR_INVALID_ARGUMENT');
  });
});
