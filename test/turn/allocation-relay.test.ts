import { expect } from 'chai';
import {
  encodeMessage, getAttributes, METHOD_CHANNEL_BIND, METHOD_CREATE_PERMISSION, METHOD_DATA,
  METHOD_SEND, type StunMessage, type TransportAddress,
} from '../../lib/stun/index.js';
import { IceError } from '../../lib/util/errors.js';
import { PEER, PEER2, RelaySim, SERVER } from './support/relay-sim.js';
import { mustDecode } from '../support/stun-bytes.js';

function peersOf(m: StunMessage): string[] {
  return getAttributes(m, 'XOR-PEER-ADDRESS').map((a) => a.value.address);
}

const payload = (s: string): Buffer => Buffer.from(s);

describe('turn: permissions (RFC 8656 §9-10)', () => {
  it('one batched CreatePermission for a set of IPs; installed only after the success response', () => {
    const sim = new RelaySim();
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address, PEER2.address, '198.51.100.9']);
    sim.flush();
    const reqs = sim.stunSent(METHOD_CREATE_PERMISSION);
    expect(reqs.map(peersOf)).to.deep.equal([[PEER.address, PEER2.address, '198.51.100.9']]);
    expect(getAttributes(reqs[0]!, 'XOR-PEER-ADDRESS').every((a) => a.value.port === 0)).to.equal(true);
    // werift marked the permission before the result: here it is not installed yet.
    expect(sim.client.hasPermission(PEER.address, sim.now)).to.equal(false);
    sim.advance(sim.now + 100);
    expect(sim.client.hasPermission(PEER.address, sim.now)).to.equal(true);
    expect(sim.eventsOf('permission-created')).to.deep.equal([{ type: 'permission-created', ips: [PEER.address, PEER2.address, '198.51.100.9'] }]);
  });

  it('the hold queue is bounded per peer', () => {
    const sim = new RelaySim();
    sim.allocate();
    for (let i = 0; i < 4; i++) expect(sim.clientSend(PEER, payload(`q${i}`)).kind).to.equal('queued');
    expect(sim.clientSend(PEER, payload('q4'))).to.deep.equal({ kind: 'dropped', reason: 'queue-full' });
    sim.advance(sim.now + 100);
    expect(sim.atPeers).to.have.length(4);
  });

  it('refreshed every 120 s in one batch for the IPs still wanted; a forgotten IP lapses at the server', () => {
    const sim = new RelaySim({ server: { nonceLifetimeMs: 10_000_000 } }); // no 438 retries to count
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address, PEER2.address]);
    sim.advance(200_000);
    sim.client.forget(sim.now, [PEER2.address]);
    sim.advance(900_000);
    const batches = sim.stunSent(METHOD_CREATE_PERMISSION).map(peersOf);
    expect(batches.slice(0, 2)).to.deep.equal([[PEER.address, PEER2.address], [PEER.address, PEER2.address]]);
    expect(batches.slice(2).every((b) => b.length === 1 && b[0] === PEER.address)).to.equal(true);
    expect(batches.length).to.equal(8); // at 0.1, 120.1, 240.1 ... 840.1 s
    sim.peerSend(PEER, payload('a'));
    sim.peerSend(PEER2, payload('b'));
    sim.advance(sim.now + 100);
    expect(sim.atClient.map((d) => d.payload.toString())).to.deep.equal(['a']);
    expect(sim.server.drops['no-permission']).to.equal(1);
  });

  it('403 on a batch: split per IP, the event names only the refused peer; others are installed', () => {
    const sim = new RelaySim();
    sim.server.forbid(PEER2.address);
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address, PEER2.address]);
    sim.advance(sim.now + 200);
    expect(sim.eventsOf('permission-failed').map((e) => [e.ips, e.code])).to.deep.equal([[[PEER2.address], 403]]);
    expect(sim.eventsOf('permission-created').map((e) => e.ips)).to.deep.equal([[PEER.address]]);
    expect(sim.client.state).to.equal('allocated');
    expect(sim.clientSend(PEER2, payload('x'))).to.deep.equal({ kind: 'dropped', reason: 'permission-denied' });
    expect(sim.clientSend(PEER, payload('y')).kind).to.equal('send');
  });

  it('permissions are bounded', () => {
    const sim = new RelaySim({ client: { maxPermissions: 2 } });
    sim.allocate();
    sim.client.permit(sim.now, ['198.51.100.1', '198.51.100.2', '198.51.100.3']);
    sim.advance(sim.now + 100);
    expect(sim.eventsOf('permission-failed').map((e) => e.ips)).to.deep.equal([['198.51.100.3']]);
  });
});

describe('turn: channels (RFC 8656 §12)', () => {
  function withChannel(): RelaySim {
    const sim = new RelaySim();
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address, PEER2.address]);
    sim.advance(sim.now + 100);
    return sim;
  }

  it('numbers from 0x4000 up; Send indications until bound, then a 4-byte ChannelData header + the same payload', () => {
    const sim = withChannel();
    const data = payload('media');
    const before = sim.client.wrap(sim.now, PEER, data);
    expect(before.kind === 'send' && mustDecode(before.data[0]!).method).to.equal(METHOD_SEND);
    expect(sim.client.bindChannel(sim.now, PEER)).to.equal(0x4000);
    expect(sim.client.bindChannel(sim.now, PEER)).to.equal(0x4000); // once per peer
    expect(sim.client.bindChannel(sim.now, PEER2)).to.equal(0x4001);
    const during = sim.client.wrap(sim.now, PEER, data);
    expect(during.kind === 'send' && during.data.length).to.equal(1); // still a Send indication
    sim.advance(sim.now + 100);
    expect(sim.eventsOf('channel-bound').map((e) => e.channel)).to.deep.equal([0x4000, 0x4001]);
    const after = sim.client.wrap(sim.now, PEER, data);
    if (after.kind !== 'send') expect.fail(after.kind);
    expect(after.to).to.deep.equal(SERVER);
    expect(after.data[0]!.toString('hex')).to.equal('40000005');
    expect(after.data[1]).to.equal(data);
    expect(after.data).to.have.length(2); // no padding over UDP
  });

  it('data both ways over the channel; inbound ChannelData carries the channel and the peer', () => {
    const sim = withChannel();
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(sim.now + 100);
    sim.clientSend(PEER, payload('up'));
    sim.peerSend(PEER, payload('down'));
    sim.advance(sim.now + 100);
    expect(sim.atPeers.map((p) => p.data.toString())).to.deep.equal(['up']);
    expect(sim.atClient.map((d) => [d.payload.toString(), d.channel, d.peer])).to.deep.equal([['down', 0x4000, PEER]]);
    expect(sim.server.requests['channel-data']).to.equal(1);
  });

  it('403 on ChannelBind: channel-failed names that peer; data falls back to Send indications', () => {
    const sim = withChannel();
    sim.server.inject(METHOD_CHANNEL_BIND, { kind: 'error', code: 403 });
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(sim.now + 100);
    expect(sim.eventsOf('channel-failed').map((e) => [e.peer, e.channel, e.code])).to.deep.equal([[PEER, 0x4000, 403]]);
    const r = sim.client.wrap(sim.now, PEER, payload('x'));
    expect(r.kind === 'send' && mustDecode(r.data[0]!).method).to.equal(METHOD_SEND);
    expect(sim.client.state).to.equal('allocated');
  });

  it('releaseChannel: back to Send indications, the number is dead until the same peer is bound again', () => {
    const sim = withChannel();
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(sim.now + 100);
    sim.client.releaseChannel(PEER);
    expect(sim.client.channelOf(PEER)).to.equal(undefined);
    const r = sim.client.wrap(sim.now, PEER, payload('x'));
    expect(r.kind === 'send' && mustDecode(r.data[0]!).method).to.equal(METHOD_SEND);
    expect(sim.deliver(SERVER, Buffer.from('4000000178000000', 'hex'))).to.deep.equal({ kind: 'dropped', reason: 'unknown-channel' });
    // The server still holds 0x4000 for PEER (it answers 400 to another number): the number comes back.
    expect(sim.client.bindChannel(sim.now, PEER)).to.equal(0x4000);
    expect(sim.client.bindChannel(sim.now, PEER2)).to.equal(0x4001);
    sim.advance(sim.now + 100);
    expect(sim.eventsOf('channel-bound').map((e) => e.channel)).to.deep.equal([0x4000, 0x4000, 0x4001]);
    expect(sim.eventsOf('channel-failed')).to.deep.equal([]);
  });

  it('bindChannel misuse throws a typed error', () => {
    const sim = new RelaySim();
    expect(() => sim.client.bindChannel(0, PEER)).to.throw(IceError).with.property('code', 'ERR_INVALID_STATE');
    sim.allocate();
    expect(() => sim.client.bindChannel(sim.now, { address: '::1', port: 1, family: 6 })).to.throw(IceError).with.property('code', 'ERR_INVALID_ARGUMENT');
  });
});

describe('turn: hostile input at the TURN layer (dropped and counted, never thrown)', () => {
  function ready(): RelaySim {
    const sim = new RelaySim();
    sim.allocate();
    sim.client.permit(sim.now, [PEER.address]);
    sim.client.bindChannel(sim.now, PEER);
    sim.advance(sim.now + 100);
    return sim;
  }

  function dataIndication(peer: TransportAddress | undefined, data: Buffer | undefined): Buffer {
    return encodeMessage({
      method: METHOD_DATA, cls: 'indication', transactionId: Buffer.alloc(12, 3),
      attributes: [...(peer ? [{ type: 'XOR-PEER-ADDRESS' as const, value: peer }] : []), ...(data ? [{ type: 'DATA' as const, value: data }] : [])],
    });
  }

  it('ChannelData for an unknown channel, with a lying length, or reserved', () => {
    const sim = ready();
    expect(sim.deliver(SERVER, Buffer.from('40050001ff', 'hex'))).to.deep.equal({ kind: 'dropped', reason: 'unknown-channel' });
    expect(sim.deliver(SERVER, Buffer.from('40000010ffff', 'hex'))).to.deep.equal({ kind: 'dropped', reason: 'malformed' });
    expect(sim.deliver(SERVER, Buffer.from('400000', 'hex'))).to.deep.equal({ kind: 'dropped', reason: 'malformed' });
    expect(sim.deliver(SERVER, Buffer.from('50000000', 'hex'))).to.deep.equal({ kind: 'dropped', reason: 'malformed' });
    const ok = sim.deliver(SERVER, Buffer.from('4000000261620000', 'hex'));
    expect(ok.kind === 'data' && ok.payload.toString()).to.equal('ab');
  });

  it('Data indications: only with XOR-PEER-ADDRESS and DATA, from a permitted IP', () => {
    const sim = ready();
    const stranger: TransportAddress = { address: '203.0.113.66', port: 1, family: 4 };
    expect(sim.deliver(SERVER, dataIndication(stranger, payload('x')))).to.deep.equal({ kind: 'dropped', reason: 'not-permitted' });
    expect(sim.deliver(SERVER, dataIndication(undefined, payload('x')))).to.deep.equal({ kind: 'dropped', reason: 'not-permitted' });
    expect(sim.deliver(SERVER, dataIndication(PEER, undefined))).to.deep.equal({ kind: 'dropped', reason: 'not-permitted' });
    const ok = sim.deliver(SERVER, dataIndication(PEER, payload('fine')));
    expect(ok.kind === 'data' && ok.payload.toString()).to.equal('fine');
  });

  it('requests and other indications from the server are unexpected; nothing after close', () => {
    const sim = ready();
    const req = encodeMessage({ method: METHOD_SEND, cls: 'request', transactionId: Buffer.alloc(12, 1), attributes: [] });
    expect(sim.deliver(SERVER, req)).to.deep.equal({ kind: 'dropped', reason: 'unexpected' });
    const ind = encodeMessage({ method: METHOD_SEND, cls: 'indication', transactionId: Buffer.alloc(12, 1), attributes: [] });
    expect(sim.deliver(SERVER, ind)).to.deep.equal({ kind: 'dropped', reason: 'unexpected' });
    sim.client.close(sim.now);
    sim.advance(sim.now + 100);
    expect(sim.deliver(SERVER, dataIndication(PEER, payload('x')))).to.deep.equal({ kind: 'dropped', reason: 'inactive' });
    expect(sim.client.wrap(sim.now, PEER, payload('x'))).to.deep.equal({ kind: 'dropped', reason: 'not-allocated' });
  });

  it('10 000 random datagrams from the server address: no throw, every one accounted for', () => {
    const sim = ready();
    let seed = 12345;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 8; };
    let kinds = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = Buffer.alloc(rnd() % 64);
      for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
      if (i % 3 === 0 && b.length >= 4) b[0] = 0x40; // aim at ChannelData
      const r = sim.deliver(SERVER, b);
      if (r.kind !== 'control') kinds++;
    }
    const c = sim.client.counters;
    const dropped = Object.values(c).reduce((a, b) => a + b, 0);
    expect(dropped + sim.atClient.length).to.equal(kinds);
    expect(sim.client.state).to.equal('allocated');
  });
});
