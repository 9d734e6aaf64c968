/**
 * Spoofed check responses (RFC 8445 §7.2.5.2.1): a response with a transaction id
 * we never sent, or from an address the request did not go to, is ignored and
 * counted (drops.unknownTransaction, drops.wrongSource); it never makes a pair
 * succeed. The peer is played by raw sockets, so the test sees the agent's real
 * requests and answers them (or not) itself.
 */
import { expect } from 'chai';
import type { Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { IceAgent } from '../../lib/ice-agent.js';
import type { StunMessage, TransportAddress } from '../../lib/stun/types.js';
import { bindUdp, closeSocket, nextMessage } from '../support/udp.js';
import { mustDecode, stunOf } from '../support/stun-bytes.js';
import { hostOf, loopbackAgent } from '../support/loopback-agents.js';
import { until } from '../support/waits.js';
import { snapshot } from '../support/attacker.js';
import { checkSuccess } from '../support/chrome-check.js';

const peer = { ufrag: 'spoofPeer', pwd: 'spoofPeerPasswordspoofPeer' };

function success(tid: Buffer, mapped: TransportAddress, pwd = peer.pwd): Buffer {
  return checkSuccess(tid, mapped, pwd);
}

/** Resolves with the next check the agent sends to `s`. */
async function nextCheck(s: Socket): Promise<StunMessage> {
  return mustDecode(await nextMessage(s, (m) => stunOf(m)?.cls === 'request', 'check from the agent'));
}

describe('security: spoofed responses', function () {
  this.timeout(20_000);
  let x: IceAgent;
  let target: Socket; // the signalled remote candidate
  let spoofer: Socket; // another address
  let check: StunMessage;

  before(async () => {
    x = await loopbackAgent({ role: 'controlling' });
    target = await bindUdp();
    spoofer = await bindUdp();
    const first = nextCheck(target);
    x.setRemoteParameters(peer);
    x.addRemoteCandidate(`candidate:1 1 udp 2130706431 127.0.0.1 ${target.address().port} typ host`);
    check = await first;
  });
  after(async () => {
    await closeSocket(target);
    await closeSocket(spoofer);
    await x.close();
  });

  const mapped = (): TransportAddress => ({ ...hostOf(x) });

  it('a signed response with a transaction id we never sent is ignored (drops.unknownTransaction)', async () => {
    const before = snapshot(x);
    const n = x.drops.unknownTransaction;
    target.send(success(randomBytes(12), mapped()), hostOf(x).port, '127.0.0.1');
    await until(() => x.drops.unknownTransaction > n, 'the response to be counted', 10_000, () => JSON.stringify(x.drops));
    expect(x.drops.unknownTransaction).to.equal(n + 1);
    expect(snapshot(x)).to.equal(before);
    expect(x.getPairs().every((p) => p.state !== 'succeeded')).to.equal(true);
  });

  it('a signed response with the right transaction id from the wrong address is ignored (drops.wrongSource)', async () => {
    const before = snapshot(x);
    const n = x.drops.wrongSource;
    spoofer.send(success(check.transactionId, mapped()), hostOf(x).port, '127.0.0.1');
    await until(() => x.drops.wrongSource > n, 'the response to be counted', 10_000, () => JSON.stringify(x.drops));
    expect(x.drops.wrongSource).to.equal(n + 1);
    expect(snapshot(x)).to.equal(before);
    expect(x.getPairs().every((p) => p.state !== 'succeeded')).to.equal(true);
  });

  it('a response from the right address signed with the wrong password is ignored (drops.unauthenticated)', async () => {
    const before = snapshot(x);
    const n = x.drops.unauthenticated;
    target.send(success(check.transactionId, mapped(), 'notThePeersPasswordAtAll'), hostOf(x).port, '127.0.0.1');
    await until(() => x.drops.unauthenticated > n, 'the response to be counted', 10_000, () => JSON.stringify(x.drops));
    expect(x.drops.unauthenticated).to.equal(n + 1);
    expect(snapshot(x)).to.equal(before);
  });

  it('(control) the genuine response makes the pair succeed', async () => {
    // The agent retransmits with the same transaction id; answer the latest request we saw.
    target.send(success(check.transactionId, mapped()), hostOf(x).port, '127.0.0.1');
    await until(() => x.getPairs().some((p) => p.state === 'succeeded'), 'a pair to succeed', 10_000, () => snapshot(x));
  });
});
