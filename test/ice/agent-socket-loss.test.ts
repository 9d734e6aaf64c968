import { expect } from 'chai';
import { Sim, signalAndComplete, states, type SimAgent } from '../support/sim.js';

function twoHostPair(): { sim: Sim; a: SimAgent; b: SimAgent } {
  const sim = new Sim();
  const a = sim.addAgent('A', ['10.0.0.1', '10.0.0.3'], { role: 'controlling' });
  const b = sim.addAgent('B', ['10.0.0.2'], { role: 'controlled' });
  sim.gather(a);
  sim.gather(b);
  expect(signalAndComplete(sim, a, b)).to.equal(true);
  return { sim, a, b };
}

describe('IceAgentCore: a host socket is lost', () => {
  it('fails its pairs, goes disconnected, and moves to a pair on another socket', () => {
    const { sim, a, b } = twoHostPair();
    const lost = a.core.selectedPair(1)!.local.base;
    a.core.failHost(sim.now, a.core.selectedPair(1)!.local.socket);
    sim.drain();
    expect(a.core.state).to.equal('disconnected');
    expect(a.core.route(1), 'no route over a dead socket').to.equal(undefined);
    expect(sim.run(sim.now + 10_000, () => a.core.state === 'completed')).to.equal(true);
    const now = a.core.selectedPair(1)!;
    expect(now.local.base.address).to.not.equal(lost.address);
    expect(now.nominated).to.equal(true);
    expect(states(a).slice(-3)).to.deep.equal(['disconnected', 'connected', 'completed']);
    // Data flows over the new socket, and the peer switched to the re-nominated pair.
    expect(sim.sendData(a, 1, Buffer.from('via the other socket'))).to.equal(true);
    sim.run(sim.now + 10);
    expect(b.data.map((d) => d.data.toString())).to.include('via the other socket');
    // B keeps its old (higher-priority) nominated pair until that pair stops answering consent
    // checks, then follows A to the pair A nominated, without passing through disconnected.
    const { consentIntervalMs, disconnectedAfterMs } = b.core.config.timers;
    const moved = sim.run(sim.now + consentIntervalMs * 1.2 + disconnectedAfterMs + 100, () => b.core.selectedPair(1)!.remote.address === now.local.base.address);
    expect(moved, 'B follows the new nomination').to.equal(true);
    expect(b.core.state).to.equal('completed');
    expect(states(b)).to.not.include('disconnected');
    expect(sim.sendData(b, 1, Buffer.from('back'))).to.equal(true);
    sim.run(sim.now + 10);
    expect(a.data.map((d) => d.data.toString())).to.include('back');
  });

  it('with no other socket, the component fails via disconnected', () => {
    const sim = new Sim();
    const a = sim.addAgent('A', ['10.0.0.1'], { role: 'controlling' });
    const b = sim.addAgent('B', ['10.0.0.2'], { role: 'controlled' });
    sim.gather(a);
    sim.gather(b);
    sim.signal(a, b);
    sim.signal(b, a);
    expect(sim.run(10_000, () => a.core.state === 'completed')).to.equal(true);
    a.core.failHost(sim.now, a.core.selectedPair(1)!.local.socket);
    sim.drain();
    expect(states(a).slice(-2)).to.deep.equal(['disconnected', 'failed']);
    // Packets to the lost socket are ignored.
    expect(a.core.handlePacket(sim.now, a.hosts[0]!.socket, b.hosts[0]!.base, Buffer.from('late data'))).to.equal(-1);
  });
});
