// lib/relay is pure (ARCHITECTURE.md): no sockets, timers, clocks, Math randomness or console,
// and it imports only the layers below it (ice, turn, stun, util), never net, driver or the façade.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';

// Built from pieces so this file stays greppable for the words themselves.
const FORBIDDEN = new RegExp(
  ['\\bdgr' + 'am\\b', '\\bnode:ne' + 't\\b', '\\bnode:tl' + 's\\b', 'setTime' + 'out', 'setInter' + 'val', 'setImme' + 'diate',
    'Date\\.n' + 'ow', 'new Da' + 'te', 'performance\\.n' + 'ow', 'Math\\.ran' + 'dom', 'conso' + 'le\\.'].join('|'),
);
const UPWARD = /from\s+'\.\.\/(net|driver|session|index|ice-agent|agent-)[./'-]/;

describe('relay: purity guard', () => {
  it('lib/relay never mentions sockets, timers, the clock, Math randomness or the console, nor imports upward', () => {
    const dir = new URL('../../../lib/relay/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).to.be.greaterThan(5);
    const hits: string[] = [];
    for (const f of files) {
      readFileSync(new URL(f, dir), 'utf8').split('\n').forEach((line, i) => {
        if (FORBIDDEN.test(line) || UPWARD.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits, hits.join('\n')).to.deep.equal([]);
  });
});
