// RFC 8445 §9 / RFC 8839 §4.4.1.1.2: new remote credentials are an ICE restart by the peer.
import { expect } from 'chai';
import type { AgentEvent } from '../../lib/ice/events.js';
import { Sim, connectPair, signalAndComplete, states, type SimAgent } from '../support/sim.js';

const bothCompleted = (a: SimAgent, b: SimAgent) => () => a.core.state === 'completed' && b.core.state === 'completed';
const since = (x: SimAgent, mark: number): AgentEvent[] => x.events.slice(mark).map((e) => e.event);

/** Signals `from`'s parameters, then its candidates tagged with its current ufrag. */
function signalGeneration(sim: Sim, from: SimAgent, to: SimAgent): void {
  const { ufrag, pwd } = from.core.localParameters;
  to.core.setRemoteCredentials(sim.now, ufrag, pwd);
  for (const c of from.core.localCandidateList) if (c.type !== 'prflx') to.core.addRemoteCandidate(sim.now, c, ufrag);
  to.core.endOfRemoteCandidates(sim.now);
  sim.drain();
}

describe('IceAgentCore: a restart by the peer', () => {
  it('is noticed from new remote credentials: this side restarts too, says so, and both complete again', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const oldA = a.core.localParameters.ufrag;
    const markA = a.events.length;
    const markB = b.events.length;

    b.core.restart(sim.now);
    sim.drain();
    expect(since(b, markB).filter((e) => e.type === 'restart')).to.deep.equal([{ type: 'restart', by: 'local', ufrag: b.core.localParameters.ufrag }]);
    signalGeneration(sim, b, a);
    const restarts = since(a, markA).filter((e) => e.type === 'restart');
    expect(restarts).to.deep.equal([{ type: 'restart', by: 'peer', ufrag: a.core.localParameters.ufrag }]);
    expect(a.core.localParameters.ufrag).to.not.equal(oldA);
    const went = since(a, markA).flatMap((e) => (e.type === 'state' ? [e.state] : []));
    expect(went.slice(0, 2)).to.deep.equal(['starting', 'checking']);
    // The old pair still carries data until a new one is selected.
    expect(a.core.route(1)).to.not.equal(undefined);
    // A's candidates of the new generation name the new ufrag.
    const tagged = since(a, markA).flatMap((e) => (e.type === 'candidate' ? [e.ufrag] : []));
    expect(tagged.length).to.be.greaterThan(0);
    expect(new Set(tagged)).to.deep.equal(new Set([a.core.localParameters.ufrag]));

    signalGeneration(sim, a, b);
    expect(sim.run(sim.now + 10_000, bothCompleted(a, b)), `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(states(a).slice(-4)).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
  });

  it('the same parameters again change nothing', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const mark = a.events.length;
    const { ufrag, pwd } = b.core.localParameters;
    a.core.setRemoteCredentials(sim.now, ufrag, pwd);
    sim.drain();
    expect(since(a, mark)).to.deep.equal([]);
    expect(a.core.state).to.equal('completed');
  });

  it('candidates of a retired generation are dropped and counted; those of a coming one wait for its parameters', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const oldB = b.core.localParameters.ufrag;
    const [candidate] = b.core.localCandidateList;
    b.core.restart(sim.now);
    sim.drain();
    const newB = b.core.localParameters.ufrag;

    // B's new candidate overtakes B's new parameters on the signalling channel: it waits.
    a.core.addRemoteCandidate(sim.now, { ...candidate!, port: 7777 }, newB);
    expect(a.core.remoteCandidateList.some((c) => c.port === 7777)).to.equal(false);
    const { pwd } = b.core.localParameters;
    a.core.setRemoteCredentials(sim.now, newB, pwd);
    expect(a.core.remoteCandidateList.some((c) => c.port === 7777), 'applied with its parameters').to.equal(true);
    // A late candidate of B's old generation (by argument or by its ufrag extension) is stale.
    a.core.addRemoteCandidate(sim.now, candidate!, oldB);
    a.core.addRemoteCandidate(sim.now, { ...candidate!, port: 7778, extensions: [['ufrag', oldB]] });
    expect(a.core.drops.staleCandidate).to.equal(2);
    expect(a.core.remoteCandidateList.some((c) => c.port === 7778)).to.equal(false);
  });
});
