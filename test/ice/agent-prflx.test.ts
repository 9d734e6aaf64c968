import { expect } from 'chai';
import { Sim, connectPair, states, type SimAgent } from '../support/sim.js';
import { stunOf } from '../support/stun-bytes.js';

/** Gives `to` only the credentials of `from` (no candidates), optionally with end-of-candidates. */
function credentialsOnly(sim: Sim, from: SimAgent, to: SimAgent, end = true): void {
  const p = from.core.localParameters;
  to.core.setRemoteCredentials(sim.now, p.ufrag, p.pwd);
  if (end) to.core.endOfRemoteCandidates(sim.now);
  sim.drain();
}

const bothCompleted = (a: SimAgent, b: SimAgent) => () => a.core.state === 'completed' && b.core.state === 'completed';

describe('IceAgentCore: peer-reflexive discovery', () => {
  it('connects when B\'s candidates never reach A; A selects a prflx remote', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b);
    credentialsOnly(sim, b, a);
    const ok = sim.run(10_000, bothCompleted(a, b));
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    const sel = a.core.selectedPair(1)!;
    expect(sel.remote.type).to.equal('prflx');
    expect([sel.remote.address, sel.remote.port]).to.deep.equal(['10.0.0.2', 5000]);
    expect(sel.nominated).to.equal(true);
    // Its priority is the PRIORITY of B's check: prflx type preference (110), B's local preference.
    const bHost = b.core.localCandidateList[0]!;
    expect(Math.floor(sel.remote.priority / 2 ** 24)).to.equal(110);
    expect(sel.remote.priority % 2 ** 24).to.equal(bHost.priority % 2 ** 24);
    expect(b.core.selectedPair(1)!.remote.type).to.equal('host');
  });

  it('answers a check that arrives before the remote credentials, then sends the triggered check when they arrive', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b); // B knows A; A knows nothing of B yet
    sim.run(20); // B's first check reaches A at 1 ms; its answer reaches B at 2 ms
    const fromA = sim.wire.filter((w) => w.agent === 'A');
    expect(fromA.length).to.be.greaterThan(0);
    expect(fromA.map((w) => stunOf(w.data)?.cls)).to.deep.equal(fromA.map(() => 'success'));
    expect(fromA[0]!.at).to.equal(1);
    expect(a.core.state).to.equal('starting');
    expect(b.core.pairs()[0]!.state).to.equal('succeeded');

    const before = sim.wire.length;
    credentialsOnly(sim, b, a, false);
    const now = sim.now;
    const request = sim.wire.slice(before).find((w) => w.agent === 'A' && stunOf(w.data)?.cls === 'request');
    expect(request, 'triggered check on credentials').to.not.equal(undefined);
    expect(request!.at).to.equal(now);
    expect([request!.to.address, request!.to.port]).to.deep.equal(['10.0.0.2', 5000]);
    const ok = sim.run(10_000, () => a.core.state === 'connected' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(a.core.selectedPair(1)!.remote.type).to.equal('prflx');
  });

  it('a later-trickled host candidate equal to the prflx one replaces it', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b);
    credentialsOnly(sim, b, a, false);
    sim.run(10_000, () => a.core.state === 'connected' && b.core.state === 'completed');
    expect(a.core.selectedPair(1)!.remote.type).to.equal('prflx');
    const host = b.core.localCandidateList.find((c) => c.type === 'host')!;
    a.core.addRemoteCandidate(sim.now, host);
    a.core.endOfRemoteCandidates(sim.now);
    sim.drain();
    const ok = sim.run(sim.now + 10_000, bothCompleted(a, b));
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    const sel = a.core.selectedPair(1)!;
    expect(sel.remote.type).to.equal('host');
    expect(sel.remote.priority).to.equal(host.priority);
    // One pair, not a duplicate for the same address.
    expect(a.core.pairs().filter((p) => p.remote.address === '10.0.0.2' && p.remote.port === 5000)).to.have.length(1);
    // The change of the selected pair's remote candidate is announced, not left stale.
    const announced = a.events.flatMap((e) => (e.event.type === 'selected-pair' ? [e.event.pair.remote.type] : []));
    expect(announced.at(-1)).to.equal('host');
    expect(announced).to.include('prflx');
  });
});

describe('IceAgentCore: nothing to pair', () => {
  it('with end-of-candidates and no candidate, waits trickleGraceMs for peer-reflexive checks, then fails for good', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    const start = sim.now;
    credentialsOnly(sim, b, a); // A: B's credentials and end-of-candidates, no candidate
    const grace = a.core.config.timers.trickleGraceMs;
    sim.run(start + grace - 1);
    expect(a.core.state, 'still hoping for a peer-reflexive check').to.equal('checking');
    sim.run(start + grace + 1);
    expect(states(a)).to.deep.equal(['checking', 'failed']);
    // failed is terminal until a restart: a late check from B is answered but revives nothing.
    sim.signal(a, b);
    sim.run(sim.now + 10_000);
    expect(a.core.state).to.equal('failed');
    expect(states(a)).to.deep.equal(['checking', 'failed']);
  });
});
