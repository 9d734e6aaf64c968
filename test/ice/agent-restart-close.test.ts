import { expect } from 'chai';
import { PACKET_DROPPED } from '../../lib/ice/agent-core.js';
import { IceError } from '../../lib/util/errors.js';
import { Sim, connectPair, signalAndComplete, states, type SimAgent } from '../support/sim.js';

function completedPair(): { sim: Sim; a: SimAgent; b: SimAgent } {
  const sim = new Sim();
  const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
  const ok = signalAndComplete(sim, a, b);
  expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
  return { sim, a, b };
}

describe('IceAgentCore: ICE restart', () => {
  it('goes back to starting, keeps routing data on the old pair, then completes again with new credentials', () => {
    const { sim, a, b } = completedPair();
    const oldA = a.core.localParameters;
    const oldB = b.core.localParameters;
    const oldRoute = a.core.route(1);
    expect(oldRoute).to.not.equal(undefined);
    const nEvents = a.events.length;

    a.core.restart(sim.now);
    b.core.restart(sim.now);
    sim.drain();
    expect(a.core.state).to.equal('starting');
    expect(b.core.state).to.equal('starting');
    expect(a.core.localParameters.ufrag).to.not.equal(oldA.ufrag);
    expect(a.core.localParameters.pwd).to.not.equal(oldA.pwd);
    expect(b.core.localParameters.ufrag).to.not.equal(oldB.ufrag);
    expect(b.core.localParameters.pwd).to.not.equal(oldB.pwd);
    // The restart re-announces the local candidates for re-signalling.
    const after = a.events.slice(nEvents).map((e) => e.event.type);
    expect(after).to.include('candidate');
    expect(a.core.selectedPair(1)).to.equal(undefined);

    // Data keeps flowing on the old pair while the restart runs.
    expect(a.core.route(1)).to.deep.equal(oldRoute);
    expect(sim.sendData(a, 1, Buffer.from('during restart'))).to.equal(true);
    sim.run(sim.now + 100);
    expect(b.data.map((d) => d.data.toString())).to.include('during restart');
    expect(a.core.state, 'no progress without the peer\'s new parameters').to.equal('starting');

    sim.signal(a, b);
    sim.signal(b, a);
    const ok = sim.run(sim.now + 10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    for (const x of [a, b]) {
      expect(states(x)).to.deep.equal(['checking', 'connected', 'completed', 'starting', 'checking', 'connected', 'completed']);
      expect(x.core.selectedPair(1)!.nominated).to.equal(true);
    }
    expect(sim.sendData(a, 1, Buffer.from('after restart'))).to.equal(true);
    sim.run(sim.now + 10);
    expect(b.data.map((d) => d.data.toString())).to.include('after restart');
  });

  it('after consent was lost, a restart does not revive the dead pair for data; the new one carries it', () => {
    const net = { down: false };
    const sim = new Sim({ drop: () => net.down });
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b);
    sim.signal(b, a);
    sim.run(10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    net.down = true;
    sim.run(sim.now + 60_000, () => a.core.state === 'failed' && b.core.state === 'failed');
    expect(a.core.route(1)).to.equal(undefined);
    a.core.restart(sim.now);
    b.core.restart(sim.now);
    sim.drain();
    expect(a.core.route(1), 'consent-less pair stays unroutable').to.equal(undefined);
    net.down = false;
    sim.signal(a, b);
    sim.signal(b, a);
    const ok = sim.run(sim.now + 10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(states(a).slice(-5)).to.deep.equal(['failed', 'starting', 'checking', 'connected', 'completed']);
    expect(a.core.route(1)).to.not.equal(undefined);
  });

  it('a restart that never finishes stops routing on the old pair once its consent would have expired', () => {
    const { sim, a } = completedPair();
    const lastConsent = sim.now;
    a.core.restart(sim.now);
    sim.drain();
    const { consentTimeoutMs, consentIntervalMs } = a.core.config.timers;
    sim.run(lastConsent + consentTimeoutMs - consentIntervalMs * 1.2 - 1);
    expect(a.core.route(1), 'still routed before consent lapses').to.not.equal(undefined);
    sim.run(lastConsent + consentTimeoutMs + 1);
    expect(a.core.route(1), 'no data without consent (RFC 7675 §5.1)').to.equal(undefined);
  });

  it('restart with explicit credentials validates them', () => {
    const { sim, a } = completedPair();
    expect(() => a.core.restart(sim.now, { ufrag: 'ab', pwd: 'x'.repeat(22) })).to.throw(IceError).with.property('code', 'ERR_INVALID_CREDENTIALS');
    a.core.restart(sim.now, { ufrag: 'abcd', pwd: 'p'.repeat(22) });
    expect(a.core.localParameters).to.deep.equal({ ufrag: 'abcd', pwd: 'p'.repeat(22) });
  });
});

describe('IceAgentCore: close()', () => {
  it('closes, is idempotent, stops answering STUN, emits nothing more, has no timeout', () => {
    const { sim, a, b } = completedPair();
    a.core.close();
    sim.drain();
    expect(a.core.state).to.equal('closed');
    expect(a.core.isClosed).to.equal(true);
    expect(a.core.pollTimeout()).to.equal(undefined);
    const nEvents = a.events.length;
    const closedEvents = a.events.filter((e) => e.event.type === 'state' && e.event.state === 'closed');
    expect(closedEvents).to.have.length(1);
    a.core.close();
    sim.drain();
    expect(a.events.length).to.equal(nEvents);
    expect(() => a.core.restart(sim.now)).to.throw(IceError).with.property('code', 'ERR_CLOSED');
    expect(() => a.core.endOfRemoteCandidates(sim.now)).to.throw(IceError).with.property('code', 'ERR_CLOSED');

    // B keeps sending consent checks: A drops them and answers nothing.
    const wireBefore = sim.wire.filter((w) => w.agent === 'A').length;
    const dropsBefore = a.core.drops.afterClose;
    sim.run(sim.now + 40_000);
    expect(sim.wire.filter((w) => w.agent === 'A').length).to.equal(wireBefore);
    expect(a.core.drops.afterClose).to.be.greaterThan(dropsBefore);
    expect(a.events.length).to.equal(nEvents);
    // B loses consent.
    expect(b.core.state).to.equal('failed');

    // Direct input after close.
    const remote = b.hosts[0]!.base;
    expect(a.core.handlePacket(sim.now, a.hosts[0]!.socket, remote, Buffer.from('data'))).to.equal(PACKET_DROPPED);
    a.core.handleTimeout(sim.now + 1000);
    expect(a.core.pollTransmit()).to.equal(undefined);
    expect(a.core.pollEvent()).to.equal(undefined);
    // Nothing is routed after close.
    expect(a.core.route(1)).to.equal(undefined);
  });

  it('close() during checking ends with closed and no transmits', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b);
    sim.signal(b, a);
    a.core.close();
    sim.drain();
    expect(states(a)).to.deep.equal(['checking', 'closed']);
    const n = sim.wire.filter((w) => w.agent === 'A').length;
    sim.run(30_000);
    expect(sim.wire.filter((w) => w.agent === 'A').length).to.equal(n);
  });
});
