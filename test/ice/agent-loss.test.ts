import { expect } from 'chai';
import { DEFAULT_TIMERS } from '../../lib/ice/config.js';
import { Sim, connectPair, firstAt, states } from '../support/sim.js';
import { seededUnit } from '../support/random.js';
import { stunOf } from '../support/stun-bytes.js';

/** When a check transaction with this policy gives up, measured from its first request. */
function checkGiveUpMs(): number {
  const { rtoMs, maxRequests, finalWaitFactor } = DEFAULT_TIMERS.checkRetransmit;
  let t = 0;
  for (let k = 1; k < maxRequests; k++) t += rtoMs * 2 ** (k - 1);
  return t + rtoMs * finalWaitFactor;
}

describe('IceAgentCore: packet loss', () => {
  it('connects through 30% seeded loss each way (20 seeds, 60 s virtual bound)', () => {
    let sent = 0;
    let lost = 0;
    let lossyRuns = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = seededUnit(seed);
      const sim = new Sim({ seed, drop: () => rnd() < 0.3 });
      const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
      sim.signal(a, b);
      sim.signal(b, a);
      const ok = sim.run(60_000, () => a.core.state === 'completed' && b.core.state === 'completed');
      expect(ok, `seed ${seed}: A ${states(a)} B ${states(b)} at ${sim.now}`).to.equal(true);
      expect(states(a)).to.not.include('failed');
      sent += sim.wire.length;
      lost += sim.dropped;
      if (sim.wire.slice(0, 4).some((w) => w.dropped)) lossyRuns++;
    }
    // The loss was real: about 30% overall, and early packets were lost in many runs.
    expect(lost / sent).to.be.within(0.2, 0.4);
    expect(lossyRuns).to.be.greaterThan(5);
  });

  it('total loss with end-of-candidates: failed one check give-up time after checks start', () => {
    const giveUp = checkGiveUpMs();
    expect(giveUp).to.equal(19_500); // the documented default
    const sim = new Sim({ drop: () => true });
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.run(1000);
    const start = sim.now;
    sim.signal(a, b);
    sim.signal(b, a);
    const firstCheck = sim.wire.find((w) => w.agent === 'A')!.at;
    expect(firstCheck).to.equal(start);
    sim.run(start + 60_000, () => a.core.state === 'failed' && b.core.state === 'failed');
    for (const x of [a, b]) {
      expect(states(x)).to.deep.equal(['checking', 'failed']);
      const at = firstAt(x, 'failed')! - start;
      expect(at, x.name).to.be.greaterThan(19_000).and.lessThan(21_000);
      expect(at, x.name).to.equal(giveUp);
      expect(x.core.componentStates()).to.deep.equal(['failed']);
      expect(x.core.selectedPair(1)).to.equal(undefined);
      expect(x.core.route(1)).to.equal(undefined);
    }
    // Six requests per side, no more.
    expect(sim.wire.filter((w) => w.agent === 'A')).to.have.length(DEFAULT_TIMERS.checkRetransmit.maxRequests);
  });

  it('total loss without end-of-candidates: waits trickleGraceMs longer before failed', () => {
    const sim = new Sim({ drop: () => true });
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b, { endOfCandidates: false });
    sim.signal(b, a, { endOfCandidates: false });
    sim.run(120_000, () => a.core.state === 'failed' && b.core.state === 'failed');
    for (const x of [a, b]) {
      expect(states(x)).to.deep.equal(['checking', 'failed']);
      expect(firstAt(x, 'failed'), x.name).to.equal(checkGiveUpMs() + DEFAULT_TIMERS.trickleGraceMs);
    }
  });

  it('a candidate trickled during the grace period restarts the wait', () => {
    const sim = new Sim({ drop: () => true });
    const a = sim.addAgent('A', ['10.0.0.1'], { role: 'controlling' });
    const b = sim.addAgent('B', ['10.0.0.2', '10.0.1.2'], { role: 'controlled' });
    sim.gather(a);
    sim.gather(b);
    const p = b.core.localParameters;
    a.core.setRemoteCredentials(0, p.ufrag, p.pwd);
    a.core.addRemoteCandidate(0, b.core.localCandidateList[0]!);
    sim.drain();
    const late = 19_500 + 2_000;
    sim.run(late);
    expect(a.core.state).to.equal('checking');
    a.core.addRemoteCandidate(sim.now, b.core.localCandidateList[1]!);
    sim.drain();
    sim.run(200_000, () => a.core.state === 'failed');
    // The new pair's checks start at `late` and fail 19.5 s later; then the grace runs from there.
    expect(firstAt(a, 'failed')).to.equal(late + checkGiveUpMs() + DEFAULT_TIMERS.trickleGraceMs);
  });

  it('lost USE-CANDIDATE checks never fail the valid pair; nomination is retried until it gets through', () => {
    const outageMs = 25_000; // longer than a check transaction lives
    const sim = new Sim({
      drop: (_f, _t, data, now) => now < outageMs && stunOf(data)?.attributes.some((x) => x.type === 'USE-CANDIDATE') === true,
    });
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b);
    sim.signal(b, a);
    sim.run(outageMs - 1);
    // Valid (its first check succeeded) and usable, but not nominated yet.
    expect(a.core.pairs().map((p) => p.state)).to.deep.equal(['succeeded']);
    expect(a.core.selectedPair(1)?.nominated).to.equal(false);
    expect([a.core.state, b.core.state]).to.deep.equal(['connected', 'connected']);
    const ok = sim.run(outageMs + 30_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(states(a)).to.deep.equal(['checking', 'connected', 'completed']);
  });
});
