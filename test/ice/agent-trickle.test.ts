import { expect } from 'chai';
import { Sim, states, type SimAgent } from '../support/sim.js';
import { seededUnit } from '../support/random.js';

type Step = { readonly to: SimAgent; readonly apply: () => void; readonly label: string };

/** Every signalling step of both sides (credentials and each candidate), shuffled by `seed`. */
function trickleSteps(sim: Sim, a: SimAgent, b: SimAgent, seed: number): Step[] {
  const steps: Step[] = [];
  for (const [from, to] of [[a, b], [b, a]] as const) {
    const p = from.core.localParameters;
    steps.push({ to, label: `${to.name}<-creds`, apply: () => to.core.setRemoteCredentials(sim.now, p.ufrag, p.pwd) });
    for (const c of from.core.localCandidateList) {
      steps.push({ to, label: `${to.name}<-${c.address}`, apply: () => to.core.addRemoteCandidate(sim.now, c) });
    }
  }
  const rnd = seededUnit(seed);
  for (let i = steps.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  }
  return steps;
}

function setup(seed: number, end: boolean): { sim: Sim; a: SimAgent; b: SimAgent; order: string } {
  const sim = new Sim({ seed });
  const a = sim.addAgent('A', ['10.0.0.1', '10.0.1.1', '10.0.2.1'], { role: 'controlling', seed: seed * 3 });
  const b = sim.addAgent('B', ['10.0.0.2', '10.0.1.2', '10.0.2.2'], { role: 'controlled', seed: seed * 3 + 1 });
  sim.gather(a);
  sim.gather(b);
  const steps = trickleSteps(sim, a, b, seed);
  const gaps = seededUnit(seed + 1000);
  for (const s of steps) {
    s.apply();
    sim.drain();
    sim.run(sim.now + Math.floor(gaps() * 30)); // interleave with checks already under way
  }
  if (end) {
    a.core.endOfRemoteCandidates(sim.now);
    b.core.endOfRemoteCandidates(sim.now);
    sim.drain();
  }
  return { sim, a, b, order: steps.map((s) => s.label).join(' ') };
}

describe('IceAgentCore: trickle', () => {
  it('connects and completes with candidates and credentials trickled in random order (10 seeds)', () => {
    let credsLate = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const { sim, a, b, order } = setup(seed, true);
      for (const x of ['A', 'B']) {
        const labels = order.split(' ');
        if (labels.findIndex((l) => l.startsWith(`${x}<-10.`)) < labels.indexOf(`${x}<-creds`)) credsLate++;
      }
      const ok = sim.run(sim.now + 20_000, () => a.core.state === 'completed' && b.core.state === 'completed');
      expect(ok, `seed ${seed} [${order}] A ${states(a)} B ${states(b)}`).to.equal(true);
      expect(states(a)).to.deep.equal(['checking', 'connected', 'completed']);
      expect(states(b).slice(-2)).to.deep.equal(['connected', 'completed']);
      const sa = a.core.selectedPair(1)!;
      const sb = b.core.selectedPair(1)!;
      expect([sa.local.address, sa.remote.address]).to.deep.equal([sb.remote.address, sb.local.address]);
    }
    // The shuffles did put candidates before credentials at least once.
    expect(credsLate).to.be.greaterThan(0);
  });

  it('candidates that arrive before the credentials are buffered and paired', () => {
    const sim = new Sim();
    const a = sim.addAgent('A', ['10.0.0.1'], { role: 'controlling' });
    const b = sim.addAgent('B', ['10.0.0.2'], { role: 'controlled' });
    sim.gather(a);
    sim.gather(b);
    for (const c of b.core.localCandidateList) a.core.addRemoteCandidate(sim.now, c);
    sim.drain();
    expect(a.core.pairs()).to.have.length(1);
    expect(sim.wire.filter((w) => w.agent === 'A')).to.have.length(0); // no check without the password
    expect(a.core.state).to.equal('starting');
    sim.signal(a, b);
    const p = b.core.localParameters;
    a.core.setRemoteCredentials(sim.now, p.ufrag, p.pwd);
    a.core.endOfRemoteCandidates(sim.now);
    sim.drain();
    const ok = sim.run(10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
  });

  it('without end-of-candidates the agents reach connected but never completed', () => {
    for (const seed of [1, 2, 3]) {
      const { sim, a, b } = setup(seed, false);
      sim.run(sim.now + 60_000);
      for (const x of [a, b]) {
        expect(x.core.state, `seed ${seed} ${x.name} ${states(x)}`).to.equal('connected');
        expect(states(x)).to.not.include('completed');
        expect(x.core.selectedPair(1)).to.not.equal(undefined);
      }
      // end-of-candidates then completes them.
      a.core.endOfRemoteCandidates(sim.now);
      b.core.endOfRemoteCandidates(sim.now);
      sim.drain();
      expect([a.core.state, b.core.state]).to.deep.equal(['completed', 'completed']);
    }
  });
});
