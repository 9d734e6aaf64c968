/**
 * Routing and registration on a real IceServer port, driven by raw sockets that play clients:
 *  - order: the authenticated address map first (data), then a check's ufrag, else a silent drop;
 *  - an address is registered only after the agent verified the MAC, moves only on authenticated
 *    traffic, at most 8 per agent (least recently authenticated evicted);
 *  - addresses are forgotten on close, restart, consent loss (failed) and pair failure.
 * Every wait is on the server's own counters (what it saw), never on a fixed sleep.
 */
import { expect } from 'chai';
import type { Socket } from 'node:dgram';
import type { IceAgent } from '../../lib/ice-agent.js';
import type { IceServer } from '../../lib/server/index.js';
import { bindUdp as rawSocket, closeSocket } from '../support/udp.js';
import { LOOPBACK, checkFor, echo, inbox, listen, portOf, until } from './support.js';

const CLIENT = { ufrag: 'clnt', pwd: 'clientPasswordclientPassword' };

describe('IceServer: routing order and registration rules (raw sockets on loopback)', function () {
  this.timeout(20_000);
  let server: IceServer;
  const sockets: Socket[] = [];
  const reported: string[] = [];

  beforeEach(async () => {
    reported.length = 0;
    server = await listen({ onUnknownUfrag: (ufrag) => reported.push(ufrag), unknownUfragReports: { burst: 3, perSecond: 0.001 } });
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map(closeSocket));
    await server.close();
  });

  async function client(address = LOOPBACK): Promise<{ s: Socket; got: Buffer[] }> {
    const s = await rawSocket(address);
    sockets.push(s);
    return { s, got: inbox(s) };
  }
  const send = (s: Socket, data: Buffer | string): void => s.send(data, portOf(server), LOOPBACK);
  const received = (): number => server.stats().sockets[0]!.received;
  const router = (): ReturnType<IceServer['stats']>['router'] => server.stats().router;

  async function liteAgent(o: Parameters<IceServer['createAgent']>[0] = {}): Promise<IceAgent> {
    const a = echo(server.createAgent(o));
    await a.gather();
    a.setRemoteParameters(CLIENT);
    return a;
  }

  /** Sends one datagram and waits until the server's socket counted it. */
  async function deliver(s: Socket, data: Buffer | string): Promise<void> {
    const before = received();
    send(s, data);
    await until(() => received() > before, 'the server to receive the datagram');
  }

  it('an unknown ufrag is dropped silently and counted; the hook hears of it, rate-limited', async () => {
    const { s, got } = await client();
    const a = await liteAgent();
    for (let i = 0; i < 6; i++) await deliver(s, checkFor(a, {}).fill(0x41, 24, 28)); // USERNAME's first 4 chars: 'AAAA...'
    expect(router().counters.drops['unknown-ufrag']).to.equal(6);
    expect(reported, 'burst 3, then suppressed').to.have.length(3);
    expect(router().counters.unknownUfragSuppressed).to.equal(3);
    expect(a.drops.unauthenticated, 'never reached the agent').to.equal(0);
    expect(server.stats().sockets[0]!.sent, 'no response (a 401 would be an oracle)').to.equal(0);
    expect(got).to.deep.equal([]);
  });

  it('a check with the right ufrag and a wrong MAC reaches its agent, is dropped there unanswered (no 401) and registers nothing', async () => {
    const { s } = await client();
    const a = await liteAgent();
    await deliver(s, checkFor(a, { pwd: 'wrongPasswordwrongPassword' }));
    expect(router().counters.routedByUfrag).to.equal(1);
    await until(() => a.drops.unauthenticated === 1, 'the agent to drop it');
    expect(router().addresses).to.equal(0);
    // A stand-alone agent would answer 401; the shared port silences it (it would tell which ufrags exist).
    expect(server.stats().sockets[0]).to.include({ sent: 0, silenced: 1 });
    // Data from that source is not routed either.
    await deliver(s, 'data');
    expect(router().counters.drops['unknown-address']).to.equal(1);
  });

  it('an authenticated check registers its source: data from it is then routed by address (and echoed)', async () => {
    const { s, got } = await client();
    const a = await liteAgent();
    await deliver(s, checkFor(a));
    await until(() => got.length === 1, 'the check response');
    expect(router().addresses).to.equal(1);
    await deliver(s, 'hello');
    expect(router().counters.routedByAddress).to.equal(1);
    await until(() => got.length === 2, 'the echo');
    expect(got[1]!.toString()).to.equal('hello');
    // Another source, never authenticated: dropped and counted.
    const other = await client('127.0.0.2');
    await deliver(other.s, 'intruder');
    expect(router().counters.drops['unknown-address']).to.equal(1);
    expect(other.got).to.deep.equal([]);
  });

  it('an address moves to another agent only on authenticated traffic', async () => {
    const { s, got } = await client();
    const a = await liteAgent();
    const b = await liteAgent();
    await deliver(s, checkFor(a));
    await deliver(s, checkFor(b, { pwd: 'wrongPasswordwrongPassword' }));
    await until(() => b.drops.unauthenticated === 1, 'b to drop the forged check');
    expect(router().counters.addressesMoved).to.equal(0);
    const toA = new Promise<string>((resolve) => a.once('data', (_c, d) => resolve(d.toString())));
    await deliver(s, 'still a');
    expect(await toA).to.equal('still a');
    await deliver(s, checkFor(b));
    expect(router().counters.addressesMoved).to.equal(1);
    const toB = new Promise<string>((resolve) => b.once('data', (_c, d) => resolve(d.toString())));
    await deliver(s, 'now b');
    expect(await toB).to.equal('now b');
    await until(() => got.length >= 3, 'responses and echoes');
  });

  it('at most 8 addresses per agent: the least recently authenticated is evicted', async () => {
    const a = await liteAgent();
    const clients: { s: Socket; got: Buffer[] }[] = [];
    for (let i = 0; i < 10; i++) clients.push(await client(`127.0.0.${i + 1}`));
    for (const c of clients) {
      await deliver(c.s, checkFor(a));
      await until(() => c.got.length === 1, 'the response');
    }
    expect(router().addresses).to.equal(8);
    expect(router().counters.addressesEvicted).to.equal(2);
    // The first two (least recently authenticated) are gone, the last one routes.
    await deliver(clients[0]!.s, 'evicted');
    expect(router().counters.drops['unknown-address']).to.equal(1);
    // The last nomination is selected: the echo goes back to it.
    await deliver(clients[9]!.s, 'kept');
    await until(() => clients[9]!.got.length === 2, 'the echo of the kept address');
  });

  it('forgotten on close: the agent leaves, its ufrag and addresses with it', async () => {
    const { s, got } = await client();
    const a = await liteAgent();
    await deliver(s, checkFor(a));
    await until(() => got.length === 1, 'the response');
    await a.close();
    expect(router()).to.include({ agents: 0, addresses: 0 });
    await deliver(s, checkFor(a));
    expect(router().counters.drops['unknown-ufrag']).to.equal(1);
  });

  it('forgotten on restart: only the selected route survives, until the new generation selects another', async () => {
    const a = await liteAgent();
    const one = await client('127.0.0.1');
    const two = await client('127.0.0.2');
    await deliver(one.s, checkFor(a, { useCandidate: true }));
    await deliver(two.s, checkFor(a, { useCandidate: false }));
    await until(() => one.got.length === 1 && two.got.length === 1, 'both responses');
    expect(router().addresses).to.equal(2);
    const oldUfrag = a.localParameters.ufrag;
    a.restart();
    // The restart event is told on the next microtask; then the router keeps only the selected route.
    await until(() => router().addresses === 1, 'the restart to forget the unselected address');
    expect(router().agents).to.equal(1);
    const echoed = new Promise<string>((resolve) => one.s.once('message', (m) => resolve(m.toString())));
    await deliver(one.s, 'during the restart');
    expect(await echoed).to.equal('during the restart');
    // The old ufrag no longer routes; the new one does.
    const stale = checkFor(a, { useCandidate: true });
    stale.write(oldUfrag, 20 + 4, 'latin1');
    await deliver(two.s, stale);
    expect(router().counters.drops['unknown-ufrag']).to.equal(1);
    a.setRemoteParameters({ ufrag: 'cln2', pwd: 'clientPassword2clientPassword2' });
    await deliver(two.s, checkFor(a, { useCandidate: true, clientUfrag: 'cln2' }));
    await until(() => a.getSelectedPair(1)?.remote.address === '127.0.0.2', 'the new selection');
    expect(server.stats().router.addresses, 'the old route is forgotten once the new generation selected another').to.equal(1);
    await deliver(one.s, 'old route');
    expect(router().counters.drops['unknown-address']).to.equal(1);
  });

  it('forgotten on consent loss: an agent that fails (no request for liteFailedMs) keeps no address', async () => {
    const { s, got } = await client();
    const a = await liteAgent({ timers: { liteDisconnectedMs: 50, liteFailedMs: 150 } });
    await deliver(s, checkFor(a));
    await until(() => got.length === 1, 'the response');
    expect(router().addresses).to.equal(1);
    await a.waitFor(['failed'], 5000);
    expect(router().addresses).to.equal(0);
    // A check that comes back is routed by ufrag and registers its source again.
    await deliver(s, checkFor(a));
    await until(() => router().addresses === 1, 'the address registered again');
  });

  it('forgotten on pair failure: a full agent whose checks to an authenticated address go unanswered', async () => {
    const { s, got } = await client();
    const a = echo(server.createAgent({ lite: false, timers: { checkRetransmit: { rtoMs: 20, maxRequests: 2, finalWaitFactor: 2 } } }));
    await a.gather();
    a.setRemoteParameters(CLIENT);
    // An authenticated check without USE-CANDIDATE: answered, the source registered, a triggered check sent back.
    await deliver(s, checkFor(a, { useCandidate: false, clientUfrag: CLIENT.ufrag }));
    await until(() => got.length >= 2, 'the response and our triggered check');
    expect(router().counters.addressesAdded).to.equal(1);
    // The raw client never answers: the pair fails and its address goes.
    await until(() => a.getPairs().some((p) => p.state === 'failed'), 'the pair to fail');
    expect(router().addresses).to.equal(0);
  });

  it('not STUN and not from a known address, a non-Binding request, an indication: dropped by reason, never answered', async () => {
    const { s, got } = await client();
    await liteAgent();
    await deliver(s, Buffer.from([0x17, 0xfe, 0xfd, 0, 0])); // DTLS-looking
    await deliver(s, Buffer.alloc(20)); // first byte 0, no magic cookie: not a STUN header
    const indication = Buffer.alloc(20);
    indication.writeUInt16BE(0x0011, 0);
    indication.writeUInt32BE(0x2112a442, 4);
    await deliver(s, indication);
    const drops = router().counters.drops;
    expect(drops['unknown-address']).to.equal(1);
    expect(drops['malformed-stun']).to.equal(1);
    expect(drops.indication).to.equal(1);
    expect(server.stats().sockets[0]!.sent).to.equal(0);
    expect(got).to.deep.equal([]);
  });
});
