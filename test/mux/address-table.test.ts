import { expect } from 'chai';
import { AddressTable } from '../../lib/mux/address-table.js';
import type { AddressSlot, AgentRecord } from '../../lib/mux/router-types.js';
import { Rng } from '../fuzz/mutator.js';

const owner: AgentRecord<string> = { agent: 'a', ufrag: 'aaaa', addresses: [], pendingTransactions: 0, alive: true };
const slot = (address: string, port: number): AddressSlot<string> =>
  ({ address, port, owner, authenticatedAt: 0, nextSamePort: undefined });

describe('mux: AddressTable (port, then address)', () => {
  it('finds, misses and removes exact slots on a shared port', () => {
    const t = new AddressTable<string>();
    const a = slot('192.0.2.1', 9);
    const b = slot('192.0.2.2', 9);
    const c = slot('192.0.2.3', 9);
    for (const s of [a, b, c]) t.insert(s);
    expect(t.lookup(9, '192.0.2.2')).to.equal(b);
    expect(t.lookup(9, '192.0.2.4')).to.equal(undefined);
    expect(t.lookup(10, '192.0.2.2')).to.equal(undefined);
    expect(t.remove(slot('192.0.2.2', 9)), 'an equal but different slot').to.equal(false);
    expect(t.remove(b)).to.equal(true);
    expect(t.remove(b)).to.equal(false);
    expect(t.lookup(9, '192.0.2.1')).to.equal(a);
    expect(t.lookup(9, '192.0.2.3')).to.equal(c);
    expect(t.size).to.equal(2);
  });

  it('keeps working when a port holds more addresses than a chain may (upgrade to a Map)', () => {
    const t = new AddressTable<string>();
    const slots = Array.from({ length: 50 }, (_, i) => slot(`198.51.100.${i}`, 3478));
    for (const s of slots) t.insert(s);
    for (const s of slots) expect(t.lookup(3478, s.address)).to.equal(s);
    for (const s of slots.slice(0, 49)) expect(t.remove(s)).to.equal(true);
    expect(t.lookup(3478, slots[49]!.address)).to.equal(slots[49]);
    expect(t.remove(slots[49]!)).to.equal(true);
    expect(t.size).to.equal(0);
    t.insert(slots[0]!);
    expect(t.lookup(3478, slots[0]!.address)).to.equal(slots[0]);
  });

  it('matches a Map keyed by "address:port" over 100 000 seeded inserts and removals', () => {
    const rng = new Rng(77);
    const t = new AddressTable<string>();
    const model = new Map<string, AddressSlot<string>>();
    const problems: string[] = [];
    for (let op = 0; op < 100_000 && problems.length === 0; op++) {
      const port = rng.int(6); // few ports: long chains and upgrades
      const address = `10.0.${rng.int(4)}.${rng.int(8)}`;
      const key = `${address}:${port}`;
      const known = model.get(key);
      if (rng.chance(0.5)) {
        if (!known) { const s = slot(address, port); t.insert(s); model.set(key, s); }
      } else if (known) {
        if (!t.remove(known)) problems.push(`op ${op}: remove ${key}`);
        model.delete(key);
      }
      const probe = `10.0.${rng.int(4)}.${rng.int(8)}`;
      const p = rng.int(6);
      if (t.lookup(p, probe) !== model.get(`${probe}:${p}`)) problems.push(`op ${op}: lookup ${probe}:${p}`);
      if (t.size !== model.size) problems.push(`op ${op}: size`);
    }
    expect(problems).to.deep.equal([]);
  });
});
