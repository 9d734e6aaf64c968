// What keeps a relay alive, in the pure core against the TURN server double: permissions before
// the first check, refreshes and channels for an hour of virtual time with no lapse, 403 failing
// only the pairs concerned, the family rule, and the goodbye on close.
import { expect } from 'chai';
import { METHOD_CREATE_PERMISSION, METHOD_REFRESH, METHOD_SEND } from '../../lib/stun/constants.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import { natOfKind } from '../support/nat.js';
import type { DoubleOptions } from '../turn/support/turn-server-double.js';
import { RELAY_IP, RelayWorld, turnServer, type WorldAgent } from './support/relay-world.js';

function relayPair(w: RelayWorld, o: { server?: Partial<DoubleOptions>; timers?: Record<string, number>; bAll?: boolean } = {}): [WorldAgent, WorldAgent] {
  w.addServer(o.server);
  const relay = { servers: [turnServer()], policy: 'relay' as const, ...(o.timers && { timers: o.timers }) };
  const a = w.addAgent('a', { ip: '10.0.1.2', role: 'controlling', hosts: false, relay, nat: natOfKind('symmetric', '198.18.0.2') });
  const b = o.bAll
    ? w.addAgent('b', { ip: '198.18.0.3', role: 'controlled', relay: { ...relay, policy: 'all' } })
    : w.addAgent('b', { ip: '10.0.2.2', role: 'controlled', hosts: false, relay, nat: natOfKind('symmetric', '198.18.0.3') });
  w.gather(a);
  w.gather(b);
  w.trickle(a, b);
  return [a, b];
}

function methodOf(data: Buffer): number | undefined {
  const d = decodeMessage(data);
  return d.ok ? d.message.method : undefined;
}

const SHORT_SERVER: Partial<DoubleOptions> = { nonceLifetimeMs: 5_000, maxLifetimeS: 30, permissionLifetimeMs: 20_000, channelLifetimeMs: 30_000 };
const SHORT_TIMERS = { permissionRefreshMs: 8_000, permissionLifetimeMs: 20_000, channelRefreshMs: 12_000, channelLifetimeMs: 30_000 };

describe('relay: permissions, channels and refreshes in the pure core', () => {
  it('a permission is installed before the first check through the relay (RFC 8445 §7.2.1)', () => {
    const w = new RelayWorld();
    const [a, b] = relayPair(w);
    expect(w.run(20_000, () => w.connected(a, b))).to.equal(true);
    const methods = w.toServer.filter((x) => x.agent === 'a').map((x) => methodOf(x.data));
    const firstSend = methods.indexOf(METHOD_SEND);
    expect(firstSend).to.be.greaterThan(0);
    expect(methods.slice(0, firstSend), 'CreatePermission before any Send indication').to.include(METHOD_CREATE_PERMISSION);
    expect(w.servers[0]!.drops, 'nothing sent without a permission').to.deep.equal({});
  });

  for (const short of [false, true]) {
    it(`one hour of relayed data both ways${short ? " with coturn's short timers (allocation 30 s, permission 20 s, channel 30 s, nonce 5 s)" : ''}: no lapse, nothing lost`, function () {
      this.timeout(60_000);
      const w = new RelayWorld();
      const [a, b] = relayPair(w, short ? { server: SHORT_SERVER, timers: SHORT_TIMERS } : {});
      expect(w.run(20_000, () => w.connected(a, b))).to.equal(true);
      w.run(w.now + 2000);
      const t0 = w.now;
      for (let s = 1; s <= 3600; s++) {
        w.run(t0 + s * 1000);
        expect(w.sendData(a, 1, Buffer.from(`a${s}`)), `a, second ${s}`).to.equal(true);
        expect(w.sendData(b, 1, Buffer.from(`b${s}`)), `b, second ${s}`).to.equal(true);
      }
      w.run(w.now + 1000);
      const want = (p: string): string[] => Array.from({ length: 3600 }, (_, i) => `${p}${i + 1}`);
      expect(b.data.map((d) => String(d.data))).to.deep.equal(want('a'));
      expect(a.data.map((d) => String(d.data))).to.deep.equal(want('b'));
      const s = w.servers[0]!;
      expect(s.drops, 'no permission, channel or allocation lapsed').to.deep.equal({});
      expect(s.requests['refresh']).to.be.greaterThan(short ? 200 : 5);
      expect(s.requests['permission']).to.be.greaterThan(short ? 800 : 50);
      expect(s.requests['channel']).to.be.greaterThan(short ? 500 : 20);
      expect(s.requests['channel-data'], 'data went over the channels').to.be.greaterThan(7000);
      expect([...a.relayEvents, ...b.relayEvents].map((e) => e.type)).to.deep.equal(['allocated', 'allocated']);
      expect([a.core.state, b.core.state]).to.deep.equal(['completed', 'completed']);
    });
  }

  it('every refresh deadline comes out of pollTimeout (an idle allocation is refreshed on time)', () => {
    const w = new RelayWorld();
    w.addServer({ maxLifetimeS: 30 });
    const a = w.addAgent('a', { ip: '10.0.1.2', hosts: false, relay: { servers: [turnServer()], policy: 'relay' } });
    w.gather(a);
    w.run(1000, () => a.core.gatheringState === 'complete');
    expect(a.core.pollTimeout()).to.be.at.most(w.now + 15_000);
    w.run(600_000);
    expect(w.servers[0]!.requests['refresh']).to.be.at.least(600 / 15 - 2);
    expect(a.relay!.relays[0]!.state).to.equal('allocated');
  });

  it('403 for one peer IP fails only the pairs with that IP', () => {
    const w = new RelayWorld();
    w.addServer().forbid('198.18.0.3');
    const [a, b] = relayPair(w, { bAll: true });
    expect(w.run(20_000, () => w.connected(a, b)), 'connected through the other peer address').to.equal(true);
    // Each pair's last reported state (a concluded component forgets the pairs that failed).
    const last = new Map<number, { remote: string; state: string }>();
    for (const e of a.events) if (e.type === 'pair') last.set(e.pair.id, { remote: e.pair.remote.address, state: e.pair.state });
    const toHost = [...last.values()].filter((p) => p.remote === '198.18.0.3');
    const toRelay = [...last.values()].filter((p) => p.remote === RELAY_IP);
    expect(toHost.length).to.be.greaterThan(0);
    expect(toHost.map((p) => p.state)).to.deep.equal(toHost.map(() => 'failed'));
    expect(toRelay.some((p) => p.state === 'succeeded')).to.equal(true);
    // Failed by the 403, not by the nomination that ends the checks: before any pair was selected.
    const failedAt = a.events.findIndex((e) => e.type === 'pair' && e.pair.remote.address === '198.18.0.3' && e.pair.state === 'failed');
    const selectedAt = a.events.findIndex((e) => e.type === 'selected-pair');
    expect(failedAt).to.be.within(0, selectedAt);
    expect(a.core.selectedPair(1)!.remote.address).to.equal(RELAY_IP);
    expect(a.relay!.relays[0]!.state).to.equal('allocated');
  });

  it('a relay candidate is never paired with a remote candidate of the other family', () => {
    const w = new RelayWorld();
    w.addServer();
    const a = w.addAgent('a', { ip: '10.0.1.2', hosts: false, relay: { servers: [turnServer()], policy: 'relay' } });
    w.gather(a);
    w.run(1000, () => a.core.gatheringState === 'complete');
    a.core.setRemoteCredentials(w.now, 'ufrag', 'passwordpasswordpassword');
    const v6 = { foundation: '1', component: 1, transport: 'udp', priority: 100, address: '2001:db8::1', port: 4000, type: 'host', extensions: [] } as const;
    const v4 = { ...v6, foundation: '2', address: '198.18.0.77' } as const;
    a.core.addRemoteCandidate(w.now, v6);
    a.core.addRemoteCandidate(w.now, v4);
    expect(a.core.pairs().map((p) => p.remote.address)).to.deep.equal(['198.18.0.77']);
  });

  it('close(): a Refresh with LIFETIME 0, and the core is drained once it is answered', () => {
    const w = new RelayWorld();
    const [a, b] = relayPair(w);
    expect(w.run(20_000, () => w.connected(a, b))).to.equal(true);
    const before = w.toServer.length;
    a.core.close();
    expect(a.core.drained).to.equal(false);
    w.drain();
    const goodbye = w.toServer.slice(before).map((x) => decodeMessage(x.data)).filter((d) => d.ok && d.message.method === METHOD_REFRESH);
    expect(goodbye.length).to.equal(1);
    expect(goodbye[0]!.ok && getAttribute(goodbye[0]!.message, 'LIFETIME')?.value).to.equal(0);
    w.run(w.now + 100, () => a.core.drained);
    expect(a.core.drained).to.equal(true);
    expect(a.relay!.relays[0]!.state).to.equal('closed');
    expect(w.servers[0]!.allocationOf({ address: '198.18.0.2', port: 40000, family: 4 }), 'deleted on the server').to.equal(undefined);
  });

  it('close() with the server silent: drained after at most 1 s', () => {
    const w = new RelayWorld();
    const [a, b] = relayPair(w);
    expect(w.run(20_000, () => w.connected(a, b))).to.equal(true);
    w.drop = (from) => from.address === '10.0.1.2';
    const closedAt = w.now;
    a.core.close();
    w.run(w.now + 5000, () => a.core.drained);
    expect(a.core.drained).to.equal(true);
    expect(w.now - closedAt).to.be.within(900, 1000);
    expect(a.core.pollTimeout()).to.equal(undefined);
  });
});
