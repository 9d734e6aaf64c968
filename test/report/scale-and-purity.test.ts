// The time axis (bursts linear, quiet gaps compressed and marked), and the renderer's purity.
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { timeScale, tickLabel } from '../../lib/report/scale.js';

describe('report: time scale', () => {
  it('is linear inside a burst and compresses a long quiet gap, which it reports', () => {
    // Checks every 50 ms for 200 ms, then nothing until a timeout at 39.5 s.
    const times = [0, 50, 100, 150, 200, 39_500];
    const s = timeScale(times, 39_500, 100, 1000);
    expect(s.x(0)).to.equal(100);
    expect(s.x(39_500)).to.be.closeTo(1100, 1e-9);
    const step = s.x(50) - s.x(0);
    for (let i = 1; i < 4; i++) expect(s.x(times[i + 1]!) - s.x(times[i]!)).to.be.closeTo(step, 1e-9);
    expect(s.gaps).to.deep.equal([{ from: 200, to: 39_500 }]);
    // The burst takes a real share of the width, not 200/39500 of it.
    expect(s.x(200) - s.x(0)).to.be.greaterThan(0.3 * 1000);
  });

  it('is monotonic, and ticks are in order, spaced, and never outside the plot', () => {
    const times = [0, 0.4, 3, 3.2, 17, 180, 2500, 2501, 9000, 30_000];
    const s = timeScale(times, 30_000, 50, 800);
    let last = -Infinity;
    for (let t = 0; t <= 30_000; t += 7.3) {
      const x = s.x(t);
      expect(x).to.be.at.least(last);
      last = x;
    }
    const ticks = s.ticks(60);
    expect(ticks.length).to.be.greaterThan(3);
    for (let i = 1; i < ticks.length; i++) {
      expect(ticks[i]!.t).to.be.greaterThan(ticks[i - 1]!.t);
      expect(ticks[i]!.x - ticks[i - 1]!.x).to.be.at.least(60);
    }
    for (const t of ticks) expect(t.x).to.be.within(50, 850);
  });

  it('keeps short runs linear (no gap marked in a 50 ms selftest)', () => {
    const s = timeScale([0, 12, 13, 30, 31, 44, 45, 50], 50, 0, 500);
    expect(s.gaps).to.deep.equal([]);
    expect(s.x(25)).to.be.closeTo(250, 1e-9);
  });

  it('squeezes a long wait for the first event (process start) to a sliver, marked, and keeps the rest linear', () => {
    const s = timeScale([64, 66, 70, 76], 76, 0, 1000);
    expect(s.gaps).to.deep.equal([{ from: 0, to: 64 }]);
    expect(s.x(64)).to.be.closeTo(80, 1e-9);
    expect(s.x(70) - s.x(66)).to.be.closeTo(2 * (s.x(66) - s.x(64)), 1e-9);
  });

  it('labels ticks in ms below a second, in s above', () => {
    expect([0, 12.5, 500, 1000, 2500, 12_000].map(tickLabel)).to.deep.equal(['0 ms', '12.5 ms', '500 ms', '1 s', '2.5 s', '12 s']);
  });
});

describe('report: the renderer is pure', () => {
  // dist/test/report -> lib/report (sources)
  const dir = new URL('../../../lib/report/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  // Built from pieces so that this file does not contain them.
  const banned = [['dg', 'ram'], ['setTime', 'out'], ['setInter', 'val'], ['Date', '.now'], ['performance', '.now'], ['Math', '.random'], ['con', 'sole'], ['node', ':']].map((p) => p.join(''));

  it('lib/report never mentions sockets, timers, clocks, randomness, the console or node: modules', () => {
    expect(files.length).to.be.greaterThan(10);
    for (const f of files) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      for (const word of banned) expect(text.includes(word), `${f} mentions ${word}`).to.equal(false);
    }
  });

  it('only the recorder (and the index) import from outside lib/report, and the recorder only types and the clock interface', () => {
    for (const f of files) {
      const text = readFileSync(new URL(f, dir), 'utf8');
      const outside = [...text.matchAll(/from '(\.\.\/[^']+)'/g)].map((m) => m[1]!);
      if (f === 'recorder.ts') expect(outside).to.deep.equal(['../ice-agent.js', '../util/clock.js', '../util/errors.js']);
      else if (f === 'convert.ts') expect(outside.every((o) => text.includes(`import type`) && /^\.\.\/(ice|stun)\//.test(o)), f).to.equal(true);
      else if (f === 'read-record.ts') expect(outside).to.deep.equal(['../util/errors.js']);
      else expect(outside, f).to.deep.equal([]);
    }
    expect(readFileSync(new URL('recorder.ts', dir), 'utf8')).to.include("import type { IceAgentEvents } from '../ice-agent.js'");
  });
});
