// The known bugs of other TURN clients (wave2-design.md §1), one test each: every one of them
// would fail here if this client had the bug. Most carry a control run showing that the server
// double really drops traffic when the bug's consequence (a lapse) happens.
import { expect } from 'chai';
import {
  encodeMessage, METHOD_CHANNEL_BIND, METHOD_CREATE_PERMISSION, METHOD_DATA,
  METHOD_REFRESH, METHOD_SEND, type TransportAddress,
} from '../../lib/stun/index.js';
import { StreamFramer } from '../../lib/turn/stream-framer.js';
import { decodeChannelData } from '../../lib/turn/channel-data.js';
import { CLIENT, PEER, PEER2, RelaySim, SERVER } from './support/relay-sim.js';

const payload = (s: string): Buffer => Buffer.from(s);

/** Allocated with permissions for PEER and PEER2. */
function withChannel(opts: ConstructorParameters<typeof RelaySim>[0] = {}): RelaySim {
  const sim = new RelaySim(opts);
  sim.allocate();
  sim.client.permit(sim.now, [PEER.address, PEER2.address]);
  sim.advance(sim.now + 100);
  return sim;
}

/** Allocated, with a permission for PEER and a channel bound to it. */
function relayed(sim: RelaySim): void {
  sim.allocate();
  sim.client.permit(sim.now, [PEER.address]);
  sim.advance(sim.now + 100);
  sim.client.bindChannel(sim.now, PEER);
  sim.advance(sim.now + 100);
}

function ready(): RelaySim {
  const sim = withChannel();
  sim.client.bindChannel(sim.now, PEER);
  sim.advance(sim.now + 100);
  return sim;
}

function dataIndication(peer: TransportAddress, data: Buffer): Buffer {
  return encodeMessage({
    method: METHOD_DATA, cls: 'indication', transactionId: Buffer.alloc(12, 3),
    attributes: [{ type: 'XOR-PEER-ADDRESS', value: peer }, { type: 'DATA', value: data }],
  });
}

describe('turn: known bugs of other TURN clients, as tests', () => {
  it('missing allocation refresh (ice4j#78 lost it at 10 min): at 25 min data still flows', () => {
    const sim = ready();
    sim.advance(25 * 60_000);
    sim.clientSend(PEER, payload('up'));
    sim.peerSend(PEER, payload('down'));
    sim.advance(sim.now + 100);
    expect([sim.atPeers.length, sim.atClient.length]).to.deep.equal([1, 1]);
    expect(sim.stunSent(METHOD_REFRESH).length).to.be.greaterThan(1);
    expect(sim.server.drops).to.deep.equal({});
  });

  it('missing channel refresh (aioice#29): at 25 min the channel still carries data; without refresh the server drops it', () => {
    for (const refresh of [true, false]) {
      // The control client never refreshes and believes its channel lives on (as aioice did).
      const sim = withChannel(refresh ? {} : { client: { channelRefreshMs: 100_000_000, channelLifetimeMs: 200_000_000 } });
      sim.client.bindChannel(sim.now, PEER);
      sim.advance(25 * 60_000);
      sim.clientSend(PEER, payload('up'));
      sim.peerSend(PEER, payload('down'));
      sim.advance(sim.now + 100);
      expect(sim.atPeers.map((p) => p.data.toString()), `refresh ${refresh}`).to.deep.equal(refresh ? ['up'] : []);
      expect(sim.server.drops['no-channel'] ?? 0).to.equal(refresh ? 0 : 1);
      expect(sim.atClient.map((d) => d.channel)).to.deep.equal([refresh ? 0x4000 : undefined]);
    }
  });

  it('inverted timer (rusturn#10 refreshed at 10/9 of the lifetime): the refresh comes before the server expires it', () => {
    const sim = new RelaySim({ server: { maxLifetimeS: 60 } });
    sim.allocate();
    sim.advance(200_000);
    expect(sim.client.state).to.equal('allocated');
    expect(sim.server.allocationOf(CLIENT)!.expiresAt).to.be.greaterThan(sim.now);
    // Control: a client that would refresh after the lifetime (67 s) reports the expiry itself,
    // and the double has really dropped the allocation: a peer's datagram goes nowhere.
    const late = new RelaySim({ server: { maxLifetimeS: 60 }, client: { refreshMarginMs: -7_000 } });
    late.allocate();
    late.advance(65_000);
    expect(late.eventsOf('failed').map((e) => [e.reason, e.recovery])).to.deep.equal([['expired', 'reallocate']]);
    late.peerSend(PEER, Buffer.from('x'));
    late.advance(66_000);
    expect(late.server.drops['no-allocation']).to.equal(1);
  });


  it('the first datagram to a new peer waits for its permission (no Send before it), then goes out', () => {
    const sim = new RelaySim();
    sim.server.inject(METHOD_CREATE_PERMISSION, { kind: 'drop-response' }); // the first answer is lost
    sim.allocate();
    expect(sim.clientSend(PEER, payload('check-1'))).to.deep.equal({ kind: 'queued' });
    sim.advance(sim.now + 200); // still retransmitting the CreatePermission
    expect(sim.clientSend(PEER, payload('check-2'))).to.deep.equal({ kind: 'queued' });
    expect(sim.stunSent(METHOD_SEND, 'indication')).to.have.length(0);
    sim.advance(sim.now + 1000);
    expect(sim.atPeers.map((p) => p.data.toString())).to.deep.equal(['check-1', 'check-2']);
    expect(sim.server.drops['no-permission'] ?? 0).to.equal(0);
    expect(sim.stunSent(METHOD_CREATE_PERMISSION)).to.have.length(2); // one request, retransmitted once
  });


  it('permissions are per IP, not ip:port (werift keyed them by ip:port)', () => {
    const sim = new RelaySim();
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address]);
    sim.advance(sim.now + 100);
    const otherPort: TransportAddress = { ...PEER, port: 7777 };
    expect(sim.clientSend(otherPort, payload('to 7777')).kind).to.equal('send');
    sim.peerSend(otherPort, payload('from 7777'));
    sim.advance(sim.now + 100);
    expect(sim.atPeers.map((p) => [p.to.port, p.data.toString()])).to.deep.equal([[7777, 'to 7777']]);
    expect(sim.atClient.map((d) => [d.peer.port, d.payload.toString(), d.channel])).to.deep.equal([[7777, 'from 7777', undefined]]);
    expect(sim.stunSent(METHOD_CREATE_PERMISSION)).to.have.length(1);
  });


  it('missing permission refresh (sipsorcery#626) is visible: without it the double drops data after 300 s', () => {
    for (const [refreshMs, delivered] of [[undefined, 2], [10_000_000, 1]] as const) {
      const sim = new RelaySim(refreshMs === undefined ? {} : { client: { permissionRefreshMs: refreshMs, permissionLifetimeMs: 2 * refreshMs } });
      sim.allocate();
      sim.client.permit(sim.now, [PEER.address]);
      sim.advance(1_000);
      sim.peerSend(PEER, payload('early'));
      sim.advance(400_000);
      sim.peerSend(PEER, payload('late'));
      sim.advance(401_000);
      expect(sim.atClient.length, `refresh ${refreshMs}`).to.equal(delivered);
    }
  });


  it('a peer of the other family is refused locally with 443 (pion/ice#69), nothing sent', () => {
    const sim = new RelaySim();
    sim.allocate();
    const before = sim.sent.length;
    sim.client.permit(sim.now, ['2001:db8::1']);
    sim.flush();
    expect(sim.eventsOf('permission-failed').map((e) => [e.ips, e.code])).to.deep.equal([[['2001:db8::1'], 443]]);
    expect(sim.sent.length).to.equal(before);
    expect(sim.clientSend({ address: '2001:db8::1', port: 1, family: 6 }, payload('x'))).to.deep.equal({ kind: 'dropped', reason: 'family-mismatch' });
  });


  it('400 on a permission refresh (pion/turn#144) only fails that peer', () => {
    const sim = new RelaySim();
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address]);
    sim.advance(1_000);
    sim.server.inject(METHOD_CREATE_PERMISSION, { kind: 'error', code: 400 });
    sim.advance(130_000);
    expect(sim.eventsOf('permission-failed').map((e) => [e.ips, e.code])).to.deep.equal([[[PEER.address], 400]]);
    expect(sim.client.state).to.equal('allocated');
  });


  it('each channel has its OWN refresh time (werift shared one channelRefreshAt)', () => {
    const sim = withChannel();
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(200_000);
    sim.client.bindChannel(sim.now, PEER2); // a later binding must not postpone the first one
    sim.advance(1_300_000);
    const binds = sim.stunSent(METHOD_CHANNEL_BIND).map((m) => m.attributes.find((a) => a.type === 'CHANNEL-NUMBER')!);
    const count = (n: number): number => binds.filter((a) => a.type === 'CHANNEL-NUMBER' && a.value === n).length;
    expect(count(0x4000)).to.equal(5); // 0, 300, 600, 900, 1200 s
    expect(count(0x4001)).to.equal(4); // 200, 500, 800, 1100 s
    const a = sim.server.allocationOf(CLIENT)!;
    expect([...a.channels.values()].every((c) => c.expiresAt > sim.now)).to.equal(true);
    expect(sim.eventsOf('channel-failed')).to.deep.equal([]);
  });


  it('shared refresh would lapse the old channel: the double drops ChannelData on a lapsed channel', () => {
    const sim = withChannel();
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(1_000);
    const a = sim.server.allocationOf(CLIENT)!;
    a.channels.get(0x4000)!.expiresAt = sim.now; // as if never refreshed
    sim.clientSend(PEER, payload('lost'));
    sim.advance(sim.now + 100);
    expect(sim.server.drops['no-channel']).to.equal(1);
  });


  it('relay traffic that claims to be from the server but is not (werift, aioice, pion accepted it)', () => {
    const sim = ready();
    for (const from of [PEER, { ...SERVER, port: 3479 }, { ...SERVER, address: '192.0.2.2' }]) {
      expect(sim.deliver(from, Buffer.from('4000000261620000', 'hex'))).to.deep.equal({ kind: 'dropped', reason: 'not-from-server' });
      expect(sim.deliver(from, dataIndication(PEER, payload('x')))).to.deep.equal({ kind: 'dropped', reason: 'not-from-server' });
    }
  });


  it('the 438 counter resets on success (pjproject#888): a nonce expiring every 10 min for 2 hours', () => {
    const sim = new RelaySim({ server: { nonceLifetimeMs: 600_000 } });
    relayed(sim);
    // Two 438s on every refresh, on top of the natural expiries.
    for (let i = 0; i < 15; i++) {
      sim.server.inject(METHOD_REFRESH, { kind: 'error', code: 438 }, 2);
      sim.server.inject(METHOD_REFRESH, { kind: 'pass' });
    }
    sim.advance(7_200_000);
    expect(sim.eventsOf('failed')).to.deep.equal([]);
    expect(sim.eventsOf('refreshed').length).to.be.greaterThan(10);
    const stale = sim.stunSent(METHOD_REFRESH).length - sim.eventsOf('refreshed').length;
    expect(stale).to.be.greaterThan(4); // far more than 3 retries over the session, each recovered
  });


  it('missing padding over TCP (pjproject#999, aioice#69) and uninitialised pad bytes (coturn#1984)', () => {
    const sim = new RelaySim({ client: { transport: 'tcp' } });
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address]);
    sim.advance(sim.now + 100);
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(sim.now + 100);
    const wire: Buffer[] = [];
    for (let n = 1; n <= 9; n++) {
      const r = sim.client.wrap(sim.now, PEER, Buffer.alloc(n, 0xee));
      if (r.kind !== 'send') expect.fail(r.kind);
      const bytes = Buffer.concat(r.data);
      expect(bytes.length % 4, `payload ${n}`).to.equal(0);
      expect([...bytes.subarray(4 + n)].every((b) => b === 0), 'pad bytes are zero').to.equal(true);
      wire.push(bytes);
    }
    // What a server's framer sees: one stream, frames back at every boundary.
    const frames = new StreamFramer().push(Buffer.concat(wire)).frames;
    expect(frames.map((f) => { const d = decodeChannelData(f); return d.ok ? d.payload.length : -1; })).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('padding delivered as payload (turn-rs#175 broke DTLS): inbound padded ChannelData gives the exact payload', () => {
    const sim = new RelaySim({ client: { transport: 'tcp' } });
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address]);
    sim.advance(sim.now + 100);
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(sim.now + 100);
    for (const s of ['a', 'ab', 'abc', 'abcd', 'abcde']) sim.peerSend(PEER, payload(s));
    sim.advance(sim.now + 100);
    expect(sim.atClient.map((d) => [d.payload.toString(), d.channel])).to.deep.equal(
      ['a', 'ab', 'abc', 'abcd', 'abcde'].map((s) => [s, 0x4000]),
    );
  });
});
