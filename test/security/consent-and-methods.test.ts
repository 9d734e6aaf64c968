/**
 * Over real sockets: a pair carries nothing before our own check on it succeeded (RFC 7675),
 * and only Binding requests are checks.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { IceAgent } from '../../lib/ice-agent.js';
import { METHOD_ALLOCATE } from '../../lib/stun/constants.js';
import { IceError } from '../../lib/util/errors.js';
import { chromeCheck } from '../support/chrome-check.js';
import { closeSocket, bindUdp } from '../support/udp.js';
import { mustDecode } from '../support/stun-bytes.js';
import { hostOf, loopbackAgent } from '../support/loopback-agents.js';
import { until } from '../support/waits.js';

describe('security: consent before sending, Binding-only checks (real sockets)', function () {
  this.timeout(20_000);
  const agents: IceAgent[] = [];
  after(async () => {
    await Promise.all(agents.map((a) => a.close()));
  });

  it('B, which never got A\'s parameters, answers A\'s nominating checks but selects nothing and cannot send', async () => {
    const a = await loopbackAgent({ role: 'controlling' });
    const b = await loopbackAgent({ role: 'controlled' });
    agents.push(a, b);
    const bEvents: string[] = [];
    b.on('selectedpairchange', () => bEvents.push('selected'));
    b.on('statechange', (s) => bEvents.push(s));
    // A learns everything about B; B learns nothing about A.
    a.setRemoteParameters(b.localParameters);
    for (const c of b.localCandidates) a.addRemoteCandidate(c);
    a.addRemoteCandidate(null);
    await a.waitFor(['completed'], 5000);
    // A's check on B succeeded (B answered with its own password): A has consent and sends.
    const got = once(b, 'data');
    a.send(1, Buffer.from('from A'));
    const [component, data] = (await got) as [number, Buffer];
    expect([component, String(data)], 'data from a source that proved itself is delivered').to.deep.equal([1, 'from A']);
    // B has no consent from A: nothing selected, nothing reported, nothing sent.
    expect(b.getSelectedPair(1)).to.equal(undefined);
    expect(bEvents).to.deep.equal([]);
    expect(b.iceState).to.equal('starting');
    expect(() => b.send(1, Buffer.from('to A'))).to.throw(IceError).with.property('code', 'ERR_NO_SELECTED_PAIR');
  });

  it('an authenticated Allocate (method 0x003) with USE-CANDIDATE gets a signed 400 and proves nothing', async () => {
    const v = await loopbackAgent({ role: 'controlled' });
    agents.push(v);
    v.setRemoteParameters({ ufrag: 'attk', pwd: 'attackerattackerattacker' });
    const s = await bindUdp();
    try {
      const forged = chromeCheck({ username: `${v.localParameters.ufrag}:attk`, pwd: v.localParameters.pwd, role: 'controlling', useCandidate: true, method: METHOD_ALLOCATE });
      const answer = once(s, 'message');
      s.send(forged, hostOf(v).port, '127.0.0.1');
      const [reply] = (await answer) as [Buffer];
      const m = mustDecode(reply);
      expect([m.method, m.cls]).to.deep.equal([METHOD_ALLOCATE, 'error']);
      expect(m.attributes.find((x) => x.type === 'ERROR-CODE')).to.deep.include({ value: { code: 400, reason: 'Bad Request' } });
      expect(m.integrityOffset, 'signed: the sender authenticated').to.not.equal(undefined);
      expect(v.drops.notBinding).to.equal(1);
      expect(v.getPairs()).to.deep.equal([]);
      // Its data is not delivered: the Allocate proved nothing.
      const unproven = v.drops.unprovenData;
      s.send(Buffer.from('data after Allocate'), hostOf(v).port, '127.0.0.1');
      await until(() => v.drops.unprovenData !== unproven, 'the data to be counted');
      expect(v.drops.unprovenData).to.equal(unproven + 1);
    } finally {
      await closeSocket(s);
    }
  });
});
