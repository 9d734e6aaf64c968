import { expect } from 'chai';
import { Sim, connectPair, states } from './sim.js';

describe('IceAgentCore: host to host', () => {
  it('connects one component and completes after nomination', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b);
    sim.signal(b, a);
    const ok = sim.run(10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(states(a)).to.deep.equal(['checking', 'connected', 'completed']);
    expect(states(b)).to.deep.equal(['checking', 'connected', 'completed']);
    expect(a.core.selectedPair(1)?.remote.address).to.equal('10.0.0.2');
    expect(b.core.selectedPair(1)?.nominated).to.equal(true);
  });
});
