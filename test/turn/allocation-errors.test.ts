import { expect } from 'chai';
import {
  encodeMessage, longTermKey, METHOD_ALLOCATE, METHOD_CHANNEL_BIND, METHOD_CREATE_PERMISSION,
  METHOD_REFRESH, type StunMessage,
} from '../../lib/stun/index.js';
import { restCredentials } from '../../lib/turn/rest-credentials.js';
import { CLIENT, PEER, RelaySim, SERVER } from './support/relay-sim.js';

/** Allocated, with a permission for PEER and a channel bound to it. */
function relayed(sim: RelaySim): void {
  sim.allocate();
  sim.client.permit(sim.now, [PEER.address]);
  sim.advance(sim.now + 100);
  sim.client.bindChannel(sim.now, PEER);
  sim.advance(sim.now + 100);
}

describe('turn: authentication errors (RFC 8489 §9.2, RFC 8656)', () => {
  const methods = [
    ['Allocate', METHOD_ALLOCATE], ['Refresh', METHOD_REFRESH],
    ['CreatePermission', METHOD_CREATE_PERMISSION], ['ChannelBind', METHOD_CHANNEL_BIND],
  ] as const;

  for (const [name, method] of methods) {
    it(`438 on ${name}: new nonce, new transaction id, and it goes through`, () => {
      const sim = new RelaySim();
      // Allocate: the first (unsigned) one draws the 401; the signed one meets the 438.
      if (method === METHOD_ALLOCATE) sim.server.inject(method, { kind: 'pass' });
      sim.server.inject(method, { kind: 'error', code: 438 });
      relayed(sim);
      sim.advance(600_000); // past the first refresh
      expect(sim.eventsOf('failed')).to.deep.equal([]);
      const reqs = sim.stunSent(method);
      const k = method === METHOD_ALLOCATE ? 1 : 0;
      const [stale, retry] = [reqs[k]!, reqs[k + 1]!];
      expect(stale.integrityOffset).to.be.a('number');
      expect(retry.integrityOffset).to.be.a('number');
      expect(retry.transactionId.equals(stale.transactionId)).to.equal(false);
      const nonce = (m: StunMessage): unknown => m.attributes.find((x) => x.type === 'NONCE');
      expect(nonce(retry)).to.not.deep.equal(nonce(stale));
      expect(sim.client.state).to.equal('allocated');
      expect(sim.eventsOf('channel-bound')).to.have.length(1);
      expect(sim.eventsOf('refreshed').length).to.be.greaterThan(0);
    });
  }

  it('438 three times in a row recovers; a fourth in a row fails with stale-nonce-loop', () => {
    const ok = new RelaySim();
    ok.server.inject(METHOD_REFRESH, { kind: 'error', code: 438 }, 3);
    ok.allocate();
    ok.advance(600_000);
    expect(ok.eventsOf('refreshed')).to.have.length(1);
    const bad = new RelaySim();
    bad.server.inject(METHOD_REFRESH, { kind: 'error', code: 438 }, 4);
    bad.allocate();
    bad.advance(600_000);
    expect(bad.eventsOf('failed').map((e) => [e.reason, e.code])).to.deep.equal([['stale-nonce-loop', 438]]);
    expect(bad.stunSent(METHOD_REFRESH)).to.have.length(4); // then no loop
  });

  it('401 to the signed Allocate (wrong password) fails with auth-failed, after exactly two Allocates', () => {
    const sim = new RelaySim({ client: { password: 'wrong' } });
    sim.allocate();
    sim.advance(60_000);
    expect(sim.eventsOf('failed').map((e) => [e.reason, e.recovery, e.code])).to.deep.equal([['auth-failed', 'none', 401]]);
    expect(sim.stunSent(METHOD_ALLOCATE)).to.have.length(2);
    expect(sim.client.pollTimeout()).to.equal(undefined);
  });

  it('an expired REST credential: the refresh meets 401 and the allocation fails once, never loops (goutils#570)', () => {
    const epoch = 1_700_000_000;
    const creds = restCredentials('s3cret', 'alice', 300, epoch); // valid for 5 min
    const sim = new RelaySim({
      server: { users: {}, restSecret: 's3cret', unixSeconds: (now) => epoch + now / 1000 },
      client: { username: creds.username, password: creds.password },
    });
    relayed(sim);
    expect(sim.client.state).to.equal('allocated');
    sim.advance(3_600_000);
    const failed = sim.eventsOf('failed');
    expect(failed.map((e) => [e.reason, e.code])).to.deep.equal([['auth-failed', 401]]);
    // The credential expired at 300 s; the next request (a refresh) met 401. Nothing is sent after that.
    const last = sim.sent.length;
    sim.advance(7_200_000);
    expect(sim.sent.length).to.equal(last);
  });

  it('437 to Allocate: allocation-mismatch, recovery new-socket, at most 3 times (history)', () => {
    for (const [retries, recovery] of [[0, 'new-socket'], [2, 'new-socket'], [3, 'none']] as const) {
      const sim = new RelaySim({ client: { history: { redirects: 0, mismatchRetries: retries } } });
      sim.server.inject(METHOD_ALLOCATE, { kind: 'error', code: 437 }, 2);
      sim.allocate();
      expect(sim.eventsOf('failed').map((e) => [e.reason, e.recovery])).to.deep.equal([['allocation-mismatch', recovery]]);
    }
  });

  it('437 to Refresh: the allocation is gone (allocation-lost, reallocate)', () => {
    const sim = new RelaySim();
    sim.allocate();
    sim.server.expireAllocation(CLIENT);
    sim.advance(600_000);
    expect(sim.eventsOf('failed').map((e) => [e.reason, e.recovery, e.code])).to.deep.equal([['allocation-lost', 'reallocate', 437]]);
  });

  for (const code of [486, 508]) {
    it(`${code} to Allocate: fall back to a plain Binding request`, () => {
      const sim = new RelaySim();
      sim.server.inject(METHOD_ALLOCATE, { kind: 'error', code }, 2);
      sim.allocate();
      expect(sim.eventsOf('failed').map((e) => [e.reason, e.recovery, e.code])).to.deep.equal([['fallback-to-binding', 'binding', code]]);
    });
  }

  it('300 + ALTERNATE-SERVER: a redirect outcome; a second redirect is refused', () => {
    const alternate = { address: '192.0.2.99', port: 3478, family: 4 as const };
    const sim = new RelaySim();
    sim.server.inject(METHOD_ALLOCATE, { kind: 'error', code: 300, alternate });
    sim.allocate();
    expect(sim.events).to.deep.equal([{ type: 'redirect', server: alternate }]);
    expect(sim.client.state).to.equal('redirected');
    const again = new RelaySim({ client: { history: { redirects: 1, mismatchRetries: 0 } } });
    again.server.inject(METHOD_ALLOCATE, { kind: 'error', code: 300, alternate });
    again.allocate();
    expect(again.eventsOf('failed').map((e) => e.reason)).to.deep.equal(['too-many-redirects']);
  });

  it('other Allocate errors fail with the code (442 unsupported transport, 403)', () => {
    for (const code of [403, 442]) {
      const sim = new RelaySim();
      sim.server.inject(METHOD_ALLOCATE, { kind: 'error', code }, 2);
      sim.allocate();
      expect(sim.eventsOf('failed').map((e) => [e.reason, e.code])).to.deep.equal([['error-response', code]]);
    }
  });
});

describe('turn: lost answers and timeouts (RFC 8489 §6.2)', () => {
  it('a lost Allocate response is retransmitted with the same transaction id and answered again', () => {
    const sim = new RelaySim();
    sim.server.inject(METHOD_ALLOCATE, { kind: 'drop-response' }); // the 401
    sim.server.inject(METHOD_ALLOCATE, { kind: 'pass' }); // the retransmission: 401
    sim.server.inject(METHOD_ALLOCATE, { kind: 'drop-response' }); // the success
    sim.allocate();
    sim.advance(5_000);
    expect(sim.client.state).to.equal('allocated');
    const reqs = sim.stunSent(METHOD_ALLOCATE);
    expect(reqs.length).to.equal(4); // 401 lost, retransmitted; success lost, retransmitted
    expect(reqs[3]!.transactionId.equals(reqs[2]!.transactionId)).to.equal(true);
  });

  it('a lost Refresh response: retransmitted, the allocation lives on', () => {
    const sim = new RelaySim();
    sim.server.inject(METHOD_REFRESH, { kind: 'drop-response' }, 3);
    sim.allocate();
    sim.advance(1_200_000);
    expect(sim.eventsOf('failed')).to.deep.equal([]);
    expect(sim.eventsOf('refreshed').length).to.equal(2);
  });

  it('no answer at all: Allocate fails with timeout after 39.5 s over UDP (7 sends)', () => {
    const sim = new RelaySim({ lose: () => true });
    sim.allocate();
    sim.advance(100_000);
    expect(sim.eventsOf('failed').map((e) => e.reason)).to.deep.equal(['timeout']);
    expect(sim.sent).to.have.length(7);
    expect(sim.now).to.equal(100_000);
  });

  it('over TCP/TLS nothing is retransmitted and a transaction gives up at 39.5 s', () => {
    const sim = new RelaySim({ lose: () => true, client: { transport: 'tcp' } });
    sim.client.start(0);
    sim.advance(39_499);
    expect(sim.eventsOf('failed')).to.deep.equal([]);
    sim.advance(39_500);
    expect(sim.eventsOf('failed').map((e) => e.reason)).to.deep.equal(['timeout']);
    expect(sim.sent).to.have.length(1);
  });

  it('Refresh timeouts are retried until the allocation expires, then failed: expired', () => {
    let cut = false;
    const sim = new RelaySim({ lose: () => cut, server: { maxLifetimeS: 120 } });
    sim.allocate();
    cut = true;
    sim.advance(1_000_000);
    expect(sim.eventsOf('failed').map((e) => [e.reason, e.recovery])).to.deep.equal([['expired', 'reallocate']]);
  });

  it('connection lost over TCP: connection-lost, reallocate', () => {
    const sim = new RelaySim({ client: { transport: 'tls' } });
    sim.allocate();
    sim.client.transportClosed(sim.now);
    sim.flush();
    expect(sim.eventsOf('failed').map((e) => [e.reason, e.recovery])).to.deep.equal([['connection-lost', 'reallocate']]);
  });
});

describe('turn: responses must match and be signed', () => {
  /** Allocated; the next Refresh's answer is lost so a forged one can be offered. */
  function pendingRefresh(): { sim: RelaySim; request: StunMessage } {
    let cut = false;
    const sim = new RelaySim({ lose: (dir) => cut && dir === 'down' });
    sim.allocate();
    cut = true;
    sim.advance(540_100);
    const request = sim.stunSent(METHOD_REFRESH)[0]!;
    return { sim, request };
  }

  const goodKey = longTermKey('alice', 'sim.test', 'alicepass');

  function response(request: StunMessage, key: Buffer | undefined, tid = request.transactionId): Buffer {
    return encodeMessage(
      { method: METHOD_REFRESH, cls: 'success', transactionId: tid, attributes: [{ type: 'LIFETIME', value: 600 }] },
      { ...(key && { integrityKey: key }), fingerprint: true },
    );
  }

  it('unsigned, forged or unmatched answers are dropped and counted; the signed one is taken', () => {
    const { sim, request } = pendingRefresh();
    expect(sim.deliver(SERVER, response(request, undefined))).to.deep.equal({ kind: 'dropped', reason: 'integrity' });
    expect(sim.deliver(SERVER, response(request, Buffer.from('forged')))).to.deep.equal({ kind: 'dropped', reason: 'integrity' });
    expect(sim.deliver(SERVER, response(request, goodKey, Buffer.alloc(12, 9)))).to.deep.equal({ kind: 'dropped', reason: 'unknown-transaction' });
    const wrongMethod = encodeMessage({ method: METHOD_ALLOCATE, cls: 'success', transactionId: request.transactionId, attributes: [] }, { integrityKey: goodKey });
    expect(sim.deliver(SERVER, wrongMethod)).to.deep.equal({ kind: 'dropped', reason: 'unknown-transaction' });
    expect(sim.deliver({ ...SERVER, address: '192.0.2.2' }, response(request, goodKey))).to.deep.equal({ kind: 'dropped', reason: 'not-from-server' });
    expect(sim.eventsOf('refreshed')).to.have.length(0);
    expect(sim.deliver(SERVER, response(request, goodKey))).to.deep.equal({ kind: 'control' });
    sim.flush();
    expect(sim.eventsOf('refreshed')).to.have.length(1);
    // The same answer again (a duplicate) matches nothing any more.
    expect(sim.deliver(SERVER, response(request, goodKey))).to.deep.equal({ kind: 'dropped', reason: 'unknown-transaction' });
    expect(sim.client.counters).to.include({ integrity: 2, 'unknown-transaction': 3, 'not-from-server': 1 });
  });

  it('an unsigned error other than 401/437/438 to a signed request is ignored (retransmissions go on)', () => {
    const { sim, request } = pendingRefresh();
    const unsigned403 = encodeMessage({ method: METHOD_REFRESH, cls: 'error', transactionId: request.transactionId, attributes: [{ type: 'ERROR-CODE', value: { code: 403, reason: 'Forbidden' } }] });
    expect(sim.deliver(SERVER, unsigned403)).to.deep.equal({ kind: 'dropped', reason: 'integrity' });
    sim.flush();
    expect(sim.eventsOf('failed')).to.deep.equal([]);
  });

  it('garbage from the server address is dropped as malformed, never thrown', () => {
    const { sim } = pendingRefresh();
    for (const junk of [Buffer.alloc(0), Buffer.from([0]), Buffer.alloc(20), Buffer.from('16fefd0000', 'hex'), Buffer.alloc(3, 0x40)]) {
      expect(sim.deliver(SERVER, junk).kind).to.equal('dropped');
    }
    expect(sim.client.counters.malformed).to.equal(5);
  });
});
