// Re-gathering in the pure core: a restart that gathers anew, hosts retired when their address is
// gone (kept while the pair carrying data uses them), new hosts added, released sockets polled.
import { expect } from 'chai';
import type { HostBinding } from '../../lib/ice/transport.js';
import { Sim, connectPair, signalAndComplete, states, type SimAgent } from '../support/sim.js';

function host(address: string, socket: number): HostBinding {
  return { component: 1, socket, base: { address, port: socket, family: 4 }, interfaceRank: 0 };
}

/** What `x` emitted since event index `from`: candidate addresses and gathering states, in order. */
function emittedSince(x: SimAgent, from: number): string[] {
  return x.events.slice(from).flatMap(({ event: e }) =>
    e.type === 'candidate' ? [`candidate ${e.candidate.address}`] : e.type === 'gathering' ? [`gathering ${e.state}`] : []);
}

describe('IceAgentCore: re-gathering (restart with regather, retired hosts)', () => {
  it('moves to a new host address: the old pair carries data until the new one is selected, then its socket is released', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.1.1']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const old = a.hosts[0]!;
    const mark = a.events.length;

    a.core.retireHost(sim.now, old.socket);
    a.core.restart(sim.now, undefined, { regather: true });
    sim.drain();
    // The old host is not signalled again; gathering stays open for the new hosts.
    expect(emittedSince(a, mark)).to.deep.equal(['gathering gathering']);
    expect(a.core.gatheringState).to.equal('gathering');
    expect(a.core.localCandidateList).to.deep.equal([]);
    // Data keeps using the old pair, whose socket is not released.
    expect(a.core.route(1)?.socket).to.equal(old.socket);
    expect(a.core.pollReleasedSocket()).to.equal(undefined);
    const before = b.data.length;
    expect(sim.sendData(a, 1, Buffer.from('during the restart'))).to.equal(true);
    sim.run(sim.now + 5);
    expect(b.data.slice(before).map((d) => d.data.toString())).to.deep.equal(['during the restart']);

    const fresh = host('10.0.0.2', 6000);
    a.hosts.push(fresh);
    a.core.startGathering(sim.now, [fresh]);
    sim.drain();
    expect(emittedSince(a, mark)).to.deep.equal(['gathering gathering', 'candidate 10.0.0.2', 'gathering complete']);
    expect(a.core.pollReleasedSocket()).to.equal(undefined);

    sim.signal(a, b);
    sim.signal(b, a);
    expect(sim.run(sim.now + 10_000, () => a.core.state === 'completed' && b.core.state === 'completed')).to.equal(true);
    expect(a.core.selectedPair(1)!.local.address).to.equal('10.0.0.2');
    expect(b.core.selectedPair(1)!.remote.address).to.equal('10.0.0.2');
    expect(a.core.pollReleasedSocket()).to.equal(old.socket);
    expect(a.core.pollReleasedSocket()).to.equal(undefined);
    expect(states(a).slice(-4)).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
    // The released socket is no longer one of the agent's: what arrives on it is not handled.
    expect(a.core.handlePacket(sim.now, old.socket, { address: '10.0.1.1', port: 5000, family: 4 }, Buffer.from([0x80, 1, 2, 3]))).to.equal(-1);
  });

  it('a retired host that carries nothing is released at once, is not signalled and never paired', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1', '10.0.0.9'], ['10.0.1.1']);
    const gone = a.hosts[1]!;
    a.core.retireHost(sim.now, gone.socket);
    expect(a.core.pollReleasedSocket()).to.equal(gone.socket);
    expect(a.core.pollReleasedSocket()).to.equal(undefined);
    expect(a.core.localCandidateList.map((c) => c.address)).to.deep.equal(['10.0.0.1']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    expect(b.core.remoteCandidateList.map((c) => c.address)).to.deep.equal(['10.0.0.1']);
    expect(a.core.pairs().map((p) => p.local.address)).to.deep.equal(['10.0.0.1']);
    expect(sim.wire.filter((w) => w.from.address === '10.0.0.9')).to.deep.equal([]);
  });
});
