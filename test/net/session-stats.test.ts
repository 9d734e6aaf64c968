// getStats() through the driver: data counters equal what crossed the network (virtual network
// with loss, counted per packet), and what really went over loopback sockets.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { IceAgent } from '../../lib/ice-agent.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { seededRandom } from '../../lib/util/random.js';
import { signalGathered } from '../support/signalling.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { VirtualNetwork } from '../support/virtual-net.js';
import { nextData } from '../support/waits.js';

interface Sent {
  readonly at: number;
  readonly from: TransportAddress;
  readonly to: TransportAddress;
  readonly size: number;
  readonly dropped: boolean;
}

const isData = (data: Buffer): boolean => data.length > 0 && data[0]! > 3;

describe('getStats: the driver counts what crossed the network', function () {
  this.timeout(10000);

  it('virtual network with loss: packets and bytes per pair and per component, timestamps, selection, srflx url', async () => {
    const clock = new VirtualScheduler();
    const wire: Sent[] = [];
    let dataFromA = 0;
    const net = new VirtualNetwork(clock, {
      latencyMs: 10,
      // Every third datagram of application data from A is lost; STUN always arrives.
      dropIf: (p) => {
        const dropped = isData(p.data) && p.from.address === '10.0.0.1' && ++dataFromA % 3 === 0;
        if (isData(p.data)) wire.push({ at: p.at, from: p.from, to: p.to, size: p.data.length, dropped });
        return dropped;
      },
    });
    net.addStunServer();
    net.addHost('10.0.0.1');
    net.addHost('10.0.0.2');
    const make = (address: string, role: 'controlling' | 'controlled', seed: number): IceAgent =>
      new IceAgent({
        role, scheduler: clock, endpointFactory: net.endpointFactory, interfaceSource: net.interfaceSource(address),
        random: seededRandom(seed), stunServers: ['198.18.0.1:3478'],
      });
    const a = make('10.0.0.1', 'controlling', 1);
    const b = make('10.0.0.2', 'controlled', 2);
    const arrivals = new Map<IceAgent, { at: number; size: number }[]>([[a, []], [b, []]]);
    for (const x of [a, b]) x.on('data', (_c, d) => arrivals.get(x)!.push({ at: clock.now(), size: d.length }));
    try {
      let gathered = 0;
      for (const x of [a, b]) void x.gather().then(() => gathered++);
      await clock.runUntilTrue(() => gathered === 2, 1000);
      signalGathered(a, b);
      await clock.runUntilTrue(() => a.iceState === 'completed' && b.iceState === 'completed', 5000);
      for (let i = 0; i < 12; i++) {
        a.send(1, Buffer.alloc(100 + i, 0x80));
        if (i < 7) b.send(1, Buffer.alloc(50 + i, 0x90));
        await clock.advance(5);
      }
      await clock.advance(100);

      for (const [x, y, from] of [[a, b, '10.0.0.1'], [b, a, '10.0.0.2']] as const) {
        const sent = wire.filter((w) => w.from.address === from);
        const delivered = sent.filter((w) => !w.dropped);
        const stats = x.getStats();
        const peer = y.getStats();
        const pair = stats.candidatePairs.find((p) => p.id === stats.transports[0]!.selectedCandidatePairId)!;
        const peerPair = peer.candidatePairs.find((p) => p.id === peer.transports[0]!.selectedCandidatePairId)!;
        expect(pair.packetsSent).to.equal(sent.length);
        expect(pair.bytesSent).to.equal(sent.reduce((s, w) => s + w.size, 0));
        expect(pair.lastPacketSentTimestamp).to.equal(sent[sent.length - 1]!.at);
        expect(peerPair.packetsReceived).to.equal(delivered.length);
        expect(peerPair.bytesReceived).to.equal(delivered.reduce((s, w) => s + w.size, 0));
        expect(peerPair.packetsReceived).to.equal(arrivals.get(y)!.length);
        expect(peerPair.lastPacketReceivedTimestamp).to.equal(arrivals.get(y)!.at(-1)!.at);
        const t = stats.transports[0]!;
        expect(t).to.include({ id: 'T1', component: 1, packetsSent: pair.packetsSent, bytesSent: pair.bytesSent, iceState: 'completed', selectedCandidatePairChanges: 1 });
        expect(t.packetsReceived).to.equal(pair.packetsReceived);
        expect(t.selectedCandidatePairId).to.equal(`CP${x.getSelectedPair(1)!.id}`);
        expect(t.iceLocalUsernameFragment).to.equal(x.localParameters.ufrag);
        const srflx = stats.localCandidates.find((c) => c.candidateType === 'srflx')!;
        expect(srflx).to.include({ url: 'stun:198.18.0.1:3478', relatedAddress: from });
        expect(stats.localCandidates.find((c) => c.candidateType === 'host')).to.not.have.property('url');
      }
      expect(wire.some((w) => w.dropped)).to.equal(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await clock.runUntilIdle(10_000);
    }
  });

  it('loopback sockets: both sides count every datagram that went through, on the cached data path too', async () => {
    const opts = { addresses: ['127.0.0.1'], includeLoopback: true } as const;
    const a = new IceAgent({ ...opts, role: 'controlling' });
    const b = new IceAgent({ ...opts, role: 'controlled' });
    try {
      await Promise.all([a.gather(), b.gather()]);
      signalGathered(a, b);
      await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
      let bytes = 0;
      // One datagram at a time, each awaited: the count is what arrived, not what a burst might lose.
      for (let i = 0; i < 5; i++) {
        const there = nextData(b, 1);
        a.send(1, Buffer.from(`ping ${i}`));
        bytes += (await there).data.length;
        const back = nextData(a, 1);
        b.send(1, Buffer.from(`pong ${i}!`));
        await back;
      }
      const sa = a.getStats();
      const sb = b.getStats();
      const pa = sa.candidatePairs.find((p) => p.id === sa.transports[0]!.selectedCandidatePairId)!;
      const pb = sb.candidatePairs.find((p) => p.id === sb.transports[0]!.selectedCandidatePairId)!;
      expect([pa.packetsSent, pa.packetsReceived, pb.packetsSent, pb.packetsReceived]).to.deep.equal([5, 5, 5, 5]);
      expect(pa.bytesSent).to.equal(bytes);
      expect(pb.bytesReceived).to.equal(bytes);
      expect(pb.bytesSent).to.equal(5 * 'pong 0!'.length);
      expect(pa.lastPacketReceivedTimestamp).to.be.at.most(sa.timestamp);
      expect(pa.lastPacketReceivedTimestamp).to.be.at.least(pa.lastPacketSentTimestamp!);
      expect(pa.requestsSent).to.be.at.least(1);
      expect(pb.responsesSent).to.be.at.least(1);
      expect(JSON.parse(JSON.stringify(sa))).to.deep.equal(sa);
      // The README's Statistics example shows these three objects: the same fields, no more, no fewer.
      const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
      const block = /### Statistics[\s\S]*?```\n\{\n([\s\S]*?)\n\}\n```/.exec(readme)?.[1] ?? '';
      const shown = Object.fromEntries(block.split(/\n {2}(?=\w+: \{)/).map((part) => {
        const [head, ...fields] = part.trim().split('\n');
        return [head!.replace(/: \{$/, ''), fields.flatMap((f) => /^ {4}(\w+):/.exec(f)?.[1] ?? [])];
      }));
      const local = sa.localCandidates.find((c) => c.id === pa.localCandidateId)!;
      expect(shown).to.deep.equal({ transport: Object.keys(sa.transports[0]!), pair: Object.keys(pa), local: Object.keys(local) });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
