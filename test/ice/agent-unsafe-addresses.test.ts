// Remote addresses that are never one peer are refused: signalled or learned from a check.
import { expect } from 'chai';
import { IceError } from '../../lib/util/errors.js';
import { B, check, drain, hostCandidate, newAgent, SOCKET } from '../support/craft.js';

const UNSAFE: readonly [string, number, string][] = [
  ['0.0.0.0', 5000, 'unspecified'],
  ['::', 5000, 'unspecified'],
  ['255.255.255.255', 5000, 'broadcast'],
  ['224.0.0.1', 5000, 'multicast'],
  ['239.255.255.250', 1900, 'multicast'],
  ['ff02::1', 5000, 'multicast'],
  ['::ffff:224.0.0.251', 5353, 'multicast'],
  ['10.0.0.2', 0, 'port 0'],
];

describe('IceAgentCore: unsafe remote addresses are never paired or checked', () => {
  for (const [address, port, what] of UNSAFE) {
    it(`a signalled candidate ${address} port ${port} (${what}) is refused with ERR_INVALID_CANDIDATE`, () => {
      const core = newAgent('controlling');
      core.setRemoteCredentials(0, B.ufrag, B.pwd);
      const family = address.includes(':') ? 'IPv6 ' : '';
      expect(() => core.addRemoteCandidate(1, hostCandidate(address, port)), family)
        .to.throw(IceError, what).with.property('code', 'ERR_INVALID_CANDIDATE');
      expect(core.pairs()).to.deep.equal([]);
      expect(drain(core).tx).to.deep.equal([]);
    });

    if (!address.includes(':')) {
      it(`a check from ${address} port ${port} (${what}) is not answered and learns nothing`, () => {
        const core = newAgent('controlled');
        core.setRemoteCredentials(0, B.ufrag, B.pwd);
        drain(core);
        core.handlePacket(1, SOCKET, { address, port, family: 4 }, check());
        expect(drain(core)).to.deep.equal({ tx: [], ev: [] });
        expect(core.remoteCandidateList).to.deep.equal([]);
        expect(core.drops.unsafeAddress).to.equal(1);
      });
    }
  }

  it('ordinary unicast addresses, mDNS names and link-local IPv6 are still accepted', () => {
    const core = newAgent('controlling');
    core.setRemoteCredentials(0, B.ufrag, B.pwd);
    for (const [a, p] of [['10.0.0.2', 1], ['223.255.255.255', 9], ['240.0.0.1', 9], ['fe80::1', 9], ['3f1c7a2e-0000-4000-8000-000000000001.local', 9]] as const) {
      core.addRemoteCandidate(1, hostCandidate(a, p));
    }
    expect(core.remoteCandidateList).to.have.length(5);
  });
});
