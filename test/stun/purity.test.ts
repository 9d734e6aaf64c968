import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

// ARCHITECTURE.md: lib/stun is pure. Build the banned words from pieces so this file stays greppable.
const BANNED = [['dg', 'ram'], ['setTime', 'out'], ['setInter', 'val'], ['Date', '.now'], ['performance', '.now'],
  ['Math', '.random'], ['con', 'sole']].map((p) => p.join(''));

describe('stun: purity guard', () => {
  it('lib/stun sources never mention sockets, timers, clocks, Math randomness or the console', () => {
    const dir = new URL('../../../lib/stun/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).to.be.greaterThan(8);
    for (const f of files) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      for (const word of BANNED) expect(text.includes(word), `${f} mentions ${word}`).to.equal(false);
    }
  });
});
