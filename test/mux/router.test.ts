import { expect } from 'chai';
import { DuplicateUfragError, MuxRouter, type PeerAddress } from '../../lib/mux/index.js';
import { IceError } from '../../lib/util/errors.js';
import { addr, allocate, check, response, rtp, tid } from './support.js';

type Agent = { readonly name: string };
const A: Agent = { name: 'A' };
const B: Agent = { name: 'B' };
const X = addr('198.51.100.7', 40000);
const Y = addr('198.51.100.8', 40000);
const STUN_SERVER = addr('203.0.113.1', 3478);

function router(o?: ConstructorParameters<typeof MuxRouter<Agent>>[0]): MuxRouter<Agent> {
  const r = new MuxRouter<Agent>(o);
  r.register(A, 'ufragA');
  r.register(B, 'ufragB');
  return r;
}

function expectCode(fn: () => unknown, code: string): IceError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(IceError);
    expect((e as IceError).code).to.equal(code);
    return e as IceError;
  }
  throw new Error('did not throw');
}

describe('mux: MuxRouter routing', () => {
  it('routes a check by the ufrag in USERNAME without registering its source', () => {
    const r = router();
    expect(r.route(X, check('ufragA'), 0)).to.equal(A);
    expect(r.route(X, check('ufragB'), 0)).to.equal(B);
    expect(r.agentAt(X)).to.equal(undefined);
    expect(r.route(X, rtp(), 0)).to.equal(undefined);
    expect(r.stats().counters.routedByUfrag).to.equal(2);
    expect(r.stats().counters.drops['unknown-address']).to.equal(1);
  });

  it('routes data from an address only after the agent authenticated it', () => {
    const r = router();
    r.authenticated(A, X, 10);
    expect(r.route(X, rtp(), 11)).to.equal(A);
    expect(r.route({ address: X.address, port: X.port + 1 }, rtp(), 11)).to.equal(undefined);
    expect(r.route({ address: '198.51.100.70', port: X.port }, rtp(), 11)).to.equal(undefined);
    expect(r.stats().counters.routedByAddress).to.equal(1);
    expect(r.size()).to.deep.equal({ agents: 2, addresses: 1, transactions: 0 });
  });

  it('keeps IPv6 and IPv4 addresses apart, exact text and port', () => {
    const r = router();
    const v6 = addr('2001:db8::1', 5000);
    r.authenticated(A, v6, 0);
    r.authenticated(B, addr('192.0.2.1', 5000), 0);
    expect(r.route(v6, rtp(), 0)).to.equal(A);
    expect(r.route(addr('192.0.2.1', 5000), rtp(), 0)).to.equal(B);
    expect(r.route(addr('2001:db8::1', 5001), rtp(), 0)).to.equal(undefined);
  });

  it('sends a check for its ufrag to the agent even from an address another agent owns', () => {
    const r = router();
    r.authenticated(A, X, 0);
    expect(r.route(X, check('ufragB'), 1)).to.equal(B);
    expect(r.agentAt(X), 'routing alone never moves an address').to.equal(A);
  });

  it('drops a check for an unknown ufrag silently, even from a known address', () => {
    const r = router();
    r.authenticated(A, X, 0);
    expect(r.route(X, check('nobody'), 1)).to.equal(undefined);
    expect(r.route(Y, check('nobody'), 1)).to.equal(undefined);
    expect(r.stats().counters.drops['unknown-ufrag']).to.equal(2);
  });

  it('falls back to the address map for STUN it cannot route by name, and counts each reason', () => {
    const r = router();
    const noUser = check('x', { username: null });
    const badUser = check('x', { username: 'no colon' });
    const indication = check('ufragA', { cls: 'indication', username: null });
    const malformed = Buffer.from(check('ufragA')).subarray(0, 24);
    for (const d of [noUser, badUser, indication, malformed, allocate()]) expect(r.route(Y, d, 0)).to.equal(undefined);
    r.authenticated(A, Y, 0);
    for (const d of [noUser, badUser, indication, malformed, allocate()]) expect(r.route(Y, d, 0)).to.equal(A);
    expect(r.stats().counters.drops).to.include({ 'no-username': 2, indication: 1, 'malformed-stun': 1, 'not-binding': 1 });
    expect(r.stats().counters.routedByAddress).to.equal(5);
  });

  it('treats an empty datagram as data', () => {
    const r = router();
    expect(r.route(X, Buffer.alloc(0), 0)).to.equal(undefined);
    r.authenticated(B, X, 0);
    expect(r.route(X, Buffer.alloc(0), 0)).to.equal(B);
  });
});

describe('mux: MuxRouter responses (by transaction id)', () => {
  it('brings each response back to the agent that sent the request, though both asked the same server', () => {
    const r = router();
    const ta = tid();
    const tb = tid();
    r.requestSent(A, STUN_SERVER, check('srv0', { username: null, transactionId: ta }), 0);
    r.requestSent(B, STUN_SERVER, check('srv0', { username: null, transactionId: tb }), 0);
    expect(r.size().transactions).to.equal(2);
    expect(r.route(STUN_SERVER, response(tb), 5)).to.equal(B);
    expect(r.route(STUN_SERVER, response(ta, 'error'), 5)).to.equal(A);
    expect(r.size().transactions).to.equal(0);
    expect(r.stats().counters.routedByTransaction).to.equal(2);
  });

  it('prefers the transaction over the address map (the remote address may belong to another agent)', () => {
    const r = router();
    r.authenticated(A, X, 0);
    const t = tid();
    r.requestSent(B, X, check('peer', { transactionId: t }), 1);
    expect(r.route(X, response(t), 2)).to.equal(B);
    expect(r.route(X, response(tid()), 2), 'an unknown response falls back to the address map').to.equal(A);
  });

  it('drops a response from another address and keeps the entry for the real one', () => {
    const r = router();
    const t = tid();
    r.requestSent(A, X, check('peer', { transactionId: t }), 0);
    expect(r.route(Y, response(t), 1)).to.equal(undefined);
    expect(r.stats().counters.drops['response-wrong-source']).to.equal(1);
    expect(r.route(X, response(t), 2)).to.equal(A);
  });

  it('expires requests transactionTtlMs after their first transmission; a retransmission is no new entry', () => {
    const r = router({ transactionTtlMs: 1000 });
    const t1 = tid();
    const t2 = tid();
    const req1 = check('peer', { transactionId: t1 });
    r.requestSent(A, X, req1, 0);
    r.requestSent(A, X, check('peer', { transactionId: t2 }), 500);
    r.requestSent(A, X, req1, 900); // retransmission: same id
    expect(r.size().transactions).to.equal(2);
    expect(r.route(X, response(t1), 1000)).to.equal(undefined);
    expect(r.stats().counters.drops['unmatched-response']).to.equal(1);
    expect(r.route(X, response(t2), 1499)).to.equal(A);
    expect(r.stats().counters).to.include({ transactionsRecorded: 2, transactionsRetransmitted: 1, transactionsExpired: 1, transactionsMatched: 1 });
  });

  it('answers out of order and expires the rest, leaving nothing behind', () => {
    const r = router({ transactionTtlMs: 100, maxTransactionsPerAgent: 10_000 });
    const ids = Array.from({ length: 20_000 }, () => tid());
    ids.forEach((t, i) => r.requestSent(i % 2 ? A : B, X, check('peer', { transactionId: t }), i / 1000));
    let matched = 0;
    for (let i = ids.length - 1; i >= 0; i -= 3) if (r.route(X, response(ids[i]!), 50) !== undefined) matched++;
    expect(matched).to.equal(Math.ceil(ids.length / 3));
    expect(r.size().transactions).to.equal(ids.length - matched);
    r.requestSent(A, Y, check('peer'), 1000); // any call expires what is due
    expect(r.size().transactions).to.equal(1);
    expect(r.stats().counters.transactionsExpired).to.equal(ids.length - matched);
  });

  it('drops a response to an agent that has been unregistered, even if the handle registers again', () => {
    const r = router();
    const t = tid();
    r.requestSent(A, X, check('peer', { transactionId: t }), 0);
    r.unregister(A);
    r.register(A, 'ufragA2');
    expect(r.route(X, response(t), 1)).to.equal(undefined);
    expect(r.stats().counters.drops['stale-transaction']).to.equal(1);
  });

  it('ignores what is not a request, and caps the table per agent and in total', () => {
    const r = router({ maxTransactionsPerAgent: 3, maxTransactions: 5 });
    r.requestSent(A, X, rtp(), 0);
    r.requestSent(A, X, response(tid()), 0);
    r.requestSent(A, X, check('x', { cls: 'indication' }), 0);
    expect(r.size().transactions).to.equal(0);
    for (let i = 0; i < 5; i++) r.requestSent(A, X, check('peer'), 0);
    expect(r.size().transactions).to.equal(3);
    for (let i = 0; i < 5; i++) r.requestSent(B, X, check('peer'), 0);
    expect(r.size().transactions).to.equal(5);
    expect(r.stats().counters.transactionsRefused).to.equal(5);
  });

  it('never lets one agent take over another agent\'s transaction id', () => {
    const r = router();
    const t = tid();
    r.requestSent(A, X, check('peer', { transactionId: t }), 0);
    r.requestSent(B, X, check('peer', { transactionId: t }), 0);
    expect(r.route(X, response(t), 1)).to.equal(A);
    expect(r.stats().counters.transactionsRefused).to.equal(1);
  });

  it('throws when an unregistered agent sends a request', () => {
    expectCode(() => router().requestSent({ name: 'C' }, X, check('peer'), 0), 'ERR_INVALID_STATE');
  });
});

describe('mux: MuxRouter addresses', () => {
  it('moves an address to another agent only through authenticated()', () => {
    const r = router();
    r.authenticated(A, X, 0);
    r.route(X, check('ufragB'), 1);
    expect(r.agentAt(X)).to.equal(A);
    r.authenticated(B, X, 2);
    expect(r.agentAt(X)).to.equal(B);
    expect(r.addressesOf(A)).to.deep.equal([]);
    expect(r.addressesOf(B)).to.deep.equal([X]);
    expect(r.stats().counters.addressesMoved).to.equal(1);
    expect(r.size().addresses).to.equal(1);
  });

  it('keeps at most 8 addresses per agent, evicting the least recently authenticated', () => {
    const r = router();
    const at = (i: number): PeerAddress => addr(`192.0.2.${i}`, 1000 + i);
    for (let i = 0; i < 8; i++) r.authenticated(A, at(i), i);
    r.authenticated(A, at(0), 100); // 0 is now the most recent; 1 the least
    r.authenticated(A, at(8), 101);
    expect(r.addressesOf(A)).to.have.length(8);
    expect(r.agentAt(at(1))).to.equal(undefined);
    expect(r.agentAt(at(0))).to.equal(A);
    expect(r.agentAt(at(8))).to.equal(A);
    expect(r.stats().counters).to.include({ addressesEvicted: 1, addressesRefreshed: 1, addressesAdded: 9 });
  });

  it('honours a smaller maxAddressesPerAgent', () => {
    const r = router({ maxAddressesPerAgent: 1 });
    r.authenticated(A, X, 0);
    r.authenticated(A, Y, 1);
    expect(r.addressesOf(A)).to.deep.equal([Y]);
  });

  it('forgets an address only for its owner', () => {
    const r = router();
    r.authenticated(A, X, 0);
    expect(r.forget(B, X)).to.equal(false);
    expect(r.agentAt(X)).to.equal(A);
    expect(r.forget(A, X)).to.equal(true);
    expect(r.forget(A, X)).to.equal(false);
    expect(r.agentAt(X)).to.equal(undefined);
    expect(r.size().addresses).to.equal(0);
  });

  it('unregister removes the ufrag and every address; the ufrag can be registered again', () => {
    const r = router();
    r.authenticated(A, X, 0);
    r.authenticated(A, Y, 0);
    expect(r.unregister(A)).to.equal(true);
    expect(r.unregister(A)).to.equal(false);
    expect(r.route(X, rtp(), 1)).to.equal(undefined);
    expect(r.route(X, check('ufragA'), 1)).to.equal(undefined);
    expect(r.size()).to.deep.equal({ agents: 1, addresses: 0, transactions: 0 });
    const C = { name: 'C' };
    r.register(C, 'ufragA');
    expect(r.route(X, check('ufragA'), 2)).to.equal(C);
  });

  it('throws when an unregistered agent reports an authentication', () => {
    expectCode(() => router().authenticated({ name: 'C' }, X, 0), 'ERR_INVALID_STATE');
  });
});

describe('mux: MuxRouter registration', () => {
  it('refuses a duplicate ufrag with a typed error', () => {
    const r = router();
    const e = expectCode(() => r.register({ name: 'C' }, 'ufragA'), 'ERR_INVALID_ARGUMENT');
    expect(e).to.be.instanceOf(DuplicateUfragError);
    expect((e as DuplicateUfragError).ufrag).to.equal('ufragA');
    expect(r.agentOfUfrag('ufragA')).to.equal(A);
  });

  it('refuses an agent twice, a ufrag that is not 4..256 ice-chars, and more than maxAgents', () => {
    const r = router({ maxAgents: 3 });
    expectCode(() => r.register(A, 'other'), 'ERR_INVALID_STATE');
    for (const bad of ['abc', 'ab:cd', 'a'.repeat(257), 'abc d']) expectCode(() => r.register({ name: bad }, bad), 'ERR_INVALID_ARGUMENT');
    r.register({ name: 'C' }, 'ufragC');
    expectCode(() => r.register({ name: 'D' }, 'ufragD'), 'ERR_INVALID_STATE');
    expect(r.size().agents).to.equal(3);
  });

  it('renames on ICE restart: the new ufrag routes, the old one is unknown, addresses stay', () => {
    const r = router();
    r.authenticated(A, X, 0);
    r.rename(A, 'ufragA', 'ufragA9');
    expect(r.route(Y, check('ufragA9'), 1)).to.equal(A);
    expect(r.route(Y, check('ufragA'), 1)).to.equal(undefined);
    expect(r.agentAt(X)).to.equal(A);
    expectCode(() => r.rename(A, 'ufragA', 'ufragA8'), 'ERR_INVALID_ARGUMENT');
    expect(() => r.rename(A, 'ufragA9', 'ufragB')).to.throw(DuplicateUfragError);
    expect(r.agentOfUfrag('ufragA9')).to.equal(A);
    expectCode(() => r.rename({ name: 'C' }, 'x', 'yyyy'), 'ERR_INVALID_STATE');
  });

  it('validates its options', () => {
    expectCode(() => new MuxRouter({ maxAddressesPerAgent: 0 }), 'ERR_INVALID_ARGUMENT');
    expectCode(() => new MuxRouter({ transactionTtlMs: Number.NaN }), 'ERR_INVALID_ARGUMENT');
    expectCode(() => new MuxRouter({ unknownUfragReports: { burst: 0, perSecond: 1 } }), 'ERR_INVALID_ARGUMENT');
  });
});

describe('mux: MuxRouter unknown-ufrag reports', () => {
  it('reports unknown ufrags through a token bucket driven by now', () => {
    const heard: [string, PeerAddress][] = [];
    const r = router({ onUnknownUfrag: (u, f) => heard.push([u, f]), unknownUfragReports: { burst: 3, perSecond: 2 } });
    for (let i = 0; i < 100; i++) r.route(X, check('nobody'), 0);
    expect(heard).to.deep.equal([['nobody', X], ['nobody', X], ['nobody', X]]);
    for (let i = 0; i < 100; i++) r.route(X, check('nobody'), 499);
    expect(heard).to.have.length(3);
    for (let i = 0; i < 100; i++) r.route(X, check('nobody'), 1000);
    expect(heard).to.have.length(5);
    expect(r.stats().counters).to.include({ unknownUfragReported: 5, unknownUfragSuppressed: 295 });
    expect(r.stats().counters.drops['unknown-ufrag']).to.equal(300);
  });

  it('lets the hook register the agent: the client\'s retransmission then reaches it', () => {
    const C = { name: 'C' };
    const r: MuxRouter<Agent> = router({ onUnknownUfrag: (u) => r.register(C, u) });
    const req = check('lateOne');
    expect(r.route(X, req, 0)).to.equal(undefined);
    expect(r.route(X, req, 500)).to.equal(C);
  });

  it('stats() is a snapshot', () => {
    const r = router();
    const before = r.stats();
    r.route(X, rtp(), 0);
    expect(before.counters.drops['unknown-address']).to.equal(0);
    expect(r.stats().counters.drops['unknown-address']).to.equal(1);
  });
});
