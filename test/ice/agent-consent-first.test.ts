// RFC 7675 / RFC 8445 §7.2.5.3: nothing is sent on a pair before our own check on it succeeded.
import { expect } from 'chai';
import { PACKET_STUN } from '../../lib/ice/agent-core.js';
import { shortTermKey, type TransportAddress } from '../../lib/stun/index.js';
import { answerTo, B, check, decoded, drain, hostCandidate, LOCAL, newAgent, PEER, requestsIn, SOCKET } from '../support/craft.js';
import { Sim, connectPair, states } from '../support/sim.js';
import { stunOf } from '../support/stun-bytes.js';

const NOMINATE = { role: 'ICE-CONTROLLING' as const, extra: [{ type: 'USE-CANDIDATE' as const }] };

describe('IceAgentCore: consent before sending (RFC 7675)', () => {
  it('a controlled agent without the peer\'s credentials answers a nominating check but selects nothing and sends nothing else', () => {
    const core = newAgent('controlled');
    for (let t = 1; t <= 5; t++) {
      expect(core.handlePacket(t * 100, SOCKET, PEER, check(NOMINATE))).to.equal(PACKET_STUN);
      const { tx, ev } = drain(core);
      expect(tx.map((x) => decoded(x).cls), 'only the answers').to.deep.equal(['success']);
      expect(ev.filter((e) => e.type === 'selected-pair' || e.type === 'state')).to.deep.equal([]);
    }
    expect(core.selectedPair(1)).to.equal(undefined);
    expect(core.route(1)).to.equal(undefined);
    expect(core.state).to.equal('starting');
    // Time passes: still no request of ours (we cannot sign one) and no selection.
    for (let now = 600; now < 40_000; now = core.pollTimeout() ?? now + 1000) {
      core.handleTimeout(now);
      expect(requestsIn(drain(core).tx)).to.deep.equal([]);
    }
    expect(core.route(1)).to.equal(undefined);
  });

  it('a nomination takes effect only when our check is answered from where it went, signed with the peer\'s password', () => {
    const core = newAgent('controlled');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    core.addRemoteCandidate(0, hostCandidate(PEER.address, PEER.port));
    const ours = requestsIn(drain(core).tx);
    expect(ours).to.have.length(1);
    core.handlePacket(1, SOCKET, PEER, check(NOMINATE));
    drain(core);
    expect(core.pairs()[0]).to.deep.include({ nominated: true, state: 'in-progress' });
    // A response from elsewhere, or signed with another key, proves nothing.
    core.handlePacket(2, SOCKET, { ...PEER, port: PEER.port + 1 }, answerTo(ours[0]!));
    core.handlePacket(3, SOCKET, PEER, answerTo(ours[0]!, LOCAL, 'wrongwrongwrongwrong22'));
    drain(core);
    expect(core.route(1)).to.equal(undefined);
    expect(core.drops).to.deep.include({ wrongSource: 1, unauthenticated: 1 });
    // The genuine answer: valid, nominated, selected, routed.
    core.handlePacket(4, SOCKET, PEER, answerTo(ours[0]!));
    const { ev } = drain(core);
    expect(ev.filter((e) => e.type === 'selected-pair')).to.have.length(1);
    expect(core.route(1)).to.deep.include({ to: { address: PEER.address, port: PEER.port, family: 4 } });
  });

  it('a nomination of a pair whose check failed sends a new check and selects only when it succeeds', () => {
    const core = newAgent('controlled');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    core.addRemoteCandidate(0, hostCandidate(PEER.address, PEER.port));
    drain(core);
    // Our check goes unanswered until it times out.
    for (let now = 0; core.pairs()[0]!.state !== 'failed'; ) {
      now = core.pollTimeout()!;
      core.handleTimeout(now);
      drain(core);
    }
    core.handlePacket(50_000, SOCKET, PEER, check(NOMINATE));
    const retry = requestsIn(drain(core).tx);
    expect(retry, 'a triggered check').to.have.length(1);
    expect(core.route(1)).to.equal(undefined);
    core.handlePacket(50_010, SOCKET, PEER, answerTo(retry[0]!));
    drain(core);
    expect(core.selectedPair(1)).to.deep.include({ nominated: true, state: 'succeeded' });
  });

  it('whoever knows the password cannot point our traffic at a victim with a spoofed nominating check', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    const victim: TransportAddress = { address: '10.9.9.9', port: 9999, family: 4 };
    // B learns only A's credentials, then a forged USE-CANDIDATE check from the victim's address arrives.
    const p = a.core.localParameters;
    b.core.setRemoteCredentials(0, p.ufrag, p.pwd);
    const forged = check({ ...NOMINATE, username: `${b.core.localParameters.ufrag}:${p.ufrag}`, key: shortTermKey(b.core.localParameters.pwd) });
    b.core.handlePacket(0, b.hosts[0]!.socket, victim, forged);
    sim.drain();
    sim.run(60_000);
    const toVictim = sim.wire.filter((w) => w.agent === 'B' && w.to.address === victim.address);
    // B answers the check and checks the victim (bounded retransmissions), and never selects it or sends data there.
    expect(toVictim.every((w) => stunOf(w.data) !== undefined), 'only STUN').to.equal(true);
    expect(toVictim.length).to.be.at.most(1 + 6);
    expect(b.core.route(1)).to.equal(undefined);
    expect(b.events.some((e) => e.event.type === 'selected-pair')).to.equal(false);
    expect(states(b)).to.not.include('connected');
  });
});
