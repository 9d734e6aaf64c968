import { expect } from 'chai';
import type { TraceEvent } from '../../lib/ice/events.js';
import { Sim, connectPair, signalAndComplete, type SimAgent } from '../support/sim.js';

function traces(a: SimAgent): { at: number; e: TraceEvent }[] {
  return a.events.flatMap(({ at, event: e }) =>
    e.type === 'pair' || e.type === 'check-sent' || e.type === 'check-result' ? [{ at, e }] : [],
  );
}

describe('IceAgentCore: trace events (pairs and checks, for reports)', () => {
  it('reports every check sent with its result and RTT, and each pair state change', () => {
    const sim = new Sim({ latencyMs: 3 });
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const t = traces(a);
    const sent = t.flatMap(({ e }) => (e.type === 'check-sent' ? [e] : []));
    const results = t.flatMap(({ e }) => (e.type === 'check-result' ? [e] : []));
    expect(sent.length).to.be.greaterThan(0);
    for (const r of results) {
      const s = sent.find((x) => x.transactionId === r.transactionId);
      expect(s, `result ${r.transactionId} has a check`).to.not.equal(undefined);
      expect(r.pairId).to.equal(s!.pairId);
      expect(r.outcome).to.equal('success');
      expect(r.rttMs).to.equal(6); // 3 ms each way on the simulated wire
    }
    // The selected pair went (frozen/waiting ->) in-progress -> succeeded, then was nominated.
    const selected = a.core.selectedPair(1)!;
    const history = t.flatMap(({ e }) => (e.type === 'pair' && e.pair.id === selected.id ? [`${e.pair.state}${e.pair.nominated ? '+' : ''}`] : []));
    expect(history[0]).to.be.oneOf(['frozen', 'waiting', 'in-progress']);
    expect(history).to.include('succeeded');
    expect(history[history.length - 1]).to.equal('succeeded+');
    expect(sent.some((s) => s.pairId === selected.id && s.useCandidate)).to.equal(true);
  });

  it('reports retransmissions as later attempts and a timeout as the result', () => {
    const sim = new Sim({ drop: (_f, to) => to.address === '10.0.0.2' });
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    sim.signal(a, b);
    sim.signal(b, a);
    sim.run(60_000, () => a.core.state === 'failed');
    const t = traces(a).map(({ e }) => e);
    const first = t.find((e) => e.type === 'check-sent');
    expect(first?.type).to.equal('check-sent');
    if (first?.type !== 'check-sent') return;
    const attempts = t.flatMap((e) => (e.type === 'check-sent' && e.transactionId === first.transactionId ? [e.attempt] : []));
    expect(attempts).to.deep.equal([1, 2, 3, 4, 5, 6]);
    const result = t.find((e) => e.type === 'check-result' && e.transactionId === first.transactionId);
    expect(result).to.deep.include({ outcome: 'timeout', pairId: first.pairId });
  });
});

describe('IceAgentCore: why a component changed state, and pairs leaving the checklist', () => {
  it('component-state events say why; pairs pruned after nomination and a restart are reported removed', () => {
    const sim = new Sim();
    const a = sim.addAgent('A', ['10.0.0.1', '10.0.0.3'], { role: 'controlling' });
    const b = sim.addAgent('B', ['10.0.0.2'], { role: 'controlled' });
    sim.gather(a);
    sim.gather(b);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const reasons = a.events.flatMap(({ event: e }) => (e.type === 'component-state' ? [`${e.state}: ${e.reason}`] : []));
    expect(reasons).to.deep.equal(['checking: checking pairs', 'connected: a pair is valid', 'completed: nominated pair, checks done, candidates complete']);
    const formed = new Set(a.events.flatMap(({ event: e }) => (e.type === 'pair' ? [e.pair.id] : [])));
    expect(formed.size).to.equal(2);
    a.core.restart(sim.now);
    sim.drain();
    const removed = a.events.flatMap(({ event: e }) => (e.type === 'pair-removed' ? [e.pairId] : []));
    expect(new Set(removed), 'every pair of the old generation left').to.deep.equal(formed);
    expect(removed.length, 'each once').to.equal(formed.size);
  });

  it('a component that loses consent says so', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    b.core.close();
    sim.run(sim.now + 40_000, () => a.core.state === 'failed');
    const last = a.events.flatMap(({ event: e }) => (e.type === 'component-state' ? [`${e.state}: ${e.reason}`] : [])).slice(-2);
    expect(last).to.deep.equal(['disconnected: consent checks unanswered', 'failed: consent expired (RFC 7675 §5.1)']);
  });
});

describe('IceAgentCore: triggered checks are marked', () => {
  it('a check that answers the peer\'s check (§7.3.1.4) is triggered; an ordinary paced one is not', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    // B knows A's candidates and checks first; A learns B only from that check.
    sim.signal(a, b);
    const { ufrag, pwd } = b.core.localParameters;
    a.core.setRemoteCredentials(sim.now, ufrag, pwd);
    sim.drain();
    sim.run(10_000, () => a.core.state === 'connected' && b.core.state !== 'checking');
    const sent = (x: SimAgent) => x.events.flatMap(({ event: e }) => (e.type === 'check-sent' && e.attempt === 1 && e.kind === 'check' ? [e.triggered] : []));
    expect(sent(a)[0], "A's first check answers B's").to.equal(true);
    expect(sent(b)[0], "B's first check is an ordinary one").to.equal(false);
  });
});
