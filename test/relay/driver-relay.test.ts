// The driver's relay data path on virtual time: IceAgents on the in-memory network with the TURN
// server double. Sends on a bound channel go straight from the route (LENGTH filled per datagram);
// received ChannelData takes the fast path only from the server, only on the cached channel, and
// STUN inside it (consent) still reaches the core; nothing raw or spoofed is ever delivered.
import { expect } from 'chai';
import { IceAgent, type IceAgentOptions } from '../../lib/index.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { channelDataHeader } from '../../lib/turn/channel-data.js';
import { seededRandom } from '../../lib/util/random.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { VirtualNetwork } from '../support/virtual-net.js';
import { VirtualTurn } from './support/virtual-turn.js';

const TURN: TransportAddress = { address: '198.18.0.10', port: 3478, family: 4 };
const RELAY_IP = '198.18.0.11';

interface Rig {
  readonly clock: VirtualScheduler;
  readonly net: VirtualNetwork;
  readonly turn: VirtualTurn;
  readonly a: IceAgent;
  readonly b: IceAgent;
  readonly got: Map<IceAgent, { text: string; from: TransportAddress }[]>;
}

async function rig(): Promise<Rig> {
  const clock = new VirtualScheduler();
  const net = new VirtualNetwork(clock, { latencyMs: 5 });
  const turn = await VirtualTurn.start(net, { address: TURN, relayIp: RELAY_IP });
  net.addHost('198.18.0.2');
  const nat = net.addNat({ publicAddress: '198.18.0.3', mapping: 'symmetric', filtering: 'address-and-port-dependent' });
  net.addHost('10.0.2.2', nat);
  const common = (address: string, seed: number): IceAgentOptions => ({
    scheduler: clock, endpointFactory: net.endpointFactory, interfaceSource: net.interfaceSource(address), random: seededRandom(seed),
    iceServers: [{ urls: 'turn:198.18.0.10', username: 'alice', credential: 'alicepass' }], iceTransportPolicy: 'relay',
  });
  const a = new IceAgent({ ...common('198.18.0.2', 1), role: 'controlling' });
  const b = new IceAgent({ ...common('10.0.2.2', 2), role: 'controlled' });
  const got = new Map<IceAgent, { text: string; from: TransportAddress }[]>([[a, []], [b, []]]);
  for (const [x, y] of [[a, b], [b, a]] as const) {
    x.on('candidate', (_c, sdp) => y.addRemoteCandidate(sdp));
    x.on('endofcandidates', () => y.addRemoteCandidate(null));
    x.on('data', (_c, data, from) => got.get(x)!.push({ text: data.toString('latin1'), from }));
  }
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
  void a.gather();
  void b.gather();
  const connected = (): boolean => [a, b].every((x) => x.iceState === 'completed');
  expect(await clock.runUntilTrue(connected, 20_000), 'both completed').to.equal(true);
  await clock.advance(1000);
  return { clock, net, turn, a, b, got };
}

/** close() waits (at most 1 s of the agents' clock) for the Refresh with LIFETIME 0 to be answered: run the clock meanwhile. */
async function closeBoth(clock: VirtualScheduler, a: IceAgent, b: IceAgent): Promise<void> {
  const closing = Promise.all([a.close(), b.close()]);
  await clock.advance(1500);
  await closing;
  expect(a.relays[0]!.state).to.equal('closed');
}

describe('relay: the driver data path on virtual time', () => {
  it('data both ways over the channel, from the peer\'s relayed address, exactly as sent; consent inside ChannelData keeps the pair for 60 s', async () => {
    const { clock, a, b, got, turn } = await rig();
    expect(a.relays[0]!.channels).to.equal(1);
    const sent = { a: [] as string[], b: [] as string[] };
    for (let i = 0; i < 60; i++) {
      for (const [x, name] of [[a, 'a'], [b, 'b']] as const) {
        const text = `${name}${i}${'.'.repeat(i % 7)}`; // odd and even lengths
        sent[name].push(text);
        x.send(1, Buffer.from(text, 'latin1'));
      }
      await clock.advance(1000);
    }
    expect(got.get(b)!.map((r) => r.text)).to.deep.equal(sent.a);
    expect(got.get(a)!.map((r) => r.text)).to.deep.equal(sent.b);
    const relayedA = a.relays[0]!.relayed!;
    expect(got.get(b)!.every((r) => r.from.address === relayedA.address && r.from.port === relayedA.port)).to.equal(true);
    expect(turn.double.requests['channel-data']).to.be.greaterThan(110);
    expect(turn.double.requests['send'] ?? 0, 'no Send indication for data once the channel is bound').to.be.lessThan(10);
    expect([a.iceState, b.iceState]).to.deep.equal(['completed', 'completed']);
    await closeBoth(clock, a, b);
  });

  it('ChannelData on the cached channel from anywhere but the server is never delivered, and is counted', async () => {
    const { clock, net, a, b, got } = await rig();
    const client = a.relays[0]!.local!;
    const channel = channelDataHeader(0x4000, 0);
    const payload = Buffer.from('spoofed!');
    channel.writeUInt16BE(payload.length, 2);
    net.addHost('198.18.0.66');
    const attacker = await net.endpointFactory('198.18.0.66', { onMessage: () => {} });
    // From the server's host too, on another port (the server's is bound).
    const sameIp = await net.endpointFactory(TURN.address, { onMessage: () => {} });
    const before = a.relays[0]!.drops['not-from-server'];
    for (let i = 0; i < 10; i++) {
      attacker.send(client, Buffer.concat([channel, payload]));
      sameIp.send(client, Buffer.concat([channel, payload]));
    }
    await clock.advance(100);
    expect(got.get(a)!.map((r) => r.text)).to.not.include('spoofed!');
    expect(a.relays[0]!.drops['not-from-server'] - before).to.equal(20);
    await closeBoth(clock, a, b);
  });
});
