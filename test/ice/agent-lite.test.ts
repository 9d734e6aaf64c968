// ICE-lite (RFC 8445 §2.5, §6.1.1, §7.3.2, §8.2): answers checks, never sends one.
import { expect } from 'chai';
import { IceAgentCore } from '../../lib/ice/agent-core.js';
import { IceError } from '../../lib/util/errors.js';
import { seededRandom } from '../../lib/util/random.js';
import { A, B, LOCAL, PEER, SOCKET, check, codeOf, decoded, drain } from '../support/craft.js';
import { Sim, componentStates, states, type SimAgent } from '../support/sim.js';
import { stunOf } from '../support/stun-bytes.js';

const NOMINATE = { role: 'ICE-CONTROLLING' as const, extra: [{ type: 'USE-CANDIDATE' as const }] };
const PEER2 = { ...PEER, port: PEER.port + 1 };

function liteAgent(components = 1): IceAgentCore {
  const core = new IceAgentCore({ random: seededRandom(5), lite: true, components, ...A, tieBreaker: 1000n });
  core.startGathering(0, [{ component: 1, socket: SOCKET, base: LOCAL, interfaceRank: 0 }]);
  core.setRemoteCredentials(0, B.ufrag, B.pwd);
  drain(core);
  return core;
}

/** A full agent (controlled at first) and a lite one, signalled both ways; the full one learns the lite one's candidates only. */
function fullAndLite(components = 1): { sim: Sim; full: SimAgent; lite: SimAgent } {
  const sim = new Sim({ latencyMs: 2 });
  const full = sim.addAgent('F', ['10.0.0.1'], { role: 'controlled', components });
  const lite = sim.addAgent('L', ['10.0.0.2'], { lite: true, components });
  sim.gather(full);
  sim.gather(lite);
  sim.signal(lite, full);
  sim.signal(full, lite, { endOfCandidates: true });
  return { sim, full, lite };
}

describe('IceAgentCore: ICE-lite', () => {
  it('is always controlled: role controlling is a typed error, controlled is the default', () => {
    expect(() => new IceAgentCore({ random: seededRandom(1), lite: true, role: 'controlling' }))
      .to.throw(IceError, /lite/).with.property('code', 'ERR_INVALID_ARGUMENT');
    const core = new IceAgentCore({ random: seededRandom(1), lite: true });
    expect(core.role).to.equal('controlled');
    expect(core.localParameters.lite).to.equal(true);
  });

  for (const components of [1, 2]) {
    it(`connects to a full agent with ${components} component(s), which takes the controlling role; the lite agent never sends a request`, () => {
      const { sim, full, lite } = fullAndLite(components);
      expect(full.core.role, 'a full agent facing a lite peer controls').to.equal('controlling');
      const ok = sim.run(10_000, () => full.core.state === 'completed' && lite.core.state === 'completed');
      expect(ok, `F ${states(full)} L ${states(lite)}`).to.equal(true);
      expect(states(lite)).to.deep.equal(['checking', 'connected', 'completed']);
      for (let c = 1; c <= components; c++) expect(componentStates(lite, c)).to.deep.equal(['checking', 'completed']);
      // Keep it running through several consent rounds of the full agent.
      sim.run(sim.now + 60_000);
      const fromLite = sim.wire.filter((w) => w.agent === 'L').map((w) => stunOf(w.data)?.cls);
      expect(fromLite.length).to.be.greaterThan(0);
      expect(fromLite.filter((cls) => cls === 'request'), 'requests sent by the lite agent').to.deep.equal([]);
      expect(lite.core.state).to.equal('completed');
      expect(sim.sendData(lite, 1, Buffer.from('from lite'))).to.equal(true);
      sim.run(sim.now + 10);
      expect(full.data.map((d) => String(d.data))).to.include('from lite');
    });
  }

  it('answers a check claiming ICE-CONTROLLED with a signed 487', () => {
    const core = liteAgent();
    core.handlePacket(1, SOCKET, PEER, check({ role: 'ICE-CONTROLLED', tieBreaker: 1n }));
    const { tx } = drain(core);
    expect(tx).to.have.length(1);
    const m = decoded(tx[0]!);
    expect([m.cls, codeOf(m)]).to.deep.equal(['error', 487]);
    expect(m.integrityOffset).to.not.equal(undefined);
    expect(core.role).to.equal('controlled');
  });

  it('selects nothing before a nomination, then the nominated pair; the last nomination wins', () => {
    const core = liteAgent();
    core.handlePacket(1, SOCKET, PEER, check({ role: 'ICE-CONTROLLING' }));
    let r = drain(core);
    expect(r.tx.map((t) => decoded(t).cls)).to.deep.equal(['success']);
    expect(core.route(1), '§12.1.1: nothing is sent before nomination').to.equal(undefined);
    expect(core.state).to.equal('checking');
    core.handlePacket(2, SOCKET, PEER, check(NOMINATE));
    r = drain(core);
    expect(core.route(1)?.to).to.deep.include({ address: PEER.address, port: PEER.port });
    expect(r.ev.flatMap((e) => (e.type === 'state' ? [e.state] : []))).to.deep.equal(['connected', 'completed']);
    // The peer nominates another pair (of lower priority): the selection follows.
    core.handlePacket(3, SOCKET, PEER2, check({ ...NOMINATE, extra: [...NOMINATE.extra] }));
    r = drain(core);
    expect(core.route(1)?.to).to.deep.include({ port: PEER2.port });
    expect(r.ev.filter((e) => e.type === 'selected-pair')).to.have.length(1);
    expect(core.pairs().filter((p) => p.nominated)).to.have.length(1);
    expect(r.tx.every((t) => decoded(t).cls === 'success')).to.equal(true);
  });

  it('liveness without probing: disconnected after 10 s without requests, recovered by a request, failed after 30 s', () => {
    const core = liteAgent();
    core.handlePacket(0, SOCKET, PEER, check(NOMINATE));
    drain(core);
    const advance = (to: number): void => {
      for (let t = core.pollTimeout(); t !== undefined && t <= to; t = core.pollTimeout()) core.handleTimeout(t);
      drain(core);
    };
    advance(9_999);
    expect(core.state).to.equal('completed');
    advance(10_000);
    expect(core.state).to.equal('disconnected');
    core.handlePacket(12_000, SOCKET, PEER, check({ role: 'ICE-CONTROLLING' }));
    drain(core);
    expect(core.state).to.equal('completed');
    advance(41_999);
    expect(core.state).to.equal('disconnected');
    advance(42_000);
    expect(core.state).to.equal('failed');
    expect(core.route(1), 'no route once the peer stopped asking (RFC 7675)').to.equal(undefined);
    expect(core.pollTimeout()).to.equal(undefined);
  });

  it('two lite agents: a typed unsupported error', () => {
    const core = liteAgent();
    expect(() => core.setRemoteCredentials(1, 'cccc', 'c'.repeat(22), true)).to.throw(IceError).with.property('code', 'ERR_UNSUPPORTED');
  });
});
