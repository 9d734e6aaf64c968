/**
 * Floods keep memory and the checklist within their bounds (limits.maxPairs,
 * limits.maxRemoteCandidates; 100 each by default): 10,000 signalled remote
 * candidates, and authenticated checks from 2,000 different source addresses
 * (real sockets on 127.0.0.1-127.0.0.8).
 */
import { expect } from 'chai';
import type { Socket } from 'node:dgram';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { IceAgent } from '../../lib/ice-agent.js';
import { DEFAULT_LIMITS } from '../../lib/ice/config.js';
import { udpEndpointFactory, type EndpointFactory } from '../../lib/net/datagram-endpoint.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { chromeCheck } from '../support/chrome-check.js';
import { bindUdp, closeSocket, nextMessage } from '../support/udp.js';
import { connectedPair, exchange, hostOf, loopbackAgent } from '../support/loopback-agents.js';
import { mustDecode, stunOf } from '../support/stun-bytes.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = (): number => { gc(); return process.memoryUsage().heapUsed; };
const MiB = 1048576;

describe('security: floods stay within bounds', function () {
  this.timeout(60_000);

  it('10,000 addRemoteCandidate calls: at most maxPairs pairs, bounded memory, still connects', async () => {
    const { a, b } = await connectedPair();
    try {
      const h0 = heap();
      for (let i = 0; i < 10_000; i++) {
        // Loopback addresses with (almost certainly) closed ports: any checks stay on this machine.
        const address = `127.${1 + ((i >> 16) & 0xff)}.${(i >> 8) & 0xff}.${i & 0xff}`;
        b.addRemoteCandidate(`candidate:${i % 1000} 1 udp ${2130706431 - i} ${address} ${20000 + (i % 40000)} typ host`);
      }
      const growth = heap() - h0;
      expect(b.getPairs().length).to.be.at.most(DEFAULT_LIMITS.maxPairs);
      expect(b.drops.overLimit, 'the excess was counted').to.be.at.least(10_000 - DEFAULT_LIMITS.maxRemoteCandidates);
      expect(growth, `heap grew ${(growth / MiB).toFixed(2)} MiB`).to.be.below(4 * MiB);
      // The agent keeps working with its real peer.
      await exchange(a, b, 'still here a->b');
      await exchange(b, a, 'still here b->a');
    } finally {
      await a.close();
      await b.close();
    }
  });

  describe('authenticated checks from 2,000 source addresses', () => {
    let v: IceAgent;
    const sockets: Socket[] = [];
    const peer = { ufrag: 'floodPeer', pwd: 'floodPeerPasswordfloodPeer' };
    // What the agent's own socket saw: checks in, answers out (the kernel may drop datagrams
    // on a busy machine, so the test counts at the agent, not at the attackers' sockets).
    const seen = { checks: 0, answers: 0 };
    const countingFactory: EndpointFactory = async (address, handlers, range) => {
      const endpoint = await udpEndpointFactory(address, {
        ...handlers,
        onMessage: (data, from) => {
          if (stunOf(data)?.cls === 'request') seen.checks++;
          handlers.onMessage(data, from);
        },
      }, range);
      const send = endpoint.send.bind(endpoint);
      return Object.assign(endpoint, {
        send: (to: TransportAddress, data: Buffer): void => {
          if (stunOf(data)?.cls === 'success') seen.answers++;
          send(to, data);
        },
      });
    };

    /** Sends source `i`'s authenticated check from `s` until the agent's answer to it comes back. */
    async function answered(s: Socket, i: number): Promise<void> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const check = chromeCheck({
          username: `${v.localParameters.ufrag}:${peer.ufrag}`, pwd: v.localParameters.pwd, role: 'controlling',
          useCandidate: i % 2 === 0, priority: 1853824767 - i,
        });
        const tid = mustDecode(check).transactionId;
        const answer = nextMessage(s, (m) => stunOf(m)?.transactionId.equals(tid) === true, 'answer', 2000).then(() => true, () => false);
        s.send(check, hostOf(v).port, '127.0.0.1');
        if (await answer) return;
      }
      throw new Error(`source ${i} got no answer to 5 checks`);
    }

    before(async () => {
      v = await loopbackAgent({ role: 'controlled', endpointFactory: countingFactory });
      v.setRemoteParameters(peer);
      for (let i = 0; i < 2000; i++) sockets.push(await bindUdp(`127.0.0.${1 + (i % 8)}`));
    });
    after(async () => {
      await Promise.all(sockets.map(closeSocket));
      await v.close();
    });

    it('answers every check it received and keeps the checklist, the remote candidates and memory within bounds', async () => {
      const h0 = heap();
      // Each source waits for its answer (a lost datagram is sent again), a hundred sources at a
      // time: when a round ends, the agent has handled every check of it.
      for (let round = 0; round < 2; round++) {
        for (let first = 0; first < sockets.length; first += 100) {
          await Promise.all(sockets.slice(first, first + 100).map((s, k) => answered(s, first + k)));
        }
      }
      const growth = heap() - h0;
      const pairs = v.getPairs();
      expect(seen.checks, 'checks reached the agent').to.be.greaterThan(DEFAULT_LIMITS.maxRemoteCandidates);
      // Authenticated checks are answered (the sender knows the password), over-limit ones included.
      expect(seen.answers, 'every check the agent received was answered').to.equal(seen.checks);
      expect(pairs.length, 'checklist bound').to.be.at.most(DEFAULT_LIMITS.maxPairs);
      expect(new Set(pairs.map((p) => `${p.remote.address}:${p.remote.port}`)).size).to.be.at.most(DEFAULT_LIMITS.maxRemoteCandidates);
      expect(v.drops.overLimit, 'sources beyond the bound were counted').to.be.greaterThan(0);
      expect(growth, `heap grew ${(growth / MiB).toFixed(2)} MiB`).to.be.below(8 * MiB);
    });
  });
});
