/**
 * A shared port under attack (issue 14): 10^6 Binding requests for unknown ufrags and 10^5 checks
 * with a forged MESSAGE-INTEGRITY for the ufrags of real agents, from many source addresses,
 * including the legitimate clients' own (sockets bound to the same address and port with
 * SO_REUSEADDR: what an attacker spoofing them can do). They get zero responses, leave the
 * router's tables unchanged, grow the heap by less than 1 MiB and steal no address.
 *
 * The kernel may drop part of a burst on a busy machine, so every assertion is about what the
 * server's socket saw; a marker check sent after the burst, and answered, proves that the socket
 * has read everything that came before it.
 */
import { expect } from 'chai';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { IceAgent } from '../../lib/ice-agent.js';
import type { IceServer, IceServerStats } from '../../lib/server/index.js';
import { LOOPBACK, checkFor, echo, inbox, listen, portOf, until } from '../server/support.js';
import { chromeCheck } from '../support/chrome-check.js';
import { closeSocket } from '../support/udp.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = (): number => { gc(); gc(); return process.memoryUsage().heapUsed; };
const MiB = 1048576;
const CLIENT = { ufrag: 'clnt', pwd: 'clientPasswordclientPassword' };

async function bound(address: string, port = 0): Promise<Socket> {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  s.on('error', () => { /* an attacker's socket errors are not the server's */ });
  s.bind(port, address);
  await once(s, 'listening');
  return s;
}

describe('security: a shared port under a flood of unknown ufrags and forged MACs', function () {
  this.timeout(180_000);
  let server: IceServer;
  const agents: IceAgent[] = [];
  const victims: { s: Socket; got: Buffer[]; agent: IceAgent }[] = [];
  const attackers: Socket[] = [];
  /** A client no attacker shares an address with: its answered check marks the end of a flood. */
  let marker: { s: Socket; got: Buffer[]; agent: IceAgent };
  let markers = 0;

  before(async () => {
    server = await listen();
    for (let i = 0; i < 100; i++) {
      // Liveness timers longer than the test: the states compared before and after stay put.
      const a = echo(server.createAgent({ timers: { liteDisconnectedMs: 600_000, liteFailedMs: 1_200_000 } }));
      await a.gather();
      a.setRemoteParameters(CLIENT);
      agents.push(a);
    }
    // Ten legitimate clients, each nominated by its own agent.
    for (let i = 0; i < 10; i++) {
      const s = await bound(`127.0.0.${i + 2}`);
      const v = { s, got: inbox(s), agent: agents[i]! };
      s.send(checkFor(v.agent, { clientUfrag: CLIENT.ufrag }), portOf(server), LOOPBACK);
      await until(() => v.got.length === 1, `client ${i}'s check to be answered`);
      victims.push(v);
    }
    const m = await bound('127.0.0.99');
    marker = { s: m, got: inbox(m), agent: agents[99]! };
    m.send(checkFor(marker.agent, { clientUfrag: CLIENT.ufrag }), portOf(server), LOOPBACK);
    await until(() => marker.got.length === 1, "the marker client's check to be answered");
    // Attackers: 54 other sources, and the victims' own addresses (the kernel now hands what is
    // sent to those to the attacker's socket, bound last; the agents' 'data' events still show them).
    for (let i = 0; i < 54; i++) attackers.push(await bound(`127.0.1.${i + 1}`));
    for (const v of victims) attackers.push(await bound(v.s.address().address, v.s.address().port));
  });

  after(async () => {
    await Promise.all([...attackers, ...victims.map((v) => v.s), marker.s].map(closeSocket));
    await server.close();
  });

  /** Sends every datagram of `make(i)` for i < n from the attackers in turn, then a marker, and waits until the server read them. */
  async function flood(n: number, make: (i: number) => Buffer): Promise<void> {
    const port = portOf(server);
    const read = (): number => server.stats().sockets[0]!.received;
    for (let i = 0; i < n; i++) {
      attackers[i % attackers.length]!.send(make(i), port, LOOPBACK);
      if ((i & 127) !== 127) continue;
      // Flow control on what the server read (not on what arrives: the kernel may drop some): a
      // batch smaller than the socket's receive buffer, then the server catches up, or a few turns
      // of the loop pass.
      const from = read();
      for (let turn = 0; turn < 20 && read() - from < 120; turn++) await new Promise((r) => setImmediate(r));
    }
    // The marker: an authenticated check, resent until answered (a full queue may drop it).
    const v = marker;
    const answered = v.got.length;
    for (let t = 0; v.got.length === answered; t++) {
      markers++;
      v.s.send(checkFor(v.agent, { clientUfrag: CLIENT.ufrag }), port, LOOPBACK);
      await until(() => v.got.length > answered, 'the marker to be answered', 2000).catch(() => undefined);
      if (t > 20) throw new Error('the marker was never answered');
    }
  }

  function tables(s: IceServerStats): object {
    const c = s.router.counters;
    return {
      agents: s.router.agents, addresses: s.router.addresses, transactions: s.router.transactions,
      added: c.addressesAdded, moved: c.addressesMoved, evicted: c.addressesEvicted, forgotten: c.addressesForgotten,
      selected: agents.map((a) => { const p = a.getSelectedPair(1); return p && `${p.remote.address}:${p.remote.port}`; }),
      states: agents.map((a) => a.iceState),
    };
  }

  async function expectVictimsServed(): Promise<void> {
    // Every client's data still reaches its own agent (nothing was stolen).
    for (const [i, v] of victims.entries()) {
      const got = new Promise<string>((resolve) => v.agent.once('data', (_c, d) => resolve(d.toString())));
      const resend = setInterval(() => v.s.send(`client ${i}`, portOf(server), LOOPBACK), 200);
      v.s.send(`client ${i}`, portOf(server), LOOPBACK);
      try {
        expect(await got).to.equal(`client ${i}`);
      } finally {
        clearInterval(resend);
      }
    }
  }

  it('10^6 Binding requests for unknown ufrags: no response, tables unchanged, < 1 MiB heap, no address stolen', async () => {
    // A pool of well-formed, signed checks for ufrags no agent has.
    const pool = Array.from({ length: 4096 }, (_, i) => chromeCheck({ username: `nx${i.toString(36).padStart(6, '0')}:evil`, pwd: 'guessedPasswordguessedPass', role: 'controlling', useCandidate: true }));
    const before = server.stats();
    const t0 = tables(before);
    const h0 = heap();
    await flood(1_000_000, (i) => pool[i & 4095]!);
    const h1 = heap();
    const after = server.stats();
    const seen = after.sockets[0]!.received - before.sockets[0]!.received;
    const dropped = after.router.counters.drops['unknown-ufrag'] - before.router.counters.drops['unknown-ufrag'];
    const markersRead = after.router.counters.routedByUfrag - before.router.counters.routedByUfrag;
    console.log(`      the server's socket read ${seen} datagrams (1,000,000 sent, and ${markers} markers); heap ${((h1 - h0) / 1024).toFixed(0)} KiB`);
    expect(dropped, 'unknown-ufrag requests the server read').to.be.greaterThan(0);
    expect(markersRead, 'only the markers reached an agent').to.be.at.most(markers);
    expect(dropped + markersRead, 'everything else the server read was dropped by the router').to.equal(seen);
    expect(after.sockets[0]!.sent - before.sockets[0]!.sent, 'responses: only to the markers').to.equal(markersRead);
    expect(after.sockets[0]!.silenced - before.sockets[0]!.silenced).to.equal(0);
    expect(tables(after)).to.deep.equal(t0);
    expect(h1 - h0, `heap grew ${((h1 - h0) / MiB).toFixed(2)} MiB`).to.be.below(MiB);
    await expectVictimsServed();
  });

  it('10^5 checks with a forged MAC for real agents, also from the clients\' own addresses: no response, tables unchanged, < 1 MiB, no address stolen', async () => {
    // Signed with a wrong password, for the ufrags of the 100 agents (the clients' agents included).
    const pool = agents.map((a) => checkFor(a, { pwd: 'forgedPasswordforgedPassword', clientUfrag: CLIENT.ufrag }));
    const unauthenticated = (): number => agents.reduce((sum, a) => sum + a.drops.unauthenticated, 0);
    const before = server.stats();
    const t0 = tables(before);
    const u0 = unauthenticated();
    const h0 = heap();
    await flood(100_000, (i) => pool[i % pool.length]!);
    const h1 = heap();
    const after = server.stats();
    const routed = after.router.counters.routedByUfrag - before.router.counters.routedByUfrag;
    const forged = unauthenticated() - u0;
    console.log(`      ${forged} forged checks reached their agents and were dropped; heap ${((h1 - h0) / 1024).toFixed(0)} KiB`);
    expect(forged, 'forged checks the agents read (and dropped)').to.be.greaterThan(0);
    expect(routed - forged, 'the rest of what was routed by ufrag: the markers').to.be.at.most(markers);
    expect(after.sockets[0]!.sent - before.sockets[0]!.sent, 'responses: only to the markers').to.equal(routed - forged);
    expect(after.sockets[0]!.silenced - before.sockets[0]!.silenced, 'the 401s the agents would have sent').to.equal(forged);
    expect(tables(after)).to.deep.equal(t0);
    expect(h1 - h0, `heap grew ${((h1 - h0) / MiB).toFixed(2)} MiB`).to.be.below(MiB);
    await expectVictimsServed();
  });
});
