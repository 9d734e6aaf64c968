import { expect } from 'chai';
import type { IceRole } from '../../lib/ice/config.js';
import { Sim, roles, states, type SimAgent } from '../support/sim.js';
import { errorCodeOf } from '../support/stun-bytes.js';

const BIG = 17929064277920668017n; // above 2^63: a signed 64-bit compare would call it negative
const MID = 2n ** 63n - 1n;

function conflict(role: IceRole, tbA: bigint, tbB: bigint): { sim: Sim; a: SimAgent; b: SimAgent } {
  const sim = new Sim();
  const a = sim.addAgent('A', ['10.0.0.1'], { role, tieBreaker: tbA });
  const b = sim.addAgent('B', ['10.0.0.2'], { role, tieBreaker: tbB });
  sim.gather(a);
  sim.gather(b);
  sim.signal(a, b);
  sim.signal(b, a);
  const ok = sim.run(20_000, () => a.core.state === 'completed' && b.core.state === 'completed');
  expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
  return { sim, a, b };
}

/** Names of the agents that sent a 487 on the wire. */
function senders487(sim: Sim): string[] {
  return [...new Set(sim.wire.filter((w) => errorCodeOf(w.data) === 487).map((w) => w.agent))];
}

describe('IceAgentCore: role conflicts (RFC 8445 §7.3.1.1)', () => {
  it('tie-breaker is exposed exactly as configured (64-bit, above 2^63)', () => {
    const sim = new Sim();
    const a = sim.addAgent('A', ['10.0.0.1'], { tieBreaker: BIG });
    expect(a.core.tieBreaker).to.equal(BIG);
  });

  for (const [tbA, tbB] of [[BIG, 1n], [MID, BIG], [BIG, BIG - 1n]] as const) {
    const winner = tbA > tbB ? 'A' : 'B';
    it(`both controlling (A ${tbA}, B ${tbB}): ${winner} sends 487, the loser switches silently`, () => {
      const { sim, a, b } = conflict('controlling', tbA, tbB);
      const [win, lose] = winner === 'A' ? [a, b] : [b, a];
      expect(win.core.role).to.equal('controlling');
      expect(lose.core.role).to.equal('controlled');
      expect(roles(win)).to.deep.equal([]);
      expect(roles(lose)).to.deep.equal(['controlled']);
      expect(senders487(sim)).to.deep.equal([win.name]);
      // The loser's switch happened on the winner's request, before any 487 reached it.
      const ev = lose.events.find((e) => e.event.type === 'role')!;
      expect(ev.event.type === 'role' && ev.event.reason).to.match(/peer won/);
      expect(lose.core.selectedPair(1)!.nominated).to.equal(true);
      expect(win.core.selectedPair(1)!.nominated).to.equal(true);
    });
  }

  for (const [tbA, tbB] of [[BIG, 1n], [MID, BIG], [BIG - 1n, BIG]] as const) {
    const winner = tbA > tbB ? 'A' : 'B';
    it(`both controlled (A ${tbA}, B ${tbB}): ${winner} switches to controlling, the loser answers 487`, () => {
      const { sim, a, b } = conflict('controlled', tbA, tbB);
      const [win, lose] = winner === 'A' ? [a, b] : [b, a];
      expect(win.core.role).to.equal('controlling');
      expect(lose.core.role).to.equal('controlled');
      expect(roles(win)).to.deep.equal(['controlling']);
      expect(roles(lose)).to.deep.equal([]);
      // §7.3.1.1: the controlled agent with the smaller tie-breaker keeps its role and answers 487.
      expect(senders487(sim)).to.deep.equal([lose.name]);
      expect(win.core.selectedPair(1)!.nominated).to.equal(true);
      expect(lose.core.selectedPair(1)!.nominated).to.equal(true);
    });
  }

  it('a 487 answer makes the losing sender switch role (§7.2.5.1)', () => {
    // Only A sends checks at first: B gets A's parameters late, so A's request meets B's role first.
    const sim = new Sim();
    const a = sim.addAgent('A', ['10.0.0.1'], { role: 'controlling', tieBreaker: 1n });
    const b = sim.addAgent('B', ['10.0.0.2'], { role: 'controlling', tieBreaker: BIG });
    sim.gather(a);
    sim.gather(b);
    sim.signal(b, a); // A checks B; B (no remote password yet) answers 487 as it wins
    sim.run(5);
    expect(senders487(sim)).to.deep.equal(['B']);
    expect(roles(a)).to.deep.equal(['controlled']);
    const reason = a.events.find((e) => e.event.type === 'role')!;
    expect(reason.event.type === 'role' && reason.event.reason).to.match(/487/);
    sim.signal(a, b);
    const ok = sim.run(20_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(roles(a)).to.deep.equal(['controlled']);
    expect(roles(b)).to.deep.equal([]);
  });
});
