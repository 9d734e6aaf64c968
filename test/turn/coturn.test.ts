// The pure TurnAllocation, driven on real sockets against coturn (Debian's turnserver 4.6) on
// loopback: static user and REST secret, over UDP, TCP and TLS, with a UDP echo peer behind the relay.
import { expect } from 'chai';
import type { TransportAddress } from '../../lib/stun/index.js';
import { restCredentials } from '../../lib/turn/rest-credentials.js';
import type { TurnEvent, TurnTransport } from '../../lib/turn/types.js';
import { coturnMissing, PASS, SECRET, startCoturn, USER, type Coturn } from '../support/coturn.js';
import { pace } from '../support/waits.js';
import { EchoPeer, TurnDriver, type DriverOptions } from './support/turn-driver.js';

const LOOPBACK = (port: number): TransportAddress => ({ address: '127.0.0.1', port, family: 4 });
const missing = coturnMissing();

function serverFor(c: Coturn, transport: TurnTransport): TransportAddress {
  return LOOPBACK(transport === 'tls' ? c.tlsPort! : c.port);
}

async function allocated(d: TurnDriver): Promise<Extract<TurnEvent, { type: 'allocated' }>> {
  d.start();
  await d.waitFor(() => d.event('allocated') !== undefined || d.event('failed') !== undefined, 15_000, 'the allocation');
  const failed = d.event('failed');
  if (failed) expect.fail(`allocation failed: ${JSON.stringify(failed)}`);
  return d.event('allocated')!;
}

/** Send through the relay and wait for the echo; returns the channel it came back on. */
async function echo(d: TurnDriver, peer: EchoPeer, text: string): Promise<number | undefined> {
  const r = d.send(peer.address, Buffer.from(text));
  expect(r.kind, text).to.not.equal('dropped');
  const got = (): { channel: number | undefined } | undefined => d.received.find((x) => x.payload.toString() === text);
  await d.waitFor(() => got() !== undefined, 10_000, `the echo of '${text}'`);
  return got()!.channel;
}

async function relayBothWays(c: Coturn, d: TurnDriver, peer: EchoPeer): Promise<void> {
  const a = await allocated(d);
  expect(a.relayed.address).to.equal('127.0.0.1');
  expect(a.relayed.port).to.be.within(c.relayPorts.min, c.relayPorts.max);
  expect(a.mapped).to.deep.equal(d.local);
  expect(a.lifetimeS).to.equal(600);
  // No permit() first: the datagram waits for the permission wrap() asks for, then goes as a Send indication.
  expect(await echo(d, peer, 'via a Send indication')).to.equal(undefined);
  expect(d.event('permission-created')?.ips).to.deep.equal(['127.0.0.1']);
  expect(peer.sources.at(-1)).to.deep.equal(a.relayed); // the peer sees the relayed address
  expect(d.bindChannel(peer.address)).to.equal(0x4000);
  await d.waitFor(() => d.event('channel-bound') !== undefined, 10_000, 'channel-bound');
  for (const text of ['via the channel', 'odd length: 17 b', 'x']) expect(await echo(d, peer, text), text).to.equal(0x4000);
  expect(d.allocation.counters).to.deep.include({ malformed: 0, integrity: 0, 'not-permitted': 0, 'unknown-channel': 0 });
  await d.close();
  expect(d.event('closed')).to.deep.equal({ type: 'closed', acknowledged: true });
}

describe('turn: TurnAllocation against coturn on loopback', function () {
  this.timeout(60_000);
  let peer: EchoPeer;
  const drivers: TurnDriver[] = [];

  before(async function () {
    if (missing) {
      console.log(`      (skipped: ${missing})`);
      this.skip();
    }
    peer = await EchoPeer.open();
  });
  afterEach(() => { for (const d of drivers.splice(0)) d.shutdown(); });
  after(() => peer?.close());

  async function driver(c: Coturn, o: Partial<DriverOptions> & { transport: TurnTransport }): Promise<TurnDriver> {
    const d = await TurnDriver.open({
      server: serverFor(c, o.transport), username: USER, password: PASS,
      ...(o.transport === 'tls' && c.certPem && { pinnedCert: c.certPem }), ...o,
    });
    drivers.push(d);
    return d;
  }

  describe('static user (--lt-cred-mech)', () => {
    let c: Coturn;
    before(async () => { if (!missing) c = await startCoturn({ auth: 'static', tls: true }); });
    after(async () => { await c?.stop(); });

    for (const transport of ['udp', 'tcp', 'tls'] as const) {
      it(`${transport}: Allocate (401 → signed), permission, Send/Data, ChannelBind, ChannelData both ways, close`, async () => {
        await relayBothWays(c, await driver(c, { transport }), peer);
      });
    }

    it('wrong password: failed with auth-failed after two Allocates, no loop', async () => {
      const d = await driver(c, { transport: 'udp', password: 'wrong' });
      d.start();
      await d.waitFor(() => d.event('failed') !== undefined, 15_000, 'failed');
      expect(d.event('failed')).to.include({ reason: 'auth-failed', recovery: 'none', code: 401 });
      expect(d.errorCodes).to.deep.equal([401, 401]);
      expect(d.allocation.pollTimeout()).to.equal(undefined);
    });

    it('a TLS server whose certificate is not the pinned one is refused', async () => {
      const other = await startCoturn({ auth: 'static', tls: true });
      try {
        let error: unknown;
        await TurnDriver.open({ server: LOOPBACK(other.tlsPort!), transport: 'tls', username: USER, password: PASS, pinnedCert: c.certPem! })
          .then((d) => d.shutdown(), (e: unknown) => { error = e; });
        expect(String(error)).to.match(/certificate|self.signed|pinned/i);
      } finally {
        await other.stop();
      }
    });
  });

  describe('REST secret (--use-auth-secret)', () => {
    let c: Coturn;
    before(async () => { if (!missing) c = await startCoturn({ auth: 'rest', tls: true }); });
    after(async () => { await c?.stop(); });

    for (const transport of ['udp', 'tls'] as const) {
      it(`${transport}: a fresh REST credential allocates and relays`, async () => {
        const creds = restCredentials(SECRET, 'alice', 600, Date.now() / 1000);
        await relayBothWays(c, await driver(c, { transport, ...creds }), peer);
      });
    }

    it('an expired REST credential: auth-failed, typed', async () => {
      const creds = restCredentials(SECRET, 'alice', 10, Date.now() / 1000 - 60);
      const d = await driver(c, { transport: 'udp', ...creds });
      d.start();
      await d.waitFor(() => d.event('failed') !== undefined, 15_000, 'failed');
      expect(d.event('failed')).to.include({ reason: 'auth-failed', code: 401 });
    });
  });

  describe('short timers: --stale-nonce=5 --max-allocate-lifetime=30 --permission-lifetime=20 --channel-lifetime=30', () => {
    let c: Coturn;
    before(async () => {
      if (!missing) c = await startCoturn({ auth: 'static', extra: ['--stale-nonce=5', '--max-allocate-lifetime=30', '--permission-lifetime=20', '--channel-lifetime=30'] });
    });
    after(async () => { await c?.stop(); });

    it('udp, 65 s: refreshes meet 438 and recover; allocation, permission and channel outlive their lifetimes; data keeps flowing', async function () {
      this.timeout(120_000);
      const d = await driver(c, {
        transport: 'udp', permissionRefreshMs: 8_000, permissionLifetimeMs: 20_000, channelRefreshMs: 12_000, channelLifetimeMs: 30_000,
      });
      const a = await allocated(d);
      expect(a.lifetimeS).to.equal(30); // capped by --max-allocate-lifetime
      d.permit([peer.address.address]);
      d.bindChannel(peer.address);
      await d.waitFor(() => d.event('channel-bound') !== undefined, 10_000, 'channel-bound');
      // A datagram every 500 ms for 65 s; coturn drops it if the allocation, the permission (20 s)
      // or the channel (30 s) lapsed.
      const start = d.now();
      const sentAt = new Map<string, number>();
      for (let i = 0; d.now() - start < 65_000; i++) {
        sentAt.set(`t-${i}`, d.now() - start);
        d.send(peer.address, Buffer.from(`t-${i}`));
        await pace(500); // a sender's pace against coturn's real-time lifetimes
      }
      await d.waitFor(() => d.received.some((x) => x.payload.toString() === `t-${sentAt.size - 1}`), 10_000, 'the last echo');
      // Every 10 s window saw echoes over the channel (loss-tolerant: no all-or-nothing count).
      const windows = new Set(d.received.filter((x) => x.channel === 0x4000).map((x) => Math.floor(sentAt.get(x.payload.toString())! / 10_000)));
      expect([...windows].sort((x, y) => x - y)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
      expect(d.errorCodes.filter((x) => x === 438).length, 'stale nonces met').to.be.greaterThan(2);
      expect(d.events.filter((e) => e.type === 'refreshed').length).to.be.greaterThan(2);
      expect(d.events.filter((e) => e.type.endsWith('failed'))).to.deep.equal([]);
      await d.close();
    });
  });
});
