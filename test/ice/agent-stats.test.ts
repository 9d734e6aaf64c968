// Statistics of the pure core: every STUN counter of a pair equals what the simulated wire carried.
import { expect } from 'chai';
import { addressKey } from '../../lib/ice/candidate.js';
import type { IceCandidatePairStats } from '../../lib/ice/stats.js';
import { seededUnit } from '../support/random.js';
import { Sim, baseOf, connectPair, signalAndComplete, type SimAgent, type WireRecord } from '../support/sim.js';
import { stunOf } from '../support/stun-bytes.js';

/** The pair of `x` on component `component`: its local base and remote address, as on the wire. */
function ends(x: SimAgent, component: number): { pair: IceCandidatePairStats; local: string; remote: string } {
  const report = x.core.stats.report(0);
  const pairs = report.candidatePairs.filter((p) => p.transportId === `T${component}`);
  expect(pairs, `${x.name} has one pair on component ${component}`).to.have.length(1);
  const info = x.core.pairs().find((p) => p.component === component)!;
  return { pair: pairs[0]!, local: addressKey(baseOf(x, info.local.socket)), remote: addressKey(info.remote) };
}

const on = (w: WireRecord, from: string, to: string): boolean => addressKey(w.from) === from && addressKey(w.to) === to;
const cls = (w: WireRecord): string | undefined => stunOf(w.data)?.cls;
const txId = (w: WireRecord): string => stunOf(w.data)!.transactionId.toString('hex');

describe('IceAgentCore: statistics match the wire', () => {
  it('counts requests (first sends and retransmissions), consent checks, responses and round trips per pair, under loss', () => {
    const loss = seededUnit(11);
    // 15 % of everything is lost once both agents are checking: retransmissions and unanswered checks happen.
    const sim = new Sim({ drop: (_from, _to, _data, now) => now > 0 && loss() < 0.15 });
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2'], { components: 2 });
    expect(signalAndComplete(sim, a, b, 60_000)).to.equal(true);
    sim.run(sim.now + 60_000);
    expect([a.core.state, b.core.state]).to.not.include('failed');

    let retransmissions = 0;
    let consent = 0;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      for (const component of [1, 2]) {
        const { pair, local, remote } = ends(x, component);
        const requestsOut = sim.wire.filter((w) => w.agent === x.name && on(w, local, remote) && cls(w) === 'request');
        const responsesOut = sim.wire.filter((w) => w.agent === x.name && on(w, local, remote) && cls(w) === 'success');
        // What arrived: the peer's packets on this pair that the network did not drop.
        const requestsIn = sim.wire.filter((w) => w.agent === y.name && !w.dropped && on(w, remote, local) && cls(w) === 'request');
        const responsesIn = sim.wire.filter((w) => w.agent === y.name && !w.dropped && on(w, remote, local) && cls(w) === 'success');
        const what = `${x.name} component ${component}`;
        expect(pair.requestsSent, `${what} requestsSent`).to.equal(new Set(requestsOut.map(txId)).size);
        expect(pair.requestsSent + pair.retransmissionsSent, `${what} requests on the wire`).to.equal(requestsOut.length);
        expect(pair.responsesSent, `${what} responsesSent`).to.equal(responsesOut.length);
        expect(pair.requestsReceived, `${what} requestsReceived`).to.equal(requestsIn.length);
        expect(pair.responsesReceived, `${what} responsesReceived`).to.equal(responsesIn.length);

        const trace = x.events.flatMap((e) => (e.event.type === 'check-sent' || e.event.type === 'check-result' ? [e.event] : []));
        const consentSent = trace.filter((e) => e.type === 'check-sent' && e.kind === 'consent' && e.attempt === 1 && `CP${e.pairId}` === pair.id);
        expect(pair.consentRequestsSent, `${what} consentRequestsSent`).to.equal(consentSent.length);
        const rtts = trace.flatMap((e) => (e.type === 'check-result' && e.outcome === 'success' && `CP${e.pairId}` === pair.id ? [e.rttMs!] : []));
        expect(pair.totalRoundTripTime, `${what} totalRoundTripTime`).to.be.closeTo(rtts.reduce((s, r) => s + r, 0) / 1000, 1e-5);
        expect(pair.currentRoundTripTime).to.equal(rtts[rtts.length - 1]! / 1000);
        retransmissions += pair.retransmissionsSent;
        consent += pair.consentRequestsSent;
      }
    }
    // The scenario really had what the counters count.
    expect(retransmissions).to.be.greaterThan(0);
    expect(consent).to.be.greaterThan(8);
  });

  it('names candidates with stable ids and lists what each pair refers to', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1', '10.0.1.1'], ['10.0.0.2']);
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const first = a.core.stats.report(sim.now);
    const second = a.core.stats.report(sim.now + 1);
    expect(second.localCandidates.map((c) => c.id)).to.deep.equal(first.localCandidates.map((c) => c.id));
    expect(second.candidatePairs[0]!.timestamp).to.equal(sim.now + 1);
    const ids = new Set([...first.localCandidates, ...first.remoteCandidates].map((c) => c.id));
    expect(ids.size).to.equal(first.localCandidates.length + first.remoteCandidates.length);
    for (const p of first.candidatePairs) {
      expect(ids.has(p.localCandidateId), p.localCandidateId).to.equal(true);
      expect(ids.has(p.remoteCandidateId), p.remoteCandidateId).to.equal(true);
    }
    const selected = a.core.selectedPair(1)!;
    expect(first.routePairIds).to.deep.equal([`CP${selected.id}`]);
    const local = first.localCandidates.find((c) => c.id === first.candidatePairs.find((p) => p.id === `CP${selected.id}`)!.localCandidateId)!;
    expect(local).to.include({ type: 'local-candidate', address: selected.local.address, port: selected.local.port, candidateType: 'host', protocol: 'udp' });
    expect(JSON.parse(JSON.stringify(first))).to.deep.equal(first);
  });
});
