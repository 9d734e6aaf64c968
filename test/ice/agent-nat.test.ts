import { expect } from 'chai';
import { DEFAULT_TIMERS } from '../../lib/ice/config.js';
import { natOfKind, type NatKind } from '../support/nat.js';
import { STUN_SERVER, Sim, firstAt, states, type SimAgent } from '../support/sim.js';

interface Side {
  readonly kind: NatKind;
  readonly ip: string;
}

/** Gathers both sides through their NATs (waiting for 'complete'), then signals everything with end-of-candidates. */
function natPair(aSide: Side, bSide: Side): { sim: Sim; a: SimAgent; b: SimAgent; start: number } {
  const sim = new Sim();
  const mk = (name: string, s: Side, role: 'controlling' | 'controlled', pub: string): SimAgent =>
    sim.addAgent(name, [s.ip], { role, ...(s.kind !== 'none' && { nat: natOfKind(s.kind, pub) }) });
  const a = mk('A', aSide, 'controlling', '203.0.113.1');
  const b = mk('B', bSide, 'controlled', '203.0.113.2');
  sim.gather(a, [STUN_SERVER]);
  sim.gather(b, [STUN_SERVER]);
  const gathered = sim.run(10_000, () => a.core.gatheringState === 'complete' && b.core.gatheringState === 'complete');
  expect(gathered).to.equal(true);
  for (const [x, s] of [[a, aSide], [b, bSide]] as const) {
    const srflx = x.core.localCandidateList.filter((c) => c.type === 'srflx');
    expect(srflx, `${x.name} srflx`).to.have.length(1);
    if (s.kind !== 'none') expect(srflx[0]!.address).to.equal(x.nat!.publicAddress);
  }
  const start = sim.now;
  sim.signal(a, b);
  sim.signal(b, a);
  return { sim, a, b, start };
}

const done = (a: SimAgent, b: SimAgent) => () => a.core.state === 'completed' && b.core.state === 'completed';

describe('IceAgentCore: NAT traversal (simulated NAT boxes, fake STUN server)', () => {
  it('eim <-> eim (port-restricted filtering) connects over server-reflexive addresses', () => {
    const { sim, a, b } = natPair({ kind: 'eim', ip: '192.168.1.10' }, { kind: 'eim', ip: '192.168.2.10' });
    const ok = sim.run(sim.now + 30_000, done(a, b));
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    const sa = a.core.selectedPair(1)!;
    const sb = b.core.selectedPair(1)!;
    expect([sa.local.type, sa.remote.type]).to.include('srflx');
    expect([sb.local.type, sb.remote.type]).to.include('srflx');
    expect(sa.remote.address).to.equal('203.0.113.2');
    expect(sb.remote.address).to.equal('203.0.113.1');
    // Data flows both ways over the selected pairs.
    expect(sim.sendData(a, 1, Buffer.from('a->b'))).to.equal(true);
    expect(sim.sendData(b, 1, Buffer.from('b->a'))).to.equal(true);
    sim.run(sim.now + 10);
    expect(b.data.map((d) => d.data.toString())).to.deep.equal(['a->b']);
    expect(a.data.map((d) => d.data.toString())).to.deep.equal(['b->a']);
  });

  it('none <-> symmetric connects over a peer-reflexive pair', () => {
    const { sim, a, b } = natPair({ kind: 'none', ip: '198.51.100.1' }, { kind: 'symmetric', ip: '192.168.2.10' });
    const ok = sim.run(sim.now + 30_000, done(a, b));
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    const sa = a.core.selectedPair(1)!;
    const sb = b.core.selectedPair(1)!;
    expect(sa.remote.type).to.equal('prflx');
    expect(sa.remote.address).to.equal('203.0.113.2');
    const bSrflx = b.core.localCandidateList.find((c) => c.type === 'srflx')!;
    expect(sa.remote.port, 'the mapping towards A differs from the one towards the STUN server').to.not.equal(bSrflx.port);
    expect(sb.local.type).to.equal('prflx');
    expect(sb.remote.type).to.equal('host');
  });

  it('eim-open <-> symmetric connects', () => {
    const { sim, a, b } = natPair({ kind: 'eim-open', ip: '192.168.1.10' }, { kind: 'symmetric', ip: '192.168.2.10' });
    const ok = sim.run(sim.now + 30_000, done(a, b));
    expect(ok, `A ${states(a)} B ${states(b)}`).to.equal(true);
    expect(a.core.selectedPair(1)!.remote.type).to.equal('prflx');
    expect(b.core.selectedPair(1)!.remote.type).to.equal('srflx');
  });

  it('symmetric <-> symmetric fails cleanly within the bound', () => {
    const { sim, a, b, start } = natPair({ kind: 'symmetric', ip: '192.168.1.10' }, { kind: 'symmetric', ip: '192.168.2.10' });
    sim.run(sim.now + 120_000, () => a.core.state === 'failed' && b.core.state === 'failed');
    const { rtoMs, maxRequests, finalWaitFactor } = DEFAULT_TIMERS.checkRetransmit;
    const giveUp = rtoMs * (2 ** (maxRequests - 1) - 1) + rtoMs * finalWaitFactor;
    for (const x of [a, b]) {
      expect(states(x), x.name).to.deep.equal(['checking', 'failed']);
      const pairs = x.core.pairs().length;
      expect(pairs).to.be.greaterThan(0);
      const at = firstAt(x, 'failed')! - start;
      // The last pair starts at most (pairs - 1) Ta after the first and fails giveUp later.
      expect(at, x.name).to.be.within(giveUp, giveUp + pairs * DEFAULT_TIMERS.taMs);
      expect(x.core.selectedPair(1)).to.equal(undefined);
      expect(x.core.pairs().every((p) => p.state === 'failed')).to.equal(true);
      // Nothing left to do: no timer, no more traffic.
      expect(x.core.pollTimeout(), x.name).to.equal(undefined);
    }
    const n = sim.wire.length;
    sim.run(sim.now + 60_000);
    expect(sim.wire.length).to.equal(n);
  });

  it('a dead STUN server: connected at once over hosts, completed only when gathering gives up', () => {
    const sim = new Sim({ drop: (_f, to) => to.address === STUN_SERVER.address });
    const a = sim.addAgent('A', ['10.0.0.1'], { role: 'controlling' });
    const b = sim.addAgent('B', ['10.0.0.2'], { role: 'controlled' });
    sim.gather(a, [STUN_SERVER]);
    sim.gather(b);
    sim.signal(a, b);
    sim.signal(b, a);
    sim.run(30_000, () => a.core.state === 'completed');
    const { rtoMs, maxRequests, finalWaitFactor } = DEFAULT_TIMERS.gatherRetransmit;
    const gatherGiveUp = rtoMs * (2 ** (maxRequests - 1) - 1) + rtoMs * finalWaitFactor;
    expect(firstAt(a, 'connected')).to.be.at.most(3);
    expect(firstAt(a, 'completed')).to.equal(gatherGiveUp);
    const result = a.events.find((e) => e.event.type === 'stun-result');
    expect(result?.event.type === 'stun-result' && result.event.error).to.equal('no response');
    expect(a.core.localCandidateList.map((c) => c.type)).to.deep.equal(['host']);
  });
});
