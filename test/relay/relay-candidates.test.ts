// Relay candidates in the pure core (RFC 8445 §5.1.1.2): what an allocation gives, checks and
// data through the relay, relay-only agents behind symmetric NATs.
import { expect } from 'chai';
import { natOfKind } from '../support/nat.js';
import { candidatesOf, RELAY_IP, RelayWorld, TURN, turnServer, type WorldAgent } from './support/relay-world.js';

function twoAgents(w: RelayWorld, policy: 'all' | 'relay', nat: 'symmetric' | 'eim' | undefined): [WorldAgent, WorldAgent] {
  w.addServer();
  const relay = { servers: [turnServer()], policy } as const;
  const a = w.addAgent('a', { ip: '10.0.1.2', role: 'controlling', hosts: policy === 'all', relay, ...(nat && { nat: natOfKind(nat, '198.18.0.2') }) });
  const b = w.addAgent('b', { ip: '10.0.2.2', role: 'controlled', hosts: policy === 'all', relay, ...(nat && { nat: natOfKind(nat, '198.18.0.3') }) });
  return [a, b];
}

describe('relay: relay candidates in the pure core', () => {
  it('an allocation gives a relay candidate (its own base, type preference 0, related = mapped) and a srflx on the client socket', () => {
    const w = new RelayWorld();
    const [a] = twoAgents(w, 'all', 'eim');
    w.gather(a);
    expect(a.core.gatheringState).to.equal('gathering');
    w.run(1000, () => a.core.gatheringState === 'complete');
    const cands = candidatesOf(a);
    expect(cands.map((c) => c.type)).to.deep.equal(['host', 'relay', 'srflx']);
    const relay = a.core.localCandidateList.find((c) => c.type === 'relay')!;
    expect(relay.address).to.equal(RELAY_IP);
    expect(relay.base).to.deep.include({ address: RELAY_IP, port: relay.port });
    expect(Math.floor(relay.priority / 2 ** 24)).to.equal(0);
    expect(relay.relatedAddress).to.equal('198.18.0.2');
    const srflx = a.core.localCandidateList.find((c) => c.type === 'srflx')!;
    expect(srflx).to.deep.include({ address: '198.18.0.2', relatedAddress: '10.0.1.2' });
    expect(srflx.socket).to.not.equal(relay.socket);
    expect(a.relayEvents.map((e) => e.type)).to.deep.equal(['allocated']);
    const info = a.relay!.relays[0]!;
    expect(info).to.deep.include({ state: 'allocated', lifetimeS: 600, transport: 'udp', sockets: 1 });
    expect(info.relayed).to.deep.equal({ address: RELAY_IP, port: relay.port, family: 4 });
  });

  it('relay-only agents behind symmetric NATs connect relay <-> relay, and data flows both ways over a channel', () => {
    const w = new RelayWorld();
    const [a, b] = twoAgents(w, 'relay', 'symmetric');
    w.gather(a);
    w.gather(b);
    w.trickle(a, b);
    expect(w.run(20_000, () => w.connected(a, b)), 'connected').to.equal(true);
    for (const x of [a, b]) {
      expect(candidatesOf(x).map((c) => c.type)).to.deep.equal(['relay']);
      const p = x.core.selectedPair(1)!;
      expect(p.local.type).to.equal('relay');
      expect(p.remote.address).to.equal(RELAY_IP);
    }
    w.run(w.now + 3000);
    expect(a.core.route(1)?.header, 'a channel is bound for the selected pair').to.not.equal(undefined);
    expect(a.core.route(1)?.to).to.deep.equal(TURN);
    expect(w.sendData(a, 1, Buffer.from('hello b'))).to.equal(true);
    expect(w.sendData(b, 1, Buffer.from('hello a'))).to.equal(true);
    w.run(w.now + 100);
    expect(b.data.map((d) => String(d.data))).to.deep.equal(['hello b']);
    expect(a.data.map((d) => String(d.data))).to.deep.equal(['hello a']);
    expect(b.data[0]!.from.address, 'from the peer, not the server').to.equal(RELAY_IP);
  });

  it('an ICE restart keeps the relay candidates: the new generation connects through the same allocations', () => {
    const w = new RelayWorld();
    const [a, b] = twoAgents(w, 'relay', 'symmetric');
    w.gather(a);
    w.gather(b);
    w.trickle(a, b);
    expect(w.run(20_000, () => w.connected(a, b))).to.equal(true);
    a.core.restart(w.now);
    w.drain();
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const p = x.core.localParameters;
      y.core.setRemoteCredentials(w.now, p.ufrag, p.pwd);
    }
    w.drain();
    expect(w.run(w.now + 20_000, () => w.connected(a, b) && a.core.selectedPair(1)?.local.type === 'relay'), 'connected again').to.equal(true);
    w.run(w.now + 2000);
    expect(w.sendData(a, 1, Buffer.from('after the restart'))).to.equal(true);
    w.run(w.now + 100);
    expect(b.data.map((d) => String(d.data))).to.include('after the restart');
    expect(a.relay!.relays[0]).to.deep.include({ state: 'allocated', sockets: 1 });
    expect(w.servers[0]!.requests['allocate'], 'no new allocation (one per agent)').to.equal(2);
  });
});
