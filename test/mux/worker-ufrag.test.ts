import { expect } from 'chai';
import { MAX_WORKERS, MuxRouter, isIceUfrag, workerOf, workerUfrag } from '../../lib/mux/index.js';
import { IceError } from '../../lib/util/errors.js';
import { seededRandom } from '../../lib/util/random.js';

describe('mux: worker index in the ufrag', () => {
  it('round-trips every worker index through a valid ICE ufrag', () => {
    const random = seededRandom(5);
    for (let w = 0; w < MAX_WORKERS; w++) {
      const u = workerUfrag(w, random);
      expect(isIceUfrag(u), u).to.equal(true);
      expect(u).to.have.length(10);
      expect(workerOf(u)).to.equal(w);
    }
  });

  it('keeps the random part random (>= 24 bits, RFC 8445 §5.3) and distinct per call', () => {
    const random = seededRandom(6);
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(workerUfrag(3, random).slice(2));
    expect(seen.size).to.equal(10_000);
    expect(workerUfrag(3, random, 6)).to.have.length(6); // 4 random chars = 24 bits
    expect(() => workerUfrag(3, random, 5)).to.throw(IceError);
    expect(() => workerUfrag(3, random, 257)).to.throw(IceError);
  });

  it('refuses impossible workers and reads nothing from what cannot be a worker ufrag', () => {
    const random = seededRandom(7);
    for (const w of [-1, MAX_WORKERS, 1.5, Number.NaN]) expect(() => workerUfrag(w, random), String(w)).to.throw(IceError);
    for (const u of ['', 'AB', 'ABCDE', 'AB-CDEFG', 'AB CDEFG', 'A'.repeat(257)]) expect(workerOf(u), u).to.equal(undefined);
    expect(workerOf('//xxxx')).to.equal(MAX_WORKERS - 1);
  });

  it('gives ufrags a router accepts', () => {
    const router = new MuxRouter<number>();
    const random = seededRandom(8);
    for (let i = 0; i < 100; i++) router.register(i, workerUfrag(i % 4, random));
    expect(router.size().agents).to.equal(100);
  });
});
