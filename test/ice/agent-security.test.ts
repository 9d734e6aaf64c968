import { expect } from 'chai';
import { PACKET_DROPPED, PACKET_STUN } from '../../lib/ice/agent-core.js';
import { METHOD_BINDING, encodeMessage, getAttribute, shortTermKey, type TransportAddress } from '../../lib/stun/index.js';
import { A, answerTo, B, check, codeOf, decoded, drain, hostCandidate, LOCAL, newAgent, OTHER_SOCKET, PEER, remoteCandidateCount, requestsIn, SOCKET, txId } from '../support/craft.js';

describe('IceAgentCore: security at the core', () => {
  it('baseline: a well-formed check is answered with a signed success and proves its source', () => {
    const core = newAgent('controlled');
    expect(core.handlePacket(1, SOCKET, PEER, check())).to.equal(PACKET_STUN);
    const { tx } = drain(core);
    expect(tx).to.have.length(1);
    const m = decoded(tx[0]!);
    expect(m.cls).to.equal('success');
    expect(getAttribute(m, 'XOR-MAPPED-ADDRESS')?.value).to.deep.include({ address: PEER.address, port: PEER.port });
    expect(core.pairs()).to.have.length(1);
    expect(core.pairs()[0]!.remote.type).to.equal('prflx');
    expect(core.handlePacket(2, SOCKET, PEER, Buffer.from('app data'))).to.equal(1);
  });

  it('wrong password: 401 (or silence), never success; no role, candidate, pair or state change', () => {
    for (const role of ['controlling', 'controlled'] as const) {
      const core = newAgent(role);
      const attackerRole = role === 'controlling' ? 'ICE-CONTROLLING' : 'ICE-CONTROLLED';
      const before = { ...core.drops };
      core.handlePacket(1, SOCKET, PEER, check({ key: shortTermKey('wrongwrongwrongwrong22'), role: attackerRole, tieBreaker: 2n ** 64n - 1n }));
      const { tx, ev } = drain(core);
      for (const t of tx) expect(codeOf(decoded(t)), 'only 401 is allowed').to.equal(401);
      expect(tx.length).to.be.at.most(1);
      expect(ev, 'no events').to.deep.equal([]);
      expect(core.role).to.equal(role);
      expect(core.pairs()).to.deep.equal([]);
      expect(core.state).to.equal('starting');
      expect(core.drops.unauthenticated).to.equal(before.unauthenticated + 1);
      // The source did not prove itself: its data is not delivered.
      expect(core.handlePacket(2, SOCKET, PEER, Buffer.from('x'))).to.equal(PACKET_DROPPED);
    }
  });

  it('unknown ufrag: 401, unsigned', () => {
    const core = newAgent('controlled');
    core.handlePacket(1, SOCKET, PEER, check({ username: `zzzz:${B.ufrag}` }));
    const { tx, ev } = drain(core);
    expect(tx).to.have.length(1);
    const m = decoded(tx[0]!);
    expect([m.cls, codeOf(m)]).to.deep.equal(['error', 401]);
    expect(m.integrityOffset).to.equal(undefined);
    expect(ev).to.deep.equal([]);
    expect(core.pairs()).to.deep.equal([]);
  });

  it('a request without FINGERPRINT is dropped silently', () => {
    const core = newAgent('controlled');
    core.handlePacket(1, SOCKET, PEER, check({ fingerprint: false }));
    const { tx, ev } = drain(core);
    expect(tx).to.deep.equal([]);
    expect(ev).to.deep.equal([]);
    expect(core.drops.unauthenticated).to.equal(1);
    expect(core.pairs()).to.deep.equal([]);
  });

  it('no MESSAGE-INTEGRITY: 400 only when the answer is not larger than the request', () => {
    const core = newAgent('controlled');
    const small = encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: txId(), attributes: [{ type: 'USERNAME', value: 'aaaa:b' }] }, { fingerprint: true });
    core.handlePacket(1, SOCKET, PEER, small);
    const r1 = drain(core).tx;
    for (const t of r1) expect(t.data.length).to.be.at.most(small.length);
    expect(r1).to.deep.equal([]); // a 400 (52 bytes) would be larger than these 40 bytes
    const big = check({ key: null, extra: [{ type: 'SOFTWARE', value: 'x'.repeat(64) }] });
    core.handlePacket(2, SOCKET, PEER, big);
    const r2 = drain(core).tx;
    expect(r2).to.have.length(1);
    const m = decoded(r2[0]!);
    expect([m.cls, codeOf(m)]).to.deep.equal(['error', 400]);
    expect(r2[0]!.data.length).to.be.at.most(big.length);
    expect(core.pairs()).to.deep.equal([]);
  });

  it('an unknown comprehension-required attribute in an authenticated check gets 420 listing it', () => {
    const core = newAgent('controlled');
    core.handlePacket(1, SOCKET, PEER, check({ extra: [{ type: 'unknown', code: 0x7f31, value: Buffer.from([1, 2, 3, 4]) }] }));
    const { tx } = drain(core);
    expect(tx).to.have.length(1);
    const m = decoded(tx[0]!);
    expect([m.cls, codeOf(m)]).to.deep.equal(['error', 420]);
    expect(getAttribute(m, 'UNKNOWN-ATTRIBUTES')?.value).to.deep.equal([0x7f31]);
    expect(core.pairs()).to.deep.equal([]);
    // An unknown comprehension-optional attribute (like Chrome's GOOG-NETWORK-INFO) is fine.
    core.handlePacket(2, SOCKET, PEER, check({ extra: [{ type: 'unknown', code: 0xc057, value: Buffer.from('000003e7', 'hex') }] }));
    expect(decoded(drain(core).tx[0]!).cls).to.equal('success');
  });

  it('responses with an unknown transaction id, from the wrong source or with a bad signature are ignored', () => {
    const core = newAgent('controlling');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    core.addRemoteCandidate(0, hostCandidate(PEER.address, PEER.port));
    const sent = drain(core).tx;
    expect(sent).to.have.length(1);
    const req = decoded(sent[0]!);
    const respond = (id: Buffer, key: Buffer): Buffer =>
      encodeMessage({ method: METHOD_BINDING, cls: 'success', transactionId: id, attributes: [{ type: 'XOR-MAPPED-ADDRESS', value: LOCAL }] }, { integrityKey: key, fingerprint: true });
    const good = shortTermKey(B.pwd);

    core.handlePacket(1, SOCKET, PEER, respond(txId(), good));
    expect(core.drops.unknownTransaction).to.equal(1);
    core.handlePacket(1, SOCKET, { ...PEER, port: 6001 }, respond(req.transactionId, good));
    expect(core.drops.wrongSource).to.equal(1);
    core.handlePacket(1, SOCKET, PEER, respond(req.transactionId, shortTermKey('wrongwrongwrongwrong22')));
    expect(core.drops.unauthenticated).to.equal(1);
    expect(core.pairs()[0]!.state).to.equal('in-progress');
    expect(core.selectedPair(1)).to.equal(undefined);
    expect(core.handlePacket(1, SOCKET, PEER, Buffer.from('x')), 'no proof yet').to.equal(PACKET_DROPPED);

    // The genuine response still works afterwards.
    core.handlePacket(2, SOCKET, PEER, respond(req.transactionId, good));
    expect(core.pairs()[0]!.state).to.equal('succeeded');
    expect(core.selectedPair(1)).to.not.equal(undefined);
  });

  it('5,000 signalled candidates stay within maxRemoteCandidates and maxPairs', () => {
    const core = newAgent('controlling');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    const { maxPairs, maxRemoteCandidates } = core.config.limits;
    for (let i = 0; i < 5000; i++) core.addRemoteCandidate(0, hostCandidate(`10.${(i >> 8) & 255}.${i & 255}.9`, 7000 + i));
    drain(core);
    expect(core.pairs().length).to.be.at.most(maxPairs);
    expect(core.pairs().length).to.equal(Math.min(maxPairs, maxRemoteCandidates));
    expect(remoteCandidateCount(core)).to.equal(maxRemoteCandidates);
    // Every candidate beyond the limit was refused and counted.
    expect(core.drops.overLimit).to.equal(5000 - maxRemoteCandidates);
  });

  for (const limits of [undefined, { maxPairs: 50, maxRemoteCandidates: 80 }]) {
  it(`authenticated checks from 5,000 source addresses stay within the limits (${limits ? 'custom' : 'default'} limits)`, () => {
    const core = newAgent('controlled', limits);
    const { maxPairs, maxRemoteCandidates } = core.config.limits;
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    let answered = 0;
    for (let i = 0; i < 5000; i++) {
      core.handlePacket(i, SOCKET, { address: `10.${(i >> 8) & 255}.${i & 255}.9`, port: 7000 + (i % 1000), family: 4 }, check());
      answered += drain(core).tx.filter((t) => decoded(t).cls === 'success').length;
    }
    expect(answered).to.equal(5000); // each is authenticated, so each is answered
    expect(core.pairs().length).to.be.at.most(maxPairs);
    expect(remoteCandidateCount(core)).to.equal(maxRemoteCandidates);
    expect(core.drops.overLimit).to.be.at.least(5000 - maxRemoteCandidates);
    // Those learned beyond the limit did not prove anything: their data is dropped.
    expect(core.handlePacket(6000, SOCKET, { address: '10.19.135.9', port: 7000 + (4999 % 1000), family: 4 }, Buffer.from('x'))).to.equal(PACKET_DROPPED);
  });
  }

  it('authenticated checks without PRIORITY or with both role attributes get 400', () => {
    const core = newAgent('controlled');
    const noPriority = encodeMessage(
      { method: METHOD_BINDING, cls: 'request', transactionId: txId(), attributes: [{ type: 'USERNAME', value: `${A.ufrag}:${B.ufrag}` }, { type: 'ICE-CONTROLLING', value: 9n }] },
      { integrityKey: shortTermKey(A.pwd), fingerprint: true },
    );
    const bothRoles = check({ extra: [{ type: 'ICE-CONTROLLING', value: 9n }] });
    for (const req of [noPriority, bothRoles]) {
      core.handlePacket(1, SOCKET, PEER, req);
      const { tx, ev } = drain(core);
      expect(tx).to.have.length(1);
      const m = decoded(tx[0]!);
      expect([m.cls, codeOf(m)]).to.deep.equal(['error', 400]);
      expect(m.integrityOffset, 'authenticated: the error is signed').to.not.equal(undefined);
      expect(ev).to.deep.equal([]);
    }
    expect(core.role).to.equal('controlled');
    expect(core.pairs()).to.deep.equal([]);
  });

  it('data from an address that never authenticated is dropped; data from the selected remote is delivered', () => {
    const core = newAgent('controlled');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    core.addRemoteCandidate(0, hostCandidate(PEER.address, PEER.port));
    core.endOfRemoteCandidates(0);
    const ours = requestsIn(drain(core).tx);
    core.handlePacket(1, SOCKET, PEER, check({ role: 'ICE-CONTROLLING', extra: [{ type: 'USE-CANDIDATE' }] }));
    core.handlePacket(1, SOCKET, PEER, answerTo(ours[0]!));
    drain(core);
    expect(core.selectedPair(1)?.remote.address).to.equal(PEER.address);
    const stranger: TransportAddress = { address: '10.0.0.66', port: 6000, family: 4 };
    expect(core.handlePacket(2, SOCKET, stranger, Buffer.from('evil'))).to.equal(PACKET_DROPPED);
    expect(core.drops.unprovenData).to.equal(1);
    expect(core.handlePacket(2, SOCKET, PEER, Buffer.from('good'))).to.equal(1);
    expect(core.drops.unprovenData).to.equal(1);
    // Data arriving on a socket the agent does not own is dropped too.
    expect(core.handlePacket(2, OTHER_SOCKET, PEER, Buffer.from('good'))).to.equal(PACKET_DROPPED);
  });
});
