// Peer behaviours from INTEROP-NOTES.md, replayed as crafted packets against a bare core.
import { expect } from 'chai';
import { getAttribute } from '../../lib/stun/index.js';
import { answerTo, B, check, decoded, drain, hostCandidate, newAgent, PEER, requestsIn, SOCKET } from '../support/craft.js';

const GOOG_NETWORK_INFO = { type: 'unknown' as const, code: 0xc057, value: Buffer.from('000003e7', 'hex') };

describe('IceAgentCore: interop behaviours of real peers', () => {
  it('a controlling peer nominating on its first check, before our remote credentials: answered, selected once our own check succeeds', () => {
    const core = newAgent('controlled');
    core.handlePacket(1, SOCKET, PEER, check({ role: 'ICE-CONTROLLING', extra: [GOOG_NETWORK_INFO, { type: 'USE-CANDIDATE' }] }));
    const first = drain(core);
    expect(first.tx.map((t) => decoded(t).cls)).to.deep.equal(['success']);
    // Without the peer's password we cannot check it: no consent, so no selection and nothing to send on (RFC 7675).
    expect(core.selectedPair(1)).to.equal(undefined);
    expect(core.route(1)).to.equal(undefined);
    expect(first.ev.filter((e) => e.type === 'selected-pair' || e.type === 'state')).to.deep.equal([]);
    // Its data is delivered all the same: the source proved itself with an authenticated check.
    expect(core.handlePacket(2, SOCKET, PEER, Buffer.from('media'))).to.equal(1);

    // The remote password arrives: the triggered check goes out at once.
    core.setRemoteCredentials(3, B.ufrag, B.pwd);
    const trig = drain(core).tx;
    expect(trig).to.have.length(1);
    const req = decoded(trig[0]!);
    expect(req.cls).to.equal('request');
    expect(getAttribute(req, 'USERNAME')?.value).to.equal(`${B.ufrag}:${core.localParameters.ufrag}`);
    expect(getAttribute(req, 'ICE-CONTROLLED')?.value).to.equal(1000n);
    expect([trig[0]!.to.address, trig[0]!.to.port]).to.deep.equal([PEER.address, PEER.port]);
    core.endOfRemoteCandidates(4);
    expect(core.state).to.equal('checking');
    expect(core.selectedPair(1)).to.equal(undefined);

    // Its answer makes the pair valid: the nomination takes effect and the component finishes.
    core.handlePacket(5, SOCKET, PEER, answerTo(trig[0]!));
    const done = drain(core);
    expect(core.pairs().map((p) => [p.state, p.nominated])).to.deep.equal([['succeeded', true]]);
    expect(core.selectedPair(1)?.nominated).to.equal(true);
    expect(done.ev.flatMap((e) => (e.type === 'state' ? [e.state] : []))).to.deep.equal(['connected', 'completed']);
  });

  it('repeated USE-CANDIDATE checks on the chosen pair (every ~2.5 s) are no-ops', () => {
    const core = newAgent('controlled');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    core.addRemoteCandidate(0, hostCandidate(PEER.address, PEER.port));
    core.endOfRemoteCandidates(0);
    const ours = requestsIn(drain(core).tx);
    expect(ours).to.have.length(1);
    core.handlePacket(1, SOCKET, PEER, check({ role: 'ICE-CONTROLLING', extra: [{ type: 'USE-CANDIDATE' }] }));
    expect(drain(core).ev.filter((e) => e.type === 'selected-pair'), 'not before our own check succeeded').to.deep.equal([]);
    core.handlePacket(2, SOCKET, PEER, answerTo(ours[0]!));
    const first = drain(core);
    expect(first.ev.filter((e) => e.type === 'selected-pair')).to.have.length(1);
    for (let t = 2500; t <= 10_000; t += 2500) {
      core.handlePacket(t, SOCKET, PEER, check({ role: 'ICE-CONTROLLING', extra: [{ type: 'USE-CANDIDATE' }] }));
      const r = drain(core);
      expect(r.tx.map((x) => decoded(x).cls)).to.include('success');
      expect(r.ev.filter((e) => e.type === 'selected-pair' || e.type === 'role'), `at ${t}`).to.deep.equal([]);
    }
    expect(core.pairs()).to.have.length(1);
    expect(core.selectedPair(1)?.remote.type).to.equal('host');
  });

  it('a peer whose check comes from an unsignalled address (mDNS host) is learned as prflx and used', () => {
    const core = newAgent('controlled');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    // The signalled candidate is an unresolved .local name: kept but not paired.
    core.addRemoteCandidate(0, { ...hostCandidate('3f1c7a2e-0000-4000-8000-000000000001.local', 6000) });
    core.endOfRemoteCandidates(0);
    drain(core);
    expect(core.pairs()).to.deep.equal([]);
    core.handlePacket(1, SOCKET, PEER, check({ role: 'ICE-CONTROLLING', extra: [{ type: 'USE-CANDIDATE' }] }));
    const triggered = requestsIn(drain(core).tx);
    expect(triggered, 'a triggered check to the learned source').to.have.length(1);
    expect(core.selectedPair(1)).to.equal(undefined);
    core.handlePacket(2, SOCKET, PEER, answerTo(triggered[0]!));
    drain(core);
    expect(core.selectedPair(1)?.remote).to.deep.include({ type: 'prflx', address: PEER.address, port: PEER.port });
  });
});
