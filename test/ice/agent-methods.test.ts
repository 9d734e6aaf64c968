// Only Binding requests are connectivity checks (RFC 8445 §7.3); other STUN methods change nothing.
import { expect } from 'chai';
import { PACKET_DROPPED } from '../../lib/ice/agent-core.js';
import { encodeMessage, shortTermKey, type StunClass } from '../../lib/stun/index.js';
import { A, B, codeOf, decoded, drain, newAgent, PEER, SOCKET, txId } from '../support/craft.js';

/** A check's attributes (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE), signed, under another method. */
function request(method: number, key: Buffer | null = shortTermKey(A.pwd), cls: StunClass = 'request'): Buffer {
  return encodeMessage(
    {
      method, cls, transactionId: txId(),
      attributes: [
        { type: 'USERNAME', value: `${A.ufrag}:${B.ufrag}` },
        { type: 'PRIORITY', value: 1853824767 },
        { type: 'ICE-CONTROLLING', value: 7n },
        { type: 'USE-CANDIDATE' },
      ],
    },
    { ...(key && { integrityKey: key }), fingerprint: true },
  );
}

describe('IceAgentCore: only Binding requests are checks', () => {
  // (Methods above 0x0ff have a first byte above 3: RFC 7983 sorts them as data, not STUN.)
  for (const method of [0x002, 0x003, 0x004, 0x008, 0x009, 0x0ff]) {
    it(`an authenticated method 0x${method.toString(16).padStart(3, '0')} request gets a signed 400 and changes nothing`, () => {
      const core = newAgent('controlled');
      core.setRemoteCredentials(0, B.ufrag, B.pwd);
      drain(core);
      core.handlePacket(1, SOCKET, PEER, request(method));
      const { tx, ev } = drain(core);
      expect(tx).to.have.length(1);
      const m = decoded(tx[0]!);
      expect([m.method, m.cls, codeOf(m)]).to.deep.equal([method, 'error', 400]);
      expect(m.integrityOffset, 'signed').to.not.equal(undefined);
      expect(ev, 'no event').to.deep.equal([]);
      expect(core.pairs(), 'no peer-reflexive candidate, no pair').to.deep.equal([]);
      expect(core.remoteCandidateList).to.deep.equal([]);
      expect(core.selectedPair(1)).to.equal(undefined);
      expect(core.role).to.equal('controlled');
      expect(core.drops.notBinding).to.equal(1);
      // The source proved nothing: its data is not delivered.
      expect(core.handlePacket(2, SOCKET, PEER, Buffer.from('data'))).to.equal(PACKET_DROPPED);
    });
  }

  it('an unauthenticated request of another method is dropped silently', () => {
    const core = newAgent('controlled');
    for (const key of [null, shortTermKey('wrongwrongwrongwrong22')]) core.handlePacket(1, SOCKET, PEER, request(0x003, key));
    expect(drain(core)).to.deep.equal({ tx: [], ev: [] });
    expect(core.drops.notBinding).to.equal(2);
  });

  it('responses and indications of other methods are dropped and counted', () => {
    const core = newAgent('controlling');
    for (const cls of ['success', 'error', 'indication'] as const) core.handlePacket(1, SOCKET, PEER, request(0x003, shortTermKey(B.pwd), cls));
    expect(drain(core)).to.deep.equal({ tx: [], ev: [] });
    expect(core.drops.notBinding).to.equal(3);
    expect(core.pairs()).to.deep.equal([]);
  });
});
