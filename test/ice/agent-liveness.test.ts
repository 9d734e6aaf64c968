import { expect } from 'chai';
import { DEFAULT_TIMERS } from '../../lib/ice/config.js';
import { Sim, componentStates, connectPair, firstAt, signalAndComplete, states, type SimAgent } from '../support/sim.js';
import { stunOf } from '../support/stun-bytes.js';

function completedPair(): { sim: Sim; a: SimAgent; b: SimAgent; net: { down: boolean } } {
  const net = { down: false };
  const sim = new Sim({ drop: () => net.down });
  const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
  const ok = signalAndComplete(sim, a, b);
  expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
  return { sim, a, b, net };
}

/** First consent request `agent` sent at or after `since` that the network dropped. */
function firstLostRequest(sim: Sim, agent: string, since: number): number | undefined {
  return sim.wire.find((w) => w.agent === agent && w.at >= since && w.dropped && stunOf(w.data)?.cls === 'request')?.at;
}

const lastStateAt = (x: SimAgent, s: string): number | undefined => [...x.events].reverse().find((e) => e.event.type === 'state' && e.event.state === s)?.at;

describe('IceAgentCore: liveness (consent freshness, RFC 7675)', () => {
  it('keeps sending consent checks while completed and stays completed', () => {
    const { sim, a, b } = completedPair();
    const t0 = sim.now;
    sim.run(t0 + 60_000);
    expect([a.core.state, b.core.state]).to.deep.equal(['completed', 'completed']);
    const consent = sim.wire.filter((w) => w.agent === 'A' && w.at > t0 && stunOf(w.data)?.cls === 'request');
    // About one every consentIntervalMs (±20%).
    expect(consent.length).to.be.within(60_000 / (DEFAULT_TIMERS.consentIntervalMs * 1.2) - 1, 60_000 / (DEFAULT_TIMERS.consentIntervalMs * 0.8) + 1);
    const { consentIntervalMs, consentGridMs } = DEFAULT_TIMERS;
    const gaps = consent.slice(1).map((w, i) => w.at - consent[i]!.at);
    for (const g of gaps) expect(g).to.be.within(consentIntervalMs * 0.8, consentIntervalMs * 1.2 + consentGridMs);
    // Checks fall on the consent grid, so agents in one process share wakeups; the jitter survives it.
    for (const w of consent) expect(w.at % consentGridMs).to.equal(0);
    expect(new Set(gaps).size).to.be.greaterThan(3);
  });

  it('completed -> disconnected after an unanswered consent check, then recovers when the path returns', () => {
    const { sim, a, b, net } = completedPair();
    const cut = sim.now;
    net.down = true;
    sim.run(cut + 20_000, () => a.core.state === 'disconnected');
    const lost = firstLostRequest(sim, 'A', cut)!;
    expect(lost).to.not.equal(undefined);
    expect(firstAt(a, 'disconnected')).to.equal(lost + DEFAULT_TIMERS.disconnectedAfterMs);
    expect(componentStates(a, 1).slice(-2)).to.deep.equal(['completed', 'disconnected']);
    expect(states(a)).to.deep.equal(['checking', 'connected', 'completed', 'disconnected']);
    // Still routable while disconnected: data keeps trying the selected pair.
    expect(a.core.route(1)).to.not.equal(undefined);

    net.down = false;
    const back = sim.now;
    const ok = sim.run(back + 10_000, () => a.core.state !== 'disconnected' && b.core.state !== 'disconnected');
    expect(ok).to.equal(true);
    // The aggregator never skips a step: disconnected -> connected -> completed (all components finished).
    expect(states(a)).to.deep.equal(['checking', 'connected', 'completed', 'disconnected', 'connected', 'completed']);
    expect(lastStateAt(a, 'connected')).to.equal(lastStateAt(a, 'completed'));
    expect(a.core.componentStates()).to.deep.equal(['completed']);
    expect(a.core.route(1)).to.not.equal(undefined);
  });

  it('consent lost for consentTimeoutMs -> failed via disconnected; route() undefined and consent checks stop', () => {
    const { sim, a, b, net } = completedPair();
    const cut = sim.now;
    net.down = true;
    sim.run(cut + 120_000, () => a.core.state === 'failed' && b.core.state === 'failed');
    for (const x of [a, b]) {
      expect(states(x)).to.deep.equal(['checking', 'connected', 'completed', 'disconnected', 'failed']);
      expect(componentStates(x, 1).slice(-3)).to.deep.equal(['completed', 'disconnected', 'failed']);
      const failedAt = firstAt(x, 'failed')!;
      // Consent expires consentTimeoutMs after the last response, which came at or before the cut.
      expect(failedAt).to.be.within(cut + DEFAULT_TIMERS.consentTimeoutMs - DEFAULT_TIMERS.consentIntervalMs * 1.2, cut + DEFAULT_TIMERS.consentTimeoutMs);
      expect(firstAt(x, 'disconnected')!).to.be.lessThan(failedAt);
      expect(x.core.route(1)).to.equal(undefined);
      expect(sim.sendData(x, 1, Buffer.from('hello'))).to.equal(false);
    }
    const failedAt = Math.max(firstAt(a, 'failed')!, firstAt(b, 'failed')!);
    const wireAtFail = sim.wire.length;
    net.down = false;
    sim.run(failedAt + 60_000);
    expect(sim.wire.length, 'no consent checks after consent was lost').to.equal(wireAtFail);
    expect([a.core.state, b.core.state]).to.deep.equal(['failed', 'failed']);
  });

  it('a short outage (one unanswered check answered by a retransmission) does not disconnect', () => {
    const { sim, a, net } = completedPair();
    const t0 = sim.now;
    // Lose exactly the first consent request A sends after t0.
    let lostOne = false;
    const drop = sim.opts.drop!;
    (sim.opts as { drop?: typeof drop }).drop = (from, to, data, now) => {
      if (!lostOne && from.address === '10.0.0.1' && stunOf(data)?.cls === 'request') {
        lostOne = true;
        return true;
      }
      return drop(from, to, data, now);
    };
    sim.run(t0 + 20_000);
    expect(lostOne).to.equal(true);
    expect(net.down).to.equal(false);
    // The retransmission after rto (500 ms) is answered well before disconnectedAfterMs.
    expect(states(a)).to.deep.equal(['checking', 'connected', 'completed']);
  });
});
