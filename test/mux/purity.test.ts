// lib/mux is pure like lib/stun and lib/ice (ARCHITECTURE.md): no sockets, timers, clock,
// randomness or console, and it imports nothing from the driver layers.
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = fileURLToPath(new URL('../../../lib/', import.meta.url));
const FILES = [
  ...readdirSync(join(LIB, 'mux')).filter((n) => n.endsWith('.ts')).map((n) => join(LIB, 'mux', n)),
  join(LIB, 'util', 'deadline-heap.ts'),
];
// Built from pieces so these words never appear literally in a scanned file.
const FORBIDDEN = new RegExp(
  ['\\bdgr' + 'am\\b', 'setTime' + 'out', 'setInter' + 'val', 'Date\\.n' + 'ow', 'performance\\.n' + 'ow', 'Math\\.ran' + 'dom', 'conso' + 'le\\.'].join('|'),
);
const ALLOWED_TOP = new Set(['mux', 'stun', 'util']);

describe('mux: purity guard', () => {
  it('finds the sources', () => {
    expect(FILES.length).to.be.greaterThan(5);
  });

  it('never mentions sockets, timers, the clock, randomness or the console', () => {
    const hits = FILES.flatMap((f) => readFileSync(f, 'utf8').split('\n')
      .map((line, i) => (FORBIDDEN.test(line) ? `${relative(LIB, f)}:${i + 1}: ${line.trim()}` : ''))
      .filter(Boolean));
    expect(hits, hits.join('\n')).to.deep.equal([]);
  });

  it('imports only lib/stun, lib/util and itself (and node:crypto-free built-ins)', () => {
    const hits: string[] = [];
    for (const f of FILES) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (!spec.startsWith('.')) { hits.push(`${relative(LIB, f)}: imports '${spec}'`); continue; }
        const top = relative(LIB, resolve(dirname(f), spec)).split(sep)[0]!;
        if (!ALLOWED_TOP.has(top)) hits.push(`${relative(LIB, f)}: imports '${spec}'`);
      }
    }
    expect(hits, hits.join('\n')).to.deep.equal([]);
  });
});
