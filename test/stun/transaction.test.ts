import { expect } from 'chai';
import {
  ClientTransaction, DEFAULT_RETRANSMIT, TransactionTable, newTransactionId, type RetransmitPolicy,
} from '../../lib/stun/transaction.js';
import { IceError } from '../../lib/util/errors.js';
import { seededRandom } from '../../lib/util/random.js';

/** Drive a transaction by jumping to each deadline; returns send times and the timeout time. */
function schedule(policy: RetransmitPolicy, start: number): { sends: number[]; timeoutAt: number } {
  const t = new ClientTransaction(policy, start);
  const sends = [start];
  for (;;) {
    const now = t.nextDeadline();
    expect(t.tick(now - 1)).to.equal('wait');
    const r = t.tick(now);
    if (r === 'timeout') return { sends, timeoutAt: now };
    expect(r).to.equal('retransmit');
    sends.push(now);
    expect(t.sentCount).to.equal(sends.length);
  }
}

describe('stun: client transaction timing (RFC 8489 §6.2.1)', () => {
  it('default policy: sends at 0,500,1500,3500,7500,15500,31500; timeout at 39500', () => {
    expect(DEFAULT_RETRANSMIT).to.deep.equal({ rtoMs: 500, maxRequests: 7, finalWaitFactor: 16 });
    expect(schedule(DEFAULT_RETRANSMIT, 0)).to.deep.equal({
      sends: [0, 500, 1500, 3500, 7500, 15500, 31500], timeoutAt: 39500,
    });
  });

  it('offset start time shifts the whole schedule', () => {
    const { sends, timeoutAt } = schedule(DEFAULT_RETRANSMIT, 1000);
    expect(sends).to.deep.equal([1000, 1500, 2500, 4500, 8500, 16500, 32500]);
    expect(timeoutAt).to.equal(40500);
  });

  it('configured policy rto 100, Rc 3, Rm 4: sends at 0,100,300; timeout at 700', () => {
    expect(schedule({ rtoMs: 100, maxRequests: 3, finalWaitFactor: 4 }, 0)).to.deep.equal({
      sends: [0, 100, 300], timeoutAt: 700,
    });
  });

  it('Rc 1: no retransmission, timeout after Rm*rto', () => {
    expect(schedule({ rtoMs: 50, maxRequests: 1, finalWaitFactor: 2 }, 10)).to.deep.equal({ sends: [10], timeoutAt: 110 });
  });

  it('a late tick retransmits once and measures the next interval from that moment', () => {
    const t = new ClientTransaction(DEFAULT_RETRANSMIT, 0);
    expect(t.tick(5000)).to.equal('retransmit'); // slept past 500, 1500, 3500: still one send
    expect(t.sentCount).to.equal(2);
    expect(t.nextDeadline()).to.equal(6000); // 5000 + 2*rto
    expect(t.tick(5999)).to.equal('wait');
    expect(t.tick(6000)).to.equal('retransmit');
    expect(t.nextDeadline()).to.equal(8000);
  });

  it('after timeout: stays timed out, deadline Infinity', () => {
    const t = new ClientTransaction({ rtoMs: 10, maxRequests: 1, finalWaitFactor: 1 }, 0);
    expect(t.tick(10)).to.equal('timeout');
    expect(t.timedOut).to.equal(true);
    expect(t.tick(20)).to.equal('timeout');
    expect(t.nextDeadline()).to.equal(Infinity);
  });

  it('rejects a nonsensical policy', () => {
    expect(() => new ClientTransaction({ rtoMs: 0, maxRequests: 7, finalWaitFactor: 16 }, 0)).to.throw(IceError);
    expect(() => new ClientTransaction({ rtoMs: 500, maxRequests: 0, finalWaitFactor: 16 }, 0)).to.throw(IceError);
  });
});

describe('stun: transaction table and ids', () => {
  it('newTransactionId: 12 bytes, deterministic with a seeded source, distinct', () => {
    const a = newTransactionId(seededRandom(7));
    const b = newTransactionId(seededRandom(7));
    expect(a.length).to.equal(12);
    expect(a.equals(b)).to.equal(true);
    const rng = seededRandom(1);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(newTransactionId(rng).toString('hex'));
    expect(seen.size).to.equal(1000);
  });

  it('add / get / take / delete / size / iteration keyed by id bytes', () => {
    const table = new TransactionTable<{ n: number }>();
    const id1 = Buffer.from('000102030405060708090a0b', 'hex');
    const id2 = Buffer.from('ff0102030405060708090a0b', 'hex');
    table.add(id1, { n: 1 });
    table.add(id2, { n: 2 });
    expect(table.size).to.equal(2);
    expect(table.get(Buffer.from(id1))?.n).to.equal(1); // a copy of the bytes finds it
    expect([...table].map(([id, c]) => [id.toString('hex'), c.n])).to.deep.equal([
      [id1.toString('hex'), 1], [id2.toString('hex'), 2],
    ]);
    expect(table.take(id1)?.n).to.equal(1);
    expect(table.take(id1)).to.equal(undefined);
    expect(table.size).to.equal(1);
    expect(table.delete(id2)).to.equal(true);
    expect(table.size).to.equal(0);
  });
});
