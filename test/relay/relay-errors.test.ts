// How a relay survives (or gives up on) TURN errors, in the pure core against the server double:
// 437 retries from a new socket (at most 3), 300 follows one redirect, 486/508 fall back to a
// Binding request, 401 after authentication fails typed, a socket the driver cannot open fails.
import { expect } from 'chai';
import { METHOD_ALLOCATE, METHOD_BINDING } from '../../lib/stun/constants.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { restCredentials } from '../../lib/turn/rest-credentials.js';
import { candidatesOf, RelayWorld, turnServer, type WorldAgent } from './support/relay-world.js';

const ALT: TransportAddress = { address: '198.18.0.20', port: 3478, family: 4 };

function oneAgent(w: RelayWorld, o: { policy?: 'all' | 'relay'; failSockets?: number[]; servers?: ReturnType<typeof turnServer>[] } = {}): WorldAgent {
  const a = w.addAgent('a', {
    ip: '10.0.1.2', hosts: (o.policy ?? 'all') === 'all', relay: { servers: o.servers ?? [turnServer()], policy: o.policy ?? 'all' },
    ...(o.failSockets && { failSockets: o.failSockets }),
  });
  w.gather(a);
  w.run(60_000, () => a.core.gatheringState === 'complete');
  return a;
}

function opens(a: WorldAgent): number {
  return a.commands.filter((c) => c.kind === 'open').length;
}

describe('relay: TURN errors in the pure core', () => {
  it('437 on Allocate: a new client socket each time, allocated on the fourth', () => {
    const w = new RelayWorld();
    const s = w.addServer();
    for (let i = 0; i < 3; i++) { s.inject(METHOD_ALLOCATE, { kind: 'pass' }); s.inject(METHOD_ALLOCATE, { kind: 'error', code: 437 }); }
    const a = oneAgent(w);
    expect(a.core.gatheringState).to.equal('complete');
    expect(opens(a)).to.equal(4);
    expect(a.commands.filter((c) => c.kind === 'close').length, 'the 437 sockets are released').to.equal(3);
    expect(a.relay!.relays[0]).to.deep.include({ state: 'allocated', sockets: 4 });
    expect(candidatesOf(a).map((c) => c.type)).to.include('relay');
  });

  it('437 a fourth time: failed (allocation-mismatch), no fifth socket', () => {
    const w = new RelayWorld();
    const s = w.addServer();
    for (let i = 0; i < 4; i++) { s.inject(METHOD_ALLOCATE, { kind: 'pass' }); s.inject(METHOD_ALLOCATE, { kind: 'error', code: 437 }); }
    const a = oneAgent(w);
    expect(opens(a)).to.equal(4);
    expect(a.relay!.relays[0]).to.deep.include({ state: 'failed', reason: 'allocation-mismatch', code: 437, sockets: 4 });
    expect(a.relayEvents.map((e) => e.type)).to.deep.equal(['failed']);
    expect(a.core.gatheringState).to.equal('complete');
    w.run(w.now + 60_000);
    expect(opens(a), 'never retried later').to.equal(4);
  });

  it('300 with ALTERNATE-SERVER: one redirect is followed, a second is not', () => {
    const w = new RelayWorld();
    const s = w.addServer();
    w.addServer({ address: ALT });
    s.inject(METHOD_ALLOCATE, { kind: 'pass' });
    s.inject(METHOD_ALLOCATE, { kind: 'error', code: 300, alternate: ALT });
    const a = oneAgent(w);
    expect(a.relay!.relays[0]).to.deep.include({ state: 'allocated', server: ALT, sockets: 2 });
    const opened = a.commands.flatMap((c) => (c.kind === 'open' ? [c.server] : []));
    expect(opened).to.deep.equal([s.address, ALT]);

    const w2 = new RelayWorld();
    const s1 = w2.addServer();
    const s2 = w2.addServer({ address: ALT });
    s1.inject(METHOD_ALLOCATE, { kind: 'error', code: 300, alternate: ALT });
    s2.inject(METHOD_ALLOCATE, { kind: 'error', code: 300, alternate: s1.address });
    const b = oneAgent(w2);
    expect(b.relay!.relays[0]).to.deep.include({ state: 'failed', reason: 'too-many-redirects' });
    expect(opens(b)).to.equal(2);
  });

  for (const code of [486, 508]) {
    it(`${code}: no relay; a plain Binding request on the same socket gives the srflx, gathering completes`, () => {
      const w = new RelayWorld();
      const s = w.addServer();
      s.inject(METHOD_ALLOCATE, { kind: 'pass' });
      s.inject(METHOD_ALLOCATE, { kind: 'error', code });
      const a = oneAgent(w);
      expect(s.requests['binding']).to.equal(1);
      expect(candidatesOf(a).map((c) => c.type)).to.deep.equal(['host', 'srflx']);
      expect(a.relay!.relays[0]).to.deep.include({ state: 'failed', reason: 'fallback-to-binding', code });
      const binding = a.relayEvents.find((e) => e.type === 'binding');
      expect(binding && binding.type === 'binding' && binding.mapped).to.deep.equal({ address: '10.0.1.2', port: 6000, family: 4 });
      expect(a.commands.filter((c) => c.kind === 'close'), 'the srflx keeps its socket').to.deep.equal([]);
    });
  }

  it('486 with policy relay: no Binding request (a srflx would not be used), failed', () => {
    const w = new RelayWorld();
    const s = w.addServer();
    s.inject(METHOD_ALLOCATE, { kind: 'pass' });
    s.inject(METHOD_ALLOCATE, { kind: 'error', code: 486 });
    const a = oneAgent(w, { policy: 'relay' });
    expect(s.requests['binding']).to.equal(undefined);
    expect(candidatesOf(a)).to.deep.equal([]);
    expect(a.relay!.relays[0]).to.deep.include({ state: 'failed', reason: 'fallback-to-binding' });
  });

  it('a silent server: the Binding fallback gives up too, gathering completes', () => {
    const w = new RelayWorld();
    const s = w.addServer();
    s.inject(METHOD_ALLOCATE, { kind: 'pass' });
    s.inject(METHOD_ALLOCATE, { kind: 'error', code: 508 });
    w.drop = (_f, _t, data) => data.readUInt16BE(0) === METHOD_BINDING;
    const a = oneAgent(w);
    expect(a.core.gatheringState).to.equal('complete');
    expect(candidatesOf(a).map((c) => c.type)).to.deep.equal(['host']);
    expect(a.relay!.relays[0]!.detail).to.match(/no answer to the Binding request/);
  });

  it('the driver cannot open the socket: failed (socket), gathering completes', () => {
    const w = new RelayWorld();
    w.addServer();
    const a = oneAgent(w, { failSockets: [0] });
    expect(a.relay!.relays[0]).to.deep.include({ state: 'failed', reason: 'socket', detail: 'connection refused (test)' });
    expect(a.core.gatheringState).to.equal('complete');
    expect(candidatesOf(a).map((c) => c.type)).to.deep.equal(['host']);
  });

  it('401 after authentication (an expired REST credential): failed auth-failed, typed, no loop', () => {
    const w = new RelayWorld();
    const unixSeconds = (now: number): number => 1_700_000_000 + now / 1000;
    const s = w.addServer({ restSecret: 's3cret', unixSeconds, users: {} });
    const creds = restCredentials('s3cret', 'alice', 60, unixSeconds(0));
    const a = oneAgent(w, { servers: [turnServer(creds)] });
    expect(a.relay!.relays[0]!.state).to.equal('allocated');
    w.run(700_000);
    const info = a.relay!.relays[0]!;
    expect(info).to.deep.include({ state: 'failed', reason: 'auth-failed', code: 401 });
    expect(a.relayEvents.map((e) => e.type)).to.deep.equal(['allocated', 'failed']);
    const refreshes = s.requests['refresh'] ?? 0;
    w.run(w.now + 3_600_000);
    expect(s.requests['refresh'] ?? 0, 'nothing more after the failure').to.equal(refreshes);
    expect(a.core.pollTimeout()).to.equal(undefined);
  });

  it('at most 4 allocations: 2 servers x 3 components gives 4, the other 2 are refused', () => {
    const w = new RelayWorld();
    w.addServer();
    w.addServer({ address: ALT });
    const a = w.addAgent('a', { ip: '10.0.1.2', components: 3, relay: { servers: [turnServer(), turnServer({ address: ALT, uri: 'turn:alt' })], policy: 'all' } });
    w.gather(a);
    w.run(10_000, () => a.core.gatheringState === 'complete');
    const states = a.relay!.relays.map((r) => `${r.uri}/${r.component}:${r.state}${r.reason ? `(${r.reason})` : ''}`);
    expect(states).to.deep.equal([
      'turn:198.18.0.10/1:allocated', 'turn:198.18.0.10/2:allocated', 'turn:198.18.0.10/3:allocated',
      'turn:alt/1:allocated', 'turn:alt/2:failed(over-limit)', 'turn:alt/3:failed(over-limit)',
    ]);
    expect(opens(a)).to.equal(4);
  });
});
