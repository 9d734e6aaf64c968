// One hour of relayed traffic in virtual time, both directions, one datagram a second: no
// allocation, permission or channel may lapse and no datagram may be lost.
import { expect } from 'chai';
import { decodeMessage } from '../../lib/stun/index.js';
import type { TurnAllocationOptions } from '../../lib/turn/types.js';
import { PEER, RelaySim } from './support/relay-sim.js';
import type { DoubleOptions } from './support/turn-server-double.js';

interface Case {
  readonly name: string;
  readonly client?: Partial<TurnAllocationOptions>;
  readonly server?: Partial<DoubleOptions>;
  /** Fraction of STUN control messages lost each way (data is never lost). */
  readonly controlLoss?: number;
}

const HOUR_S = 3600;
// coturn's short-timer flags: --stale-nonce=5 --max-allocate-lifetime=30 --permission-lifetime=20 --channel-lifetime=30
const SHORT_SERVER: Partial<DoubleOptions> = { nonceLifetimeMs: 5_000, maxLifetimeS: 30, permissionLifetimeMs: 20_000, channelLifetimeMs: 30_000 };
const SHORT_CLIENT: Partial<TurnAllocationOptions> = { permissionRefreshMs: 8_000, permissionLifetimeMs: 20_000, channelRefreshMs: 12_000, channelLifetimeMs: 30_000 };

const CASES: readonly Case[] = [
  { name: 'UDP, RFC timers, nonce expiring every 10 min (coturn default)' },
  { name: 'TCP, RFC timers (padded ChannelData through the stream framer)', client: { transport: 'tcp' } },
  { name: 'UDP, coturn short timers (lifetime 30 s, permission 20 s, channel 30 s, nonce 5 s)', client: SHORT_CLIENT, server: SHORT_SERVER },
  { name: 'UDP, RFC timers, 20% of control messages lost each way', controlLoss: 0.2 },
];

function lossy(fraction: number, lost: { count: number }): (dir: 'up' | 'down', data: Buffer) => boolean {
  let seed = 424242;
  return (_dir, data) => {
    if (fraction === 0 || data[0]! >= 0x40) return false; // ChannelData is data
    const d = decodeMessage(data);
    if (d.ok && d.message.cls === 'indication') return false; // Send/Data indications are data
    seed = (seed * 1103515245 + 12345) >>> 0;
    const lose = (seed >>> 8) / 0x1000000 < fraction;
    if (lose) lost.count++;
    return lose;
  };
}

describe('turn: one hour of relayed traffic in virtual time', function () {
  this.timeout(60_000);

  for (const c of CASES) {
    it(c.name, () => {
      const lost = { count: 0 };
      const sim = new RelaySim({
        ...(c.client && { client: c.client }), ...(c.server && { server: c.server }),
        lose: lossy(c.controlLoss ?? 0, lost),
      });
      sim.allocate();
      expect(sim.client.state).to.equal('allocated');
      sim.client.permit(sim.now, [PEER.address]); // RFC 8445 §7.2.1: before the first check
      for (let s = 1; s <= HOUR_S; s++) {
        sim.advance(s * 1000);
        if (s === 10) sim.client.bindChannel(sim.now, PEER); // the pair got selected
        const r = sim.clientSend(PEER, Buffer.from(`up-${s}`));
        expect(r.kind, `second ${s}`).to.not.equal('dropped');
        sim.peerSend(PEER, Buffer.from(`down-${s}`));
      }
      sim.advance((HOUR_S + 5) * 1000);

      const expected = (dir: string): string[] => Array.from({ length: HOUR_S }, (_, i) => `${dir}-${i + 1}`);
      expect(sim.atPeers.map((p) => p.data.toString())).to.deep.equal(expected('up'));
      expect(sim.atClient.map((d) => d.payload.toString())).to.deep.equal(expected('down'));
      expect(sim.server.drops, 'nothing dropped or lapsed at the server').to.deep.equal({});
      expect(sim.events.filter((e) => e.type.endsWith('failed'))).to.deep.equal([]);
      expect(sim.client.state).to.equal('allocated');
      // Upkeep really happened: refreshes of each kind, and the channel carried the data.
      expect(sim.server.requests['refresh']).to.be.greaterThan(5);
      expect(sim.server.requests['permission']).to.be.greaterThan(25);
      expect(sim.server.requests['channel']).to.be.greaterThan(11);
      expect(sim.server.requests['channel-data']).to.equal(HOUR_S - 10); // from second 11 on
      if (c.controlLoss) expect(lost.count, 'control messages lost').to.be.greaterThan(10);
      expect(sim.atClient.filter((d) => d.channel !== undefined).length).to.be.greaterThan(HOUR_S - 11);
    });
  }
});
