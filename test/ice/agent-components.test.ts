import { expect } from 'chai';
import { Sim, componentStates, connectPair, states } from '../support/sim.js';

describe('IceAgentCore: two components', () => {
  it('connects and completes both components host to host, one selected pair each', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2'], { components: 2 });
    sim.signal(a, b);
    sim.signal(b, a);
    const ok = sim.run(10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    for (const x of [a, b]) {
      expect(states(x)).to.deep.equal(['checking', 'connected', 'completed']);
      expect(x.core.componentStates()).to.deep.equal(['completed', 'completed']);
      for (const c of [1, 2]) {
        expect(componentStates(x, c), `${x.name} component ${c}`).to.deep.equal(['checking', 'connected', 'completed']);
        const sel = x.core.selectedPair(c);
        expect(sel, `${x.name} selected ${c}`).to.not.equal(undefined);
        expect(sel!.component).to.equal(c);
        expect(sel!.nominated).to.equal(true);
        expect(sel!.local.component).to.equal(c);
        expect(sel!.remote.component).to.equal(c);
        const selectedEvents = x.events.filter((e) => e.event.type === 'selected-pair' && e.event.component === c);
        expect(selectedEvents.length, `${x.name} selected-pair events for ${c}`).to.be.greaterThan(0);
      }
      // The two components use different sockets.
      expect(x.core.selectedPair(1)!.local.port).to.not.equal(x.core.selectedPair(2)!.local.port);
    }
    // Each side's selected pair mirrors the other's.
    for (const c of [1, 2]) {
      const pa = a.core.selectedPair(c)!;
      const pb = b.core.selectedPair(c)!;
      expect([pa.local.address, pa.local.port]).to.deep.equal([pb.remote.address, pb.remote.port]);
      expect([pa.remote.address, pa.remote.port]).to.deep.equal([pb.local.address, pb.local.port]);
    }
  });

  it('iceState reaches connected only when every component has a working pair', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2'], { components: 2 });
    sim.signal(a, b);
    sim.signal(b, a);
    sim.run(10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    for (const x of [a, b]) {
      const connectedAt = x.events.findIndex((e) => e.event.type === 'state' && e.event.state === 'connected');
      const comps = x.events.slice(0, connectedAt).filter((e) => e.event.type === 'component-state' && e.event.state === 'connected');
      expect(new Set(comps.map((e) => (e.event.type === 'component-state' ? e.event.component : 0)))).to.deep.equal(new Set([1, 2]));
    }
  });
});
