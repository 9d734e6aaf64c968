/**
 * Connectivity-check authentication over real sockets: a raw dgram socket on
 * 127.0.0.1 talks to an IceAgent's host candidate.
 */
import { expect } from 'chai';
import type { Socket } from 'node:dgram';
import type { IceAgent } from '../../lib/ice-agent.js';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import { shortTermKey, verifyIntegrity } from '../../lib/stun/integrity.js';
import { fixFingerprint } from '../fuzz/mutator.js';
import { checkSuccess, chromeCheck } from '../support/chrome-check.js';
import { closeSocket, bindUdp } from '../support/udp.js';
import { connectedPair, loopbackAgent } from '../support/loopback-agents.js';
import { mustDecode, stunOf } from '../support/stun-bytes.js';
import { until } from '../support/waits.js';
import { sendAndCollect, snapshot } from '../support/attacker.js';

describe('security: check authentication on a live socket', function () {
  this.timeout(20_000);
  let a: IceAgent;
  let b: IceAgent;
  let attacker: Socket;

  before(async () => {
    ({ a, b } = await connectedPair());
    // Let nomination finish so that nothing changes on its own during the tests.
    await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
    attacker = await bindUdp();
  });
  after(async () => {
    await closeSocket(attacker);
    await a.close();
    await b.close();
  });

  /** Sends a bad check to b and asserts: no success response, no state change, counted as unauthenticated. */
  async function rejected(check: Buffer, expectSilence: boolean): Promise<Buffer[]> {
    const before = snapshot(b);
    const dropsBefore = b.drops.unauthenticated;
    const replies = await sendAndCollect(attacker, check, b);
    for (const r of replies) {
      const m = mustDecode(r);
      expect(m.cls, 'never a success response').to.not.equal('success');
      expect(r.length, 'an unauthenticated error is never larger than the request').to.be.at.most(check.length);
    }
    if (expectSilence) expect(replies, 'dropped silently').to.have.length(0);
    expect(snapshot(b), 'iceState, role, candidates, pairs unchanged').to.equal(before);
    expect(b.drops.unauthenticated).to.equal(dropsBefore + 1);
    return replies;
  }

  it('a check signed with the wrong password gets no success and changes nothing', async () => {
    const replies = await rejected(
      chromeCheck({ username: `${b.localParameters.ufrag}:${a.localParameters.ufrag}`, pwd: 'wrongpasswordwrongpassword', role: 'controlling', useCandidate: true }),
      false,
    );
    // Chrome answers 401 here; ours does too when the answer is not larger than the request.
    for (const r of replies) expect(getAttribute(mustDecode(r), 'ERROR-CODE')?.value.code).to.equal(401);
  });

  it('a check for an unknown ufrag gets no success and changes nothing', async () => {
    await rejected(
      chromeCheck({ username: `nosuchufrag:${a.localParameters.ufrag}`, pwd: b.localParameters.pwd, role: 'controlling', useCandidate: true }),
      false,
    );
  });

  it('a check without FINGERPRINT is dropped silently and changes nothing', async () => {
    await rejected(
      chromeCheck({ username: `${b.localParameters.ufrag}:${a.localParameters.ufrag}`, pwd: b.localParameters.pwd, role: 'controlling', useCandidate: true, fingerprint: false }),
      true,
    );
  });

  it('a check without MESSAGE-INTEGRITY gets no success and changes nothing', async () => {
    await rejected(
      chromeCheck({ username: `${b.localParameters.ufrag}:${a.localParameters.ufrag}`, role: 'controlling', useCandidate: true }),
      false,
    );
  });

  it('GOOG-NETWORK-INFO (0xC057) altered after signing breaks integrity: no success', async () => {
    const check = chromeCheck({ username: `${b.localParameters.ufrag}:${a.localParameters.ufrag}`, pwd: b.localParameters.pwd, role: 'controlling', useCandidate: true });
    // USERNAME is 4 + pad(len) bytes after the header; 0xC057 follows it.
    const at = 20 + 4 + ((check.readUInt16BE(22) + 3) & ~3);
    expect(check.readUInt16BE(at)).to.equal(0xc057);
    const forged = Buffer.from(check);
    forged[at + 7] = forged[at + 7]! ^ 0x01; // 000003e7 -> 000003e6
    fixFingerprint(forged); // so only the integrity check can catch it
    expect(mustDecode(forged).integrityOffset).to.be.a('number');
    await rejected(forged, false);
  });
});

describe('security: what an authenticated check gets', function () {
  this.timeout(20_000);
  let v: IceAgent;
  let attacker: Socket;
  const peer = { ufrag: 'peerUfrag', pwd: 'peerPasswordpeerPassword' };

  before(async () => {
    v = await loopbackAgent({ role: 'controlled' });
    v.setRemoteParameters(peer);
    attacker = await bindUdp();
    // The attacker knows the peer's password v was given: it answers v's checks as that peer would.
    attacker.on('message', (m, rinfo) => {
      const d = stunOf(m);
      if (d?.cls === 'request' && d.method === METHOD_BINDING) {
        attacker.send(checkSuccess(d.transactionId, { address: rinfo.address, port: rinfo.port, family: 4 }, peer.pwd), rinfo.port, rinfo.address);
      }
    });
  });
  after(async () => {
    await closeSocket(attacker);
    await v.close();
  });

  it('a valid Chrome-style check carrying 0xC057 gets a signed success response with the right mapped address', async () => {
    const check = chromeCheck({ username: `${v.localParameters.ufrag}:${peer.ufrag}`, pwd: v.localParameters.pwd, role: 'controlling' });
    const tid = mustDecode(check).transactionId;
    const replies = (await sendAndCollect(attacker, check, v)).filter((r) => mustDecode(r).transactionId.equals(tid));
    const success = replies.map(mustDecode).filter((m) => m.cls === 'success');
    expect(success, 'one success response').to.have.length(1);
    const raw = replies.find((r) => mustDecode(r).cls === 'success')!;
    const m = success[0]!;
    expect(verifyIntegrity(raw, m, shortTermKey(v.localParameters.pwd)), 'signed with our password').to.equal(true);
    expect(getAttribute(m, 'FINGERPRINT')).to.not.equal(undefined);
    expect(getAttribute(m, 'XOR-MAPPED-ADDRESS')?.value).to.deep.include({ address: '127.0.0.1', port: attacker.address().port });
    expect(m.transactionId.equals(mustDecode(check).transactionId)).to.equal(true);
  });

  it('an unknown comprehension-required attribute in an authenticated check gets a signed 420 naming it', async () => {
    // The check above made v pair with the attacker's address and check it (a triggered check).
    // Answer that check as the peer would, so that the pair stops changing: succeeded, for good.
    await until(() => v.getPairs().some((p) => p.state === 'succeeded'), 'the pair with the attacker to succeed', 10_000, () => snapshot(v));
    const before = snapshot(v);
    const check = chromeCheck({
      username: `${v.localParameters.ufrag}:${peer.ufrag}`, pwd: v.localParameters.pwd, role: 'controlling',
      extra: [{ type: 'unknown', code: 0x7f31, value: Buffer.from('abcd') }],
    });
    const tid = mustDecode(check).transactionId;
    // (v also sends its own triggered checks to this socket, learned as peer-reflexive above.)
    const replies = (await sendAndCollect(attacker, check, v)).filter((r) => mustDecode(r).transactionId.equals(tid));
    expect(replies, 'one answer').to.have.length(1);
    const m = mustDecode(replies[0]!);
    expect(m.cls).to.equal('error');
    expect(getAttribute(m, 'ERROR-CODE')?.value.code).to.equal(420);
    expect(getAttribute(m, 'UNKNOWN-ATTRIBUTES')?.value).to.deep.equal([0x7f31]);
    expect(verifyIntegrity(replies[0]!, m, shortTermKey(v.localParameters.pwd)), '420 is signed').to.equal(true);
    expect(snapshot(v), 'a 420 changes nothing').to.equal(before);
  });
});
