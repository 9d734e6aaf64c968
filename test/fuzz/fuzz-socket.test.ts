/**
 * The seeded, 20,000-datagram version of `npm run fuzz` (see harness.ts): random and
 * mutated datagrams into decodeMessage and into live IceAgents' sockets on 127.0.0.1.
 */
import { expect } from 'chai';
import { runFuzz } from './harness.js';

describe('fuzz: hostile datagrams on a live agent socket (seeded, 20,000)', function () {
  this.timeout(60_000);

  it('nothing escapes, heap stays flat, checklists stay bounded, the agent still connects and talks', async () => {
    const r = await runFuzz({ count: 20_000, seed: 0x1ce5eed, heapBoundBytes: 8 * 1048576 });
    expect(r.problems, r.problems.join('\n')).to.deep.equal([]);
    expect(r.decode.exceptions).to.equal(0);
    expect(r.connectedUnderFire, 'T and P connected while being fuzzed').to.equal(true);
    expect(r.dataAfter, 'T and P exchanged data afterwards').to.equal(true);
    expect(r.pairsT).to.be.at.most(100);
    expect(r.pairsD).to.be.at.most(100);
    // The fuzz must actually reach the agents, and reach past the decoder.
    expect(r.socket.receivedByT).to.be.greaterThan(r.socket.sentToT * 0.5);
    expect(r.decode.ok).to.be.greaterThan(1000);
    expect((r.dropsT['malformed'] ?? 0) + (r.dropsT['unauthenticated'] ?? 0) + (r.dropsT['unprovenData'] ?? 0)).to.be.greaterThan(1000);
  });
});
