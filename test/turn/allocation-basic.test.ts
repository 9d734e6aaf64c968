import { expect } from 'chai';
import { getAttribute, METHOD_ALLOCATE } from '../../lib/stun/index.js';
import { TurnAllocation } from '../../lib/turn/allocation.js';
import { IceError } from '../../lib/util/errors.js';
import { seededRandom } from '../../lib/util/random.js';
import { CLIENT, PEER, RelaySim, SERVER } from './support/relay-sim.js';
import { mustDecode } from '../support/stun-bytes.js';

describe('turn: allocation (RFC 8656 §7)', () => {
  it('unauthenticated Allocate → 401 with REALM/NONCE → signed Allocate → relayed, mapped, lifetime', () => {
    const sim = new RelaySim();
    sim.allocate();
    const [first, second] = sim.sent.map(mustDecode);
    expect(first!.method).to.equal(METHOD_ALLOCATE);
    expect(getAttribute(first!, 'USERNAME')).to.equal(undefined);
    expect(first!.integrityOffset).to.equal(undefined);
    expect(getAttribute(first!, 'REQUESTED-TRANSPORT')?.value).to.equal(17);
    expect(getAttribute(first!, 'LIFETIME')?.value).to.equal(600);
    expect(getAttribute(second!, 'USERNAME')?.value).to.equal('alice');
    expect(getAttribute(second!, 'REALM')?.value).to.equal('sim.test');
    expect(getAttribute(second!, 'NONCE')?.value).to.match(/^nonce-/);
    expect(second!.integrityOffset).to.be.a('number');
    expect(second!.transactionId.equals(first!.transactionId)).to.equal(false);
    expect(sim.events).to.deep.equal([{
      type: 'allocated', relayed: { address: '203.0.113.5', port: 49152, family: 4 }, mapped: CLIENT, lifetimeS: 600,
    }]);
    expect(sim.client.state).to.equal('allocated');
    expect(sim.client.relayedAddress).to.deep.equal({ address: '203.0.113.5', port: 49152, family: 4 });
    expect(sim.client.mappedAddress).to.deep.equal(CLIENT);
  });

  it('family 6 asks for an IPv6 relay with REQUESTED-ADDRESS-FAMILY (0x0017: family byte 0x02, 3 RFFU bytes)', () => {
    const sim = new RelaySim({ client: { family: 6 } });
    sim.client.start(0);
    sim.flush();
    const request = sim.sent[0]!;
    expect(mustDecode(request).attributes.find((a) => a.type === 'REQUESTED-ADDRESS-FAMILY')).to.deep.equal({ type: 'REQUESTED-ADDRESS-FAMILY', value: 2 });
    expect(request.includes(Buffer.from('0017000402000000', 'hex')), 'on the wire').to.equal(true);
  });

  it('refreshes at max(L/2, L - 60 s): 540 s for 600, 15 s for 30 (coturn short timers), 150 s for 300 (margin 200 s)', () => {
    for (const [maxLifetimeS, margin, expected] of [[3600, undefined, 540_000], [30, undefined, 15_000], [300, 200_000, 150_000]] as const) {
      const sim = new RelaySim({ server: { maxLifetimeS }, ...(margin !== undefined && { client: { refreshMarginMs: margin } }) });
      sim.allocate();
      const sentAt = 20; // the signed Allocate left after one round trip (10 ms each way)
      expect(sim.client.pollTimeout()).to.equal(sentAt + expected);
    }
  });

  it('a refresh before expiry keeps it alive for an hour; the grant is reported each time', () => {
    const sim = new RelaySim();
    sim.allocate();
    sim.advance(3_600_000);
    expect(sim.client.state).to.equal('allocated');
    const refreshed = sim.eventsOf('refreshed');
    expect(refreshed.length).to.be.within(6, 7); // every 540 s
    expect(refreshed.every((e) => e.lifetimeS === 600)).to.equal(true);
    expect(sim.server.drops['allocation-expired'] ?? 0).to.equal(0);
  });

  it('close(): Refresh with LIFETIME 0, closed when answered; the server forgets the allocation', () => {
    const sim = new RelaySim();
    sim.allocate();
    sim.client.close(sim.now);
    expect(sim.client.state).to.equal('closing');
    sim.advance(sim.now + 100);
    expect(sim.eventsOf('closed')).to.deep.equal([{ type: 'closed', acknowledged: true }]);
    expect(getAttribute(mustDecode(sim.sent.at(-1)!), 'LIFETIME')?.value).to.equal(0);
    expect(sim.server.allocationOf(CLIENT)).to.equal(undefined);
    expect(sim.client.pollTimeout()).to.equal(undefined);
  });

  it('close(): gives up after 1 s without an answer (retransmitted once at 500 ms)', () => {
    let closing = false;
    const sim = new RelaySim({ lose: (dir) => closing && dir === 'up' });
    sim.allocate();
    closing = true;
    const at = sim.now;
    const before = sim.sent.length;
    sim.client.close(at);
    sim.advance(at + 5000);
    expect(sim.eventsOf('closed')).to.deep.equal([{ type: 'closed', acknowledged: false }]);
    expect(sim.sent.length - before).to.equal(2);
    expect(sim.client.state).to.equal('closed');
  });

  it('close() before the allocation exists ends at once', () => {
    const sim = new RelaySim();
    sim.client.start(0);
    sim.client.close(0);
    sim.flush();
    expect(sim.events).to.deep.equal([{ type: 'closed', acknowledged: false }]);
  });

  it('accepts packets only from the server address', () => {
    const sim = new RelaySim();
    sim.allocate();
    const r = sim.client.unwrap(sim.now, { ...SERVER, port: 3479 }, Buffer.from('40000000', 'hex'));
    expect(r).to.deep.equal({ kind: 'dropped', reason: 'not-from-server' });
    expect(sim.client.unwrap(sim.now, PEER, Buffer.alloc(20)).kind).to.equal('dropped');
    expect(sim.client.counters['not-from-server']).to.equal(2);
  });
});

describe('turn: allocation options', () => {
  it('misuse throws ERR_INVALID_ARGUMENT; start() twice throws ERR_INVALID_STATE', () => {
    const base = { server: SERVER, transport: 'udp' as const, username: 'u', password: 'p', rng: seededRandom(1) };
    for (const bad of [
      { server: { ...SERVER, port: 0 } }, { transport: 'dtls' as never }, { lifetimeS: 0 }, { lifetimeS: 1.5 },
      { permissionRefreshMs: 300_000 }, { channelRefreshMs: 600_000 }, { closeWaitMs: -1 }, { maxPermissions: 0 },
      { maxStaleNonceRetries: -1 }, { history: { redirects: -1, mismatchRetries: 0 } },
    ]) {
      expect(() => new TurnAllocation({ ...base, ...bad }), JSON.stringify(bad)).to.throw(IceError).with.property('code', 'ERR_INVALID_ARGUMENT');
    }
    const a = new TurnAllocation(base);
    a.start(0);
    expect(() => a.start(1)).to.throw(IceError).with.property('code', 'ERR_INVALID_STATE');
  });
});
