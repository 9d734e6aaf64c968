// warmUp(): runs a first connection's code paths once per process, on loopback and in memory only.
import { expect } from 'chai';
import { warmUp } from '../../lib/index.js';
import { guardLoopbackEgress } from '../support/egress-guard.js';
import { baselineResourceCounts, settledResourceCounts } from '../support/resources.js';

describe('warmUp()', () => {
  it('resolves once per process, sends only to its own loopback socket and leaves no socket or timer behind', async () => {
    const guard = guardLoopbackEgress();
    const baseline = await baselineResourceCounts();
    let refused: string[] = [];
    try {
      const first = warmUp();
      expect(warmUp()).to.equal(first);
      await first;
    } finally {
      refused = guard.restore();
    }
    expect(refused).to.deep.equal([]);
    const after = await settledResourceCounts(baseline);
    expect(after).to.deep.equal(baseline);
  });
});
