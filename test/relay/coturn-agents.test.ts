// Two IceAgents relaying through a real coturn (Debian's turnserver 4.6) on loopback: static user
// and REST secret, over UDP, TCP and TLS (a certificate the test makes), relay-only so that
// relaying really happens; the same with coturn stopped fails cleanly; 65 s with coturn's
// short-timer flags in which data keeps flowing.
import { expect } from 'chai';
import type { IceAgentOptions } from '../../lib/index.js';
import { restCredentials } from '../../lib/turn/rest-credentials.js';
import { coturnMissing, PASS, SECRET, startCoturn, USER, type Coturn } from '../support/coturn.js';
import { exchange, gatherPair, until, type AgentPair } from './support/agent-pair.js';

const missing = coturnMissing();
const CONNECTED = ['connected', 'completed'] as const;

type Transport = 'udp' | 'tcp' | 'tls';

function url(c: Coturn, t: Transport): string {
  if (t === 'tls') return `turns:127.0.0.1:${c.tlsPort}`;
  return `turn:127.0.0.1:${c.port}${t === 'tcp' ? '?transport=tcp' : ''}`;
}

function relayOptions(c: Coturn, t: Transport, creds: { username: string; credential: string }): IceAgentOptions {
  return {
    iceServers: [{ urls: url(c, t), ...creds }], iceTransportPolicy: 'relay',
    ...(t === 'tls' && { turnTlsCa: c.certPem! }),
  };
}

/** Relay-only agents connect relay <-> relay, sources in coturn's range, data both ways, a channel bound. */
async function relaysBothWays(c: Coturn, p: AgentPair): Promise<void> {
  await Promise.all([p.a.waitFor([...CONNECTED], 15_000), p.b.waitFor([...CONNECTED], 15_000)]);
  const inRange = (port: number): boolean => port >= c.relayPorts.min && port <= c.relayPorts.max;
  for (const x of [p.a, p.b]) {
    const sel = x.getSelectedPair(1)!;
    expect(sel.local.type).to.equal('relay');
    expect(inRange(sel.local.port), `relayed port ${sel.local.port}`).to.equal(true);
    expect(x.localCandidates.map((l) => l.type)).to.deep.equal(['relay']);
  }
  const atB = await exchange(p, p.a, 'a to b, first');
  const atA = await exchange(p, p.b, 'b to a, first');
  // The peer sees the data coming from coturn's relay ports, not from the other agent's sockets.
  expect(atB.from.address).to.equal('127.0.0.1');
  expect(inRange(atB.from.port), `source ${atB.from.port} in ${c.relayPorts.min}-${c.relayPorts.max}`).to.equal(true);
  expect(inRange(atA.from.port)).to.equal(true);
  await until(() => p.a.relays[0]!.channels === 1 && p.b.relays[0]!.channels === 1, 5000, 'a channel on each side');
  for (let i = 0; i < 5; i++) {
    await exchange(p, p.a, `a over the channel ${i} ${'x'.repeat(i)}`);
    await exchange(p, p.b, `b over the channel ${i} ${'y'.repeat(i)}`);
  }
  for (const x of [p.a, p.b]) {
    const r = x.relays[0]!;
    expect(r.state).to.equal('allocated');
    expect(Object.values(r.drops).reduce((s, n) => s + n, 0), JSON.stringify(r.drops)).to.equal(0);
  }
}

describe('relay: IceAgents through coturn on loopback', function () {
  this.timeout(60_000);
  const pairs: AgentPair[] = [];
  before(function () {
    if (missing) {
      console.log(`      (skipped: ${missing})`);
      this.skip();
    }
  });
  afterEach(async () => { await Promise.all(pairs.splice(0).map((p) => p.close())); });

  async function pair(common: IceAgentOptions, a: IceAgentOptions = {}, b: IceAgentOptions = {}): Promise<AgentPair> {
    const p = await gatherPair(common, a, b);
    pairs.push(p);
    return p;
  }

  /** A failed test prints how its coturn is doing (a crash, its last log lines). */
  function diagnose(c: () => Coturn | undefined): void {
    afterEach(function () {
      const server = c();
      if (this.currentTest?.state !== 'failed' || !server) return;
      console.log(`      coturn: ${server.exitStatus() ?? 'running'}; last log lines:\n${server.log().split('\n').slice(-30).join('\n')}`);
    });
  }

  describe('static user (--lt-cred-mech)', () => {
    let c: Coturn;
    before(async () => { if (!missing) c = await startCoturn({ auth: 'static', tls: true }); });
    after(async () => { await c?.stop(); });
    diagnose(() => c);

    for (const t of ['udp', 'tcp', 'tls'] as const) {
      it(`${t}: relay-only agents select relay candidates, the peer sees coturn's relay ports, data both ways`, async () => {
        await relaysBothWays(c, await pair(relayOptions(c, t, { username: USER, credential: PASS })));
      });
    }

    it("policy 'all': host, srflx (the client socket's) and relay candidates; the host pair wins on loopback", async () => {
      const p = await pair({ addresses: ['127.0.0.1'], iceServers: [{ urls: url(c, 'udp'), username: USER, credential: PASS }] });
      await Promise.all([p.a.waitFor([...CONNECTED], 15_000), p.b.waitFor([...CONNECTED], 15_000)]);
      expect(p.a.localCandidates.map((l) => l.type)).to.deep.equal(['host', 'relay', 'srflx']);
      expect(p.a.getSelectedPair(1)!.local.type).to.equal('host');
      await exchange(p, p.a, 'direct');
    });

    it('wrong password: the relay fails (auth-failed, 401) with a warning; gathering completes', async () => {
      const p = await pair(relayOptions(c, 'udp', { username: USER, credential: 'wrong' }));
      for (const x of [p.a, p.b]) {
        expect(x.relays[0]).to.deep.include({ state: 'failed', reason: 'auth-failed', code: 401 });
        expect(p.relayEvents.get(x)!.map((r) => r.state)).to.deep.equal(['failed']);
        expect(p.warnings.get(x)!.join('\n')).to.match(/ERR_TURN: TURN turn:127\.0\.0\.1:\d+ \(component 1\): auth-failed \(401\)/);
        expect(x.gatheringState).to.equal('complete');
      }
    });

    it('a TLS server whose certificate is not trusted: the relay fails with the TLS error', async () => {
      const p = await pair({ iceServers: [{ urls: url(c, 'tls'), username: USER, credential: PASS }], iceTransportPolicy: 'relay' });
      expect(p.a.relays[0]).to.deep.include({ state: 'failed', reason: 'socket' });
      expect(p.a.relays[0]!.detail).to.match(/^TLS connection to 127\.0\.0\.1:\d+ failed: .*(self.signed|certificate)/i);
    });
  });

  describe('REST secret (--use-auth-secret)', () => {
    let c: Coturn;
    before(async () => { if (!missing) c = await startCoturn({ auth: 'rest', tls: true }); });
    after(async () => { await c?.stop(); });

    for (const t of ['udp', 'tcp', 'tls'] as const) {
      it(`${t}: a fresh REST credential relays both ways`, async () => {
        const { username, password } = restCredentials(SECRET, 'alice', 600, Date.now() / 1000);
        await relaysBothWays(c, await pair(relayOptions(c, t, { username, credential: password })));
      });
    }
  });

  describe('coturn stops mid-session', () => {
    it('tcp: the connection drops, each relay fails (connection-lost), its pair fails, ICE fails at once', async () => {
      const c = await startCoturn({ auth: 'static' });
      let stopped = false;
      try {
        const p = await pair(relayOptions(c, 'tcp', { username: USER, credential: PASS }));
        await Promise.all([p.a.waitFor([...CONNECTED], 15_000), p.b.waitFor([...CONNECTED], 15_000)]);
        await c.stop();
        stopped = true;
        for (const x of [p.a, p.b]) {
          await x.waitFor(['failed'], 10_000);
          expect(x.relays[0]).to.deep.include({ state: 'failed', reason: 'connection-lost' });
          expect(p.relayEvents.get(x)!.map((r) => r.state)).to.deep.equal(['allocated', 'failed']);
          expect(() => x.send(1, Buffer.from('x'))).to.throw(/no selected pair/);
        }
      } finally {
        if (!stopped) await c.stop();
      }
    });
  });

  describe('coturn stopped', () => {
    it('the same relay-only agents fail cleanly: the relay fails, ICE fails, nothing hangs', async () => {
      const c = await startCoturn({ auth: 'static' });
      await c.stop();
      const p = await pair(relayOptions(c, 'tcp', { username: USER, credential: PASS }));
      expect(p.a.relays[0]).to.deep.include({ state: 'failed', reason: 'socket' });
      expect(p.a.relays[0]!.detail).to.match(/ECONNREFUSED/);
      let error: unknown;
      await p.a.waitFor([...CONNECTED], 15_000).catch((e: unknown) => (error = e));
      expect((error as { code?: string }).code).to.equal('ERR_ICE_FAILED');
      expect(p.a.localCandidates).to.deep.equal([]);
    });
  });

  describe('short timers: --stale-nonce=5 --max-allocate-lifetime=30 --permission-lifetime=20 --channel-lifetime=30', () => {
    let c: Coturn;
    before(async () => {
      if (!missing) c = await startCoturn({ auth: 'static', extra: ['--stale-nonce=5', '--max-allocate-lifetime=30', '--permission-lifetime=20', '--channel-lifetime=30'] });
    });
    after(async () => { await c?.stop(); });

    it('udp, 65 s: two relay-only agents keep exchanging data while allocations, permissions and channels are refreshed', async function () {
      this.timeout(120_000);
      const relayTimers = { permissionRefreshMs: 8_000, permissionLifetimeMs: 20_000, channelRefreshMs: 12_000, channelLifetimeMs: 30_000 };
      const p = await pair({ ...relayOptions(c, 'udp', { username: USER, credential: PASS }), relayTimers });
      await Promise.all([p.a.waitFor([...CONNECTED], 15_000), p.b.waitFor([...CONNECTED], 15_000)]);
      expect(p.a.relays[0]!.lifetimeS).to.equal(30);
      const t0 = Date.now();
      const sentAt = new Map<string, number>();
      for (let i = 0; Date.now() - t0 < 65_000; i++) {
        for (const [x, name] of [[p.a, 'a'], [p.b, 'b']] as const) {
          sentAt.set(`${name}${i}`, Date.now() - t0);
          x.send(1, Buffer.from(`${name}${i}`));
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      await until(() => p.received.get(p.b)!.length > 0 && p.received.get(p.a)!.length > 0, 5000, 'data');
      // Every 10 s window saw data each way (loss-tolerant: no all-or-nothing count).
      for (const x of [p.a, p.b]) {
        const windows = new Set(p.received.get(x)!.map((r) => Math.floor(sentAt.get(r.text)! / 10_000)));
        expect([...windows].sort((m, n) => m - n), x === p.a ? 'at a' : 'at b').to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
        expect(x.relays[0]).to.deep.include({ state: 'allocated', channels: 1 });
        expect(x.iceState).to.be.oneOf([...CONNECTED]);
      }
      expect([...p.relayEvents.values()].flat().map((r) => r.state)).to.deep.equal(['allocated', 'allocated']);
    });
  });
});
