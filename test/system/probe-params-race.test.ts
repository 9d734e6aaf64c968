/**
 * Reproducer (found by the NAT matrix): `ice-probe peer` declares success before it
 * has seen the other side's params. A controlled peer is nominated, and so
 * `connected`, as soon as the controlling side's checks arrive (it answers them with
 * its own password), which can be before the other side's params line reaches its
 * stdin. bin/peer.ts maybeFinish() then reads `peerSends` (still false: no params
 * yet) and finishes with ok:true "connected" without waiting for the data the other
 * side announced (`"sends":true`), and without ever learning the other side's
 * credentials or candidates.
 *
 * Two real peers on 127.0.0.1; the relay holds A's signalling lines for 1.5 s.
 */
import { expect } from 'chai';
import { killChildren, probePath, runPair } from './support/probe-runner.js';

describe('system: ice-probe peer and late params', function () {
  this.timeout(30_000);
  before(function () {
    if (probePath() === undefined) {
      console.log('      skipped: ice-probe is not built (dist/bin/ice-probe.js)');
      this.skip();
    }
  });
  after(() => killChildren());

  it("waits for the other side's announced data even when its params arrive after the connection", async () => {
    const common = ['--host', '127.0.0.1', '--timeout', '10'];
    const { a, b } = await runPair(
      { ns: undefined, args: ['peer', '--role', 'controlling', '--send', 'from A', ...common] },
      { ns: undefined, args: ['peer', '--role', 'controlled', '--send', 'from B', ...common] },
      20_000,
      { delayAtoBMs: 1500 },
    );
    const detail = `\nA: ${JSON.stringify({ states: a.states, done: a.done, received: a.received })}\nB: ${JSON.stringify({ states: b.states, done: b.done, received: b.received, selected: b.selected })}`;
    expect(a.done?.ok, `A ok${detail}`).to.equal(true);
    expect(b.done?.ok, `B ok${detail}`).to.equal(true);
    // A's params said "sends": true, so B must not be done before A's text arrived.
    expect(b.received, `B waited for A's data${detail}`).to.include('from A');
    expect(b.done!.t, `B finished only after A's params reached it (1.5 s)${detail}`).to.be.at.least(1500);
  });
});
