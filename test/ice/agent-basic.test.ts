import { expect } from 'chai';
import { Sim, connectPair, signalAndComplete, states } from '../support/sim.js';

describe('IceAgentCore: host to host', () => {
  it('connects one component and completes after nomination', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    const ok = signalAndComplete(sim, a, b);
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(states(a)).to.deep.equal(['checking', 'connected', 'completed']);
    expect(states(b)).to.deep.equal(['checking', 'connected', 'completed']);
    expect(a.core.selectedPair(1)?.remote.address).to.equal('10.0.0.2');
    expect(b.core.selectedPair(1)?.nominated).to.equal(true);
  });
});
