// The time axis: bursts linear, quiet gaps compressed and marked. (The renderer's purity: test/purity.test.ts.)
import { expect } from 'chai';
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
