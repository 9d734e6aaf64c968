/**
 * IceServer over real loopback sockets: many agents (ICE-lite and full, 1 and 2 components) on
 * one port per component, each session echoing its own data; one timer; agents closing leave the
 * router; what createAgent refuses.
 */
import { expect } from 'chai';
import { IceAgent } from '../../lib/ice-agent.js';
import { IceServer, workerOf } from '../../lib/server/index.js';
import { udpEndpointFactory, type EndpointFactory } from '../../lib/net/datagram-endpoint.js';
import { realScheduler, type Scheduler } from '../../lib/net/scheduler.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { IceError } from '../../lib/util/errors.js';
import { guardLoopbackEgress } from '../support/egress-guard.js';
import { LOOPBACK, connect, echo, listen, loopbackClient, portOf, roundTrip, session } from './support.js';

describe('IceServer: many agents on one port (real loopback sockets)', function () {
  this.timeout(30_000);
  let egress: ReturnType<typeof guardLoopbackEgress>;
  before(() => (egress = guardLoopbackEgress()));
  after(() => expect(egress.restore(), 'datagrams addressed outside loopback').to.deep.equal([]));

  for (const lite of [true, false]) {
    it(`${lite ? 'ICE-lite' : 'full'} agents: 40 concurrent sessions on one port, each echoes its own data to its own client`, async () => {
      const server = await listen({ lite });
      const clients: IceAgent[] = [];
      try {
        const sessions = await Promise.all(Array.from({ length: 40 }, () => session(server)));
        for (const { agent, client } of sessions) {
          clients.push(client);
          expect(agent.localParameters.lite).to.equal(lite ? true : undefined);
          expect(agent.role, 'a server agent answers: controlled').to.equal('controlled');
          const local = agent.getSelectedPair(1)!.local;
          expect(`${local.address}:${local.port}`, 'every agent answers on the server port').to.equal(`${LOOPBACK}:${portOf(server)}`);
        }
        const echoes = await Promise.all(sessions.map(({ client }, i) => roundTrip(client, `session ${i}`)));
        echoes.forEach((e, i) => expect(e.data).to.equal(`session ${i}`));
        const stats = server.stats();
        expect(stats.agents).to.equal(40);
        expect(stats.sockets, 'one socket').to.have.length(1);
        // Each client's address is routed to its own agent, and only its.
        for (const { agent, client } of sessions) {
          const remote = agent.getSelectedPair(1)!.remote;
          expect(`${remote.address}:${remote.port}`).to.equal(`${client.getSelectedPair(1)!.local.address}:${client.getSelectedPair(1)!.local.port}`);
        }
        expect(stats.router.addresses).to.equal(40);
        expect(stats.router.counters.addressesMoved).to.equal(0);
        if (!lite) expect(stats.router.counters.routedByTransaction, 'full agents get their responses by transaction id').to.be.greaterThan(0);
        await Promise.all(sessions.map((s) => s.agent.close()));
        expect(server.stats().router).to.include({ agents: 0, addresses: 0 });
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await server.close();
      }
    });
  }

  it('2 components: one port per component, data on each component goes to the same agent', async () => {
    const server = await listen({ components: 2 });
    const { agent, client } = await session(server, { components: 2 });
    try {
      expect(server.localAddresses).to.have.length(2);
      for (const c of [1, 2]) {
        expect(agent.getSelectedPair(c)!.local.port).to.equal(server.localAddresses[c - 1]!.port);
        expect((await roundTrip(client, `on component ${c}`, c)).data).to.equal(`on component ${c}`);
      }
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('a lite agent alone (new IceAgent({ lite: true })) on its own sockets: same handshake, no request ever leaves its socket', async () => {
    const requestsOut: Buffer[] = [];
    const counting: EndpointFactory = async (address, handlers, range) => {
      const endpoint = await udpEndpointFactory(address, handlers, range);
      const send = endpoint.send.bind(endpoint);
      return Object.assign(endpoint, {
        send: (to: TransportAddress, data: Buffer, header?: Buffer): void => {
          if (data.length >= 20 && data[0]! <= 3 && (data.readUInt16BE(0) & 0x0110) === 0) requestsOut.push(data);
          send(to, data, header);
        },
      });
    };
    const lite = echo(new IceAgent({ lite: true, addresses: [LOOPBACK], includeLoopback: true, ipv6: false, endpointFactory: counting }));
    const client = loopbackClient();
    const states: string[] = [];
    lite.on('statechange', (s) => states.push(s));
    try {
      await connect(lite, client);
      await Promise.all([lite.waitFor(['completed'], 10_000), client.waitFor(['completed'], 10_000)]);
      expect(client.role, 'the full side of a lite peer controls').to.equal('controlling');
      expect(states).to.deep.equal(['checking', 'connected', 'completed']);
      expect((await roundTrip(client, 'hi lite')).data).to.equal('hi lite');
      expect(requestsOut, 'STUN requests sent by the lite agent').to.deep.equal([]);
    } finally {
      await client.close();
      await lite.close();
    }
  });

  it('one timer for all agents: 20 connected sessions keep at most one scheduler timer armed; closing the server closes every agent', async () => {
    const live = new Set<unknown>();
    const scheduler: Scheduler = {
      now: realScheduler.now,
      schedule: (at, fn) => {
        const h = realScheduler.schedule(at, () => { live.delete(h); fn(); });
        live.add(h);
        return h;
      },
      cancel: (h) => { live.delete(h); realScheduler.cancel(h); },
    };
    const server = await listen({ scheduler });
    const sessions = await Promise.all(Array.from({ length: 20 }, () => session(server)));
    expect(live.size, 'scheduler timers armed for 20 agents').to.be.at.most(1);
    await server.close();
    for (const { agent } of sessions) expect(agent.iceState).to.equal('closed');
    expect(live.size, 'nothing armed once closed').to.equal(0);
    expect(() => server.createAgent()).to.throw(IceError).with.property('code', 'ERR_CLOSED');
    await Promise.all(sessions.map((x) => x.client.close()));
  });

  it('announcedAddress (1:1 NAT): candidates carry the public address with the bound port, the socket the private one', async () => {
    // Bound on the wildcard, announced as 127.0.0.1: the candidate names an address the client reaches.
    const server = await IceServer.listen({ address: '0.0.0.0', announcedAddress: LOOPBACK });
    try {
      expect(server.localAddresses[0]!.address).to.equal('0.0.0.0');
      expect(server.candidateAddresses[0]).to.deep.equal({ address: LOOPBACK, port: portOf(server), family: 4 });
      const { agent, client } = await session(server);
      const host = agent.localCandidates[0]!;
      expect(host).to.include({ type: 'host', address: LOOPBACK, port: portOf(server) });
      expect(host.base).to.deep.equal({ address: LOOPBACK, port: portOf(server), family: 4 });
      // Host type preference 126 (RFC 8445 §5.1.2.1): announced addresses rank as host candidates.
      expect(host.priority >>> 24).to.equal(126);
      expect((await roundTrip(client, 'via the announced address')).data).to.equal('via the announced address');
      // The client saw us at the announced address: no peer-reflexive candidate of ours was learned.
      expect(agent.localCandidates.map((c) => c.type)).to.deep.equal(['host']);
      await client.close();
    } finally {
      await server.close();
    }
  });

  it('worker servers: every agent ufrag names its worker; ufrags are unique on a port (duplicates refused)', async () => {
    const server = await listen({ worker: 1234 });
    try {
      const agents = Array.from({ length: 20 }, () => server.createAgent());
      for (const a of agents) expect(workerOf(a.localParameters.ufrag)).to.equal(1234);
      const taken = server.createAgent({ ufrag: 'sameUfrag' });
      expect(() => server.createAgent({ ufrag: 'sameUfrag' })).to.throw(IceError, /already registered/).with.property('code', 'ERR_INVALID_ARGUMENT');
      await taken.close();
      // Free again once closed.
      await server.createAgent({ ufrag: 'sameUfrag' }).close();
    } finally {
      await server.close();
    }
  });

  it('an ICE restart on a worker server: the new ufrag still names the worker, and the new generation connects on the port', async () => {
    const server = await listen({ worker: 1234 });
    let client: IceAgent | undefined;
    try {
      const s = await session(server);
      const agent = s.agent;
      client = s.client;
      const first = agent.localParameters.ufrag;
      // Each side hands its new parameters to the other (RFC 8445 §9): the client restarts on the server's.
      const peer = client;
      agent.on('restart', (params) => peer.setRemoteParameters(params));
      peer.on('restart', (params) => agent.setRemoteParameters(params));
      await agent.restart();
      const renewed = agent.localParameters.ufrag;
      expect(renewed).to.not.equal(first);
      // A dispatcher in front of the workers finds the agent's worker from the ufrag alone, after a restart too.
      expect(workerOf(renewed)).to.equal(1234);
      await Promise.all([agent.waitFor(['completed'], 10_000), client.waitFor(['completed'], 10_000)]);
      expect((await roundTrip(client, 'after the restart')).data).to.equal('after the restart');
    } finally {
      await client?.close();
      await server.close();
    }
  });

  it('createAgent refuses what belongs to the server: sockets, addresses, STUN servers, more components than it has', async () => {
    const server = await listen();
    try {
      for (const bad of [{ stunServers: ['127.0.0.1:3478'] }, { addresses: [LOOPBACK] }, { portRange: { min: 1, max: 2 } }, { includeLoopback: true }]) {
        expect(() => server.createAgent(bad as never), JSON.stringify(bad)).to.throw(IceError, /server/).with.property('code', 'ERR_INVALID_ARGUMENT');
      }
      expect(() => server.createAgent({ components: 2 })).to.throw(IceError, /components/).with.property('code', 'ERR_INVALID_ARGUMENT');
      expect(() => server.createAgent({ lite: true, role: 'controlling' })).to.throw(IceError).with.property('code', 'ERR_INVALID_ARGUMENT');
      expect(server.size).to.equal(0);
    } finally {
      await server.close();
    }
  });

  it('IceServer.listen checks its options: an address is required, a wildcard needs announcedAddress, one address per family', async () => {
    const bad: object[] = [
      {}, { address: 'not-an-ip' }, { address: '0.0.0.0' }, { address: [LOOPBACK, '127.0.0.2'] },
      { address: LOOPBACK, announcedAddress: '::1' }, { address: LOOPBACK, taMs: 1 }, { address: LOOPBACK, worker: 4096 },
      { address: LOOPBACK, port: 70000 },
    ];
    for (const o of bad) {
      let err: unknown;
      try { await (await IceServer.listen(o as never)).close(); } catch (e) { err = e; }
      expect(err, JSON.stringify(o)).to.be.instanceOf(IceError).with.property('code', 'ERR_INVALID_ARGUMENT');
    }
  });

  it('a port in use is an ERR_SOCKET error, and nothing stays bound', async () => {
    const first = await listen();
    try {
      let err: unknown;
      try { await IceServer.listen({ address: LOOPBACK, port: portOf(first) }); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(IceError).with.property('code', 'ERR_SOCKET');
    } finally {
      await first.close();
    }
  });

  it('agents closed one by one leave the router and the server; the port stays open for the others', async () => {
    const server = await listen();
    try {
      const a = await session(server);
      const b = await session(server);
      await a.agent.close();
      await a.client.close();
      expect(server.size).to.equal(1);
      expect(server.stats().router).to.include({ agents: 1, addresses: 1 });
      expect((await roundTrip(b.client, 'still open')).data).to.equal('still open');
      await b.client.close();
    } finally {
      await server.close();
    }
  });
});
